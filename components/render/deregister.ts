import type { Settings } from "../config/settings";
import { managerLocalUrl } from "./names";

/** Delete step of a worker's deregister command; it has no create step. */
export const DEREGISTER_WORKER_COMMAND = "node scripts/deregister-worker.js";

/** The manager as the machine running Pulumi reaches it (its published port), and the worker's name. */
export function deregisterCommandEnvironment(
  settings: Pick<Settings, "ports">,
  workerName: string,
): Record<string, string> {
  return { FLAMENCO_MANAGER_URL: managerLocalUrl(settings), FLAMENCO_WORKER_NAME: workerName };
}
