// @ts-check
"use strict";
/**
 * Writes flamenco-manager.yaml (content on stdin, so a secret never appears in a command
 * line or in the environment) and creates the storage directories when they are missing.
 * The `manager-files` command of the program runs this at `pulumi up`. It never deletes
 * anything: existing storage is left exactly as it is.
 *
 * Environment: FLAMENCO_CONFIG_FILE (host path of the yaml), FLAMENCO_STORAGE_DIRECTORIES
 * (JSON list of host paths), FLAMENCO_STORAGE_OWNER ("uid:gid" given to directories this
 * run creates, when it runs as root).
 */
const fs = require("fs");
const fsp = require("fs/promises");
const path = require("path");
const { writeAtomically } = require("./atomic-write");

/**
 * Creates each directory that does not exist yet; returns the ones it created.
 * @param {string[]} directories
 * @param {string | undefined} owner
 */
async function ensureDirectories(directories, owner) {
  const created = [];
  for (const directory of directories) {
    if (fs.existsSync(directory)) continue;
    await fsp.mkdir(directory, { recursive: true, mode: 0o755 });
    created.push(directory);
  }
  if (owner && typeof process.getuid === "function" && process.getuid() === 0) {
    const [uid, gid = uid] = owner.split(":").map(Number);
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

async function main() {
  try {
    const configFile = process.env.FLAMENCO_CONFIG_FILE;
    if (!configFile) throw new Error("FLAMENCO_CONFIG_FILE is not set");
    /** @type {unknown} */
    const directories = JSON.parse(process.env.FLAMENCO_STORAGE_DIRECTORIES ?? "[]");
    if (!Array.isArray(directories) || !directories.every((entry) => typeof entry === "string")) {
      throw new Error("FLAMENCO_STORAGE_DIRECTORIES must be a JSON list of paths");
    }
    const content = await readAll(process.stdin);
    if (content.length === 0) throw new Error("no flamenco-manager.yaml content on stdin");
    const created = await ensureDirectories(directories, process.env.FLAMENCO_STORAGE_OWNER);
    await fsp.mkdir(path.dirname(configFile), { recursive: true });
    await writeAtomically(configFile, content, 0o644);
    for (const directory of created) process.stderr.write(`flamenco files: created ${directory}\n`);
    process.stderr.write(`flamenco files: wrote ${configFile}\n`);
    process.stdout.write(`${JSON.stringify({ configFile, createdDirectories: created })}\n`);
  } catch (error) {
    process.stderr.write(`flamenco files: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

module.exports = { ensureDirectories };

if (require.main === module) void main();
