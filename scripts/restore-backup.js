// @ts-check
"use strict";
/**
 * Puts a database backup (made by scripts/backup-database.js) back in place.
 *
 *   npm run restore -- <stack> <backup>
 *   node scripts/restore-backup.js --storage <dir> --container <name> <backup>
 *
 * With a stack, the manager's storage directory and container name are read from the stack's
 * outputs (`pulumi stack output`, the project's file backend unless PULUMI_BACKEND_URL is set).
 * <backup> is a backup directory, or its name under <storage>/backups.
 *
 * Steps: stop the manager container (`docker stop`; a missing container is fine); copy the
 * backup's database files next to the database and flush them; move the current database
 * files aside into a new backup <storage>/backups/<timestamp>-before-restore/; rename the
 * copies into place. Nothing is deleted, and the current database is never lost: it is
 * either in place or in the before-restore backup.
 */
const { spawnSync } = require("child_process");
const fs = require("fs");
const fsp = require("fs/promises");
const path = require("path");
const {
  BACKUP_NAME,
  DATABASE_FILES,
  backupName,
  backupsDirectory,
  copyDurably,
  syncDirectory,
} = require("./backup-database");
const { runCommand } = require("./command");

const PROJECT_ROOT = path.resolve(__dirname, "..");
const USAGE =
  "usage: npm run restore -- <stack> <backup>  |  node scripts/restore-backup.js --storage <dir> --container <name> <backup>";

/**
 * @param {string[]} argv
 * @returns {{ stack?: string, storage?: string, container?: string, backup: string }}
 */
function parseArguments(argv) {
  /** @type {{ stack?: string, storage?: string, container?: string }} */
  const options = {};
  const positional = [];
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    if (argument === "--storage" || argument === "--container") {
      const value = argv[index + 1];
      if (value === undefined) throw new Error(`${argument} needs a value\n${USAGE}`);
      options[argument === "--storage" ? "storage" : "container"] = value;
      index += 1;
    } else {
      positional.push(argument);
    }
  }
  if (options.storage !== undefined || options.container !== undefined) {
    if (options.storage === undefined || options.container === undefined || positional.length !== 1)
      throw new Error(USAGE);
    return { ...options, backup: positional[0] };
  }
  if (positional.length !== 2) throw new Error(USAGE);
  return { stack: positional[0], backup: positional[1] };
}

/**
 * Storage directory and manager container of a stack, from its outputs.
 * @param {string} stack
 */
function stackTarget(stack) {
  const env = {
    ...process.env,
    PULUMI_BACKEND_URL: process.env.PULUMI_BACKEND_URL || `file://${PROJECT_ROOT}/.pulumi-state`,
  };
  // The terminal stays attached: Pulumi may ask for the stack's passphrase.
  const result = spawnSync("pulumi", ["stack", "output", "--json", "--stack", stack], {
    cwd: PROJECT_ROOT,
    env,
    encoding: "utf8",
    stdio: ["inherit", "pipe", "inherit"],
  });
  if (result.error) throw new Error(`cannot run the Pulumi CLI: ${result.error.message}`);
  if (result.status !== 0)
    throw new Error(`pulumi stack output --stack ${stack} failed (exit code ${result.status}); see its message above`);
  const outputs = JSON.parse(result.stdout);
  if (typeof outputs.storagePath !== "string" || typeof outputs.managerContainerName !== "string") {
    throw new Error(
      `stack ${stack} has no storagePath and managerContainerName outputs: is the landscape deployed (enabled)?`,
    );
  }
  return { storage: outputs.storagePath, container: outputs.managerContainerName };
}

/**
 * The backup directory `given` names, checked to be a complete backup of this storage.
 * @param {string} storage
 * @param {string} given
 */
function resolveBackup(storage, given) {
  const directory = path.isAbsolute(given) ? given : path.join(backupsDirectory(storage), given);
  if (path.dirname(directory) !== backupsDirectory(storage) || !BACKUP_NAME.test(path.basename(directory))) {
    throw new Error(
      `${given} is not a backup of ${storage}: expected a directory <timestamp>-<version> in ${backupsDirectory(storage)}`,
    );
  }
  if (!fs.existsSync(path.join(directory, DATABASE_FILES[0])))
    throw new Error(`${directory} holds no ${DATABASE_FILES[0]}`);
  return directory;
}

/** @param {string} container */
function stopContainer(container) {
  const result = spawnSync("docker", ["stop", container], { encoding: "utf8" });
  if (result.error) throw new Error(`cannot run docker: ${result.error.message}`);
  if (result.status === 0) return "stopped";
  if (/no such container/i.test(result.stderr)) return "not found";
  throw new Error(`docker stop ${container} failed: ${result.stderr.trim()}`);
}

/**
 * @param {{ storage: string, container: string, backup: string, stop?: (container: string) => string, now?: Date }} options
 */
async function restoreBackup({ storage, container, backup, stop = stopContainer, now = new Date() }) {
  const source = resolveBackup(storage, backup);
  const containerState = stop(container);

  const staging = path.join(storage, `.restore-${process.pid}`);
  await fsp.rm(staging, { recursive: true, force: true });
  await fsp.mkdir(staging);
  const restored = DATABASE_FILES.filter((file) => fs.existsSync(path.join(source, file)));
  for (const file of restored) await copyDurably(path.join(source, file), path.join(staging, file));
  await syncDirectory(staging);

  const asideName = backupName(now, "before-restore");
  const asidePartial = path.join(backupsDirectory(storage), `.partial-${asideName}`);
  const aside = path.join(backupsDirectory(storage), asideName);
  await fsp.mkdir(asidePartial, { recursive: true });
  for (const file of DATABASE_FILES) {
    if (fs.existsSync(path.join(storage, file)))
      await fsp.rename(path.join(storage, file), path.join(asidePartial, file));
  }
  await syncDirectory(asidePartial);
  await fsp.rename(asidePartial, aside);

  for (const file of restored) await fsp.rename(path.join(staging, file), path.join(storage, file));
  await syncDirectory(storage);
  await fsp.rm(staging, { recursive: true, force: true });
  return { restored: source, aside, containerState, version: path.basename(source).replace(/^[^Z]*Z-/, "") };
}

async function main() {
  const args = parseArguments(process.argv.slice(2));
  const target =
    args.stack === undefined
      ? { storage: String(args.storage), container: String(args.container) }
      : stackTarget(args.stack);
  const result = await restoreBackup({ ...target, backup: args.backup });
  const stack = args.stack ?? "<stack>";
  process.stdout.write(
    [
      `Restored ${result.restored} into ${target.storage}.`,
      `The database it replaced is kept in ${result.aside}.`,
      `The manager container ${target.container} is ${result.containerState === "stopped" ? "stopped" : "not running (not found)"}.`,
      `The backup was taken from Flamenco ${result.version}. Set flamencoVersion to "${result.version}" in Pulumi.${stack}.yaml if the stack runs another version, then run:`,
      `  npm run up -- ${stack}`,
      `If the stack already runs ${result.version}, start the manager on the restored database with: docker start ${target.container}`,
      "",
    ].join("\n"),
  );
}

if (require.main === module) runCommand("restore-backup", main);

module.exports = { parseArguments, restoreBackup, resolveBackup };
