import type { Settings } from "../config/settings";

/** Paths inside the manager container, as the OpenStudioLandscapes feature lays them out. */
export const CONTAINER_PATHS = {
  workingDirectory: "/app",
  managerBinary: "/app/flamenco-manager",
  workerBinary: "/app/flamenco-worker",
  configFile: "/app/flamenco-manager.yaml",
  storage: "/app/flamenco-manager-storage",
  sharedStorage: "/app/flamenco-manager-storage-shared",
} as const;

export const DATABASE_FILE = "flamenco-manager.sqlite";
const CONFIG_FILE = "flamenco-manager.yaml";
export const RELEASE_ARCHIVE_IN_CONTEXT = "flamenco-release.tar.gz";

export function managerContainerName(landscape: string): string {
  return `flamenco-manager--${landscape}`;
}

/** Local image name; the tag carries landscape and version. */
export function managerImageName(landscape: string, version: string): string {
  return `openstudiolandscapes/flamenco-manager:${landscape}-${version}`;
}

/** Fully qualified name of the manager on the landscape network. */
export function managerFqdn(settings: Pick<Settings, "network">): string {
  return `${settings.network.alias}.${settings.network.domain}`;
}

export function managerAliases(settings: Pick<Settings, "network">): string[] {
  return [settings.network.alias, managerFqdn(settings)];
}

/** Where the manager's config file and image build context live on the host. */
export function hostConfigFilePath(settings: Pick<Settings, "featureDirectory">): string {
  return `${settings.featureDirectory}/${CONFIG_FILE}`;
}

export function imageContextDirectory(settings: Pick<Settings, "featureDirectory">): string {
  return `${settings.featureDirectory}/image-context`;
}

export function releaseCacheEntry(settings: Pick<Settings, "releaseCacheDirectory" | "release">): string {
  return `${settings.releaseCacheDirectory}/${settings.release.cacheKey}`;
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
