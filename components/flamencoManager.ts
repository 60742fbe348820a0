import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "./config/settings";
import { BACKUP_GUARD_LABEL } from "./render/backup";
import { CONFIG_DIGEST_LABEL, managerContainerSpec } from "./render/container";

export interface FlamencoManagerArgs {
  settings: Settings;
  imageId: pulumi.Input<string>;
  configSha256: pulumi.Input<string>;
  /** Id of the ManagerBackup command: a label holding it makes a backup run before any replacement. */
  backupGuard: pulumi.Input<string>;
  /** Resources the container must wait for: the network, the written config and storage. */
  dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** The manager container; `pulumi up` waits until its health check passes. */
export class FlamencoManager extends pulumi.ComponentResource {
  readonly containerName: pulumi.Output<string>;
  readonly containerId: pulumi.Output<string>;
  /** Created only once healthy: what workers wait for. */
  readonly container: docker.Container;

  constructor(name: string, args: FlamencoManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openstudiolandscapes:flamenco:Manager", name, {}, opts);

    const spec = managerContainerSpec(args.settings);
    this.container = new docker.Container(
      name,
      {
        ...spec,
        image: args.imageId,
        labels: [...spec.labels, { label: CONFIG_DIGEST_LABEL, value: args.configSha256 }, { label: BACKUP_GUARD_LABEL, value: args.backupGuard }],
      },
      // The name and host port are fixed, so the old container must go before the new one starts.
      { parent: this, deleteBeforeReplace: true, dependsOn: args.dependsOn },
    );
    this.containerName = this.container.name;
    this.containerId = this.container.id;

    this.registerOutputs({ containerName: this.containerName, containerId: this.containerId });
  }
}
