/**
 * Database backups around a manager upgrade under the real Pulumi engine (`npm run up` with the
 * provider stand-ins, whose Diff answers as the official docker provider's does), then a restore
 * with `npm run restore`. The stand-in manager keeps its jobs in a real SQLite database in WAL
 * mode, as Flamenco does, so the data is checked through the manager's own API: a job submitted
 * before the upgrade is in the backup and comes back with the restore; one submitted after the
 * upgrade does not. The order of stop, backup and start is read from Docker's own events.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { lockStack, stackLockDirectory } from "../../scripts/stack-lock";
import { changedSteps, CommandResult, ProjectCopy } from "./project";
import {
  ContainerEvent,
  dockerCli,
  freePort,
  httpGet,
  recordContainerEvents,
  removeLeftovers,
  requireEngine,
  serveFixtureRelease,
  ServedRelease,
} from "./support";

const LANDSCAPE = "rt-backup";
const CONTAINER_NAME = `flamenco-manager--${LANDSCAPE}`;
const BACKUP_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-/;

let project: ProjectCopy;
let release37: ServedRelease;
let release38: ServedRelease;
let landscapesRoot: string;
let port: number;
let firstUp: CommandResult;

function config(version: "3.7" | "3.8"): Record<string, unknown> {
  const release = version === "3.7" ? release37 : release38;
  return {
    landscape: LANDSCAPE,
    landscapesRoot,
    flamencoVersion: version,
    flamencoRelease: { url: release.archiveUrl, sha256: release.release.sha256 },
    managerPortHost: port,
    managerBindAddress: "127.0.0.1",
    backupsToKeep: 2,
  };
}

async function up(version: "3.7" | "3.8"): Promise<CommandResult> {
  project.writeStackConfig(LANDSCAPE, config(version));
  const result = await project.npmRun("up", LANDSCAPE);
  if (result.code !== 0) throw new Error(`npm run up failed:\n${result.stdout}\n${result.stderr}`);
  return result;
}

const storage = () => path.join(landscapesRoot, LANDSCAPE, "OpenStudioLandscapes-Flamenco", "storage");
const backups = () => path.join(storage(), "backups");
const backupNames = () => (fs.existsSync(backups()) ? fs.readdirSync(backups()).sort() : []);

async function managerVersion(): Promise<string> {
  return (JSON.parse((await httpGet(`http://127.0.0.1:${port}/api/v3/version`)).body) as { version: string }).version;
}

async function submitJob(name: string): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v3/jobs`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      name,
      type: "echo-sleep-test",
      priority: 50,
      submitter_platform: "linux",
      settings: { message: name, sleep_duration_seconds: 1, sleep_repeats: 1 },
    }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { id: string }).id;
}

/** When a backup was started, from its name (`2026-11-29T10-15-03.123Z-...`), in ms since the epoch. */
function backupStartedAt(name: string): number {
  const [, date, hours, minutes, seconds] = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2}\.\d{3})Z/.exec(name) ?? [];
  return Date.parse(`${date}T${hours}:${minutes}:${seconds}Z`);
}

function npmRestore(backupName: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", "restore", "--", LANDSCAPE, backupName], {
      cwd: project.directory,
      env: project.environment(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code: number) => resolve({ code, stdout, stderr }));
  });
}

const lockDirectory = () =>
  String(
    stackLockDirectory(`file://${path.join(project.directory, ".pulumi-state")}`, "flamenco-landscape", LANDSCAPE),
  );

async function jobStatus(id: string): Promise<number> {
  return (await httpGet(`http://127.0.0.1:${port}/api/v3/jobs/${id}`)).status;
}

beforeAll(async () => {
  await requireEngine();
  await removeLeftovers([LANDSCAPE]);
  project = await ProjectCopy.create("backup");
  release37 = await serveFixtureRelease("3.7");
  release38 = await serveFixtureRelease("3.8");
  landscapesRoot = fs.mkdtempSync(path.join(os.tmpdir(), "rt-backup-landscapes-"));
  port = await freePort();
  firstUp = await up("3.7");
});

afterAll(async () => {
  if (project && fs.existsSync(project.stackFile(LANDSCAPE))) await project.npmRun("destroy", LANDSCAPE);
  await release37?.served.close();
  await release38?.served.close();
  project?.remove();
});

describe("backups around an upgrade", () => {
  let jobBefore: string;
  let configBeforeUpgrade: string;
  let backup: string;

  test("a first deployment has no database to back up and reports no backup", async () => {
    expect(firstUp.code).toBe(0);
    expect(await managerVersion()).toBe("3.7");
    expect(project.outputs(LANDSCAPE).newestBackup).toBeNull();
    expect(backupNames()).toEqual([]);
  });

  test("an up with the same config takes no backup", async () => {
    const again = await up("3.7");
    expect(changedSteps(again.events)).toEqual([]);
    expect(backupNames()).toEqual([]);
  });

  test("a version change stops the old manager cleanly, backs up its database once it is gone, then starts the new version", async () => {
    jobBefore = await submitJob("render-shot-010");
    configBeforeUpgrade = fs.readFileSync(String(project.outputs(LANDSCAPE).configFile), "utf8");
    const oldId = (await dockerCli(["inspect", "--format", "{{.Id}}", CONTAINER_NAME])).trim();

    const recording = await recordContainerEvents(CONTAINER_NAME);
    const upgrade = await up("3.8");
    const events = await recording.stop();

    expect(await managerVersion()).toBe("3.8");
    const steps = changedSteps(upgrade.events);
    expect(steps.indexOf(`delete-replaced ${LANDSCAPE}-manager`)).toBeGreaterThanOrEqual(0);
    expect(steps.indexOf(`delete-replaced ${LANDSCAPE}-manager-backup`)).toBeGreaterThan(
      steps.indexOf(`delete-replaced ${LANDSCAPE}-manager`),
    );
    expect(steps.indexOf(`create-replacement ${LANDSCAPE}-manager`)).toBeGreaterThan(
      steps.indexOf(`delete-replaced ${LANDSCAPE}-manager-backup`),
    );
    const names = backupNames();
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(BACKUP_PATTERN);
    expect(names[0].endsWith("Z-3.7")).toBe(true);
    backup = path.join(backups(), names[0]);

    // What Docker saw: the old manager asked to stop (SIGTERM only) and exiting by itself, its
    // container removed, then the backup taken, then the new manager started.
    const old = (action: string) => events.filter((event) => event.Actor.ID === oldId && event.Action === action);
    const at = (event: ContainerEvent | undefined) => (event ? event.timeNano / 1e6 : NaN);
    expect(old("kill").map((event) => event.Actor.Attributes.signal)).toEqual(["15"]);
    expect(old("die").map((event) => event.Actor.Attributes.exitCode)).toEqual(["0"]);
    const started = events.filter((event) => event.Action === "start" && event.Actor.ID !== oldId);
    expect(started).toHaveLength(1);
    const backupAt = backupStartedAt(names[0]);
    expect(backupAt).toBeGreaterThan(at(old("destroy")[0]));
    expect(at(old("destroy")[0])).toBeGreaterThan(at(old("die")[0]));
    // The backup directory was complete (renamed into place) before the new manager started.
    expect(fs.statSync(backup).mtimeMs).toBeLessThan(at(started[0]));

    // Taken after a clean shutdown: SQLite had folded its WAL into the database. The version file
    // says which Flamenco wrote it.
    expect(fs.readdirSync(backup).sort()).toEqual([
      "flamenco-manager.sqlite",
      "flamenco-manager.sqlite.version",
      "flamenco-manager.yaml",
    ]);
    expect(fs.readFileSync(path.join(backup, "flamenco-manager.sqlite.version"), "utf8")).toBe("3.7\n");
    expect(fs.readFileSync(path.join(backup, "flamenco-manager.yaml"), "utf8")).toBe(configBeforeUpgrade);
    expect(project.outputs(LANDSCAPE).newestBackup).toBe(backup);
    // The new version runs on the same database, and has recorded itself beside it.
    expect(await jobStatus(jobBefore)).toBe(200);
    expect(fs.readFileSync(path.join(storage(), "flamenco-manager.sqlite.version"), "utf8")).toBe("3.8\n");
  });

  test("npm run restore refuses while an update holds the stack, and touches nothing", async () => {
    // The lock files the CLI writes during an update, read where scripts/stack-lock.js looks.
    const seen = new Map<string, string>();
    const poll = setInterval(() => {
      if (!fs.existsSync(lockDirectory())) return;
      for (const name of fs.readdirSync(lockDirectory())) {
        const text = fs.readFileSync(path.join(lockDirectory(), name), "utf8");
        if (text !== "") seen.set(name, text);
      }
    }, 10);
    const update = await project.npmRun("up", LANDSCAPE).finally(() => clearInterval(poll));
    expect(update.code).toBe(0);
    expect(seen.size).toBeGreaterThanOrEqual(1);
    const [[lockName, lockText]] = [...seen];
    const lock = JSON.parse(lockText) as { pid: number; username: string; hostname: string };

    // As if that update were still running.
    fs.writeFileSync(path.join(lockDirectory(), lockName), lockText);
    const database = fs.readFileSync(path.join(storage(), "flamenco-manager.sqlite"));
    try {
      const refused = await npmRestore(path.basename(backup));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`restore-backup: stack ${LANDSCAPE} is locked: an update`);
      expect(refused.stderr).toContain(`created by ${lock.username}@${lock.hostname} (pid ${lock.pid})`);
    } finally {
      fs.rmSync(path.join(lockDirectory(), lockName));
    }
    expect((await dockerCli(["inspect", "--format", "{{.State.Running}}", CONTAINER_NAME])).trim()).toBe("true");
    expect(fs.readFileSync(path.join(storage(), "flamenco-manager.sqlite"))).toEqual(database);
    expect(backupNames()).toHaveLength(1);
  });

  test("npm run up refuses while a restore holds the stack's lock", async () => {
    const release = lockStack(lockDirectory(), LANDSCAPE);
    try {
      const refused = await project.npmRun("up", LANDSCAPE);
      expect(refused.code).not.toBe(0);
      expect(`${refused.stdout}${refused.stderr}`).toContain("the stack is currently locked by 1 lock(s)");
    } finally {
      release();
    }
  });

  test("npm run restore puts the backup back, keeping the database it replaces, and leaves the newer manager stopped", async () => {
    const jobAfter = await submitJob("made-by-3.8");
    const restored = await npmRestore(path.basename(backup));
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain("The restored database was last run by Flamenco 3.7.");
    // The complete set of changes: the stack names its release, so the release too.
    expect(restored.stdout).toContain(
      `To run Flamenco 3.7 on it, set in Pulumi.${LANDSCAPE}.yaml:\n  flamenco-landscape:flamencoVersion: "3.7"\n  flamenco-landscape:flamencoRelease: the url and sha256 of the Flamenco 3.7 archive (the stack names ${release38.archiveUrl} now)\nthen run:\n  npm run up -- ${LANDSCAPE}\n`,
    );
    expect(
      (
        await dockerCli([
          "inspect",
          "--format",
          "{{.State.Running}} {{.HostConfig.RestartPolicy.Name}}",
          CONTAINER_NAME,
        ])
      ).trim(),
    ).toBe("false no");
    const aside = backupNames().filter((name) => name.endsWith("-before-restore"));
    expect(aside).toHaveLength(1);
    expect(aside[0].endsWith("Z-3.8-before-restore")).toBe(true);
    expect(fs.readdirSync(storage()).filter((name) => name.startsWith(".restore"))).toEqual([]);
    expect(fs.readdirSync(lockDirectory())).toEqual([]);

    // Back on the old version, the manager runs on the restored data.
    await up("3.7");
    expect(await managerVersion()).toBe("3.7");
    expect(await jobStatus(jobBefore)).toBe(200);
    expect(await jobStatus(jobAfter)).toBe(404);
  });

  test("the backup taken after a restore is named for the restored data's version, and newestBackup says so", () => {
    // The upgrade's, the one before the restore and the one taken as the stopped 3.8 manager was
    // replaced; 2 are kept. That last one holds the restored 3.7 database: it is named 3.7.
    const names = backupNames();
    expect(names).toHaveLength(2);
    expect(names[0].endsWith("-before-restore")).toBe(true);
    expect(names[1].endsWith("Z-3.7")).toBe(true);
    expect(fs.readFileSync(path.join(backups(), names[1], "flamenco-manager.sqlite.version"), "utf8")).toBe("3.7\n");
    expect(project.outputs(LANDSCAPE).newestBackup).toBe(path.join(backups(), names[1]));
  });

  test("destroy stops the manager cleanly, backs up the database once the manager is gone, and keeps storage", async () => {
    const recording = await recordContainerEvents(CONTAINER_NAME);
    const destroy = await project.npmRun("destroy", LANDSCAPE);
    const events = await recording.stop();
    expect(destroy.code).toBe(0);
    const of = (action: string, attribute: string) =>
      events.filter((event) => event.Action === action).map((event) => event.Actor.Attributes[attribute]);
    expect(of("kill", "signal")).toEqual(["15"]);
    expect(of("die", "exitCode")).toEqual(["0"]);
    const steps = changedSteps(destroy.events);
    expect(steps.indexOf(`delete ${LANDSCAPE}-manager-backup`)).toBeGreaterThan(
      steps.indexOf(`delete ${LANDSCAPE}-manager`),
    );
    expect((await dockerCli(["ps", "-aq", "--filter", `name=^${CONTAINER_NAME}$`])).trim()).toBe("");
    const names = backupNames();
    expect(names).toHaveLength(2);
    expect(names[1].endsWith("Z-3.7")).toBe(true);
    expect(fs.existsSync(path.join(storage(), "flamenco-manager.sqlite"))).toBe(true);
  });
});
