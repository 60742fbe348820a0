import * as pulumi from "@pulumi/pulumi";
import { withDependencies } from "./dependencies";
import type { ManagerImageArgs } from "./managerImage";
import type { RenderHostSummary } from "./render/workers";
import { RenderHost, RenderHostArgs } from "./renderHost";

/** One render host of the farm, as stack config declares it. */
export interface RenderHostPlan extends Omit<RenderHostArgs, "image" | "imageBuild"> {
  /** The render host's name in stack config; names its resources. */
  readonly name: string;
  /**
   * The image the stack names for its workers (`workerImage`), run by name; undefined: the
   * image the program builds for workers (the worker image with Blender, or else the manager
   * image), by id, built on the manager's host or, with buildsOwnImage, on this host.
   */
  readonly workerImage?: string;
  /** Whether the host builds the workers' image on its own engine (a host with a dockerHost and no workerImage). */
  readonly buildsOwnImage: boolean;
  /** The worker names and the manager URL they use, as the stack reports them. */
  readonly summary: RenderHostSummary;
  /** Name the render host had before it was named from the farm. */
  readonly previousName: string;
}

export interface FlamencoWorkersArgs {
  /** The render hosts, in config order; plain, so the declared workers are known at preview. */
  readonly hosts: readonly RenderHostPlan[];
  /** Id of the workers' image built on the manager's host; workers there without a workerImage run it. */
  readonly builtImageId: pulumi.Input<string>;
  /** The workers' image's name and build context: hosts that build their own image build it from these. */
  readonly imageBuild: ManagerImageArgs;
  /** The landscape network: workers on the manager's host join it, so they wait for it too. */
  readonly landscapeNetwork: pulumi.Resource;
}

/**
 * The render farm of one landscape: per render host, `count` worker containers, each with
 * its own identity directory on that host. Every worker waits for what the `dependsOn`
 * option names (the manager container, which is created only once healthy).
 */
export class FlamencoWorkers extends pulumi.ComponentResource {
  /** Per render host: the worker names and the manager URL they use. */
  readonly hosts: Record<string, RenderHostSummary>;

  constructor(name: string, args: FlamencoWorkersArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openstudiolandscapes:flamenco:Workers", name, {}, opts);
    for (const host of args.hosts) {
      const onManagerHost = host.dockerHost === undefined;
      new RenderHost(
        `${name}-${host.name}`,
        {
          dockerHost: host.dockerHost,
          image: host.workerImage ?? args.builtImageId,
          imageBuild: host.buildsOwnImage ? args.imageBuild : undefined,
          workers: host.workers,
          previousProviderName: host.previousProviderName,
        },
        {
          parent: this,
          dependsOn: onManagerHost ? withDependencies(opts?.dependsOn, args.landscapeNetwork) : opts?.dependsOn,
          aliases: [{ name: host.previousName }],
        },
      );
    }
    this.hosts = Object.fromEntries(args.hosts.map((host) => [host.name, host.summary]));
    this.registerOutputs({ hosts: this.hosts });
  }
}
