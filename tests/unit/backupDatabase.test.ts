import * as childProcess from "child_process";
import * as fs from "fs";
// The module object the script shares: spying on a namespace copy would miss its calls.
import sharedFsPromises from "fs/promises";
import * as os from "os";
import * as path from "path";
import { BACKUP_DATABASE_COMMAND, BACKUP_NEWEST_COMMAND, parseBackupReport } from "../../components/render/backup";
import { backupDatabase, main } from "../../scripts/backup-database";
import { capturedStreams } from "./support/streams";

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

const NOW = new Date("2026-11-29T10:15:03.123Z");

/** The backup step's work, in this process, as the command's environment would set it. */
function backUp(keep = 5) {
  return backupDatabase({ storage, configFile, version: "3.7", keep, now: NOW });
}

describe("backupDatabase", () => {
  test("without a database (first deployment) backs up nothing and creates nothing", async () => {
    expect(await backUp()).toEqual({ backup: null, newest: null, removed: [] });
    expect(fs.readdirSync(storage)).toEqual([]);
  });

  test("without a database, still reports the newest backup there is", async () => {
    const older = path.join(storage, "backups", "2025-01-01T00-00-00.000Z-3.6");
    fs.mkdirSync(older, { recursive: true });
    expect(await backUp()).toEqual({ backup: null, newest: older, removed: [] });
  });

  test("copies the database with its WAL and SHM files and the config into <storage>/backups/<timestamp>-<version>", async () => {
    writeDatabase("rows of jobs");
    const backup = path.join(storage, "backups", "2026-11-29T10-15-03.123Z-3.7");
    expect(await backUp()).toEqual({ backup, newest: backup, removed: [], version: "3.7" });
    expect(backupsListing()).toEqual(["2026-11-29T10-15-03.123Z-3.7"]);
    expect(fs.readdirSync(backup).sort()).toEqual([
      "flamenco-manager.sqlite",
      "flamenco-manager.sqlite-shm",
      "flamenco-manager.sqlite-wal",
      "flamenco-manager.yaml",
    ]);
    expect(fs.readFileSync(path.join(backup, "flamenco-manager.sqlite"), "utf8")).toBe("main:rows of jobs");
    expect(fs.readFileSync(path.join(backup, "flamenco-manager.sqlite-wal"), "utf8")).toBe("wal:rows of jobs");
    expect(fs.readFileSync(path.join(backup, "flamenco-manager.sqlite-shm"), "utf8")).toBe("shm:rows of jobs");
    expect(fs.readFileSync(path.join(backup, "flamenco-manager.yaml"), "utf8")).toBe(
      "_meta:\n  version: 3\nmanager_name: Test farm\n",
    );
    // The database itself is left as it was.
    expect(fs.readFileSync(path.join(storage, "flamenco-manager.sqlite"), "utf8")).toBe("main:rows of jobs");
  });

  test("is named for the version the manager recorded beside the database, and keeps that record", async () => {
    writeDatabase("rows written by 3.6");
    fs.writeFileSync(path.join(storage, "flamenco-manager.sqlite.version"), "3.6\n");
    const backup = path.join(storage, "backups", "2026-11-29T10-15-03.123Z-3.6");
    // FLAMENCO_VERSION says 3.7 (the stack's last up), but 3.6 ran on this database last.
    expect(await backUp()).toEqual({ backup, newest: backup, removed: [], version: "3.6" });
    expect(fs.readFileSync(path.join(backup, "flamenco-manager.sqlite.version"), "utf8")).toBe("3.6\n");
    expect(fs.readFileSync(path.join(backup, "flamenco-manager.sqlite"), "utf8")).toBe("main:rows written by 3.6");
  });

  test.each([
    ["empty", ""],
    ["not a version", "../../etc\n"],
  ])("a version file that is %s does not name the backup: FLAMENCO_VERSION does", async (_what, content) => {
    writeDatabase("rows");
    fs.writeFileSync(path.join(storage, "flamenco-manager.sqlite.version"), content);
    expect(path.basename(String((await backUp()).backup))).toBe("2026-11-29T10-15-03.123Z-3.7");
  });

  test("a database without WAL and SHM files (checkpointed) is backed up alone with the config", async () => {
    fs.writeFileSync(path.join(storage, "flamenco-manager.sqlite"), "main:only");
    const { backup } = await backUp();
    expect(fs.readdirSync(String(backup)).sort()).toEqual(["flamenco-manager.sqlite", "flamenco-manager.yaml"]);
  });

  test("keeps only the newest `keep` backups and deletes nothing else", async () => {
    writeDatabase("now");
    const backups = path.join(storage, "backups");
    const older = ["2024-01-01T00-00-00.000Z-3.5", "2025-01-01T00-00-00.000Z-3.6", "2025-06-01T00-00-00.000Z-3.6.1"];
    for (const name of older) {
      fs.mkdirSync(path.join(backups, name), { recursive: true });
      fs.writeFileSync(path.join(backups, name, "flamenco-manager.sqlite"), name);
    }
    fs.mkdirSync(path.join(backups, "kept-by-hand"));
    fs.writeFileSync(path.join(backups, "notes.txt"), "mine");
    // Sorts before every timestamp: not a backup's name, so never counted or pruned.
    fs.mkdirSync(path.join(backups, "2023 copy before the move"));
    fs.mkdirSync(path.join(storage, "job-logs"));
    fs.writeFileSync(path.join(storage, "job-logs", "task.txt"), "log");

    const report = await backUp(2);
    expect(report.removed).toEqual([path.join(backups, older[0]), path.join(backups, older[1])]);
    expect(backupsListing()).toEqual(
      ["2023 copy before the move", older[2], "2026-11-29T10-15-03.123Z-3.7", "kept-by-hand", "notes.txt"].sort(),
    );
    expect(fs.readFileSync(path.join(storage, "job-logs", "task.txt"), "utf8")).toBe("log");
  });

  test("clears what an interrupted backup left behind", async () => {
    writeDatabase("rows");
    const leftover = path.join(storage, "backups", ".partial-2026-01-01T00-00-00.000Z-3.6");
    fs.mkdirSync(leftover, { recursive: true });
    fs.writeFileSync(path.join(leftover, "flamenco-manager.sqlite"), "half");
    await backUp();
    expect(backupsListing()).toEqual(["2026-11-29T10-15-03.123Z-3.7"]);
  });

  test("a backup that fails half-way leaves no directory behind", async () => {
    writeDatabase("rows");
    fs.rmSync(configFile);
    fs.mkdirSync(configFile); // copying a directory as a file fails after the database files
    await expect(backUp()).rejects.toThrow();
    expect(backupsListing()).toEqual([]);
  });

  test("a database written to while it is copied is copied again, and after three tries refused, leaving no backup", async () => {
    writeDatabase("rows");
    const database = path.join(storage, "flamenco-manager.sqlite");
    const copyFile = sharedFsPromises.copyFile;
    let copies = 0;
    const copying = jest.spyOn(sharedFsPromises, "copyFile").mockImplementation(async (from, to, mode) => {
      await copyFile(from, to, mode);
      // A manager still running: it writes to its database between the copy and the check.
      if (from === database) {
        copies += 1;
        fs.appendFileSync(database, ` write ${copies}`);
      }
    });
    try {
      await expect(backUp()).rejects.toThrow(
        `${database} changed while it was copied, 3 times: is a manager still running on it?`,
      );
    } finally {
      copying.mockRestore();
    }
    expect(copies).toBe(3);
    expect(backupsListing()).toEqual([]);
  });

  test("never overwrites a backup of the same name", async () => {
    writeDatabase("new rows");
    const existing = path.join(storage, "backups", "2026-11-29T10-15-03.123Z-3.7");
    fs.mkdirSync(existing, { recursive: true });
    fs.writeFileSync(path.join(existing, "flamenco-manager.sqlite"), "earlier rows");
    await expect(backUp()).rejects.toThrow(`backup ${existing} exists already`);
    expect(fs.readFileSync(path.join(existing, "flamenco-manager.sqlite"), "utf8")).toBe("earlier rows");
  });
});

const IS_ROOT = typeof process.getuid === "function" && process.getuid() === 0;

describe("ownership", () => {
  test("a backup keeps the owner (when run as root) and mode of the manager's files, so a restored database stays writable by the manager", async () => {
    writeDatabase("rows");
    const main = path.join(storage, "flamenco-manager.sqlite");
    const owner = IS_ROOT ? 1000 : Number(process.getuid?.());
    fs.chownSync(main, owner, owner === 1000 ? 1000 : Number(process.getgid?.()));
    fs.chmodSync(main, 0o640);
    const { backup } = await backUp();
    const copy = fs.statSync(path.join(String(backup), "flamenco-manager.sqlite"));
    const source = fs.statSync(main);
    expect([copy.uid, copy.gid, copy.mode & 0o777]).toEqual([source.uid, source.gid, 0o640]);
  });
});

describe("node scripts/backup-database.js backup, as Pulumi's delete step runs it", () => {
  test("without a database (first deployment): says so, prints an empty report, exits 0", () => {
    const result = run(BACKUP_DATABASE_COMMAND);
    expect(result.status).toBe(0);
    expect(parseBackupReport(result.stdout)).toEqual({ backup: null, newest: null, removed: [] });
    expect(result.stderr).toBe(`No flamenco-manager.sqlite in ${storage} yet: nothing to back up.\n`);
  });

  test("backs up with FLAMENCO_VERSION in the name, prints the report and where the backup went", () => {
    writeDatabase("rows of jobs");
    const result = run(BACKUP_DATABASE_COMMAND, { FLAMENCO_VERSION: "3.8", FLAMENCO_BACKUPS_KEEP: "1" });
    expect(result.status).toBe(0);
    const [name] = backupsListing();
    expect(name).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-3\.8$/);
    const backup = path.join(storage, "backups", name);
    expect(parseBackupReport(result.stdout)).toEqual({ backup, newest: backup, removed: [] });
    expect(result.stderr).toBe(`Backed up the manager database (last run by Flamenco 3.8) to ${backup}\n`);
  });

  test("a failure fails the step, with the reason after the script's name", () => {
    writeDatabase("rows");
    fs.rmSync(configFile);
    fs.mkdirSync(configFile);
    const result = run(BACKUP_DATABASE_COMMAND);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^backup-database: /);
    expect(backupsListing()).toEqual([]);
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

describe("the command's main, in this process", () => {
  /** Runs main as the command would with these arguments and this environment. */
  async function command(argv: string[], env: Record<string, string> = {}) {
    const captured = capturedStreams();
    await main({
      argv,
      env: {
        FLAMENCO_STORAGE: storage,
        FLAMENCO_CONFIG_FILE: configFile,
        FLAMENCO_VERSION: "3.7",
        FLAMENCO_BACKUPS_KEEP: "5",
        ...env,
      },
      ...captured.streams,
    });
    return { stdout: captured.stdout.join(""), stderr: captured.stderr.join("") };
  }

  test("backup: the report on stdout, where the backup went on stderr", async () => {
    writeDatabase("rows");
    const { stdout, stderr } = await command(["backup"], { FLAMENCO_VERSION: "3.8" });
    const [name] = backupsListing();
    expect(name).toMatch(/-3\.8$/);
    const backup = path.join(storage, "backups", name);
    expect(stdout).toBe(`${JSON.stringify({ backup, newest: backup, removed: [] })}\n`);
    expect(stderr).toBe(`Backed up the manager database (last run by Flamenco 3.8) to ${backup}\n`);
  });

  test("backup without a database: says there is nothing to back up", async () => {
    const { stdout, stderr } = await command(["backup"]);
    expect(stdout).toBe('{"backup":null,"newest":null,"removed":[]}\n');
    expect(stderr).toBe(`No flamenco-manager.sqlite in ${storage} yet: nothing to back up.\n`);
  });

  test("newest: the newest complete backup, without copying anything", async () => {
    writeDatabase("rows");
    expect((await command(["newest"])).stdout).toBe('{"backup":null,"newest":null,"removed":[]}\n');
    const newest = path.join(storage, "backups", "2025-02-01T00-00-00.000Z-3.7");
    fs.mkdirSync(path.join(storage, "backups", "2025-01-01T00-00-00.000Z-3.6"), { recursive: true });
    fs.mkdirSync(newest);
    expect((await command(["newest"])).stdout).toBe(`${JSON.stringify({ backup: null, newest, removed: [] })}\n`);
    expect(backupsListing()).toEqual(["2025-01-01T00-00-00.000Z-3.6", "2025-02-01T00-00-00.000Z-3.7"]);
  });

  test("FLAMENCO_BACKUPS_KEEP=1 keeps the new backup alone", async () => {
    fs.mkdirSync(path.join(storage, "backups", "2025-01-01T00-00-00.000Z-3.6"), { recursive: true });
    writeDatabase("rows");
    await command(["backup"], { FLAMENCO_BACKUPS_KEEP: "1" });
    const listing = backupsListing();
    expect(listing).toHaveLength(1);
    expect(listing[0]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-3\.7$/);
  });

  test.each(["0", "1.5", "five"])("refuses FLAMENCO_BACKUPS_KEEP=%s before copying anything", async (keep) => {
    writeDatabase("rows");
    await expect(command(["backup"], { FLAMENCO_BACKUPS_KEEP: keep })).rejects.toThrow(
      `FLAMENCO_BACKUPS_KEEP must be a whole number from 1 upwards, got ${keep}`,
    );
    expect(backupsListing()).toEqual([]);
  });

  test("names what is missing: the mode, or a variable", async () => {
    await expect(command([])).rejects.toThrow("usage: node scripts/backup-database.js backup|newest (got nothing)");
    await expect(command(["restore"])).rejects.toThrow("(got restore)");
    await expect(command(["backup"], { FLAMENCO_CONFIG_FILE: "" })).rejects.toThrow("FLAMENCO_CONFIG_FILE is not set");
    await expect(command(["newest"], { FLAMENCO_STORAGE: "" })).rejects.toThrow("FLAMENCO_STORAGE is not set");
  });
});
