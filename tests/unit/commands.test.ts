import { parseSettings } from "../../components/config/settings";
import {
  FETCH_RELEASE_COMMAND,
  managerFilesCommandEnvironment,
  parseFetchedRelease,
  parseWrittenManagerFiles,
  releaseCommandEnvironment,
  WRITE_MANAGER_FILES_COMMAND,
} from "../../components/render/commands";

const HOME = "/home/artist";
const ROOT = `${HOME}/.openstudiolandscapes/landscapes`;
const SHA = "ab".repeat(32);

function settingsOf(raw: Record<string, unknown> = {}) {
  return parseSettings(raw, { stack: "dev", homeDirectory: HOME });
}

describe("commands", () => {
  it("call the project's scripts by a relative path, so the command text is the same on every machine", () => {
    expect(FETCH_RELEASE_COMMAND).toBe("node scripts/fetch-release.js");
    expect(WRITE_MANAGER_FILES_COMMAND).toBe("node scripts/write-manager-files.js");
  });

  it("pass the checksum list for the official release", () => {
    const settings = settingsOf();
    const env = releaseCommandEnvironment(settings, "FROM x\n");
    expect(env).toEqual({
      FLAMENCO_RELEASE_URL: "https://flamenco.blender.org/downloads/flamenco-3.7-linux-amd64.tar.gz",
      FLAMENCO_RELEASE_ARCHIVE: "flamenco-3.7-linux-amd64.tar.gz",
      FLAMENCO_RELEASE_CACHE_ENTRY: `${ROOT}/.cache/flamenco-releases/${settings.release.cacheKey}`,
      FLAMENCO_RELEASE_CHECKSUMS_URL: "https://flamenco.blender.org/downloads/flamenco-3.7.sha256",
      FLAMENCO_IMAGE_CONTEXT: `${ROOT}/dev/OpenStudioLandscapes-Flamenco/image-context`,
      FLAMENCO_DOCKERFILE: "FROM x\n",
    });
  });

  it("pass an explicit sha256 and no checksum list", () => {
    const env = releaseCommandEnvironment(
      settingsOf({ flamencoRelease: { url: "/srv/custom.tar.gz", sha256: SHA } }),
      "FROM x\n",
    );
    expect(env.FLAMENCO_RELEASE_SHA256).toBe(SHA);
    expect(env.FLAMENCO_RELEASE_CHECKSUMS_URL).toBeUndefined();
    expect(env.FLAMENCO_RELEASE_URL).toBe("/srv/custom.tar.gz");
  });

  it("pass the yaml path, both storage directories and the manager user to the files command", () => {
    expect(managerFilesCommandEnvironment(settingsOf({ managerUser: "1500:1600" }))).toEqual({
      FLAMENCO_CONFIG_FILE: `${ROOT}/dev/OpenStudioLandscapes-Flamenco/flamenco-manager.yaml`,
      FLAMENCO_STORAGE_DIRECTORIES: JSON.stringify([
        `${ROOT}/dev/OpenStudioLandscapes-Flamenco/storage`,
        `${ROOT}/dev/OpenStudioLandscapes-Flamenco/shared_storage`,
      ]),
      FLAMENCO_STORAGE_OWNER: "1500:1600",
    });
  });
});

describe("parseFetchedRelease", () => {
  const line = JSON.stringify({ archive: "/c/a.tar.gz", sha256: SHA, context: "/c/ctx", downloaded: true });

  it("reads the last stdout line", () => {
    expect(parseFetchedRelease(`progress\n${line}\n`)).toEqual({
      archive: "/c/a.tar.gz",
      sha256: SHA,
      context: "/c/ctx",
      downloaded: true,
    });
  });

  it("treats a missing downloaded flag as false", () => {
    expect(parseFetchedRelease(JSON.stringify({ archive: "/a", sha256: SHA, context: "/c" })).downloaded).toBe(false);
  });

  it("fails with the output when there is no result line", () => {
    expect(() => parseFetchedRelease("something went wrong")).toThrow("something went wrong");
  });

  it("fails on a result without a valid sha256", () => {
    expect(() => parseFetchedRelease(JSON.stringify({ archive: "/a", sha256: "xyz", context: "/c" }))).toThrow(
      "unexpected result",
    );
  });
});

describe("parseWrittenManagerFiles", () => {
  const digest = "d".repeat(64);
  it("reads the last line the manager-files command prints", () => {
    const stdout = `note\n${JSON.stringify({ configFile: "/x/flamenco-manager.yaml", createdDirectories: ["/x/s"], configDigest: digest })}\n`;
    expect(parseWrittenManagerFiles(stdout)).toEqual({
      configFile: "/x/flamenco-manager.yaml",
      createdDirectories: ["/x/s"],
      configDigest: digest,
    });
  });

  it("refuses output without a digest, so the container label is never empty", () => {
    expect(() => parseWrittenManagerFiles(JSON.stringify({ configFile: "/x", createdDirectories: [] }))).toThrow(
      "unexpected result",
    );
    expect(() => parseWrittenManagerFiles("Error: EACCES")).toThrow("printed no result line");
  });
});
