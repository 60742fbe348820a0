import * as path from "path";
import { managerFqdn } from "../config/layout";
import type { Settings } from "../config/settings";
import { CONTAINER_PATHS } from "../config/containerLayout";
import type { ProcessDirectories } from "../config/flamencoPaths";

export { CONTAINER_PATHS } from "../config/containerLayout";

/** Where the manager and the workers run in their containers: /app holds both executables and is the image's WORKDIR. */
export const FLAMENCO_PROCESS_DIRECTORIES: ProcessDirectories = {
  executableDirectory: path.posix.dirname(CONTAINER_PATHS.managerBinary),
  workingDirectory: CONTAINER_PATHS.workingDirectory,
};

/** The manager's database, as its config names it and the backup script copies it. */
export { DATABASE_FILE } from "../../scripts/shared-names";
export const RELEASE_ARCHIVE_IN_CONTEXT = "flamenco-release.tar.gz";
/** The official Blender build in the worker image's context (the fetch script stages it under this name). */
export const BLENDER_ARCHIVE_IN_CONTEXT = "blender-release.tar.xz";

export function managerContainerName(landscape: string): string {
  return `flamenco-manager--${landscape}`;
}

export function managerAliases(settings: Pick<Settings, "network">): string[] {
  return [settings.network.alias, managerFqdn(settings)];
}

export function releaseCacheEntry(settings: Pick<Settings, "releaseCacheDirectory" | "release">): string {
  return `${settings.releaseCacheDirectory}/${settings.release.cacheKey}`;
}

/** The Blender archive is cached next to the releases, under its own key. */
export function blenderCacheEntry(
  settings: Pick<Settings, "releaseCacheDirectory">,
  blender: { cacheKey: string },
): string {
  return `${settings.releaseCacheDirectory}/${blender.cacheKey}`;
}

/** URL on the machine that runs the manager, through the published port. */
export function managerLocalUrl(settings: Pick<Settings, "ports">): string {
  const { bindAddress, host } = settings.ports;
  const address = bindAddress === "0.0.0.0" || bindAddress === "::" ? "127.0.0.1" : bindAddress;
  return `http://${address.includes(":") ? `[${address}]` : address}:${host}`;
}

/** URL that workers on the landscape network use. */
export function managerNetworkUrl(settings: Pick<Settings, "network" | "ports">): string {
  return `http://${settings.network.alias}:${settings.ports.container}`;
}

/** How to start a worker by hand on another machine: with the URL remote workers use. */
export function workerCommandLine(settings: Pick<Settings, "managerUrl">): string {
  return `flamenco-worker -manager ${settings.managerUrl}`;
}
