import * as crypto from "crypto";
import type { Settings } from "../config/settings";
import { LABEL_PREFIX } from "../../scripts/shared-names";
import { hostConfigFilePath } from "../config/layout";
import { resultLine } from "./commands";

/** The backup command's create step reports the newest backup; its delete step takes one. */
export const BACKUP_NEWEST_COMMAND = "node scripts/backup-database.js newest";
export const BACKUP_DATABASE_COMMAND = "node scripts/backup-database.js backup";
/** Label of the manager container carrying the backup command's id (see ManagerBackup). */
export const BACKUP_GUARD_LABEL = `${LABEL_PREFIX}.flamenco.backup-guard`;

/**
 * Environment of both steps. The delete step runs with the environment stored at the last
 * `up`, so FLAMENCO_VERSION names the version that ran on the database being backed up.
 */
export function backupCommandEnvironment(
  settings: Pick<Settings, "storage" | "featureDirectory" | "release" | "backupsToKeep">,
): Record<string, string> {
  return {
    FLAMENCO_STORAGE: settings.storage.manager,
    FLAMENCO_CONFIG_FILE: hostConfigFilePath(settings),
    FLAMENCO_VERSION: settings.release.version,
    FLAMENCO_BACKUPS_KEEP: String(settings.backupsToKeep),
  };
}

/** Digest of everything the manager container is made of: a change of it replaces the backup command. */
export function managerInputsDigest(parts: { imageId: string; configSha256: string; spec: unknown }): string {
  return crypto
    .createHash("sha256")
    .update(JSON.stringify([parts.imageId, parts.configSha256, parts.spec]))
    .digest("hex");
}

/** What the backup command prints on its last stdout line. */
export interface BackupReport {
  backup: string | null;
  newest: string | null;
  removed: string[];
}

export function parseBackupReport(stdout: string): BackupReport {
  const isPathOrNull = (value: unknown) => value === null || typeof value === "string";
  const result = resultLine<BackupReport>(
    stdout,
    "backup",
    (line) => isPathOrNull(line.backup) && isPathOrNull(line.newest) && Array.isArray(line.removed),
  );
  return { backup: result.backup ?? null, newest: result.newest ?? null, removed: result.removed as string[] };
}
