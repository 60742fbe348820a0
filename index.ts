import { readStackSettings } from "./components/config/read";
import { FlamencoLandscape } from "./components/flamencoLandscape";
import { landscapeArgs } from "./components/landscapeArgs";

const { settings, mqttPassword } = readStackSettings();

function stackOutputs() {
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

export = stackOutputs();
