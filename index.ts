import { readStackSettings } from "./components/config/read";
import { FlamencoLandscape } from "./components/flamencoLandscape";

const { settings, mqttPassword } = readStackSettings();

const landscape = settings.enabled ? new FlamencoLandscape(settings.landscape, { settings, mqttPassword }) : undefined;

export const enabled = settings.enabled;
export const status = landscape
  ? `Flamenco manager of landscape "${settings.landscape}"`
  : `Flamenco is disabled for landscape "${settings.landscape}" (enabled: false): no Docker resources are declared`;
export const managerUrl = landscape?.managerUrl;
export const managerLocalUrl = landscape?.managerLocalUrl;
export const workerManagerUrl = landscape?.workerManagerUrl;
export const workerCommand = landscape?.workerCommand;
export const networkName = landscape?.networkName;
export const imageName = landscape?.imageName;
export const imageId = landscape?.imageId;
export const managerContainerName = landscape?.managerContainerName;
export const configFile = landscape?.configFile;
export const storagePath = landscape?.storage.manager;
export const sharedStoragePath = landscape?.storage.shared;
