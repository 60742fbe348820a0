/**
 * What the program hands its command scripts (environment) and reads back from them (the
 * JSON result line), and the small decisions the Pulumi layer takes from Settings.
 */
import { parseSettings, Settings } from "../../components/config/settings";
import { backupCommandEnvironment, managerInputsDigest, parseBackupReport } from "../../components/render/backup";
import { parseFetchedRelease, parseWrittenManagerFiles } from "../../components/render/commands";
import { managerContainerSpec } from "../../components/render/container";
import { deregisterCommandEnvironment } from "../../components/render/deregister";
import { managerLocalUrl } from "../../components/render/names";
import { buildsOwnImage } from "../../components/render/workers";

const ROOT = "/srv/landscapes";
const FEATURE = `${ROOT}/dev/OpenStudioLandscapes-Flamenco`;
const DIGEST = "a".repeat(64);

function settingsOf(raw: Record<string, unknown> = {}): Settings {
  return parseSettings({ landscapesRoot: ROOT, ...raw }, { stack: "dev", homeDirectory: "/home/artist" });
}

describe("the environment of the backup and deregister commands", () => {
  it("backup: storage, config file, the version running on the database, how many backups to keep", () => {
    expect(backupCommandEnvironment(settingsOf({ flamencoVersion: "3.6", backupsToKeep: 3 }))).toEqual({
      FLAMENCO_STORAGE: `${FEATURE}/storage`,
      FLAMENCO_CONFIG_FILE: `${FEATURE}/flamenco-manager.yaml`,
      FLAMENCO_VERSION: "3.6",
      FLAMENCO_BACKUPS_KEEP: "3",
    });
  });

  it("deregister: the manager through its published port, and the worker's name", () => {
    expect(deregisterCommandEnvironment(settingsOf({ managerPortHost: 9000 }), "dev-local-2")).toEqual({
      FLAMENCO_MANAGER_URL: "http://127.0.0.1:9000",
      FLAMENCO_WORKER_NAME: "dev-local-2",
    });
  });
});

describe("managerLocalUrl: the manager as the machine running Pulumi reaches it", () => {
  it.each([
    ["0.0.0.0", "http://127.0.0.1:8484"],
    ["::", "http://127.0.0.1:8484"],
    ["10.0.0.5", "http://10.0.0.5:8484"],
    ["fd00::5", "http://[fd00::5]:8484"],
  ])("bound to %s: %s", (bindAddress, url) => {
    expect(managerLocalUrl(settingsOf({ managerBindAddress: bindAddress }))).toBe(url);
  });
});

describe("managerInputsDigest", () => {
  const parts = { imageId: "sha256:1111", configSha256: DIGEST, spec: { user: "1000:1000" } };

  it("is a sha256 that stays the same for the same inputs", () => {
    expect(managerInputsDigest(parts)).toMatch(/^[0-9a-f]{64}$/);
    expect(managerInputsDigest({ ...parts, spec: { user: "1000:1000" } })).toBe(managerInputsDigest(parts));
  });

  it.each([
    ["the image", { imageId: "sha256:2222" }],
    ["the config file", { configSha256: "b".repeat(64) }],
    ["the container spec", { spec: { user: "2000:2000" } }],
  ])("changes with %s", (_what, change) => {
    expect(managerInputsDigest({ ...parts, ...change })).not.toBe(managerInputsDigest(parts));
  });
});

describe("reading a command's result line", () => {
  it("takes the last line, after the progress a command may print", () => {
    const stdout = `progress\n{"archive":"/c/a.tar.gz","sha256":"${DIGEST}","context":"/ctx","downloaded":true}\n`;
    expect(parseFetchedRelease(stdout)).toEqual({
      archive: "/c/a.tar.gz",
      sha256: DIGEST,
      context: "/ctx",
      downloaded: true,
    });
    expect(parseFetchedRelease(`{"archive":"/a","sha256":"${DIGEST}","context":"/ctx"}`).downloaded).toBe(false);
  });

  it("names the command and shows its output when there is no result line", () => {
    expect(() => parseFetchedRelease("curl: (6) could not resolve host\n")).toThrow(
      "The release command printed no result line; its output was: curl: (6) could not resolve host",
    );
  });

  it.each([
    ['{"sha256":"' + DIGEST + '","context":"/ctx"}', "no archive"],
    ['{"archive":"/a","sha256":"' + DIGEST + '"}', "no context"],
    ['{"archive":"/a","sha256":"ABC","context":"/ctx"}', "a digest that is no sha256"],
  ])("refuses a release result %s (%s)", (line) => {
    expect(() => parseFetchedRelease(line)).toThrow(`The release command printed an unexpected result: ${line}`);
  });

  it("reads the manager-files result and refuses an incomplete one", () => {
    const complete = {
      configFile: "/f/flamenco-manager.yaml",
      createdDirectories: ["/f/storage"],
      configDigest: DIGEST,
    };
    expect(parseWrittenManagerFiles(JSON.stringify(complete))).toEqual(complete);
    for (const broken of [
      { ...complete, configFile: 7 },
      { ...complete, createdDirectories: "/f/storage" },
      { ...complete, configDigest: "not-a-digest" },
    ]) {
      expect(() => parseWrittenManagerFiles(JSON.stringify(broken))).toThrow(
        "The manager-files command printed an unexpected result",
      );
    }
  });

  it("reads the backup report and refuses an incomplete one", () => {
    const report = { backup: null, newest: "/s/backups/2026-01-01T00-00-00.000Z-3.7", removed: [] };
    expect(parseBackupReport(JSON.stringify(report))).toEqual(report);
    for (const broken of [
      { ...report, backup: 1 },
      { ...report, newest: false },
      { ...report, removed: "none" },
    ]) {
      expect(() => parseBackupReport(JSON.stringify(broken))).toThrow(
        "The backup command printed an unexpected result",
      );
    }
  });
});

describe("decisions taken from Settings", () => {
  const remote = { dockerHost: "ssh://render@render-01" };
  const local = { dockerHost: undefined };

  it("a render host builds its own worker image only when it is another Docker host and no workerImage is named", () => {
    expect(buildsOwnImage({ workerImage: undefined }, remote)).toBe(true);
    expect(buildsOwnImage({ workerImage: undefined }, local)).toBe(false);
    expect(buildsOwnImage({ workerImage: "registry.lan/flamenco-worker:3.7" }, remote)).toBe(false);
    expect(buildsOwnImage({ workerImage: "registry.lan/flamenco-worker:3.7" }, local)).toBe(false);
  });

  it("the manager container carries the landscape's, the feature's and the version's labels", () => {
    expect(managerContainerSpec(settingsOf()).labels).toEqual([
      { label: "org.openstudiolandscapes.landscape", value: "dev" },
      { label: "org.openstudiolandscapes.feature", value: "flamenco-manager" },
      { label: "org.openstudiolandscapes.flamenco.version", value: "3.7" },
    ]);
  });
});
