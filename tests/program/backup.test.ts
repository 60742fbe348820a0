/** The database backup before the manager container is replaced or destroyed, under mocks. */
import { ProgramRun, runProgram, sha256, stableJson } from "./harness";

const ROOT = "/srv/landscapes";
const BASE = { landscapesRoot: ROOT };
const STORAGE = `${ROOT}/dev/OpenStudioLandscapes-Flamenco/storage`;
const GUARD_LABEL = "org.openstudiolandscapes.flamenco.backup-guard";

let run: ProgramRun;

beforeAll(async () => {
  run = await runProgram({ config: BASE });
});

function backupOf(of: ProgramRun) {
  return of.named("dev-manager-backup");
}

describe("the backup command", () => {
  test("backs up on delete, with the storage, config file, running version and how many to keep", () => {
    const backup = backupOf(run);
    expect(backup.inputs).toMatchObject({
      create: "node scripts/backup-database.js newest",
      delete: "node scripts/backup-database.js backup",
      environment: {
        FLAMENCO_STORAGE: STORAGE,
        FLAMENCO_CONFIG_FILE: `${ROOT}/dev/OpenStudioLandscapes-Flamenco/flamenco-manager.yaml`,
        FLAMENCO_VERSION: "3.7",
        FLAMENCO_BACKUPS_KEEP: "5",
      },
    });
    expect(backup.deleteBeforeReplace).toBe(true);
  });

  test("the manager container holds the command's id in a label: a property dependency, so the engine deletes the container before the backup runs", () => {
    const backup = backupOf(run);
    // The id the mocks' provider double gives a command: its name and a digest of its inputs.
    const backupId = `dev-manager-backup-${sha256(stableJson(backup.inputs)).slice(0, 12)}`;
    const container = run.named("dev-manager");
    expect(container.inputs.labels).toContainEqual({ label: GUARD_LABEL, value: backupId });
  });

  test("every change that replaces the manager container changes the command's triggers", async () => {
    const triggers = stableJson(backupOf(run).inputs.triggers);
    for (const config of [
      { managerPortHost: 9484 },
      { flamencoVersion: "3.6" },
      { manager: { taskTimeout: "30m" } },
      { environment: { STUDIO: "north" } },
    ]) {
      const changed = await runProgram({ config: { ...BASE, ...config } });
      expect(stableJson(backupOf(changed).inputs.triggers)).not.toBe(triggers);
    }
  });

  test("backupsToKeep changes the environment only: the command is updated, not replaced, and takes no backup", async () => {
    const changed = await runProgram({ config: { ...BASE, backupsToKeep: 2 } });
    expect(stableJson(backupOf(changed).inputs.triggers)).toBe(stableJson(backupOf(run).inputs.triggers));
    expect((backupOf(changed).inputs.environment as Record<string, string>).FLAMENCO_BACKUPS_KEEP).toBe("2");
  });

  test("the stack reports the newest backup (none yet)", () => {
    expect(run.outputs).toHaveProperty("newestBackup", null);
  });
});
