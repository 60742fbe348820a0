import { readStackSettings } from "./config/read";
import { FlamencoLandscape } from "./flamencoLandscape";
import { landscapeArgs } from "./landscapeArgs";

/**
 * The program: reads and validates the stack config once, declares the landscape and returns
 * the stack outputs. index.ts exports what it returns; the program tests call it once per run.
 */
export function landscapeStack() {
  const { settings, mqttPassword } = readStackSettings();
  if (!settings.enabled) {
    return {
      enabled: false,
      status: `Flamenco is disabled for landscape "${settings.landscape}" (enabled: false): no Docker resources are declared`,
    };
  }
  const landscape = new FlamencoLandscape(settings.landscape, landscapeArgs(settings, mqttPassword));
  return {
    enabled: true,
    status: `Flamenco manager of landscape "${settings.landscape}"`,
    managerUrl: landscape.managerUrl,
    managerLocalUrl: landscape.managerLocalUrl,
    workerManagerUrl: landscape.workerManagerUrl,
    workerCommand: landscape.workerCommand,
    networkName: landscape.networkName,
    imageName: landscape.imageName,
    imageId: landscape.imageId,
    managerContainerName: landscape.managerContainerName,
    configFile: landscape.configFile,
    storagePath: landscape.storage.manager,
    sharedStoragePath: landscape.storage.shared,
    newestBackup: landscape.newestBackup,
    workers: landscape.workers,
  };
}
