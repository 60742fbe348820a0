import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import restore = require("../../scripts/restore-backup");

const BACKUP = "2026-11-29T10-15-03.123Z-3.7";
let storage: string;
let stopped: string[];
const stop = (container: string) => {
  stopped.push(container);
  return "stopped";
};

beforeEach(() => {
  storage = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-restore-test-"));
  stopped = [];
  fs.mkdirSync(path.join(storage, "backups", BACKUP), { recursive: true });
  fs.writeFileSync(path.join(storage, "backups", BACKUP, "flamenco-manager.sqlite"), "backed up");
  fs.writeFileSync(path.join(storage, "flamenco-manager.sqlite"), "migrated");
  fs.writeFileSync(path.join(storage, "flamenco-manager.sqlite-wal"), "migrated wal");
});

afterEach(() => {
  fs.rmSync(storage, { recursive: true, force: true });
});

test("stops the manager, puts the backup in place and keeps the database it replaces, WAL included, in a before-restore backup", async () => {
  const result = await restore.restoreBackup({
    storage,
    container: "flamenco-manager--show-42",
    backup: BACKUP,
    stop,
    now: new Date("2026-11-30T08:00:00.000Z"),
  });
  expect(stopped).toEqual(["flamenco-manager--show-42"]);
  expect(fs.readFileSync(path.join(storage, "flamenco-manager.sqlite"), "utf8")).toBe("backed up");
  // The backup had no WAL: the replaced database's WAL must not be applied to it.
  expect(fs.existsSync(path.join(storage, "flamenco-manager.sqlite-wal"))).toBe(false);
  const aside = path.join(storage, "backups", "2026-11-30T08-00-00.000Z-before-restore");
  expect(result).toMatchObject({ restored: path.join(storage, "backups", BACKUP), aside, version: "3.7" });
  expect(fs.readFileSync(path.join(aside, "flamenco-manager.sqlite"), "utf8")).toBe("migrated");
  expect(fs.readFileSync(path.join(aside, "flamenco-manager.sqlite-wal"), "utf8")).toBe("migrated wal");
  expect(fs.readFileSync(path.join(storage, "backups", BACKUP, "flamenco-manager.sqlite"), "utf8")).toBe("backed up");
  expect(fs.readdirSync(storage).sort()).toEqual(["backups", "flamenco-manager.sqlite"]);
});

test.each([
  ["a directory outside <storage>/backups", () => path.join(os.tmpdir(), BACKUP)],
  ["a name that is not a backup's", () => "notes"],
])("refuses %s before stopping anything", async (_what, backup) => {
  await expect(restore.restoreBackup({ storage, container: "c", backup: backup(), stop })).rejects.toThrow(
    /is not a backup of/,
  );
  expect(stopped).toEqual([]);
  expect(fs.readFileSync(path.join(storage, "flamenco-manager.sqlite"), "utf8")).toBe("migrated");
});

test("refuses a backup without a database", async () => {
  fs.rmSync(path.join(storage, "backups", BACKUP, "flamenco-manager.sqlite"));
  await expect(restore.restoreBackup({ storage, container: "c", backup: BACKUP, stop })).rejects.toThrow(
    /holds no flamenco-manager\.sqlite/,
  );
  expect(stopped).toEqual([]);
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
