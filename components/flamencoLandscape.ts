import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { FlamencoManager, FlamencoManagerArgs } from "./flamencoManager";
import { FlamencoRelease, FlamencoReleaseArgs } from "./flamencoRelease";
import { FlamencoWorkers, FlamencoWorkersArgs } from "./flamencoWorkers";
import { ManagerBackup, ManagerBackupArgs } from "./managerBackup";
import { ManagerFiles, ManagerFilesArgs } from "./managerFiles";
import { ManagerImage, ManagerImageArgs } from "./managerImage";
import * as os from "os";
import { settingsFromArgs } from "./argsMapping";
import { ConfigError } from "./config/errors";
import { hostPathKind } from "./config/pathKind";
import type { Settings } from "./config/settings";
import type { FlamencoLandscapeArgs } from "./flamencoLandscapeArgs";
import { landscapePlan } from "./landscapePlan";
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

/** Everything the component declares, planned from the validated settings (landscapePlan.ts). */
export interface LandscapePlan {
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

/** The component's type token: the package's name, its only module, the class name. */
export const FLAMENCO_LANDSCAPE_TYPE = "flamenco-landscape:index:FlamencoLandscape";
/** Its type before it was a package of its own: an alias keeps the URNs of existing stacks. */
const PREVIOUS_TYPE = "openstudiolandscapes:flamenco:Landscape";

/** Host directories of the manager's storage and of the studio's shared storage. */
export interface LandscapeStorage {
  manager: string;
  shared: string;
}

/**
 * One landscape's Flamenco farm: the release and the images built from it, the landscape's
 * network, flamenco-manager.yaml and storage, the manager with a database backup before every
 * replacement, and the render workers on every render host. For programs in any Pulumi language.
 */
export class FlamencoLandscape extends pulumi.ComponentResource {
  /** Whether the landscape is deployed (the enabled argument); nothing else is declared when it is not. */
  readonly enabled: boolean;
  readonly status: string;
  /** How users and workers on other hosts reach the manager: the managerUrl argument, or its default. */
  readonly managerUrl: string;
  /** The manager through its published port on the machine that runs it. */
  readonly managerLocalUrl: string;
  /** The manager on the landscape network, as workers on its host reach it. */
  readonly workerManagerUrl: string;
  /** How to start a worker by hand on another machine. */
  readonly workerCommand: string;
  readonly networkName: pulumi.Output<string | undefined>;
  readonly imageName: pulumi.Output<string | undefined>;
  /** The manager image's id; containers follow it, so a rebuild replaces them. */
  readonly imageId: pulumi.Output<string | undefined>;
  /** flamenco-manager.yaml on the manager's host. */
  readonly configFile: pulumi.Output<string | undefined>;
  readonly storage: LandscapeStorage;
  readonly managerContainerName: pulumi.Output<string | undefined>;
  /** Path of the newest database backup under <storage>/backups, named for the Flamenco version that wrote its data; none before the first one. */
  readonly newestBackup: pulumi.Output<string | undefined>;
  /** Per render host: worker names and the manager URL they use; empty without workers. */
  readonly workers: { [host: string]: RenderHostSummary };

  constructor(name: string, args: FlamencoLandscapeArgs, opts?: pulumi.ComponentResourceOptions) {
    const settings = landscapeSettings(name, args);
    super(FLAMENCO_LANDSCAPE_TYPE, name, {}, { ...opts, aliases: [...(opts?.aliases ?? []), { type: PREVIOUS_TYPE }] });
    const plan = landscapePlan(
      settings,
      args.mqttPassword === undefined ? undefined : pulumi.secret(args.mqttPassword),
    );

    this.enabled = settings.enabled;
    this.status = settings.enabled
      ? `Flamenco manager of landscape "${settings.landscape}"`
      : `Flamenco is disabled for landscape "${settings.landscape}" (enabled: false): no Docker resources are declared`;
    this.managerUrl = plan.urls.managerUrl;
    this.managerLocalUrl = plan.urls.managerLocalUrl;
    this.workerManagerUrl = plan.urls.workerManagerUrl;
    this.workerCommand = plan.urls.workerCommand;
    this.storage = plan.storage;

    const declared = settings.enabled ? this.declare(name, plan) : undefined;
    this.networkName = pulumi.output(declared?.network.name);
    this.imageName = pulumi.output(declared?.image.imageName);
    this.imageId = pulumi.output(declared?.image.imageId);
    this.configFile = pulumi.output(declared?.files.configFile);
    this.managerContainerName = pulumi.output(declared?.manager.containerName);
    this.newestBackup = pulumi.output(declared?.backup.newestBackup).apply((newest) => newest ?? undefined);
    this.workers = declared?.workers?.hosts ?? {};

    this.registerOutputs({
      enabled: this.enabled,
      status: this.status,
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

  /** The landscape's resources, children of this component. */
  private declare(name: string, plan: LandscapePlan) {
    const release = new FlamencoRelease(`${name}-release`, plan.release, { parent: this });
    // Built here, and on every other render host from the same context.
    const imageBuild: ManagerImageArgs = {
      imageName: plan.image.imageName,
      contextDirectory: release.contextDirectory,
      releaseSha256: release.sha256,
    };
    const image = new ManagerImage(`${name}-image`, imageBuild, { parent: this });
    const network = new docker.Network(`${name}-network`, plan.network, { parent: this });
    const files = new ManagerFiles(`${name}-manager-files`, plan.managerFiles, { parent: this });

    const backup = new ManagerBackup(
      `${name}-manager-backup`,
      {
        environment: plan.backup.environment,
        container: plan.manager.container,
        imageId: image.imageId,
        configSha256: files.configSha256,
      },
      { parent: this },
    );
    const manager = new FlamencoManager(
      `${name}-manager`,
      {
        container: plan.manager.container,
        imageId: image.imageId,
        configSha256: files.configSha256,
        backupGuard: backup.guard,
        backupCommand: backup.command,
      },
      { parent: this, dependsOn: [network, files] },
    );

    // The worker image has a context of its own, so a new Blender rebuilds only it and replaces only the workers.
    const workerBuild =
      plan.workers === undefined || plan.workerImage === undefined
        ? undefined
        : this.workerImageBuild(name, plan.workerImage, release);
    const workerImage =
      workerBuild === undefined || !plan.workerImage?.buildOnManagerHost
        ? undefined
        : new ManagerImage(`${name}-worker-image`, workerBuild, { parent: this });

    const workers =
      plan.workers === undefined
        ? undefined
        : new FlamencoWorkers(
            `${name}-workers`,
            {
              hosts: plan.workers.hosts,
              builtImageId: workerImage?.imageId ?? image.imageId,
              imageBuild: workerBuild ?? imageBuild,
              landscapeNetwork: network,
            },
            { parent: this, dependsOn: [manager.container] },
          );
    return { network, image, files, backup, manager, workers };
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

/** The arguments, validated; one error names every bad one, before anything is declared. */
function landscapeSettings(name: string, args: FlamencoLandscapeArgs): Settings {
  try {
    return settingsFromArgs(args, {
      name,
      stack: pulumi.getStack(),
      homeDirectory: os.homedir(),
      pathKind: hostPathKind,
    });
  } catch (error) {
    // RunError makes Pulumi print the message alone, without a stack trace.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}
