import { ARCHIVE_IN_CONTEXT } from "../../scripts/fetch-release";
import { RELEASE_SHA256_ARG, renderDockerfile } from "../../components/render/dockerfile";
import { RELEASE_ARCHIVE_IN_CONTEXT } from "../../components/render/names";

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
