import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { withDependencies } from "./dependencies";
import { ManagerImage, ManagerImageArgs } from "./managerImage";
import { ENSURE_WORKER_HOME_COMMAND } from "./render/commands";
import { DEREGISTER_WORKER_COMMAND } from "./render/deregister";
import type { ContainerSpec } from "./render/containerSpec";
import { scriptCommand } from "./scriptCommand";

/** One worker of a render host. */
export interface RenderWorkerArgs {
  /** 1..count on its host; names the worker's resources, so scaling touches only the last ones. */
  readonly number: number;
  /** Everything about the container that stack config decides (`workerContainerSpec`). */
  readonly container: ContainerSpec;
  /** What the identity script is told: the directory, its owner, and on another host its engine and image. */
  readonly homeEnvironment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** What the deregistration script is told: the manager's URL from this machine and the worker's name. */
  readonly deregisterEnvironment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Names the container and its identity command had before they were named from their render host. */
  readonly previousNames: { readonly container: string; readonly home: string };
}

export interface RenderHostArgs {
  /** Docker endpoint of the host; undefined for the manager's own engine (the program's default provider). */
  readonly dockerHost?: string;
  /** The image the workers run, unless the host builds its own. */
  readonly image: pulumi.Input<string>;
  /** When set, the image is built on this host's engine from this context and the workers run it by id. */
  readonly imageBuild?: ManagerImageArgs;
  /** The workers, in number order; plain, so the declared workers are known at preview. */
  readonly workers: readonly RenderWorkerArgs[];
  /** Name the host's docker provider had before it was named from its render host. */
  readonly previousProviderName: string;
}

/**
 * The workers of one Docker engine. A host with a dockerHost gets its own docker provider;
 * the manager's host uses the program's default one. The `dependsOn` option (the manager,
 * and on the manager's host the landscape network) is what every worker container waits for.
 */
export class RenderHost extends pulumi.ComponentResource {
  constructor(name: string, args: RenderHostArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openstudiolandscapes:flamenco:RenderHost", name, {}, opts);

    const provider =
      args.dockerHost === undefined
        ? undefined
        : new docker.Provider(
            `${name}-docker`,
            { host: args.dockerHost },
            { parent: this, aliases: [{ name: args.previousProviderName }] },
          );

    // The build context goes to that host's engine; its workers run the result by id, so nothing is pulled.
    const hostImage =
      args.imageBuild === undefined
        ? undefined
        : new ManagerImage(`${name}-image`, args.imageBuild, {
            parent: this,
            providers: provider === undefined ? undefined : [provider],
          });
    const image = hostImage?.imageId ?? args.image;

    for (const worker of args.workers) {
      const workerName = `${name}-${worker.number}`;
      // Creates the identity directory when missing; no delete step, so scaling down keeps it.
      const home = new command.local.Command(
        `${workerName}-home`,
        { ...scriptCommand(ENSURE_WORKER_HOME_COMMAND), environment: worker.homeEnvironment },
        // On another host it runs the worker image there, so that image must be built first.
        {
          parent: this,
          aliases: [{ name: worker.previousNames.home }],
          dependsOn: hostImage === undefined ? [] : [hostImage],
        },
      );
      // Deregisters the worker from the manager when it is deleted: after its container (which
      // depends on it) is gone, and before the manager (which it depends on) goes.
      const deregister = new command.local.Command(
        `${workerName}-deregister`,
        { ...scriptCommand({ delete: DEREGISTER_WORKER_COMMAND }), environment: worker.deregisterEnvironment },
        { parent: this, dependsOn: opts?.dependsOn },
      );
      new docker.Container(
        workerName,
        { ...worker.container, image },
        // The container name is fixed, so a replacement removes the old container first.
        {
          parent: this,
          provider,
          deleteBeforeReplace: true,
          dependsOn: withDependencies(opts?.dependsOn, home, deregister),
          aliases: [{ name: worker.previousNames.container }],
        },
      );
    }

    this.registerOutputs({});
  }
}
