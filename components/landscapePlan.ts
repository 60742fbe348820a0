import type * as pulumi from "@pulumi/pulumi";
import { LANDSCAPE_LABEL } from "../scripts/shared-names";
import type { Settings, WorkerHostSettings } from "./config/settings";
import type { LandscapePlan, WorkerImageArgs } from "./flamencoLandscape";
import type { FlamencoManagerArgs } from "./flamencoManager";
import type { FlamencoReleaseArgs } from "./flamencoRelease";
import type { RenderHostPlan } from "./flamencoWorkers";
import type { ManagerFilesArgs } from "./managerFiles";
import type { ManagerImageArgs } from "./managerImage";
import { backupCommandEnvironment } from "./render/backup";
import {
  managerFilesCommandEnvironment,
  releaseCommandEnvironment,
  workerHomeCommandEnvironment,
  workerImageCommandEnvironment,
} from "./render/commands";
import { managerContainerSpec } from "./render/container";
import { deregisterCommandEnvironment } from "./render/deregister";
import { renderDockerfile, renderWorkerDockerfile } from "./render/dockerfile";
import { renderManagerYaml } from "./render/managerYaml";
import { builtWorkerImageName, hostConfigFilePath, managerImageName } from "./config/layout";
import { managerLocalUrl, managerNetworkUrl, workerCommandLine } from "./render/names";
import {
  buildsOwnImage,
  buildsWorkerImage,
  previousProviderName,
  previousRenderHostName,
  previousWorkerResourceName,
  renderHostSummaries,
  workerContainerSpec,
  workerNumbers,
} from "./render/workers";

/**
 * What each component is given, from the validated settings: one function per component, pure
 * (no resources, no config reads), so the wiring of settings to components is tested without mocks.
 */

function releaseArgs(settings: Settings): FlamencoReleaseArgs {
  return { environment: releaseCommandEnvironment(settings, renderDockerfile(settings)) };
}

function managerImageArgs(settings: Pick<Settings, "landscape" | "release">): Pick<ManagerImageArgs, "imageName"> {
  return { imageName: managerImageName(settings.landscape, settings.release.version) };
}

/** The MQTT password, a Pulumi secret, makes the whole yaml a secret. */
export function managerFilesArgs(settings: Settings, mqttPassword?: pulumi.Output<string>): ManagerFilesArgs {
  return {
    configFile: hostConfigFilePath(settings),
    environment: managerFilesCommandEnvironment(settings),
    managerYaml: mqttPassword
      ? mqttPassword.apply((password) => renderManagerYaml(settings, password))
      : renderManagerYaml(settings),
  };
}

function managerArgs(settings: Settings): Pick<FlamencoManagerArgs, "container"> {
  return { container: managerContainerSpec(settings) };
}

function renderHostPlan(settings: Settings, host: WorkerHostSettings): RenderHostPlan {
  const { landscape } = settings;
  return {
    name: host.name,
    dockerHost: host.dockerHost,
    workerImage: settings.workerImage,
    buildsOwnImage: buildsOwnImage(settings, host),
    workers: workerNumbers(host.count).map((number) => {
      const container = workerContainerSpec(settings, host, number);
      const previousContainer = previousWorkerResourceName(landscape, host.name, number);
      return {
        number,
        container,
        homeEnvironment: workerHomeCommandEnvironment(settings, host, container.name),
        deregisterEnvironment: deregisterCommandEnvironment(settings, container.name),
        previousNames: { container: previousContainer, home: `${previousContainer}-home` },
      };
    }),
    summary: renderHostSummaries(settings)[host.name],
    previousName: previousRenderHostName(landscape, host.name),
    previousProviderName: previousProviderName(landscape, host.name),
  };
}

/** Undefined without render hosts: then no worker resources are declared. */
export function workersArgs(settings: Settings): LandscapePlan["workers"] {
  return settings.workers.length === 0
    ? undefined
    : { hosts: settings.workers.map((host) => renderHostPlan(settings, host)) };
}

/** Undefined when workers run the manager image: then nothing more is fetched or built. */
export function workerImageArgs(settings: Settings): WorkerImageArgs | undefined {
  if (!buildsWorkerImage(settings)) return undefined;
  return {
    imageName: builtWorkerImageName(settings.landscape, settings.release.version),
    environment: workerImageCommandEnvironment(settings, renderWorkerDockerfile(settings)),
    unpacksBlender: settings.blender !== undefined,
    buildOnManagerHost: settings.workers.some((host) => host.dockerHost === undefined),
  };
}

export function landscapePlan(settings: Settings, mqttPassword?: pulumi.Output<string>): LandscapePlan {
  return {
    release: releaseArgs(settings),
    image: managerImageArgs(settings),
    network: { name: settings.network.name, labels: [{ label: LANDSCAPE_LABEL, value: settings.landscape }] },
    managerFiles: managerFilesArgs(settings, mqttPassword),
    manager: managerArgs(settings),
    backup: { environment: backupCommandEnvironment(settings) },
    workers: workersArgs(settings),
    workerImage: workerImageArgs(settings),
    urls: {
      managerUrl: settings.managerUrl,
      managerLocalUrl: managerLocalUrl(settings),
      workerManagerUrl: managerNetworkUrl(settings),
      workerCommand: workerCommandLine(settings),
    },
    storage: settings.storage,
  };
}
