import { stackConfigToArgs } from "./argsMapping";
import { readStackSettings } from "./config/read";
import { FlamencoLandscape } from "./flamencoLandscape";

/**
 * The program: reads and validates the stack config once, declares the landscape with the
 * component's arguments that the config keys stand for, and returns the stack outputs. index.ts
 * exports what it returns; the program tests and `npm run up` call it.
 */
export function landscapeStack() {
  const { settings, raw, mqttPassword } = readStackSettings();
  const landscape = new FlamencoLandscape(settings.landscape, {
    ...stackConfigToArgs(raw),
    ...(mqttPassword === undefined ? {} : { mqttPassword }),
  });
  if (!landscape.enabled) return { enabled: false, status: landscape.status };
  return {
    enabled: true,
    status: landscape.status,
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
    // null before the first backup, as the stack has always reported it.
    newestBackup: landscape.newestBackup.apply((newest) => newest ?? null),
    workers: landscape.workers,
  };
}
