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
  /** Id of the ManagerBackup command: a label holding it makes a backup run before any replacement. */
  readonly backupGuard: pulumi.Input<string>;
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
      { parent: this, deleteBeforeReplace: true, dependsOn: opts?.dependsOn },
    );
    this.containerName = this.container.name;
    this.containerId = this.container.id;

    this.registerOutputs({ containerName: this.containerName, containerId: this.containerId });
  }
}
