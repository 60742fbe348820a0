import {
  ARCHIVE_IN_CONTEXT,
  BLENDER_ARCHIVE_IN_CONTEXT as BLENDER_ARCHIVE_IN_SCRIPT_CONTEXT,
} from "../../scripts/fetch-release";
import { resolveBlenderSource } from "../../components/config/blender";
import {
  BLENDER_LIBRARY_PACKAGES,
  BLENDER_SHA256_ARG,
  RELEASE_SHA256_ARG,
  renderDockerfile,
  renderWorkerDockerfile,
} from "../../components/render/dockerfile";
import { BLENDER_ARCHIVE_IN_CONTEXT, RELEASE_ARCHIVE_IN_CONTEXT } from "../../components/render/names";

const DEFAULT = { baseImage: "debian:bookworm-slim", managerUser: "1000:1000" };

/** Instruction lines, with backslash continuations joined and comments dropped. */
function instructions(dockerfile: string): string[] {
  return dockerfile
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
}

function stages(dockerfile: string): string[][] {
  const result: string[][] = [];
  for (const line of instructions(dockerfile)) {
    if (/^FROM\s/i.test(line)) result.push([]);
    else if (result.length === 0) throw new Error(`instruction before FROM: ${line}`);
    result[result.length - 1].push(line);
  }
  return result;
}

function fromLines(dockerfile: string): string[] {
  return instructions(dockerfile).filter((line) => /^FROM\s/i.test(line));
}

describe("manager Dockerfile", () => {
  // Computed per test (not while collecting tests), so mutation testing runs only the tests that use it.
  let dockerfile: string;
  let unpack: string[];
  let final: string[];
  beforeEach(() => {
    dockerfile = renderDockerfile(DEFAULT);
    [unpack, final] = stages(dockerfile);
  });

  it("has two stages, both on the base image", () => {
    const froms = fromLines(dockerfile);
    expect(froms).toHaveLength(2);
    expect(froms[0]).toMatch(/^FROM debian:bookworm-slim AS unpack$/);
    expect(froms[1]).toBe("FROM debian:bookworm-slim");
    const custom = fromLines(renderDockerfile({ ...DEFAULT, baseImage: "registry.lan:5000/base/debian:12" }));
    expect(custom.every((line) => line.startsWith("FROM registry.lan:5000/base/debian:12"))).toBe(true);
  });

  it("copies the archive the release script stages into the context", () => {
    expect(RELEASE_ARCHIVE_IN_CONTEXT).toBe(ARCHIVE_IN_CONTEXT);
    expect(unpack.some((line) => line.startsWith(`COPY ${RELEASE_ARCHIVE_IN_CONTEXT} `))).toBe(true);
  });

  it("checks the archive's sha256 from the build arg before unpacking it", () => {
    expect(unpack).toContain(`ARG ${RELEASE_SHA256_ARG}`);
    const run = unpack.find((line) => line.startsWith("RUN "));
    expect(run).toBeDefined();
    const check = run!.indexOf("sha256sum -c");
    const extract = run!.indexOf("tar -x");
    expect(check).toBeGreaterThan(-1);
    expect(run).toContain(`\${${RELEASE_SHA256_ARG}}`);
    expect(extract).toBeGreaterThan(check);
    // The check is chained with &&, so a mismatch stops the build.
    expect(run!.slice(check, extract)).toContain("&&");
  });

  it("unpacks the release and makes the manager, the worker and ffmpeg executable", () => {
    const run = unpack.find((line) => line.startsWith("RUN "))!;
    expect(run).toMatch(/tar -xzf \S*flamenco-release\.tar\.gz -C \/release --strip-components=1/);
    expect(run).toMatch(/chmod 0?755 .*\/release\/flamenco-manager/);
    expect(run).toContain("/release/flamenco-worker");
    expect(run).toContain("/release/tools/ffmpeg-linux-amd64");
  });

  it("final stage copies exactly the manager, the worker and ffmpeg from the first stage", () => {
    const copies = final.filter((line) => line.startsWith("COPY "));
    expect(copies.every((line) => line.startsWith("COPY --from=unpack "))).toBe(true);
    const copied = copies.flatMap((line) => {
      const parts = line.split(/\s+/).slice(2);
      const target = parts.pop()!;
      return parts.map((source) => ({ source, target }));
    });
    expect(copied.map((entry) => entry.source).sort()).toEqual(
      ["/release/flamenco-manager", "/release/flamenco-worker", "/release/tools/ffmpeg-linux-amd64"].sort(),
    );
    const targetOf = (source: string) => copied.find((entry) => entry.source === source)!.target;
    expect(["/app/", "/app/flamenco-manager"]).toContain(targetOf("/release/flamenco-manager"));
    expect(["/app/", "/app/flamenco-worker"]).toContain(targetOf("/release/flamenco-worker"));
    expect(targetOf("/release/tools/ffmpeg-linux-amd64")).toBe("/app/tools/ffmpeg-linux-amd64");
  });

  it("runs as the non-root managerUser uid:gid", () => {
    expect(final.filter((line) => line.startsWith("USER "))).toEqual(["USER 1000:1000"]);
    const single = stages(renderDockerfile({ ...DEFAULT, managerUser: "2001" }))[1];
    expect(single.filter((line) => line.startsWith("USER "))).toEqual(["USER 2001:2001"]);
    const other = stages(renderDockerfile({ ...DEFAULT, managerUser: "1500:1600" }))[1];
    expect(other.filter((line) => line.startsWith("USER "))).toEqual(["USER 1500:1600"]);
    const userIndex = final.findIndex((line) => line.startsWith("USER "));
    // Nothing runs as the unprivileged user that would need root.
    expect(final.slice(userIndex).some((line) => line.startsWith("RUN "))).toBe(false);
  });

  it("creates the user and group when the base image lacks them", () => {
    const run = final.find((line) => line.startsWith("RUN "))!;
    expect(run).toContain("--gid 1000");
    expect(run).toContain("--uid 1000");
  });

  it("works in /app, where the manager reads ./flamenco-manager.yaml", () => {
    expect(final).toContain("WORKDIR /app");
    expect(final.some((line) => line.startsWith("CMD ") && line.includes("/app/flamenco-manager"))).toBe(true);
  });

  it("downloads nothing", () => {
    expect(dockerfile).not.toMatch(/curl|wget|https?:\/\/|\bADD\s/i);
  });
});

describe("worker Dockerfile", () => {
  const OFFICIAL = { ...DEFAULT, blender: resolveBlenderSource("4.2.3"), workerPackages: [] };
  const DEBIAN = { ...DEFAULT, blender: undefined, workerPackages: ["blender"] };

  function stageNamed(dockerfile: string, name: string): string[] {
    const index = fromLines(dockerfile).findIndex((line) => line.endsWith(` AS ${name}`));
    return index < 0 ? [] : stages(dockerfile)[index];
  }
  /** The final stage, its FROM line left out, with runs of spaces before && (from joined continuations) as one. */
  const finalStage = (dockerfile: string) =>
    stages(dockerfile)
      .slice(-1)[0]
      .slice(1)
      .map((line) => line.replace(/\s+&&/g, " &&"));
  const aptPackages = (line: string) =>
    /apt-get install -y --no-install-recommends ((?:[\w.+=~:-]+ ?)+)/.exec(line)?.[1].trim().split(" ");

  it("unpacks the release as the manager image does, then the official build in a stage of its own", () => {
    const dockerfile = renderWorkerDockerfile(OFFICIAL);
    expect(fromLines(dockerfile)).toEqual([
      "FROM debian:bookworm-slim AS unpack",
      "FROM debian:bookworm-slim AS blender",
      "FROM debian:bookworm-slim",
    ]);
    expect(stageNamed(dockerfile, "unpack")).toEqual(stages(renderDockerfile(DEFAULT))[0]);
  });

  it("checks the Blender archive against its verified digest before unpacking it, as root's files", () => {
    const blender = stageNamed(renderWorkerDockerfile(OFFICIAL), "blender");
    expect(blender).toContain(`ARG ${BLENDER_SHA256_ARG}`);
    expect(BLENDER_ARCHIVE_IN_CONTEXT).toBe(BLENDER_ARCHIVE_IN_SCRIPT_CONTEXT);
    expect(blender).toContain(`COPY ${BLENDER_ARCHIVE_IN_CONTEXT} /tmp/${BLENDER_ARCHIVE_IN_CONTEXT}`);
    const run = blender[blender.length - 1].replace(/\s+&&/g, " &&");
    expect(run).toMatch(/^RUN echo "\$\{BLENDER_SHA256\} {2}\/tmp\/blender-release\.tar\.xz" \| sha256sum -c - && /);
    expect(run).toContain("tar -xJf /tmp/blender-release.tar.xz -C /blender --strip-components=1 --no-same-owner");
    expect(run).toContain("test -x /blender/blender");
    // xz-utils unpacks .tar.xz; it stays in this stage.
    expect(aptPackages(blender.find((line) => line.startsWith("RUN apt-get"))!)).toEqual(["xz-utils"]);
    expect(aptPackages(finalStage(renderWorkerDockerfile(OFFICIAL))[0])).not.toContain("xz-utils");
  });

  it("installs Blender's libraries and the stack's packages first, sorted, each once, without recommends", () => {
    const final = finalStage(renderWorkerDockerfile({ ...OFFICIAL, workerPackages: ["fonts-noto-core", "libgl1"] }));
    expect(final[0]).toMatch(
      /^RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /,
    );
    expect(final[0]).toMatch(/&& apt-get clean && rm -rf \/var\/lib\/apt\/lists\/\*$/);
    expect(aptPackages(final[0])).toEqual([...BLENDER_LIBRARY_PACKAGES, "fonts-noto-core"].sort());
    expect(aptPackages(finalStage(renderWorkerDockerfile(DEBIAN))[0])).toEqual(["blender"]);
  });

  it("holds the worker, FFmpeg and Blender at /opt/blender, also on PATH; not the manager", () => {
    const final = finalStage(renderWorkerDockerfile(OFFICIAL));
    expect(final.filter((line) => line.startsWith("COPY "))).toEqual([
      "COPY --from=unpack /release/flamenco-worker /app/",
      "COPY --from=unpack /release/tools/ffmpeg-linux-amd64 /app/tools/ffmpeg-linux-amd64",
      "COPY --from=blender /blender /opt/blender",
    ]);
    expect(final).toContain("RUN ln -s /opt/blender/blender /usr/local/bin/blender");
    expect(final).toContain('CMD ["/app/flamenco-worker"]');
  });

  it("with Debian's package only: no Blender stage, no libraries of the official build", () => {
    const dockerfile = renderWorkerDockerfile(DEBIAN);
    expect(fromLines(dockerfile)).toEqual(["FROM debian:bookworm-slim AS unpack", "FROM debian:bookworm-slim"]);
    expect(dockerfile).not.toContain("/opt/blender");
    expect(dockerfile).not.toContain(BLENDER_SHA256_ARG);
  });

  it("runs as managerUser with HOME in the worker's identity directory; nothing runs as that user", () => {
    const final = finalStage(renderWorkerDockerfile({ ...OFFICIAL, managerUser: "1500:1600" }));
    const user = final.indexOf("USER 1500:1600");
    expect(user).toBeGreaterThan(0);
    expect(final.slice(user).some((line) => line.startsWith("RUN "))).toBe(false);
    expect(final).toContain("ENV HOME=/var/lib/flamenco-worker");
    expect(final).toContain("WORKDIR /app");
  });

  it("gives the same bytes for the same settings, and downloads nothing itself", () => {
    expect(renderWorkerDockerfile(OFFICIAL)).toBe(renderWorkerDockerfile({ ...OFFICIAL }));
    expect(renderWorkerDockerfile(OFFICIAL)).not.toMatch(/curl|wget|https?:\/\/|\bADD\s/i);
  });
});
