import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { FlamencoManager, FlamencoManagerArgs } from "./flamencoManager";
import { FlamencoRelease, FlamencoReleaseArgs } from "./flamencoRelease";
import { FlamencoWorkers, FlamencoWorkersArgs } from "./flamencoWorkers";
import { ManagerBackup, ManagerBackupArgs } from "./managerBackup";
import { ManagerFiles, ManagerFilesArgs } from "./managerFiles";
import { ManagerImage, ManagerImageArgs } from "./managerImage";
import type { RenderHostSummary } from "./render/workers";

/** The URLs the stack reports. */
export interface LandscapeUrls {
  /** How users and workers on other hosts reach the manager: the managerUrl key, or its default. */
  readonly managerUrl: string;
  /** The manager through its published port on the machine that runs it. */
  readonly managerLocalUrl: string;
  /** The manager on the landscape network, as workers on its host reach it. */
  readonly workerManagerUrl: string;
  /** How to start a worker by hand on another machine. */
  readonly workerCommand: string;
}

/** The worker image the program builds when it holds Blender or other packages. */
export interface WorkerImageArgs {
  readonly imageName: string;
  /** What the fetch script is told to stage the worker image's context (`workerImageCommandEnvironment`). */
  readonly environment: FlamencoReleaseArgs["environment"];
  /** Whether the image unpacks the official Blender build, whose verified digest the build checks. */
  readonly unpacksBlender: boolean;
  /** Whether workers on the manager's engine run it, so it is built there too. */
  readonly buildOnManagerHost: boolean;
}

export interface FlamencoLandscapeArgs {
  readonly release: FlamencoReleaseArgs;
  readonly image: Pick<ManagerImageArgs, "imageName">;
  /** The landscape's Docker network. */
  readonly network: docker.NetworkArgs;
  readonly managerFiles: ManagerFilesArgs;
  readonly manager: Pick<FlamencoManagerArgs, "container">;
  /** The database backup taken before the manager container is replaced or destroyed. */
  readonly backup: Pick<ManagerBackupArgs, "environment">;
  /** The render farm; undefined declares no worker resources. */
  readonly workers?: Pick<FlamencoWorkersArgs, "hosts">;
  /** The worker image; undefined: workers run the manager image. Declared only with workers. */
  readonly workerImage?: WorkerImageArgs;
  readonly urls: LandscapeUrls;
  /** Host directories of the manager's storage and of the studio's shared storage. */
  readonly storage: { readonly manager: string; readonly shared: string };
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
  readonly configFile: pulumi.Output<string>;
  readonly storage: { readonly manager: string; readonly shared: string };
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

    const release = new FlamencoRelease(`${name}-release`, args.release, { parent: this });
    // Built here, and on every other render host from the same context.
    const imageBuild: ManagerImageArgs = {
      imageName: args.image.imageName,
      contextDirectory: release.contextDirectory,
      releaseSha256: release.sha256,
    };
    const image = new ManagerImage(`${name}-image`, imageBuild, { parent: this });
    this.network = new docker.Network(`${name}-network`, args.network, { parent: this });
    const files = new ManagerFiles(`${name}-manager-files`, args.managerFiles, { parent: this });

    const backup = new ManagerBackup(
      `${name}-manager-backup`,
      {
        environment: args.backup.environment,
        container: args.manager.container,
        imageId: image.imageId,
        configSha256: files.configSha256,
      },
      { parent: this },
    );
    this.manager = new FlamencoManager(
      `${name}-manager`,
      {
        container: args.manager.container,
        imageId: image.imageId,
        configSha256: files.configSha256,
        backupGuard: backup.guard,
        backupCommand: backup.command,
      },
      { parent: this, dependsOn: [this.network, files] },
    );

    // The worker image has a context of its own, so a new Blender rebuilds only it and replaces only the workers.
    const workerBuild =
      args.workers === undefined || args.workerImage === undefined
        ? undefined
        : this.workerImageBuild(name, args.workerImage, release);
    const workerImage =
      workerBuild === undefined || !args.workerImage?.buildOnManagerHost
        ? undefined
        : new ManagerImage(`${name}-worker-image`, workerBuild, { parent: this });

    const workers =
      args.workers === undefined
        ? undefined
        : new FlamencoWorkers(
            `${name}-workers`,
            {
              hosts: args.workers.hosts,
              builtImageId: workerImage?.imageId ?? image.imageId,
              imageBuild: workerBuild ?? imageBuild,
              landscapeNetwork: this.network,
            },
            { parent: this, dependsOn: [this.manager.container] },
          );

    this.managerUrl = args.urls.managerUrl;
    this.managerLocalUrl = args.urls.managerLocalUrl;
    this.workerManagerUrl = args.urls.workerManagerUrl;
    this.workerCommand = args.urls.workerCommand;
    this.networkName = this.network.name;
    this.imageName = image.imageName;
    this.imageId = image.imageId;
    this.configFile = files.configFile;
    this.storage = args.storage;
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

  /** Stages the worker image's context after the release is in the cache, which it copies from. */
  private workerImageBuild(name: string, args: WorkerImageArgs, release: FlamencoRelease): ManagerImageArgs {
    const context = new FlamencoRelease(
      `${name}-worker-release`,
      { environment: args.environment },
      { parent: this, dependsOn: [release] },
    );
    return {
      imageName: args.imageName,
      contextDirectory: context.contextDirectory,
      releaseSha256: context.sha256,
      ...(args.unpacksBlender ? { blenderSha256: context.blenderSha256.apply((digest) => digest ?? "") } : {}),
      installsPackages: true,
    };
  }
}
