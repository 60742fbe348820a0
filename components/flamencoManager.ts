import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { BACKUP_GUARD_LABEL } from "./render/backup";
import { CONFIG_DIGEST_LABEL } from "./render/container";
import type { ContainerSpec } from "./render/containerSpec";

export interface FlamencoManagerArgs {
  /** Name, ports, mounts, network, health check: everything stack config decides (`managerContainerSpec`). */
  readonly container: ContainerSpec;
  /** The manager image, by id or digest, so a rebuild replaces the container. */
  readonly imageId: pulumi.Input<string>;
  /** Digest of flamenco-manager.yaml: a new config replaces the container, which rereads it. */
  readonly configSha256: pulumi.Input<string>;
  /** Id of the ManagerBackup command, kept in a label: which backup guards this container. */
  readonly backupGuard: pulumi.Input<string>;
  /**
   * The ManagerBackup command. The container is replaced with it (`replaceWith`), so the engine
   * stops the old manager before the command's delete step takes the backup.
   */
  readonly backupCommand: pulumi.Resource;
}

/**
 * The manager container; `pulumi up` waits until its health check passes. What it must wait
 * for (network, written config and storage) is given as the `dependsOn` resource option, which
 * the container inherits.
 */
export class FlamencoManager extends pulumi.ComponentResource {
  readonly containerName: pulumi.Output<string>;
  readonly containerId: pulumi.Output<string>;
  /** Created only once healthy: what workers wait for. */
  readonly container: docker.Container;

  constructor(name: string, args: FlamencoManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openstudiolandscapes:flamenco:Manager", name, {}, opts);

    this.container = new docker.Container(
      name,
      {
        ...args.container,
        image: args.imageId,
        labels: pulumi
          .all([args.container.labels ?? [], args.configSha256, args.backupGuard])
          .apply(([labels, configSha256, backupGuard]) => [
            ...(labels ?? []),
            { label: CONFIG_DIGEST_LABEL, value: configSha256 },
            { label: BACKUP_GUARD_LABEL, value: backupGuard },
          ]),
      },
      // The name and host port are fixed, so the old container must go before the new one starts.
      // A label does not make the container a dependent replacement of the backup command: the
      // docker provider answers "no change" when the engine probes it with all labels unknown.
      {
        parent: this,
        deleteBeforeReplace: true,
        replaceWith: [args.backupCommand],
        dependsOn: opts?.dependsOn,
      },
    );
    this.containerName = this.container.name;
    this.containerId = this.container.id;

    this.registerOutputs({ containerName: this.containerName, containerId: this.containerId });
  }
}
