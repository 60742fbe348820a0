// @ts-check
"use strict";
/**
 * Writes flamenco-manager.yaml (content on stdin, so a secret never appears in a command
 * line or in the environment) and creates the storage directories when they are missing.
 * The `manager-files` command of the program runs this at `pulumi up`. It never deletes
 * anything: existing storage is left exactly as it is.
 *
 * The yaml may hold the MQTT password, so only the manager may read it: mode 0600 owned by
 * the user running this, or, run as root, 0640 owned by the manager's uid:gid; its directory
 * 0750. An admin's tighter mode on either is kept.
 *
 * It prints `configDigest`, an HMAC of the content under a random key that is used once and
 * never kept: the manager container carries it as a label, so a rewrite replaces the container,
 * while the label (visible to `docker inspect`) cannot be checked against guessed passwords.
 * The command runs again whenever the content changes, so the digest changes with it.
 *
 * Environment: FLAMENCO_CONFIG_FILE (host path of the yaml), FLAMENCO_STORAGE_DIRECTORIES
 * (JSON list of host paths), FLAMENCO_STORAGE_OWNER ("uid:gid" the manager runs as: given
 * the yaml and the directories this run creates, when it runs as root).
 */
const crypto = require("crypto");
const fs = require("fs");
const fsp = require("fs/promises");
const path = require("path");
const { writeAtomically } = require("./atomic-write");
const { runCommand } = require("./command");
const { requiredVariable } = require("./environment");

const CONFIG_DIRECTORY_MODE = 0o750;

function runsAsRoot() {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** @param {string} owner "uid" or "uid:gid" */
function parseOwner(owner) {
  const [uid, gid = uid] = owner.split(":").map(Number);
  return { uid, gid };
}

/**
 * Creates the config file's directory (0750), or takes permission bits beyond 0750 off an
 * existing one; bits an admin took off stay off.
 * @param {string} directory
 * @param {(line: string) => void} log
 */
async function ensureConfigDirectory(directory, log) {
  await fsp.mkdir(directory, { recursive: true, mode: CONFIG_DIRECTORY_MODE });
  const { mode } = await fsp.stat(directory);
  const tightened = mode & (0o7000 | CONFIG_DIRECTORY_MODE);
  if (tightened === (mode & 0o7777)) return;
  try {
    await fsp.chmod(directory, tightened);
  } catch (error) {
    // A directory of another user: the file's own mode still keeps it private.
    if (!(error instanceof Error && "code" in error && error.code === "EPERM")) throw error;
    log(`${directory} belongs to another user; left at mode ${(mode & 0o777).toString(8)}`);
  }
}

/**
 * Creates each directory that does not exist yet; returns the ones it created. Run as root,
 * it gives them to `owner`.
 * @param {string[]} directories
 * @param {string} [owner]
 * @param {boolean} [asRoot]
 */
async function ensureDirectories(directories, owner, asRoot = runsAsRoot()) {
  const created = [];
  for (const directory of directories) {
    if (fs.existsSync(directory)) continue;
    await fsp.mkdir(directory, { recursive: true, mode: 0o755 });
    created.push(directory);
  }
  if (owner && asRoot) {
    const { uid, gid } = parseOwner(owner);
    for (const directory of created) await fsp.chown(directory, uid, gid);
  }
  return created;
}

/** @param {NodeJS.ReadableStream} input */
async function readAll(input) {
  const chunks = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * FLAMENCO_STORAGE_DIRECTORIES: a JSON list of paths, none when unset.
 * @param {string | undefined} text
 * @returns {string[]}
 */
function storageDirectories(text) {
  /** @type {unknown} */
  const directories = JSON.parse(text ?? "[]");
  if (!Array.isArray(directories) || !directories.every((entry) => typeof entry === "string")) {
    throw new Error("FLAMENCO_STORAGE_DIRECTORIES must be a JSON list of paths");
  }
  return directories;
}

/**
 * Creates the missing storage directories, then writes the yaml privately; returns what the
 * command prints.
 * @param {{ configFile: string, directories: string[], content: Buffer, owner?: string, asRoot?: boolean, log?: (line: string) => void }} options
 */
async function writeManagerFiles({ configFile, directories, content, owner, asRoot = runsAsRoot(), log = () => {} }) {
  if (content.length === 0) throw new Error("no flamenco-manager.yaml content on stdin");
  const created = await ensureDirectories(directories, owner, asRoot);
  await ensureConfigDirectory(path.dirname(configFile), log);
  if (owner && asRoot) await writeAtomically(configFile, content, 0o640, parseOwner(owner));
  else await writeAtomically(configFile, content, 0o600);
  for (const directory of created) log(`created ${directory}`);
  log(`wrote ${configFile}`);
  const configDigest = crypto.createHmac("sha256", crypto.randomBytes(32)).update(content).digest("hex");
  return { configFile, createdDirectories: created, configDigest };
}

/**
 * The command: environment and stdin as above; the result line on stdout, progress on stderr.
 * @param {import("./command").CommandIo & { stdin: NodeJS.ReadableStream }} io
 */
async function main({ env, stdin, stdout, stderr }) {
  /** @param {string} line */
  const log = (line) => stderr.write(`flamenco files: ${line}\n`);
  const result = await writeManagerFiles({
    configFile: requiredVariable("FLAMENCO_CONFIG_FILE", env),
    directories: storageDirectories(env.FLAMENCO_STORAGE_DIRECTORIES),
    content: await readAll(stdin),
    owner: env.FLAMENCO_STORAGE_OWNER,
    log,
  });
  stdout.write(`${JSON.stringify(result)}\n`);
}

module.exports = { ensureDirectories, main, storageDirectories, writeManagerFiles };

if (require.main === module) runCommand("flamenco files", (io) => main({ ...io, stdin: process.stdin }));
