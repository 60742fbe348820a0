/**
 * Database backups around a manager upgrade under the real Pulumi engine (`npm run up` with the
 * provider stand-ins), then a restore with `npm run restore`. The stand-in manager keeps its
 * jobs in a real SQLite database in WAL mode, as Flamenco does, so the data is checked through
 * the manager's own API: a job submitted before the upgrade is in the backup and comes back
 * with the restore; one submitted after the upgrade does not.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { changedSteps, CommandResult, ProjectCopy } from "./project";
import {
  dockerCli,
  freePort,
  httpGet,
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

  test("a version change stops the old manager, backs up its database, then starts the new version", async () => {
    jobBefore = await submitJob("render-shot-010");
    configBeforeUpgrade = fs.readFileSync(String(project.outputs(LANDSCAPE).configFile), "utf8");

    const upgrade = await up("3.8");

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
    // Taken after a clean shutdown: SQLite had folded its WAL into the database.
    expect(fs.readdirSync(backup).sort()).toEqual(["flamenco-manager.sqlite", "flamenco-manager.yaml"]);
    expect(fs.readFileSync(path.join(backup, "flamenco-manager.yaml"), "utf8")).toBe(configBeforeUpgrade);
    expect(project.outputs(LANDSCAPE).newestBackup).toBe(backup);
    // The new version runs on the same database: the job is still there.
    expect(await jobStatus(jobBefore)).toBe(200);
  });

  test("npm run restore puts the backup back, keeping the database it replaces", async () => {
    const jobAfter = await submitJob("made-by-3.8");
    const restored = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn("npm", ["run", "--silent", "restore", "--", LANDSCAPE, path.basename(backup)], {
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
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain('Set flamencoVersion to "3.7"');
    expect(restored.stdout).toContain("npm run up");
    expect((await dockerCli(["inspect", "--format", "{{.State.Running}}", CONTAINER_NAME])).trim()).toBe("false");
    const aside = backupNames().filter((name) => name.endsWith("-before-restore"));
    expect(aside).toHaveLength(1);
    expect(fs.readdirSync(storage()).filter((name) => name.startsWith(".restore"))).toEqual([]);

    // Back on the old version, the manager runs on the restored data.
    await up("3.7");
    expect(await managerVersion()).toBe("3.7");
    expect(await jobStatus(jobBefore)).toBe(200);
    expect(await jobStatus(jobAfter)).toBe(404);
  });

  test("only the newest backupsToKeep backups stay", () => {
    // The upgrade's, the one before the restore and this replacement's (of the 3.8 manager); 2 are kept.
    const names = backupNames();
    expect(names).toHaveLength(2);
    expect(names[0].endsWith("-before-restore")).toBe(true);
    expect(names[1].endsWith("Z-3.8")).toBe(true);
    expect(project.outputs(LANDSCAPE).newestBackup).toBe(path.join(backups(), names[1]));
  });

  test("destroy backs up the database once the manager is gone, and keeps storage", async () => {
    const destroy = await project.npmRun("destroy", LANDSCAPE);
    expect(destroy.code).toBe(0);
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
