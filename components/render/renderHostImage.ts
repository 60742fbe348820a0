import type { Settings, WorkerHostSettings } from "../config/settings";

/**
 * True when a render host builds the worker image on its own engine: a host with a
 * dockerHost, unless the stack names a workerImage (which must then exist on that host).
 */
export function buildsOwnImage(settings: Pick<Settings, "workerImage">, host: Pick<WorkerHostSettings, "dockerHost">): boolean {
  return settings.workerImage === undefined && host.dockerHost !== undefined;
}

/** Pulumi resource name of the image built on a render host. */
export function renderHostImageResourceName(landscape: string, host: string): string {
  return `${landscape}-image-${host}`;
}
