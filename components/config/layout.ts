import * as path from "path";
import { expandHome, expandPathTemplate, FEATURE_DIRECTORY } from "./placeholders";
import type { StackConfig } from "./schema";
import type { Settings } from "./settings";

const CONFIG_FILE = "flamenco-manager.yaml";

/** Where a landscape keeps its files on the machine that runs Pulumi. */
export interface HostLayout {
  landscapesRoot: string;
  /** Holds flamenco-manager.yaml and the image build context of this landscape. */
  featureDirectory: string;
  /** Shared by every landscape under the same root. */
  releaseCacheDirectory: string;
  storage: { manager: string; shared: string };
}

export function hostLayout(
  config: Pick<StackConfig, "landscape" | "landscapesRoot" | "storage" | "sharedStorage">,
  homeDirectory: string,
): HostLayout {
  const landscapesRoot = path.normalize(expandHome(config.landscapesRoot, homeDirectory));
  const placeholders = { DOT_LANDSCAPES: landscapesRoot, LANDSCAPE: config.landscape, FEATURE: FEATURE_DIRECTORY };
  return {
    landscapesRoot,
    featureDirectory: path.join(landscapesRoot, config.landscape, FEATURE_DIRECTORY),
    releaseCacheDirectory: path.join(landscapesRoot, ".cache", "flamenco-releases"),
    storage: {
      manager: expandPathTemplate(config.storage, placeholders, homeDirectory),
      shared: expandPathTemplate(config.sharedStorage, placeholders, homeDirectory),
    },
  };
}

/** A host path without a trailing slash, so equal paths give equal mounts. */
export function hostDirectory(value: string): string {
  const normalized = path.normalize(value);
  return normalized.length > 1 ? normalized.replace(/\/+$/, "") : normalized;
}

/** Where a render host keeps its workers' identity directories. */
export function workersRootOf(host: { workersRoot?: string }, featureDirectory: string): string {
  return hostDirectory(host.workersRoot ?? path.join(featureDirectory, "workers"));
}

/** Where the manager's config file and image build context live on the host. */
export function hostConfigFilePath(settings: Pick<Settings, "featureDirectory">): string {
  return `${settings.featureDirectory}/${CONFIG_FILE}`;
}

export function imageContextDirectory(settings: Pick<Settings, "featureDirectory">): string {
  return `${settings.featureDirectory}/image-context`;
}

/** The worker image's build context: the release, the Blender archive and their Dockerfile. */
export function workerImageContextDirectory(settings: Pick<Settings, "featureDirectory">): string {
  return `${settings.featureDirectory}/worker-image-context`;
}

/** Local image name; the tag carries landscape and version. */
export function managerImageName(landscape: string, version: string): string {
  return `openstudiolandscapes/flamenco-manager:${landscape}-${version}`;
}

/** The worker image the program builds when it holds Blender; same tag as the manager image's. */
export function builtWorkerImageName(landscape: string, version: string): string {
  return `openstudiolandscapes/flamenco-worker:${landscape}-${version}`;
}

/** Fully qualified name of the manager on the landscape network. */
export function managerFqdn(settings: { network: Pick<Settings["network"], "alias" | "domain"> }): string {
  return `${settings.network.alias}.${settings.network.domain}`;
}
