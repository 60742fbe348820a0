import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import restore = require("../../scripts/restore-backup");

const BACKUP = "2026-11-29T10-15-03.123Z-3.7";
let storage: string;
let calls: string[];
let manager: { state: "running" | "stopped" | "missing"; version: string | null };
const docker = {
  inspect: (container: string) => {
    calls.push(`inspect ${container}`);
    return manager;
  },
  stop: (container: string) => void calls.push(`stop ${container}`),
  start: (container: string) => void calls.push(`start ${container}`),
  disableRestart: (container: string) => void calls.push(`update --restart=no ${container}`),
};
const NOW = new Date("2026-11-30T08:00:00.000Z");

beforeEach(() => {
  storage = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-restore-test-"));
  calls = [];
  manager = { state: "running", version: "3.8" };
  fs.mkdirSync(path.join(storage, "backups", BACKUP), { recursive: true });
  fs.writeFileSync(path.join(storage, "backups", BACKUP, "flamenco-manager.sqlite"), "backed up");
  fs.writeFileSync(path.join(storage, "backups", BACKUP, "flamenco-manager.sqlite.version"), "3.7\n");
  fs.writeFileSync(path.join(storage, "flamenco-manager.sqlite"), "migrated");
  fs.writeFileSync(path.join(storage, "flamenco-manager.sqlite-wal"), "migrated wal");
  fs.writeFileSync(path.join(storage, "flamenco-manager.sqlite.version"), "3.8\n");
});

afterEach(() => {
  fs.rmSync(storage, { recursive: true, force: true });
});

const read = (...parts: string[]) => fs.readFileSync(path.join(storage, ...parts), "utf8");

test("stops the manager, puts the backup and its version in place, and keeps the database it replaces, WAL and version included", async () => {
  const result = await restore.restoreBackup({
    storage,
    container: "flamenco-manager--show-42",
    backup: BACKUP,
    docker,
    now: NOW,
  });
  expect(read("flamenco-manager.sqlite")).toBe("backed up");
  expect(read("flamenco-manager.sqlite.version")).toBe("3.7\n");
  // The backup had no WAL: the replaced database's WAL must not be applied to it.
  expect(fs.existsSync(path.join(storage, "flamenco-manager.sqlite-wal"))).toBe(false);
  const aside = path.join(storage, "backups", "2026-11-30T08-00-00.000Z-3.8-before-restore");
  expect(result).toMatchObject({
    restored: path.join(storage, "backups", BACKUP),
    aside,
    version: "3.7",
    started: false,
  });
  expect(fs.readFileSync(path.join(aside, "flamenco-manager.sqlite"), "utf8")).toBe("migrated");
  expect(fs.readFileSync(path.join(aside, "flamenco-manager.sqlite-wal"), "utf8")).toBe("migrated wal");
  expect(fs.readFileSync(path.join(aside, "flamenco-manager.sqlite.version"), "utf8")).toBe("3.8\n");
  expect(read("backups", BACKUP, "flamenco-manager.sqlite")).toBe("backed up");
  expect(fs.readdirSync(storage).sort()).toEqual([
    "backups",
    "flamenco-manager.sqlite",
    "flamenco-manager.sqlite.version",
  ]);
});

test("a manager of another version stays stopped, with no restart policy, so nothing starts it on the restored database", async () => {
  await restore.restoreBackup({ storage, container: "m", backup: BACKUP, docker, now: NOW });
  expect(calls).toEqual(["inspect m", "stop m", "update --restart=no m"]);
});

test("a manager of the backup's version is started again on the restored database", async () => {
  manager = { state: "running", version: "3.7" };
  const result = await restore.restoreBackup({ storage, container: "m", backup: BACKUP, docker, now: NOW });
  expect(calls).toEqual(["inspect m", "stop m", "start m"]);
  expect(result.started).toBe(true);
});

test("without a manager container, nothing is stopped or started", async () => {
  manager = { state: "missing", version: null };
  const result = await restore.restoreBackup({ storage, container: "m", backup: BACKUP, docker, now: NOW });
  expect(calls).toEqual(["inspect m"]);
  expect(result.started).toBe(false);
  expect(read("flamenco-manager.sqlite")).toBe("backed up");
});

test("a backup without a version file: its name gives the version, written beside the restored database", async () => {
  fs.rmSync(path.join(storage, "backups", BACKUP, "flamenco-manager.sqlite.version"));
  const result = await restore.restoreBackup({ storage, container: "m", backup: BACKUP, docker, now: NOW });
  expect(result.version).toBe("3.7");
  expect(read("flamenco-manager.sqlite.version")).toBe("3.7\n");
});

test("a storage without a version file: the database put aside is named before-restore alone", async () => {
  fs.rmSync(path.join(storage, "flamenco-manager.sqlite.version"));
  const result = await restore.restoreBackup({ storage, container: "m", backup: BACKUP, docker, now: NOW });
  expect(path.basename(result.aside)).toBe("2026-11-30T08-00-00.000Z-before-restore");
});

test("a backup's version file wins over its name: the file says who wrote the data", async () => {
  const renamed = "2026-11-29T10-15-03.123Z-3.6";
  fs.renameSync(path.join(storage, "backups", BACKUP), path.join(storage, "backups", renamed));
  manager = { state: "running", version: "3.6" };
  const result = await restore.restoreBackup({ storage, container: "m", backup: renamed, docker, now: NOW });
  expect(result.version).toBe("3.7");
  expect(calls).toEqual(["inspect m", "stop m", "update --restart=no m"]);
});

test("a backup and a manager of unknown versions: the manager stays stopped, and no version is made up", async () => {
  const legacy = "2026-11-29T10-15-03.123Z-before-restore";
  fs.mkdirSync(path.join(storage, "backups", legacy));
  fs.writeFileSync(path.join(storage, "backups", legacy, "flamenco-manager.sqlite"), "legacy");
  manager = { state: "running", version: null };
  const result = await restore.restoreBackup({ storage, container: "m", backup: legacy, docker, now: NOW });
  expect(result).toMatchObject({ version: null, started: false });
  expect(calls).toEqual(["inspect m", "stop m", "update --restart=no m"]);
  expect(fs.readdirSync(storage).sort()).toEqual(["backups", "flamenco-manager.sqlite"]);
});

test.each([
  ["2026-11-29T10-15-03.123Z-3.6-before-restore", "3.6"],
  ["2026-11-29T10-15-03.123Z-before-restore", null],
  ["2026-11-29T10-15-03.123Z-3.8-beta1", "3.8-beta1"],
])("the version of a backup named %s, without a version file: %s", async (name, version) => {
  fs.mkdirSync(path.join(storage, "backups", name));
  expect(await restore.backupVersion(path.join(storage, "backups", name))).toBe(version);
});

describe("what the restore says", () => {
  const target = { storage: "/s", container: "flamenco-manager--show-42", stack: "show-42" };
  const result = {
    restored: "/s/backups/B-3.6",
    aside: "/s/backups/A-3.7-before-restore",
    version: "3.6",
    manager: { state: "stopped" as const, version: "3.7" },
    started: false,
  };

  test("another version: every stack config change, flamencoRelease included when the stack sets it", () => {
    expect(
      restore.restoreReport(result, {
        ...target,
        config: { version: "3.7", releaseUrl: "https://mirror.example/flamenco-3.7-linux-amd64.tar.gz" },
      }),
    ).toBe(
      [
        "Restored /s/backups/B-3.6 into /s.",
        "The database it replaced is kept in /s/backups/A-3.7-before-restore.",
        "The restored database was last run by Flamenco 3.6.",
        "The manager container flamenco-manager--show-42 runs 3.7: it is stopped, and Docker will not restart it, so it does not migrate the restored database.",
        "To run Flamenco 3.6 on it, set in Pulumi.show-42.yaml:",
        '  flamenco-landscape:flamencoVersion: "3.6"',
        "  flamenco-landscape:flamencoRelease: the url and sha256 of the Flamenco 3.6 archive (the stack names https://mirror.example/flamenco-3.7-linux-amd64.tar.gz now)",
        "then run:",
        "  npm run up -- show-42",
        "",
      ].join("\n"),
    );
  });

  test("another version, a stack without flamencoRelease: the version alone", () => {
    const report = restore.restoreReport(result, { ...target, config: { version: "3.7" } });
    expect(report).toContain('  flamenco-landscape:flamencoVersion: "3.6"\nthen run:\n  npm run up -- show-42\n');
    expect(report).not.toContain("flamencoRelease");
  });

  test("without a stack: the release is named as a condition", () => {
    const report = restore.restoreReport(result, { storage: "/s", container: "c" });
    expect(report).toContain(
      "  and, if the stack sets flamenco-landscape:flamencoRelease, its url and sha256 to the Flamenco 3.6 archive\nthen run:\n  npm run up -- <stack>\n",
    );
  });

  test("an unknown version and no manager container: says so, and what to set in its place", () => {
    const report = restore.restoreReport(
      { ...result, version: null, manager: { state: "missing", version: null } },
      { ...target, config: {} },
    );
    expect(report).toContain(
      [
        "The restored database was last run by an unknown Flamenco version.",
        "The manager container flamenco-manager--show-42 does not exist.",
        "To run Flamenco <the version that wrote the backup> on it, set in Pulumi.show-42.yaml:",
        '  flamenco-landscape:flamencoVersion: "<the version that wrote the backup>"',
      ].join("\n"),
    );
  });

  test("the same version: the manager runs again, nothing to change", () => {
    const report = restore.restoreReport(
      { ...result, manager: { state: "stopped", version: "3.6" }, started: true },
      { ...target, config: {} },
    );
    expect(report).toContain(
      "The manager container flamenco-manager--show-42 runs 3.6: it is started again on the restored database.\n",
    );
    expect(report).not.toContain("npm run up");
  });
});

test.each([
  ["a directory outside <storage>/backups", () => path.join(os.tmpdir(), BACKUP)],
  ["a name that is not a backup's", () => "notes"],
])("refuses %s before stopping anything", async (_what, backup) => {
  await expect(restore.restoreBackup({ storage, container: "c", backup: backup(), docker })).rejects.toThrow(
    /is not a backup of/,
  );
  expect(calls).toEqual([]);
  expect(fs.readFileSync(path.join(storage, "flamenco-manager.sqlite"), "utf8")).toBe("migrated");
});

test("refuses a backup without a database", async () => {
  fs.rmSync(path.join(storage, "backups", BACKUP, "flamenco-manager.sqlite"));
  await expect(restore.restoreBackup({ storage, container: "c", backup: BACKUP, docker })).rejects.toThrow(
    /holds no flamenco-manager\.sqlite/,
  );
  expect(calls).toEqual([]);
});

test("arguments: a stack and a backup, or explicit storage and container", () => {
  expect(restore.parseArguments(["show-42", BACKUP])).toEqual({ stack: "show-42", backup: BACKUP });
  expect(restore.parseArguments(["--storage", "/s", "--container", "c", BACKUP])).toEqual({
    storage: "/s",
    container: "c",
    backup: BACKUP,
  });
  expect(() => restore.parseArguments(["show-42"])).toThrow(/usage: npm run restore -- <stack> <backup>/);
  expect(() => restore.parseArguments(["--storage", "/s", BACKUP])).toThrow(/usage/);
});
