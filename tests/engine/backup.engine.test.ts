/**
 * Database backups around a manager upgrade, applied by the real program to the real Docker
 * engine through the engine double (tests/engine/engineDouble.ts, which replaces the backup
 * command the way the Pulumi engine replaces a deleteBeforeReplace resource and its
 * dependants), then a restore with scripts/restore-backup.js.
 *
 * The stand-in manager (tests/engine/fixture/) does not run SQLite: it appends
 * "started <n>" to its database file at every start. The test writes known lines into that
 * file between steps and checks the bytes. It assumes of the real manager what the program
 * relies on: the database is the file `flamenco-manager.sqlite` (with -wal and -shm) in the
 * storage directory, written only while the manager runs, and a new version changes it when
 * it starts (here: the line the test appends after the upgrade stands for that migration).
 */
import * as childProcess from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ProgramRun, PROJECT_ROOT, runProgram } from "../program/harness";
import { dockerCli, EngineDouble } from "./engineDouble";
import { httpGet, removeLeftovers, requireEngine, serveFixtureRelease, ServedRelease } from "./support";

const LANDSCAPE = "rt-backup";
const PORT = 18601;
const CONTAINER_NAME = `flamenco-manager--${LANDSCAPE}`;
const BACKUP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-/;

let release37: ServedRelease;
let release38: ServedRelease;
let landscapesRoot: string;
let double: EngineDouble;
let run: ProgramRun;
const events: string[] = [];

function config(release: ServedRelease, version: string): Record<string, unknown> {
  return {
    landscape: LANDSCAPE,
    landscapesRoot,
    flamencoVersion: version,
    flamencoRelease: { url: release.archiveUrl, sha256: release.release.sha256 },
    managerPortHost: PORT,
    managerBindAddress: "127.0.0.1",
    backupsToKeep: 2,
  };
}

async function up(version: "3.7" | "3.8"): Promise<ProgramRun> {
  return double.update(() =>
    runProgram({
      config: config(version === "3.7" ? release37 : release38, version),
      stack: LANDSCAPE,
      newResource: double.newResource,
    }),
  );
}

const storage = () => path.join(landscapesRoot, LANDSCAPE, "OpenStudioLandscapes-Flamenco", "storage");
const database = () => path.join(storage(), "flamenco-manager.sqlite");
const backups = () => path.join(storage(), "backups");
const backupNames = () => (fs.existsSync(backups()) ? fs.readdirSync(backups()).sort() : []);

async function managerVersion(): Promise<string> {
  return (JSON.parse((await httpGet(`http://127.0.0.1:${PORT}/api/v3/version`)).body) as { version: string }).version;
}

beforeAll(async () => {
  await requireEngine();
  await removeLeftovers([LANDSCAPE]);
  release37 = await serveFixtureRelease("3.7");
  release38 = await serveFixtureRelease("3.8");
  landscapesRoot = fs.mkdtempSync(path.join(os.tmpdir(), "rt-backup-landscapes-"));
  double = new EngineDouble({ log: (line) => events.push(line) });
  run = await up("3.7");
});

afterAll(async () => {
  await double?.destroy();
  await release37?.served.close();
  await release38?.served.close();
});

describe("backups around an upgrade", () => {
  let beforeUpgrade: string;
  let configBeforeUpgrade: string;
  let backup: string;

  test("a first deployment has no database to back up and reports no backup", async () => {
    expect(await managerVersion()).toBe("3.7");
    expect(run.outputs.newestBackup).toBeNull();
    expect(backupNames()).toEqual([]);
  });

  test("an up with the same config takes no backup", async () => {
    const runs = double.commandRuns.length;
    run = await up("3.7");
    expect(double.commandRuns.slice(runs).filter((entry) => entry.step === "delete")).toEqual([]);
    expect(backupNames()).toEqual([]);
  });

  test("a version change backs up the old version's database after its manager is gone and before the new one starts", async () => {
    fs.appendFileSync(database(), "job render-shot-010 queued\n");
    beforeUpgrade = fs.readFileSync(database(), "utf8");
    configBeforeUpgrade = fs.readFileSync(String(run.outputs.configFile), "utf8");
    events.length = 0;

    run = await up("3.8");

    expect(await managerVersion()).toBe("3.8");
    const names = backupNames();
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(BACKUP_PATTERN);
    expect(names[0].endsWith("Z-3.7")).toBe(true);
    backup = path.join(backups(), names[0]);
    expect(fs.readFileSync(path.join(backup, "flamenco-manager.sqlite"), "utf8")).toBe(beforeUpgrade);
    expect(fs.readFileSync(path.join(backup, "flamenco-manager.yaml"), "utf8")).toBe(configBeforeUpgrade);
    expect(run.outputs.newestBackup).toBe(backup);

    const removed = events.indexOf(`container ${LANDSCAPE}-manager: removed`);
    const backedUp = events.findIndex((line) => line.startsWith(`command ${LANDSCAPE}-manager-backup: delete`));
    const started = events.indexOf(`container ${LANDSCAPE}-manager: started`);
    expect(removed).toBeGreaterThanOrEqual(0);
    expect(backedUp).toBeGreaterThan(removed);
    expect(started).toBeGreaterThan(backedUp);
    // The new version started on the same database.
    expect(fs.readFileSync(database(), "utf8").startsWith(beforeUpgrade)).toBe(true);
  });

  test("npm run restore puts the backup back, keeping the database it replaces", async () => {
    fs.appendFileSync(database(), "schema migrated by 3.8\n");
    const migrated = fs.readFileSync(database(), "utf8");

    const restored = childProcess.spawnSync(
      process.execPath,
      ["scripts/restore-backup.js", "--storage", storage(), "--container", CONTAINER_NAME, path.basename(backup)],
      {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
      },
    );

    expect(restored.stderr).toBe("");
    expect(restored.status).toBe(0);
    expect(restored.stdout).toContain('Set flamencoVersion to "3.7"');
    expect(restored.stdout).toContain("npm run up");
    expect((await dockerCli(["inspect", "--format", "{{.State.Running}}", CONTAINER_NAME])).trim()).toBe("false");
    expect(fs.readFileSync(database(), "utf8")).toBe(beforeUpgrade);
    const aside = backupNames().filter((name) => name.endsWith("-before-restore"));
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(backups(), aside[0], "flamenco-manager.sqlite"), "utf8")).toBe(migrated);
    expect(fs.readdirSync(storage()).filter((name) => name.startsWith(".restore"))).toEqual([]);
  });

  test("back on the old version, the manager runs on the restored data; only the newest backupsToKeep backups stay", async () => {
    const namesBefore = backupNames();
    run = await up("3.7");

    expect(await managerVersion()).toBe("3.7");
    const data = fs.readFileSync(database(), "utf8");
    expect(data.startsWith(beforeUpgrade)).toBe(true);
    expect(data).not.toContain("schema migrated by 3.8");
    // Three backups now exist in time order: the upgrade's, the one before the restore and this
    // replacement's (labelled with the version the stack ran: 3.8); backupsToKeep is 2.
    const names = backupNames();
    expect(names).toHaveLength(2);
    expect(names[0]).toBe(namesBefore.find((name) => name.endsWith("-before-restore")));
    expect(names[1].endsWith("Z-3.8")).toBe(true);
    expect(fs.readFileSync(path.join(backups(), names[1], "flamenco-manager.sqlite"), "utf8")).toBe(beforeUpgrade);
    expect(run.outputs.newestBackup).toBe(path.join(backups(), names[1]));
  });

  test("destroy backs up the database once the manager is gone, and keeps storage", async () => {
    const data = fs.readFileSync(database(), "utf8");
    await double.destroy();
    expect((await dockerCli(["ps", "-aq", "--filter", `name=^${CONTAINER_NAME}$`])).trim()).toBe("");
    const names = backupNames();
    expect(names).toHaveLength(2);
    expect(names[1].endsWith("Z-3.7")).toBe(true);
    expect(fs.readFileSync(path.join(backups(), names[1], "flamenco-manager.sqlite"), "utf8")).toBe(data);
    expect(fs.readFileSync(database(), "utf8")).toBe(data);
  });
});
