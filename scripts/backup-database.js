// @ts-check
"use strict";
/**
 * Backups of the Flamenco manager's database, taken by the delete step of the landscape's
 * backup command: Pulumi runs it after the old manager container is gone and before a new
 * one starts (see components/managerBackup.ts), so nothing writes to the database while it
 * is copied.
 *
 *   node scripts/backup-database.js backup   copy flamenco-manager.sqlite (with -wal, -shm, and
 *                                            the version file beside it) and flamenco-manager.yaml
 *                                            into <storage>/backups/<timestamp>-<version>/, then
 *                                            keep only the newest FLAMENCO_BACKUPS_KEEP
 *   node scripts/backup-database.js newest   report the newest backup
 *
 * <version> is the Flamenco version that last ran on the database: the manager container writes
 * it to flamenco-manager.sqlite.version as it starts, and a restore puts back the version file
 * of the backup it restores. Where the storage has no version file, FLAMENCO_VERSION names it
 * (the version the stack deployed at its last `up`).
 *
 * Environment: FLAMENCO_STORAGE (the manager's storage directory on the host),
 * FLAMENCO_CONFIG_FILE, FLAMENCO_VERSION, FLAMENCO_BACKUPS_KEEP. Prints one JSON line:
 * {"backup": <path or null>, "newest": <path or null>, "removed": [...]}.
 *
 * A backup is copied into a hidden temporary directory, flushed, then renamed: a backup
 * directory is complete or absent. Without a database (first deployment) there is nothing
 * to back up and that is not an error. Nothing but backup directories is ever deleted.
 */
const fs = require("fs");
const fsp = require("fs/promises");
const path = require("path");
const { runCommand } = require("./command");
const { requiredVariable } = require("./environment");

const { DATABASE_FILE, DATABASE_VERSION_FILE } = require("./shared-names");
/** SQLite in WAL mode: the database is these files together; the version file says who wrote them. */
const DATABASE_FILES = [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, DATABASE_VERSION_FILE];
const CONFIG_FILE = "flamenco-manager.yaml";
const BACKUPS_DIRECTORY = "backups";
/** `2026-11-29T10-15-03.123Z-<label>`: sorts by time. */
const BACKUP_NAME = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-[A-Za-z0-9._-]+$/;
/** What a version file may hold to name a backup: a version such as 3.7 or 3.8-beta1. */
const VERSION_LABEL = /^[0-9][A-Za-z0-9._-]*$/;
const PARTIAL_PREFIX = ".partial-";
const COPY_ATTEMPTS = 3;

/**
 * The version recorded in `directory`'s version file, or null when there is none (or it holds
 * something that is not a version).
 * @param {string} directory
 * @returns {Promise<string | null>}
 */
async function recordedVersion(directory) {
  const text = await fsp.readFile(path.join(directory, DATABASE_VERSION_FILE), "utf8").catch((error) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  const version = text?.trim() ?? "";
  return VERSION_LABEL.test(version) ? version : null;
}

/** @param {Date} date @param {string} label */
function backupName(date, label) {
  return `${date.toISOString().replace(/:/g, "-")}-${label}`;
}

/** @param {string} storage */
function backupsDirectory(storage) {
  return path.join(storage, BACKUPS_DIRECTORY);
}

/**
 * Complete backups under `storage`, oldest first.
 * @param {string} storage
 * @returns {Promise<string[]>}
 */
async function listBackups(storage) {
  const directory = backupsDirectory(storage);
  const entries = await fsp.readdir(directory, { withFileTypes: true }).catch((error) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  return entries
    .filter((entry) => entry.isDirectory() && BACKUP_NAME.test(entry.name))
    .map((entry) => path.join(directory, entry.name))
    .sort();
}

/** @param {string} directory */
async function syncDirectory(directory) {
  const handle = await fsp.open(directory, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Copies `from` to `to` with its mode and, where the user may (root), its owner, and
 * flushes it to disk: a database put back must stay writable by the user the manager runs as.
 * @param {string} from
 * @param {string} to
 */
async function copyDurably(from, to) {
  await fsp.copyFile(from, to);
  const source = await fsp.stat(from);
  await fsp.chmod(to, source.mode & 0o7777);
  await fsp.chown(to, source.uid, source.gid).catch((error) => {
    if (error.code !== "EPERM") throw error;
  });
  const handle = await fsp.open(to, "r+");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Size and modification time of the files that exist: equal before and after a copy means
 * nothing wrote to them meanwhile.
 * @param {string[]} files
 */
function fingerprint(files) {
  return JSON.stringify(
    files.map((file) => {
      const stat = fs.statSync(file, { throwIfNoEntry: false });
      return stat ? [file, stat.size, stat.mtimeMs] : [file, null];
    }),
  );
}

/**
 * Copies `files` that exist into a new directory `target` (created through a temporary
 * sibling and a rename), retrying when a file changed during the copy.
 * @param {string[]} files
 * @param {string} target
 */
async function copyIntoNewDirectory(files, target) {
  const parent = path.dirname(target);
  await fsp.mkdir(parent, { recursive: true });
  const partial = path.join(parent, `${PARTIAL_PREFIX}${path.basename(target)}`);
  for (let attempt = 1; ; attempt += 1) {
    await fsp.rm(partial, { recursive: true, force: true });
    await fsp.mkdir(partial);
    try {
      const before = fingerprint(files);
      for (const file of files) {
        if (fs.existsSync(file)) await copyDurably(file, path.join(partial, path.basename(file)));
      }
      if (fingerprint(files) !== before) {
        if (attempt < COPY_ATTEMPTS) continue;
        throw new Error(
          `${files[0]} changed while it was copied, ${COPY_ATTEMPTS} times: is a manager still running on it?`,
        );
      }
      await syncDirectory(partial);
      await fsp.rename(partial, target);
      await syncDirectory(parent);
      return;
    } catch (error) {
      await fsp.rm(partial, { recursive: true, force: true });
      throw error;
    }
  }
}

/**
 * Removes the oldest backups beyond `keep` (and temporary directories of interrupted
 * backups); returns the removed paths.
 * @param {string} storage
 * @param {number} keep
 */
async function pruneBackups(storage, keep) {
  const backups = await listBackups(storage);
  const removed = backups.slice(0, Math.max(0, backups.length - keep));
  for (const backup of removed) await fsp.rm(backup, { recursive: true });
  const directory = backupsDirectory(storage);
  for (const entry of await fsp.readdir(directory)) {
    if (entry.startsWith(PARTIAL_PREFIX)) await fsp.rm(path.join(directory, entry), { recursive: true, force: true });
  }
  return removed;
}

/**
 * @param {{ storage: string, configFile: string, version: string, keep: number, now?: Date }} options
 * @returns {Promise<{ backup: string | null, newest: string | null, removed: string[], version?: string }>}
 */
async function backupDatabase({ storage, configFile, version, keep, now = new Date() }) {
  const database = path.join(storage, DATABASE_FILE);
  if (!fs.existsSync(database)) {
    const backups = await listBackups(storage);
    return { backup: null, newest: backups[backups.length - 1] ?? null, removed: [] };
  }
  const writtenBy = (await recordedVersion(storage)) ?? version;
  const target = path.join(backupsDirectory(storage), backupName(now, writtenBy));
  if (fs.existsSync(target)) throw new Error(`backup ${target} exists already`);
  await copyIntoNewDirectory([...DATABASE_FILES.map((file) => path.join(storage, file)), configFile], target);
  const removed = await pruneBackups(storage, keep);
  return { backup: target, newest: target, removed, version: writtenBy };
}

/**
 * The command: `backup` or `newest` (argv[0]), settings from `env`; the report on stdout,
 * what happened on stderr.
 * @param {import("./command").CommandIo & { argv: string[] }} io
 */
async function main({ argv, env, stdout, stderr }) {
  const mode = argv[0];
  const storage = requiredVariable("FLAMENCO_STORAGE", env);
  if (mode === "newest") {
    const backups = await listBackups(storage);
    stdout.write(`${JSON.stringify({ backup: null, newest: backups[backups.length - 1] ?? null, removed: [] })}\n`);
    return;
  }
  if (mode !== "backup")
    throw new Error(`usage: node scripts/backup-database.js backup|newest (got ${mode ?? "nothing"})`);
  const keep = Number(requiredVariable("FLAMENCO_BACKUPS_KEEP", env));
  if (!Number.isInteger(keep) || keep < 1)
    throw new Error(`FLAMENCO_BACKUPS_KEEP must be a whole number from 1 upwards, got ${env.FLAMENCO_BACKUPS_KEEP}`);
  const result = await backupDatabase({
    storage,
    configFile: requiredVariable("FLAMENCO_CONFIG_FILE", env),
    version: requiredVariable("FLAMENCO_VERSION", env),
    keep,
  });
  if (result.backup === null) stderr.write(`No ${DATABASE_FILE} in ${storage} yet: nothing to back up.\n`);
  else stderr.write(`Backed up the manager database (last run by Flamenco ${result.version}) to ${result.backup}\n`);
  stdout.write(`${JSON.stringify({ backup: result.backup, newest: result.newest, removed: result.removed })}\n`);
}

if (require.main === module) {
  runCommand("backup-database", (io) => main({ ...io, argv: process.argv.slice(2) }));
}

module.exports = {
  main,
  backupDatabase,
  backupName,
  recordedVersion,
  listBackups,
  pruneBackups,
  copyDurably,
  syncDirectory,
  backupsDirectory,
  DATABASE_FILE,
  DATABASE_FILES,
  CONFIG_FILE,
  BACKUP_NAME,
  VERSION_LABEL,
};
