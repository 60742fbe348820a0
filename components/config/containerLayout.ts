/**
 * Paths inside the manager and worker containers, as the OpenStudioLandscapes feature lays
 * them out. Config rules check values that Flamenco reads inside a container against them.
 */
export const CONTAINER_PATHS = {
  workingDirectory: "/app",
  managerBinary: "/app/flamenco-manager",
  workerBinary: "/app/flamenco-worker",
  configFile: "/app/flamenco-manager.yaml",
  storage: "/app/flamenco-manager-storage",
  sharedStorage: "/app/flamenco-manager-storage-shared",
  /** The official Blender build in the worker image; the same path for every version, so a new version leaves the manager's config alone. */
  blenderDirectory: "/opt/blender",
  blenderBinary: "/opt/blender/blender",
  /** Where Debian's `blender` package puts its executable. */
  debianBlenderBinary: "/usr/bin/blender",
  /** FLAMENCO_HOME of a worker, bind-mounted from its identity directory. */
  workerHome: "/var/lib/flamenco-worker",
} as const;
