import * as childProcess from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BACKUP_DATABASE_COMMAND, BACKUP_NEWEST_COMMAND, parseBackupReport } from "../../components/render/backup";

const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

let tmp: string;
let storage: string;
let configFile: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "flamenco-backup-test-"));
  storage = path.join(tmp, "storage");
  configFile = path.join(tmp, "flamenco-manager.yaml");
  fs.mkdirSync(storage);
  fs.writeFileSync(configFile, "_meta:\n  version: 3\nmanager_name: Test farm\n");
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Runs a backup command the way Pulumi does: its text, from the project directory. */
function run(commandText: string, env: Record<string, string> = {}) {
  const result = childProcess.spawnSync("/bin/sh", ["-c", commandText], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      FLAMENCO_STORAGE: storage,
      FLAMENCO_CONFIG_FILE: configFile,
      FLAMENCO_VERSION: "3.7",
      FLAMENCO_BACKUPS_KEEP: "5",
      ...env,
    },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function backupsListing(): string[] {
  const directory = path.join(storage, "backups");
  return fs.existsSync(directory) ? fs.readdirSync(directory).sort() : [];
}

function writeDatabase(content: string) {
  fs.writeFileSync(path.join(storage, "flamenco-manager.sqlite"), `main:${content}`);
  fs.writeFileSync(path.join(storage, "flamenco-manager.sqlite-wal"), `wal:${content}`);
  fs.writeFileSync(path.join(storage, "flamenco-manager.sqlite-shm"), `shm:${content}`);
}

describe("node scripts/backup-database.js backup", () => {
  test("without a database (first deployment) backs up nothing and succeeds", () => {
    const result = run(BACKUP_DATABASE_COMMAND);
    expect(result.status).toBe(0);
    expect(parseBackupReport(result.stdout)).toEqual({ backup: null, newest: null, removed: [] });
    expect(result.stderr).toContain("nothing to back up");
    expect(backupsListing()).toEqual([]);
  });

  test("copies the database with its WAL and SHM files and the config into <storage>/backups/<timestamp>-<version>", () => {
    writeDatabase("rows of jobs");
    const result = run(BACKUP_DATABASE_COMMAND);
    expect(result.status).toBe(0);
    const [name] = backupsListing();
    expect(name).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-3\.7$/);
    const backup = path.join(storage, "backups", name);
    expect(parseBackupReport(result.stdout)).toEqual({ backup, newest: backup, removed: [] });
    expect(fs.readdirSync(backup).sort()).toEqual([
      "flamenco-manager.sqlite",
      "flamenco-manager.sqlite-shm",
      "flamenco-manager.sqlite-wal",
      "flamenco-manager.yaml",
    ]);
    expect(fs.readFileSync(path.join(backup, "flamenco-manager.sqlite"), "utf8")).toBe("main:rows of jobs");
    expect(fs.readFileSync(path.join(backup, "flamenco-manager.sqlite-wal"), "utf8")).toBe("wal:rows of jobs");
    expect(fs.readFileSync(path.join(backup, "flamenco-manager.yaml"), "utf8")).toBe(
      fs.readFileSync(configFile, "utf8"),
    );
    // The database itself is left as it was.
    expect(fs.readFileSync(path.join(storage, "flamenco-manager.sqlite"), "utf8")).toBe("main:rows of jobs");
  });

  test("keeps only the newest FLAMENCO_BACKUPS_KEEP backups and deletes nothing else", () => {
    writeDatabase("now");
    const backups = path.join(storage, "backups");
    const older = ["2024-01-01T00-00-00.000Z-3.5", "2025-01-01T00-00-00.000Z-3.6", "2025-06-01T00-00-00.000Z-3.6.1"];
    for (const name of older) {
      fs.mkdirSync(path.join(backups, name), { recursive: true });
      fs.writeFileSync(path.join(backups, name, "flamenco-manager.sqlite"), name);
    }
    fs.mkdirSync(path.join(backups, "kept-by-hand"));
    fs.writeFileSync(path.join(backups, "notes.txt"), "mine");
    fs.mkdirSync(path.join(storage, "job-logs"));
    fs.writeFileSync(path.join(storage, "job-logs", "task.txt"), "log");

    const result = run(BACKUP_DATABASE_COMMAND, { FLAMENCO_BACKUPS_KEEP: "2" });
    expect(result.status).toBe(0);
    const report = parseBackupReport(result.stdout);
    expect(report.removed).toEqual([path.join(backups, older[0]), path.join(backups, older[1])]);
    expect(backupsListing()).toEqual(
      [older[2], path.basename(String(report.backup)), "kept-by-hand", "notes.txt"].sort(),
    );
    expect(fs.readFileSync(path.join(storage, "job-logs", "task.txt"), "utf8")).toBe("log");
  });

  test("a backup that fails half-way leaves no directory behind and fails the step", () => {
    writeDatabase("rows");
    fs.rmSync(configFile);
    fs.mkdirSync(configFile); // copying a directory as a file fails after the database files
    const result = run(BACKUP_DATABASE_COMMAND);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^backup-database: /);
    expect(backupsListing()).toEqual([]);
  });

  test("refuses a keep count below 1", () => {
    writeDatabase("rows");
    const result = run(BACKUP_DATABASE_COMMAND, { FLAMENCO_BACKUPS_KEEP: "0" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("FLAMENCO_BACKUPS_KEEP must be a whole number from 1 upwards, got 0");
    expect(backupsListing()).toEqual([]);
  });
});

const IS_ROOT = typeof process.getuid === "function" && process.getuid() === 0;

describe("ownership", () => {
  test("a backup keeps the owner (when run as root) and mode of the manager's files, so a restored database stays writable by the manager", () => {
    writeDatabase("rows");
    const main = path.join(storage, "flamenco-manager.sqlite");
    const owner = IS_ROOT ? 1000 : Number(process.getuid?.());
    fs.chownSync(main, owner, owner === 1000 ? 1000 : Number(process.getgid?.()));
    fs.chmodSync(main, 0o640);
    expect(run(BACKUP_DATABASE_COMMAND).status).toBe(0);
    const copy = fs.statSync(path.join(storage, "backups", backupsListing()[0], "flamenco-manager.sqlite"));
    const source = fs.statSync(main);
    expect([copy.uid, copy.gid, copy.mode & 0o777]).toEqual([source.uid, source.gid, 0o640]);
  });
});

describe("node scripts/backup-database.js newest", () => {
  test("reports the newest complete backup, or null", () => {
    expect(parseBackupReport(run(BACKUP_NEWEST_COMMAND).stdout).newest).toBeNull();
    const backups = path.join(storage, "backups");
    for (const name of [
      "2025-01-01T00-00-00.000Z-3.6",
      "2025-02-01T00-00-00.000Z-3.7",
      ".partial-2026-01-01T00-00-00.000Z-3.7",
    ])
      fs.mkdirSync(path.join(backups, name), { recursive: true });
    expect(parseBackupReport(run(BACKUP_NEWEST_COMMAND).stdout).newest).toBe(
      path.join(backups, "2025-02-01T00-00-00.000Z-3.7"),
    );
  });
});
