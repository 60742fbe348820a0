import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { Settings, WorkerHostSettings } from "./config/settings";
import { ENSURE_WORKER_HOME_COMMAND, workerHomeCommandEnvironment } from "./render/commands";
import { ManagerImage } from "./managerImage";
import { buildsOwnImage, renderHostImageResourceName } from "./render/renderHostImage";
import { DEREGISTER_WORKER_COMMAND, deregisterCommandEnvironment, deregisterResourceName } from "./render/deregister";
import {
  renderHostProviderName,
  RenderHostSummary,
  renderHostSummaries,
  usesBuiltImage,
  workerContainerSpec,
  workerImageName,
  workerManagerUrl,
  workerNames,
  workerNumbers,
  workerResourceName,
} from "./render/workers";

export interface FlamencoWorkersArgs {
  settings: Settings;
  /** Id of the manager image built on the manager's host; its workers run it. */
  builtImageId: pulumi.Input<string>;
  /** The manager image's name and build context: each other Docker host builds it on its own engine. */
  imageBuild: { imageName: string; contextDirectory: pulumi.Input<string>; releaseSha256: pulumi.Input<string> };
  /** The manager container: `pulumi up` waits for it to be healthy, so workers start after. */
  manager: docker.Container;
  /** The landscape network the workers on the manager's host join. */
  network: docker.Network;
}

/**
 * The render farm of one landscape: per render host, `count` worker containers, each with
 * its own identity directory on that host. The counts are plain settings, so the declared
 * workers are known at preview.
 */
export class FlamencoWorkers extends pulumi.ComponentResource {
  /** Per render host: the worker names and the manager URL they use. */
  readonly hosts: Record<string, RenderHostSummary>;

  constructor(name: string, args: FlamencoWorkersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openstudiolandscapes:flamenco:Workers", name, {}, opts);
    for (const host of args.settings.workers) {
      new RenderHost(`${args.settings.landscape}-render-host-${host.name}`, { ...args, host }, { parent: this });
    }
    this.hosts = renderHostSummaries(args.settings);
    this.registerOutputs({ hosts: this.hosts });
  }
}

export interface RenderHostArgs extends FlamencoWorkersArgs {
  host: WorkerHostSettings;
}

/**
 * The workers of one Docker engine. A host with a dockerHost gets its own docker provider;
 * the manager's host uses the program's default one.
 */
export class RenderHost extends pulumi.ComponentResource {
  readonly names: string[];
  readonly managerUrl: string;

  constructor(name: string, args: RenderHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openstudiolandscapes:flamenco:RenderHost", name, {}, opts);
    const { settings, host } = args;
    const landscape = settings.landscape;

    const provider =
      host.dockerHost === undefined ? undefined : new docker.Provider(renderHostProviderName(landscape, host.name), { host: host.dockerHost }, { parent: this });
    // The build context goes to that host's engine; its workers run the result by id, so nothing is pulled.
    const hostImage =
      provider !== undefined && buildsOwnImage(settings, host)
        ? new ManagerImage(renderHostImageResourceName(landscape, host.name), args.imageBuild, { parent: this, providers: [provider] })
        : undefined;
    const image: pulumi.Input<string> = hostImage?.imageId ?? (usesBuiltImage(settings, host) ? args.builtImageId : workerImageName(settings));
    const startAfter: pulumi.Resource[] = host.dockerHost === undefined ? [args.manager, args.network] : [args.manager];

    for (const number of workerNumbers(host.count)) {
      const resourceName = workerResourceName(landscape, host.name, number);
      const spec = workerContainerSpec(settings, host, number);
      // Creates the identity directory when missing; no delete step, so scaling down keeps it.
      const home = new command.local.Command(
        `${resourceName}-home`,
        { create: ENSURE_WORKER_HOME_COMMAND, environment: workerHomeCommandEnvironment(settings, host, spec.name) },
        // On another host it runs the worker image there, so that image must be built first.
        { parent: this, dependsOn: hostImage === undefined ? [] : [hostImage] },
      );
      // Deregisters the worker from the manager when it is deleted: after its container (which
      // depends on it) is gone, and before the manager (which it depends on) goes.
      const deregister = new command.local.Command(
        deregisterResourceName(resourceName),
        { delete: DEREGISTER_WORKER_COMMAND, environment: deregisterCommandEnvironment(settings, spec.name) },
        { parent: this, dependsOn: [args.manager] },
      );
      new docker.Container(
        resourceName,
        { ...spec, image },
        // The container name is fixed, so a replacement removes the old container first.
        { parent: this, provider, deleteBeforeReplace: true, dependsOn: [...startAfter, home, deregister] },
      );
    }

    this.names = workerNames(landscape, host);
    this.managerUrl = workerManagerUrl(settings, host);
    this.registerOutputs({ names: this.names, managerUrl: this.managerUrl });
  }
}
