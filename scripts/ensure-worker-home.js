// @ts-check
"use strict";
/**
 * Creates a Flamenco worker's identity directory (its FLAMENCO_HOME on its host) when it is
 * missing, owned by the user the worker runs as. A worker command of the program runs this
 * at `pulumi up`. It never deletes anything: an existing directory, and with it the worker's
 * credentials, is left exactly as it is, also when the worker is scaled away.
 *
 * On the manager's host (no FLAMENCO_DOCKER_HOST) the directory is created directly, like
 * the manager's storage. On another render host the program cannot reach the filesystem, and
 * Docker would create a missing bind-mount source owned by root, which the worker could not
 * write; so that host's engine runs a short-lived root container of the worker image, without
 * network, that creates the directory and hands it to the worker's user.
 *
 * Environment: FLAMENCO_WORKER_HOME (path on the worker's host), FLAMENCO_WORKER_HOME_OWNER
 * ("uid[:gid]"), FLAMENCO_DOCKER_HOST and FLAMENCO_WORKER_IMAGE (other hosts only).
 * Prints one JSON line: {"home": ..., "created": true|false}.
 */
const { spawn } = require("child_process");
const path = require("path");
const { runCommand } = require("./command");
const { requiredVariable } = require("./environment");
const { FEATURE_LABEL } = require("./shared-names");
const { ensureDirectories } = require("./write-manager-files");

/** Shell run inside the helper container: $1 directory name, $2 owner. */
const REMOTE_SCRIPT =
  'if [ -d "/workers/$1" ]; then echo kept; else mkdir -p "/workers/$1" && chown "$2" "/workers/$1" && echo created; fi';

/**
 * @param {string} file
 * @param {string[]} args
 * @returns {Promise<{ code: number, stdout: string, stderr: string }>}
 */
function run(file, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/**
 * The `docker` arguments that create `home` on the engine at `dockerHost`.
 * @param {string} dockerHost
 * @param {string} image
 * @param {string} home
 * @param {string} owner
 */
function remoteArguments(dockerHost, image, home, owner) {
  return [
    "--host",
    dockerHost,
    "run",
    "--rm",
    "--user",
    "0:0",
    "--network",
    "none",
    "--entrypoint",
    "",
    "--label",
    `${FEATURE_LABEL}=flamenco-worker-home`,
    "--volume",
    `${path.posix.dirname(home)}:/workers`,
    image,
    "sh",
    "-c",
    REMOTE_SCRIPT,
    "sh",
    path.posix.basename(home),
    owner,
  ];
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<{ home: string, created: boolean }>}
 */
async function ensureWorkerHome(env) {
  const home = env.FLAMENCO_WORKER_HOME;
  const owner = env.FLAMENCO_WORKER_HOME_OWNER;
  if (!home || !path.posix.isAbsolute(home)) throw new Error("FLAMENCO_WORKER_HOME must be an absolute path");
  if (!owner || !/^\d+(?::\d+)?$/.test(owner)) throw new Error('FLAMENCO_WORKER_HOME_OWNER must be "uid" or "uid:gid"');
  const dockerHost = env.FLAMENCO_DOCKER_HOST;
  if (!dockerHost) {
    const created = await ensureDirectories([home], owner);
    return { home, created: created.length > 0 };
  }
  const image = requiredVariable("FLAMENCO_WORKER_IMAGE", env);
  const result = await run("docker", remoteArguments(dockerHost, image, home, owner));
  if (result.code !== 0) {
    throw new Error(
      `creating ${home} on ${dockerHost} with image ${image} failed (docker exit code ${result.code}): ${result.stderr.trim()}`,
    );
  }
  return { home, created: result.stdout.trim().split("\n").pop() === "created" };
}

async function main() {
  const result = await ensureWorkerHome(process.env);
  const where = process.env.FLAMENCO_DOCKER_HOST ? ` on ${process.env.FLAMENCO_DOCKER_HOST}` : "";
  process.stderr.write(`flamenco worker home: ${result.created ? "created" : "kept"} ${result.home}${where}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

module.exports = { ensureWorkerHome, remoteArguments, REMOTE_SCRIPT };

if (require.main === module) runCommand("flamenco worker home", main);
