import * as crypto from "crypto";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { WRITE_MANAGER_FILES_COMMAND } from "./render/commands";
import { scriptCommand } from "./scriptCommand";

export interface ManagerFilesArgs {
  /** Where flamenco-manager.yaml goes on the host. */
  readonly configFile: pulumi.Input<string>;
  /** What the files script is told: the config path, the storage directories and their owner (`managerFilesCommandEnvironment`). */
  readonly environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** flamenco-manager.yaml text; a secret when it carries the MQTT password. */
  readonly managerYaml: pulumi.Input<string>;
}

/**
 * flamenco-manager.yaml and the storage directories on the host. The yaml is written
 * atomically at `pulumi up`; storage is created when missing and never deleted, not even
 * by `pulumi destroy` (the command has no delete step).
 */
export class ManagerFiles extends pulumi.ComponentResource {
  readonly configFile: pulumi.Output<string>;
  /** Digest of the yaml: a change of it replaces the manager container, which rereads it. */
  readonly configSha256: pulumi.Output<string>;

  constructor(name: string, args: ManagerFilesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openstudiolandscapes:flamenco:ManagerFiles", name, {}, opts);

    new command.local.Command(
      name,
      { ...scriptCommand(WRITE_MANAGER_FILES_COMMAND), environment: args.environment, stdin: args.managerYaml },
      { parent: this },
    );
    this.configFile = pulumi.output(args.configFile);
    this.configSha256 = pulumi.output(args.managerYaml).apply((text) => crypto.createHash("sha256").update(text).digest("hex"));

    this.registerOutputs({ configFile: this.configFile, configSha256: this.configSha256 });
  }
}
