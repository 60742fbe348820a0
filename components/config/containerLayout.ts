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
} as const;
