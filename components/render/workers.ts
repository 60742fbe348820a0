import { FEATURE_LABEL, LABEL_PREFIX, LANDSCAPE_LABEL } from "../../scripts/shared-names";
import type { Settings, WorkerHostSettings } from "../config/settings";
import type { ContainerSpec } from "./containerSpec";
import { builtWorkerImageName, managerImageName } from "../config/layout";
import { STOP_GRACE_SECONDS } from "./container";
import { CONTAINER_PATHS, managerNetworkUrl } from "./names";

/**
 * Where a worker keeps its identity (flamenco-worker-credentials.yaml, its local database)
 * inside its container: FLAMENCO_HOME, bind-mounted from the worker's directory on its host.
 */
export const WORKER_HOME = CONTAINER_PATHS.workerHome;
const WORKER_BINARY = "flamenco-worker";
const RENDER_HOST_LABEL = `${LABEL_PREFIX}.flamenco.render-host`;

/** 1..count: worker numbers are stable, so scaling adds or removes only the last ones. */
export function workerNumbers(count: number): number[] {
  return Array.from({ length: count }, (_unused, index) => index + 1);
}

/** Container name and FLAMENCO_WORKER_NAME: the name Flamenco shows for the worker. */
export function workerName(landscape: string, host: string, number: number): string {
  return `${landscape}-${host}-${number}`;
}

export function workerNames(landscape: string, host: Pick<WorkerHostSettings, "name" | "count">): string[] {
  return workerNumbers(host.count).map((number) => workerName(landscape, host.name, number));
}

/**
 * Resource names from before a render host's resources were named from their component. The
 * program gives them as aliases, so stacks created with them see no replacement.
 */
export function previousRenderHostName(landscape: string, host: string): string {
  return `${landscape}-render-host-${host}`;
}

export function previousProviderName(landscape: string, host: string): string {
  return `${landscape}-docker-${host}`;
}

/** A worker container's previous name; its identity command's was this plus `-home`. */
export function previousWorkerResourceName(landscape: string, host: string, number: number): string {
  return `${landscape}-worker-${host}-${number}`;
}

/** The worker's identity directory on its host. */
export function workerHomeDirectory(host: Pick<WorkerHostSettings, "workersRoot">, name: string): string {
  return `${host.workersRoot}/${name}`;
}

/** On the manager's host: the alias on the landscape network; elsewhere: managerUrl. */
export function workerManagerUrl(
  settings: Pick<Settings, "network" | "ports" | "managerUrl">,
  host: Pick<WorkerHostSettings, "network">,
): string {
  return host.network === "landscape" ? managerNetworkUrl(settings) : settings.managerUrl;
}

/**
 * Whether the program builds a worker image of its own: when it holds Blender or other
 * packages. Otherwise workers run the manager image, which holds flamenco-worker too.
 */
export function buildsWorkerImage(settings: Pick<Settings, "blender" | "workerPackages">): boolean {
  return settings.blender !== undefined || settings.workerPackages.length > 0;
}

/**
 * The image a host's workers run, by name: workerImage, the worker image the program builds, or
 * the manager image (on a render host it is built there under this name).
 */
export function workerImageName(
  settings: Pick<Settings, "workerImage" | "landscape" | "release" | "blender" | "workerPackages">,
): string {
  if (settings.workerImage !== undefined) return settings.workerImage;
  return buildsWorkerImage(settings)
    ? builtWorkerImageName(settings.landscape, settings.release.version)
    : managerImageName(settings.landscape, settings.release.version);
}

/**
 * True when a render host builds the worker image on its own engine, and its workers run it by
 * id: a host with a dockerHost, unless the stack names a workerImage (which must then exist on
 * that host).
 */
export function buildsOwnImage(
  settings: Pick<Settings, "workerImage">,
  host: Pick<WorkerHostSettings, "dockerHost">,
): boolean {
  return settings.workerImage === undefined && host.dockerHost !== undefined;
}

export function workerEnvironment(
  settings: Pick<Settings, "timezone">,
  host: Pick<WorkerHostSettings, "environment">,
  name: string,
): string[] {
  const extra = Object.keys(host.environment)
    .sort()
    .map((variable) => `${variable}=${host.environment[variable]}`);
  return [`TZ=${settings.timezone}`, `FLAMENCO_HOME=${WORKER_HOME}`, `FLAMENCO_WORKER_NAME=${name}`, ...extra];
}

/** Network inputs: the landscape network, host networking, or nothing (the default bridge). */
function workerNetworking(
  settings: Pick<Settings, "network">,
  host: Pick<WorkerHostSettings, "network">,
): Pick<ContainerSpec, "networksAdvanced" | "networkMode"> {
  switch (host.network) {
    case "landscape":
      return { networksAdvanced: [{ name: settings.network.name }] };
    case "host":
      return { networkMode: "host" };
    case "bridge":
      // Docker's default; setting networkMode "bridge" would show a diff on every preview.
      return {};
  }
}

/**
 * Every input of one worker container that follows from the settings alone; the Pulumi
 * layer adds the image: an image built on the worker's engine, by id, or workerImageName.
 */
export function workerContainerSpec(settings: Settings, host: WorkerHostSettings, number: number) {
  const name = workerName(settings.landscape, host.name, number);
  return {
    name,
    restart: settings.restart,
    command: [WORKER_BINARY, "-manager", workerManagerUrl(settings, host)],
    envs: workerEnvironment(settings, host, name),
    // The user that owns the identity directory and writes to shared storage, whatever the image's USER.
    user: settings.managerUser,
    volumes: [
      { hostPath: workerHomeDirectory(host, name), containerPath: WORKER_HOME, readOnly: false },
      // Flamenco needs workers to see shared storage at the path the manager sees it at.
      { hostPath: host.sharedStorage, containerPath: CONTAINER_PATHS.sharedStorage, readOnly: false },
    ],
    ...workerNetworking(settings, host),
    ...(host.gpus === undefined ? {} : { gpus: host.gpus }),
    labels: [
      { label: LANDSCAPE_LABEL, value: settings.landscape },
      { label: FEATURE_LABEL, value: "flamenco-worker" },
      { label: RENDER_HOST_LABEL, value: host.name },
    ],
    destroyGraceSeconds: STOP_GRACE_SECONDS,
  } satisfies ContainerSpec;
}

/** What the stack reports per render host. */
export interface RenderHostSummary {
  names: string[];
  managerUrl: string;
}

export function renderHostSummaries(settings: Settings): Record<string, RenderHostSummary> {
  return Object.fromEntries(
    settings.workers.map((host) => [
      host.name,
      { names: workerNames(settings.landscape, host), managerUrl: workerManagerUrl(settings, host) },
    ]),
  );
}
