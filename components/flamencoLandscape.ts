import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "./config/settings";
import { FlamencoManager } from "./flamencoManager";
import { FlamencoRelease } from "./flamencoRelease";
import { FlamencoWorkers } from "./flamencoWorkers";
import { ManagerBackup } from "./managerBackup";
import { ManagerFiles } from "./managerFiles";
import { ManagerImage } from "./managerImage";
import { LABEL_PREFIX } from "./render/container";
import { renderDockerfile } from "./render/dockerfile";
import { renderManagerYaml } from "./render/managerYaml";
import { managerImageName, managerLocalUrl, managerNetworkUrl, managerStudioUrl, workerCommandLine } from "./render/names";
import { RenderHostSummary } from "./render/workers";

export interface FlamencoLandscapeArgs {
  settings: Settings;
  /** The MQTT password as a Pulumi secret, when the stack sets one. */
  mqttPassword?: pulumi.Output<string>;
}

/** One landscape's Flamenco feature: release, image, network, config, manager and render workers. */
export class FlamencoLandscape extends pulumi.ComponentResource {
  readonly managerUrl: string;
  readonly managerLocalUrl: string;
  readonly workerManagerUrl: string;
  readonly workerCommand: string;
  readonly networkName: pulumi.Output<string>;
  readonly imageName: pulumi.Output<string>;
  readonly imageId: pulumi.Output<string>;
  readonly configFile: string;
  readonly storage: { manager: string; shared: string };
  readonly managerContainerName: pulumi.Output<string>;
  /** Path of the newest database backup under <storage>/backups, or null before the first one. */
  readonly newestBackup: pulumi.Output<string | null>;
  /** Per render host: worker names and the manager URL they use; empty without workers. */
  readonly workers: Record<string, RenderHostSummary>;
  /** Children, for components that attach to this landscape (workers). */
  readonly network: docker.Network;
  readonly manager: FlamencoManager;

  constructor(name: string, args: FlamencoLandscapeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openstudiolandscapes:flamenco:Landscape", name, {}, opts);
    const { settings } = args;

    const release = new FlamencoRelease(`${name}-release`, { settings, dockerfile: renderDockerfile(settings) }, { parent: this });
    // Built here, and on every other render host from the same context.
    const imageBuild = {
      imageName: managerImageName(settings.landscape, settings.release.version),
      contextDirectory: release.contextDirectory,
      releaseSha256: release.sha256,
    };
    const image = new ManagerImage(`${name}-image`, imageBuild, { parent: this });

    this.network = new docker.Network(
      `${name}-network`,
      {
        name: settings.network.name,
        labels: [{ label: `${LABEL_PREFIX}.landscape`, value: settings.landscape }],
      },
      { parent: this },
    );

    const managerYaml = args.mqttPassword
      ? args.mqttPassword.apply((password) => renderManagerYaml(settings, password))
      : pulumi.output(renderManagerYaml(settings));
    const files = new ManagerFiles(`${name}-manager-files`, { settings, managerYaml }, { parent: this });

    const backup = new ManagerBackup(`${name}-manager-backup`, { settings, imageId: image.imageId, configSha256: files.configSha256 }, { parent: this });
    this.manager = new FlamencoManager(
      `${name}-manager`,
      { settings, imageId: image.imageId, configSha256: files.configSha256, backupGuard: backup.guard, dependsOn: [this.network, files] },
      { parent: this },
    );

    const workers =
      settings.workers.length === 0
        ? undefined
        : new FlamencoWorkers(
            `${name}-workers`,
            {
              settings,
              builtImageId: image.imageId,
              imageBuild,
              manager: this.manager.container,
              network: this.network,
            },
            { parent: this },
          );

    this.managerUrl = managerStudioUrl(settings);
    this.managerLocalUrl = managerLocalUrl(settings);
    this.workerManagerUrl = managerNetworkUrl(settings);
    this.workerCommand = workerCommandLine(settings);
    this.networkName = this.network.name;
    this.imageName = image.imageName;
    this.imageId = image.imageId;
    this.configFile = files.configFile;
    this.storage = settings.storage;
    this.managerContainerName = this.manager.containerName;
    this.newestBackup = backup.newestBackup;
    this.workers = workers?.hosts ?? {};

    this.registerOutputs({
      managerUrl: this.managerUrl,
      managerLocalUrl: this.managerLocalUrl,
      workerManagerUrl: this.workerManagerUrl,
      workerCommand: this.workerCommand,
      networkName: this.networkName,
      imageName: this.imageName,
      imageId: this.imageId,
      configFile: this.configFile,
      storage: this.storage,
      managerContainerName: this.managerContainerName,
      newestBackup: this.newestBackup,
      workers: this.workers,
    });
  }
}
