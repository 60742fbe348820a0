/**
 * Blender on the workers: the keys blenderVersion, blenderRelease and workerPackages, what the
 * settings make of them (the archive, the packages, the manager's blender variable), the rules
 * that span keys, the worker image's arguments, and the stack files docs/blender.md shows.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import {
  BLENDER_NAMING,
  blenderArchiveName,
  blenderArchiveVersion,
  officialBlenderUrl,
  resolveBlenderSource,
} from "../../components/config/blender";
import { checksumListBeside } from "../../components/config/release";
import { parseSettings, PROJECT, Settings } from "../../components/config/settings";
import { landscapePlan, workerImageArgs } from "../../components/landscapePlan";
import {
  blenderConfigDescription,
  parseFetchedRelease,
  releaseCommandEnvironment,
  workerHomeCommandEnvironment,
  workerImageCommandEnvironment,
} from "../../components/render/commands";
import { BLENDER_LIBRARY_PACKAGES } from "../../components/render/dockerfile";
import { renderManagerYaml } from "../../components/render/managerYaml";
import { workerImageName } from "../../components/render/workers";
import { configErrorOf, CONTEXT, HOME, lineFor } from "./support/configErrors";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
const ROOT = `${HOME}/.openstudiolandscapes/landscapes`;
const SHA = "c".repeat(64);
const LOCAL = { name: "manager-host", count: 1 };
const REMOTE = { name: "render-01", dockerHost: "ssh://render@render-01.studio.lan", count: 1, sharedStorage: "/mnt" };

function settingsOf(raw: Record<string, unknown> = {}): Settings {
  return parseSettings(raw, CONTEXT);
}

function linuxBlender(settings: Settings): string | undefined {
  return settings.manager.variables.blender?.values.find((entry) => entry.platform === "linux")?.value;
}

describe("official Blender locations", () => {
  it("names the Linux build and its checksum list as download.blender.org publishes them", () => {
    expect(blenderArchiveName("4.2.3")).toBe("blender-4.2.3-linux-x64.tar.xz");
    expect(officialBlenderUrl("4.2.3")).toBe(
      "https://download.blender.org/release/Blender4.2/blender-4.2.3-linux-x64.tar.xz",
    );
    expect(officialBlenderUrl("10.11.0")).toBe(
      "https://download.blender.org/release/Blender10.11/blender-10.11.0-linux-x64.tar.xz",
    );
    expect(checksumListBeside(officialBlenderUrl("4.2.3"), BLENDER_NAMING)).toBe(
      "https://download.blender.org/release/Blender4.2/blender-4.2.3.sha256",
    );
  });

  it("knows the version of an archive named like an official one, on any host", () => {
    expect(blenderArchiveVersion("file:///srv/mirror/blender-3.6.15-linux-x64.tar.xz")).toBe("3.6.15");
    expect(blenderArchiveVersion("https://mirror/blender-4.2.3-windows-x64.zip")).toBeUndefined();
    expect(blenderArchiveVersion("/srv/blender.tar.xz")).toBeUndefined();
  });

  it("caches by url and checksum: another mirror or another digest is another entry", () => {
    const official = resolveBlenderSource("4.2.3");
    expect(official.verification).toEqual({
      kind: "published-checksums",
      checksumsUrl: "https://download.blender.org/release/Blender4.2/blender-4.2.3.sha256",
    });
    const pinned = resolveBlenderSource("4.2.3", { url: official.url, sha256: SHA.toUpperCase() });
    expect(pinned.verification).toEqual({ kind: "sha256", sha256: SHA });
    const mirror = resolveBlenderSource("4.2.3", { url: "file:///srv/blender.tar.xz", sha256: SHA });
    expect(mirror.archiveName).toBe("blender.tar.xz");
    expect(new Set([official.cacheKey, pinned.cacheKey, mirror.cacheKey]).size).toBe(3);
    expect(resolveBlenderSource("4.2.3").cacheKey).toBe(official.cacheKey);
  });
});

describe("settings", () => {
  it("without the keys: no Blender, no packages, the manager's variables as before", () => {
    const settings = settingsOf();
    expect(settings.blender).toBeUndefined();
    expect(settings.workerPackages).toEqual([]);
    expect(settings.manager.variables).toEqual(settingsOf({ workerPackages: [] }).manager.variables);
    expect(linuxBlender(settings)).toBe("blender");
  });

  it("blenderVersion: the official build, verified by its published list; Linux workers run /opt/blender/blender", () => {
    const settings = settingsOf({ blenderVersion: "4.2.3" });
    expect(settings.blender).toEqual(resolveBlenderSource("4.2.3"));
    expect(settings.manager.variables).toEqual({
      blender: {
        values: [
          { platform: "linux", audience: "all", value: "/opt/blender/blender" },
          { platform: "windows", audience: "all", value: "blender.exe" },
          { platform: "darwin", audience: "all", value: "blender" },
        ],
      },
      blenderArgs: { values: [{ platform: "all", audience: "all", value: "-b -y" }] },
    });
  });

  it("workerPackages with blender: Debian's Blender at /usr/bin/blender, pinned or not; the list sorted, each once", () => {
    const settings = settingsOf({ workerPackages: ["fonts-noto-core", "blender=3.4.1+dfsg-2+b1", "fonts-noto-core"] });
    expect(settings.workerPackages).toEqual(["blender=3.4.1+dfsg-2+b1", "fonts-noto-core"]);
    expect(linuxBlender(settings)).toBe("/usr/bin/blender");
    expect(linuxBlender(settingsOf({ workerPackages: ["fonts-noto-core"] }))).toBe("blender");
  });

  it("the studio's own blender variable wins; blenderArgs is added when the stack's variables lack it", () => {
    const own = { values: [{ platform: "linux", value: "/studio/blender/blender" }] };
    const settings = settingsOf({ blenderVersion: "4.2.3", manager: { variables: { blender: own } } });
    expect(settings.manager.variables).toEqual({
      blender: own,
      blenderArgs: { values: [{ platform: "all", audience: "all", value: "-b -y" }] },
    });
    const other = settingsOf({
      workerPackages: ["blender"],
      manager: { variables: { blenderArgs: { values: [{ platform: "all", value: "-b" }] } } },
    });
    expect(Object.keys(other.manager.variables)).toEqual(["blenderArgs", "blender"]);
    expect(other.manager.variables.blenderArgs.values).toEqual([{ platform: "all", value: "-b" }]);
    expect(linuxBlender(other)).toBe("/usr/bin/blender");
  });

  it("flamenco-manager.yaml carries the variable; a new Blender version leaves it as it is", () => {
    const yaml = renderManagerYaml(settingsOf({ blenderVersion: "4.2.3" }));
    expect(yaml).toContain("value: /opt/blender/blender");
    expect(renderManagerYaml(settingsOf({ blenderVersion: "4.2.4" }))).toBe(yaml);
  });
});

describe("rules across the Blender keys, in the one config error", () => {
  it("blenderRelease without blenderVersion", () => {
    const error = configErrorOf({ blenderRelease: { url: "file:///srv/blender.tar.xz", sha256: SHA } });
    expect(error.problems.map((problem) => problem.key)).toEqual([`${PROJECT}:blenderVersion`]);
    expect(lineFor(error, "blenderVersion")).toContain(
      'got nothing; expected a Blender release version such as "4.2.3" beside blenderRelease',
    );
  });

  it("a blenderRelease named like the official archive of another version", () => {
    const error = configErrorOf({
      blenderVersion: "4.2.3",
      blenderRelease: { url: "https://mirror.studio.lan/blender-4.2.2-linux-x64.tar.xz" },
    });
    expect(lineFor(error, "blenderVersion")).toContain(
      'got "4.2.3"; expected the version of the archive in blenderRelease.url ("4.2.2")',
    );
    expect(error.problems).toHaveLength(1);
  });

  it("Debian's blender package together with blenderVersion", () => {
    const error = configErrorOf({ blenderVersion: "4.2.3", workerPackages: ["fonts-noto-core", "blender"] });
    expect(error.problems.map((problem) => problem.key)).toEqual([`${PROJECT}:workerPackages.1`]);
    expect(lineFor(error, "workerPackages.1")).toContain(
      'got "blender"; expected a package other than blender while blenderVersion is set: the worker image holds one Blender',
    );
  });

  it("workerImage together with blenderVersion or workerPackages", () => {
    for (const raw of [{ blenderVersion: "4.2.3" }, { workerPackages: ["fonts-noto-core"] }]) {
      const error = configErrorOf({ ...raw, workerImage: "studio/worker:1" });
      expect(error.problems.map((problem) => problem.key)).toEqual([`${PROJECT}:workerImage`]);
      expect(lineFor(error, "workerImage")).toContain(
        'got "studio/worker:1"; expected no workerImage while blenderVersion or workerPackages is set',
      );
    }
    expect(settingsOf({ workerImage: "studio/worker:1", workerPackages: [] }).workerImage).toBe("studio/worker:1");
  });

  it("every bad Blender key and an unrelated one, in one error", () => {
    const error = configErrorOf({
      blenderVersion: "4.2",
      blenderRelease: { url: "http://mirror.studio.lan/blender-4.2.3-linux-x64.tar.xz" },
      workerPackages: ["Blender"],
      managerPortHost: 0,
    });
    expect(error.problems.map((problem) => problem.key).sort()).toEqual(
      [
        `${PROJECT}:blenderRelease`,
        `${PROJECT}:blenderVersion`,
        `${PROJECT}:managerPortHost`,
        `${PROJECT}:workerPackages.0`,
      ].sort(),
    );
  });

  it("the worker image's context is apart from storage", () => {
    const context = `${ROOT}/dev/OpenStudioLandscapes-Flamenco/worker-image-context`;
    const error = configErrorOf({ storage: context });
    expect(lineFor(error, "storage")).toContain(`it is the same as the worker image build context ("${context}")`);
  });
});

describe("the worker image", () => {
  it("is not built without the keys: the workers run the manager image, and nothing more is fetched", () => {
    const settings = settingsOf({ workers: [LOCAL, REMOTE] });
    expect(workerImageArgs(settings)).toBeUndefined();
    expect(landscapePlan(settings).workerImage).toBeUndefined();
    expect(workerImageName(settings)).toBe("openstudiolandscapes/flamenco-manager:dev-3.7");
  });

  it("is built on the manager's engine only when one of its hosts has workers there", () => {
    const remoteOnly = workerImageArgs(settingsOf({ workerPackages: ["blender"], workers: [REMOTE] }))!;
    expect(remoteOnly.buildOnManagerHost).toBe(false);
    const both = workerImageArgs(settingsOf({ blenderVersion: "4.2.3", workers: [LOCAL, REMOTE] }))!;
    expect(both).toMatchObject({
      imageName: "openstudiolandscapes/flamenco-worker:dev-3.7",
      unpacksBlender: true,
      buildOnManagerHost: true,
    });
    expect(remoteOnly.unpacksBlender).toBe(false);
  });

  it("its fetch command gets the release of the manager image, its own context, and the Blender archive", () => {
    const settings = settingsOf({ blenderVersion: "4.2.3", workers: [LOCAL] });
    const manager = releaseCommandEnvironment(settings, "FROM manager\n");
    const worker = workerImageCommandEnvironment(settings, "FROM worker\n");
    expect(worker).toEqual({
      ...manager,
      FLAMENCO_IMAGE_CONTEXT: `${ROOT}/dev/OpenStudioLandscapes-Flamenco/worker-image-context`,
      FLAMENCO_DOCKERFILE: "FROM worker\n",
      BLENDER_RELEASE_URL: "https://download.blender.org/release/Blender4.2/blender-4.2.3-linux-x64.tar.xz",
      BLENDER_RELEASE_ARCHIVE: "blender-4.2.3-linux-x64.tar.xz",
      BLENDER_RELEASE_CACHE_ENTRY: `${ROOT}/.cache/flamenco-releases/${settings.blender!.cacheKey}`,
      BLENDER_RELEASE_CHECKSUMS_URL: "https://download.blender.org/release/Blender4.2/blender-4.2.3.sha256",
      BLENDER_RELEASE_CONFIG: blenderConfigDescription(settings.blender!),
    });
    const packagesOnly = workerImageCommandEnvironment(settingsOf({ workerPackages: ["blender"] }), "FROM w\n");
    expect(Object.keys(packagesOnly).filter((key) => key.startsWith("BLENDER_"))).toEqual([]);
  });

  it("a fetch failure names the key it comes from, its value and what it takes", () => {
    expect(blenderConfigDescription(resolveBlenderSource("9.9.9"))).toBe(
      'flamenco-landscape:blenderVersion "9.9.9" (expected a version blender.org publishes: https://download.blender.org/release/Blender9.9/blender-9.9.9-linux-x64.tar.xz, checked against the checksum list beside it)',
    );
    expect(blenderConfigDescription(resolveBlenderSource("4.2.3", { url: "file:///srv/b.tar.xz", sha256: SHA }))).toBe(
      `flamenco-landscape:blenderRelease {"url":"file:///srv/b.tar.xz","sha256":"${SHA}"} (expected the archive at that url, with that sha256)`,
    );
    const mirror = "https://mirror.studio.lan/blender-4.2.3-linux-x64.tar.xz";
    expect(blenderConfigDescription(resolveBlenderSource("4.2.3", { url: mirror }))).toBe(
      `flamenco-landscape:blenderRelease.url "${mirror}" (expected an archive with its checksum list https://mirror.studio.lan/blender-4.2.3.sha256 beside it)`,
    );
  });

  it("a render host's identity command runs the worker image there", () => {
    const settings = settingsOf({ workerPackages: ["blender"], workers: [REMOTE] });
    const environment = workerHomeCommandEnvironment(settings, settings.workers[0], "dev-render-01-1");
    expect(environment.FLAMENCO_WORKER_IMAGE).toBe("openstudiolandscapes/flamenco-worker:dev-3.7");
  });

  it("the fetch result carries the verified Blender digest; a malformed one is refused", () => {
    const line = {
      archive: "/cache/a/flamenco.tar.gz",
      sha256: "a".repeat(64),
      context: "/ctx",
      downloaded: false,
      blender: { archive: "/cache/b/blender.tar.xz", sha256: "b".repeat(64), downloaded: true },
    };
    expect(parseFetchedRelease(JSON.stringify(line)).blender).toEqual(line.blender);
    expect(() => parseFetchedRelease(JSON.stringify({ ...line, blender: { archive: "/x", sha256: "nope" } }))).toThrow(
      "The release command printed an unexpected result",
    );
  });
});

describe("docs/blender.md", () => {
  const guide = fs.readFileSync(path.join(PROJECT_ROOT, "docs", "blender.md"), "utf8");
  const stackFiles = [...guide.matchAll(/```yaml\n(config:[\s\S]*?)```/g)].map((match) => match[1]);

  it("shows three stack files", () => {
    expect(stackFiles).toHaveLength(3);
  });

  it.each(stackFiles.map((file, index) => [index + 1, file]))(
    "stack file %i is valid and holds a Blender",
    (_n, file) => {
      const config = (parse(file) as { config: Record<string, unknown> }).config;
      const raw = Object.fromEntries(
        Object.entries(config).map(([key, value]) => [key.replace(`${PROJECT}:`, ""), value]),
      );
      const settings = parseSettings(raw, CONTEXT);
      expect(linuxBlender(settings)).toMatch(/^\/(opt\/blender|usr\/bin)\/blender$/);
    },
  );

  it("lists the libraries the worker Dockerfile installs for the official build", () => {
    const listed = /needs these libraries, which a slim Debian base lacks: ([^.]+)\./.exec(guide.replace(/\n/g, " "));
    expect(listed?.[1].match(/`[^`]+`/g)?.map((name) => name.slice(1, -1))).toEqual([...BLENDER_LIBRARY_PACKAGES]);
  });
});
