// @ts-check
"use strict";
/**
 * Removes a worker from the Flamenco manager's list when Pulumi deletes it (scaling down,
 * removing a render host, `pulumi destroy`). It is the delete step of the worker's
 * deregister command, which runs after the worker container is gone: a running worker
 * would sign on again.
 *
 * The worker is found by name (`GET /api/v3/worker-mgt/workers`) and deleted by id
 * (`DELETE /api/v3/worker-mgt/workers/{id}`); the manager requeues its tasks.
 *
 * Environment: FLAMENCO_MANAGER_URL (the manager as seen from the machine running Pulumi),
 * FLAMENCO_WORKER_NAME. Prints one JSON line: {"worker", "deregistered": [ids], "warning"?}.
 *
 * A manager that is gone or unreachable (the landscape is being destroyed too) or answers 404
 * is no reason to fail a destroy: the script warns and exits 0. Any other HTTP error from a
 * reachable manager fails the step, naming the request and the answer.
 */
const { runCommand } = require("./command");
const { requiredVariable } = require("./environment");
const REQUEST_TIMEOUT_MS = 10000;

class Unreachable extends Error {}

/**
 * @param {string} url
 * @param {string} method
 */
async function request(url, method) {
  try {
    return await fetch(url, { method, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    throw new Unreachable(`${method} ${url}: ${cause}`);
  }
}

/**
 * @param {Response} response
 * @param {string} what
 */
async function failure(response, what) {
  const body = (await response.text().catch(() => "")).slice(0, 300);
  return new Error(`${what} answered HTTP ${response.status}${body ? `: ${body}` : ""}`);
}

/**
 * @param {{ managerUrl: string, workerName: string }} options
 * @returns {Promise<{ worker: string, deregistered: string[], warning?: string }>}
 */
async function deregisterWorker({ managerUrl, workerName }) {
  const base = managerUrl.replace(/\/$/, "");
  const listUrl = `${base}/api/v3/worker-mgt/workers`;
  try {
    const listed = await request(listUrl, "GET");
    if (listed.status === 404)
      return {
        worker: workerName,
        deregistered: [],
        warning: `GET ${listUrl} answered 404: the manager has no worker management; ${workerName} was not deregistered`,
      };
    if (!listed.ok) throw await failure(listed, `GET ${listUrl}`);
    const body = /** @type {{ workers?: { id: string, name: string }[] }} */ (await listed.json());
    const ids = (body.workers ?? []).filter((worker) => worker.name === workerName).map((worker) => worker.id);
    const deregistered = [];
    for (const id of ids) {
      const deleteUrl = `${listUrl}/${encodeURIComponent(id)}`;
      const deleted = await request(deleteUrl, "DELETE");
      if (!deleted.ok && deleted.status !== 404) throw await failure(deleted, `DELETE ${deleteUrl}`);
      deregistered.push(id);
    }
    return { worker: workerName, deregistered };
  } catch (error) {
    if (error instanceof Unreachable)
      return {
        worker: workerName,
        deregistered: [],
        warning: `the manager is unreachable (${error.message}); ${workerName} was not deregistered`,
      };
    throw error;
  }
}

/**
 * The command: settings from `env`, the result on stdout, a warning on stderr.
 * @param {import("./command").CommandIo} io
 */
async function main({ env, stdout, stderr }) {
  const result = await deregisterWorker({
    managerUrl: requiredVariable("FLAMENCO_MANAGER_URL", env),
    workerName: requiredVariable("FLAMENCO_WORKER_NAME", env),
  });
  if (result.warning) stderr.write(`warning: ${result.warning}\n`);
  stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) runCommand("deregister-worker", main);

module.exports = { deregisterWorker, main };
