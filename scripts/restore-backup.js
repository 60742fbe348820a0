// @ts-check
"use strict";
/**
 * Puts a database backup (made by scripts/backup-database.js) back in place.
 *
 *   npm run restore -- <stack> <backup>
 *   node scripts/restore-backup.js --storage <dir> --container <name> <backup>
 *
 * With a stack, the manager's storage directory and container name are read from the stack's
 * outputs (`pulumi stack output`, the project's file backend unless PULUMI_BACKEND_URL is set),
 * and the stack is locked as `pulumi up` locks it (scripts/stack-lock.js): a restore refuses to
 * start while an update runs, and no update starts while it runs. Without a stack, nothing
 * checks for a running update. <backup> is a backup directory, or its name under <storage>/backups.
 *
 * Steps: stop the manager container (`docker stop`, which lets Flamenco close its database; a
 * missing container is fine); copy the backup's database files and its version file next to the
 * database and flush them; move the current ones aside into a new backup
 * <storage>/backups/<timestamp>-<version>-before-restore/; rename the copies into place. Then,
 * when the container runs the version that wrote the backup, start it again; otherwise leave it
 * stopped, with no restart policy (so neither Docker nor a reboot starts a newer Flamenco that
 * would migrate the restored database), and say which stack config makes `npm run up` start the
 * right version. Nothing is deleted, and the current database is never lost: it is either in
 * place or in the before-restore backup.
 */
const { spawnSync } = require("child_process");
const fs = require("fs");
const fsp = require("fs/promises");
const path = require("path");
const { parse } = require("yaml");
const {
  BACKUP_NAME,
  DATABASE_FILES,
  VERSION_LABEL,
  backupName,
  backupsDirectory,
  copyDurably,
  recordedVersion,
  syncDirectory,
} = require("./backup-database");
const { runCommand } = require("./command");
const { DATABASE_VERSION_FILE, FLAMENCO_VERSION_LABEL } = require("./shared-names");
const { lockStack, stackLockDirectory } = require("./stack-lock");

const PROJECT_ROOT = path.resolve(__dirname, "..");
/** The project's name: the namespace of its config keys and a part of its stacks' lock path. */
const PROJECT = "flamenco-landscape";
const BEFORE_RESTORE = "before-restore";
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

/** The state backend `npm run up` uses (tools/stack-command.ts). */
function backendUrl() {
  return process.env.PULUMI_BACKEND_URL || `file://${PROJECT_ROOT}/.pulumi-state`;
}

/**
 * What the stack's config file sets of the release: the version, and the archive when
 * flamencoRelease is set.
 * @param {string} stack
 * @returns {{ version?: string, releaseUrl?: string }}
 */
function stackReleaseConfig(stack) {
  const file = path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) return {};
  const config = (parse(fs.readFileSync(file, "utf8")) ?? {}).config ?? {};
  const release = config[`${PROJECT}:flamencoRelease`];
  const version = config[`${PROJECT}:flamencoVersion`];
  return {
    version: version === undefined ? undefined : String(version),
    releaseUrl: release && typeof release === "object" ? String(release.url) : undefined,
  };
}

/**
 * Storage directory and manager container of a stack, from its outputs.
 * @param {string} stack
 */
function stackTarget(stack) {
  const env = { ...process.env, PULUMI_BACKEND_URL: backendUrl() };
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

/**
 * The Flamenco version whose data a backup holds: its version file, or the version its name
 * carries; null when neither says.
 * @param {string} backup
 */
async function backupVersion(backup) {
  const recorded = await recordedVersion(backup);
  if (recorded !== null) return recorded;
  const label = path
    .basename(backup)
    .replace(/^[^Z]*Z-/, "")
    .replace(new RegExp(`-?${BEFORE_RESTORE}$`), "");
  return VERSION_LABEL.test(label) ? label : null;
}

/**
 * @typedef {{ state: "running" | "stopped" | "missing", version: string | null }} ManagerState
 * @typedef {{ inspect(container: string): ManagerState, stop(container: string): void, start(container: string): void, disableRestart(container: string): void }} Docker
 */

/** @param {string[]} args */
function docker(args) {
  const result = spawnSync("docker", args, { encoding: "utf8" });
  if (result.error) throw new Error(`cannot run docker: ${result.error.message}`);
  return result;
}

/** @param {string[]} args */
function dockerOrFail(args) {
  const result = docker(args);
  if (result.status !== 0) throw new Error(`docker ${args.join(" ")} failed: ${result.stderr.trim()}`);
}

/** @type {Docker} */
const DOCKER = {
  inspect(container) {
    const result = docker(["inspect", "--format", "{{json .State.Running}} {{json .Config.Labels}}", container]);
    if (result.status !== 0) {
      if (/no such (object|container)/i.test(result.stderr)) return { state: "missing", version: null };
      throw new Error(`docker inspect ${container} failed: ${result.stderr.trim()}`);
    }
    const [running, ...labels] = result.stdout.trim().split(" ");
    const version = (JSON.parse(labels.join(" ")) ?? {})[FLAMENCO_VERSION_LABEL];
    return { state: running === "true" ? "running" : "stopped", version: version ?? null };
  },
  stop: (container) => dockerOrFail(["stop", container]),
  start: (container) => dockerOrFail(["start", container]),
  disableRestart: (container) => dockerOrFail(["update", "--restart=no", container]),
};

/**
 * @param {{ storage: string, container: string, backup: string, docker?: Docker, now?: Date }} options
 */
async function restoreBackup({ storage, container, backup, docker: engine = DOCKER, now = new Date() }) {
  const source = resolveBackup(storage, backup);
  const version = await backupVersion(source);
  const replacedVersion = await recordedVersion(storage);
  const manager = engine.inspect(container);
  if (manager.state !== "missing") engine.stop(container);

  const staging = path.join(storage, `.restore-${process.pid}`);
  await fsp.rm(staging, { recursive: true, force: true });
  await fsp.mkdir(staging);
  const restored = DATABASE_FILES.filter((file) => fs.existsSync(path.join(source, file)));
  for (const file of restored) await copyDurably(path.join(source, file), path.join(staging, file));
  if (version !== null && !restored.includes(DATABASE_VERSION_FILE)) {
    await fsp.writeFile(path.join(staging, DATABASE_VERSION_FILE), `${version}\n`);
    restored.push(DATABASE_VERSION_FILE);
  }
  await syncDirectory(staging);

  const asideName = backupName(now, replacedVersion === null ? BEFORE_RESTORE : `${replacedVersion}-${BEFORE_RESTORE}`);
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

  const matches = version !== null && manager.version === version;
  if (manager.state !== "missing") {
    if (matches) engine.start(container);
    else engine.disableRestart(container);
  }
  return { restored: source, aside, version, manager, started: manager.state !== "missing" && matches };
}

/**
 * What the admin reads after a restore: what happened, and the complete set of changes that
 * start the right Flamenco on the restored database.
 * @param {{ restored: string, aside: string, version: string | null, manager: ManagerState, started: boolean }} result
 * @param {{ storage: string, container: string, stack?: string, config?: { version?: string, releaseUrl?: string } }} target
 */
function restoreReport(result, target) {
  const stack = target.stack ?? "<stack>";
  const written = result.version === null ? "an unknown Flamenco version" : `Flamenco ${result.version}`;
  const lines = [
    `Restored ${result.restored} into ${target.storage}.`,
    `The database it replaced is kept in ${result.aside}.`,
    `The restored database was last run by ${written}.`,
  ];
  if (result.started) {
    lines.push(
      `The manager container ${target.container} runs ${result.version}: it is started again on the restored database.`,
    );
    return `${lines.join("\n")}\n`;
  }
  if (result.manager.state === "missing") lines.push(`The manager container ${target.container} does not exist.`);
  else
    lines.push(
      `The manager container ${target.container} runs ${result.manager.version ?? "an unknown version"}: it is stopped, and Docker will not restart it, so it does not migrate the restored database.`,
    );
  const version = result.version ?? "<the version that wrote the backup>";
  const file = `Pulumi.${stack}.yaml`;
  lines.push(`To run Flamenco ${version} on it, set in ${file}:`, `  ${PROJECT}:flamencoVersion: "${version}"`);
  const releaseUrl = target.config?.releaseUrl;
  if (releaseUrl !== undefined)
    lines.push(
      `  ${PROJECT}:flamencoRelease: the url and sha256 of the Flamenco ${version} archive (the stack names ${releaseUrl} now)`,
    );
  else if (target.stack === undefined)
    lines.push(
      `  and, if the stack sets ${PROJECT}:flamencoRelease, its url and sha256 to the Flamenco ${version} archive`,
    );
  lines.push("then run:", `  npm run up -- ${stack}`);
  return `${lines.join("\n")}\n`;
}

async function main() {
  const args = parseArguments(process.argv.slice(2));
  if (args.stack === undefined) {
    const target = { storage: String(args.storage), container: String(args.container) };
    process.stdout.write(restoreReport(await restoreBackup({ ...target, backup: args.backup }), target));
    return;
  }
  const stack = args.stack;
  const locks = stackLockDirectory(backendUrl(), PROJECT, stack);
  if (locks === null)
    throw new Error(
      `npm run restore -- <stack> locks the stack in a file backend, and PULUMI_BACKEND_URL names another (${backendUrl().split(":")[0]}): make sure no update runs, then use --storage and --container`,
    );
  const unlock = lockStack(locks, stack);
  try {
    const target = { ...stackTarget(stack), stack, config: stackReleaseConfig(stack) };
    process.stdout.write(restoreReport(await restoreBackup({ ...target, backup: args.backup }), target));
  } finally {
    unlock();
  }
}

if (require.main === module) runCommand("restore-backup", main);

module.exports = { parseArguments, restoreBackup, resolveBackup, restoreReport, backupVersion };
