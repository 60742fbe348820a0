import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { parseWrittenManagerFiles, WRITE_MANAGER_FILES_COMMAND } from "./render/commands";
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
  /**
   * Digest of the written yaml, keyed by a key that is never kept: it changes with every
   * write (so the manager container, which rereads the file, is replaced) and cannot be
   * checked against guessed passwords.
   */
  readonly configSha256: pulumi.Output<string>;

  constructor(name: string, args: ManagerFilesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openstudiolandscapes:flamenco:ManagerFiles", name, {}, opts);

    const write = new command.local.Command(
      name,
      { ...scriptCommand(WRITE_MANAGER_FILES_COMMAND), environment: args.environment, stdin: args.managerYaml },
      { parent: this },
    );
    this.configFile = pulumi.output(args.configFile);
    // The stdout of a command fed a secret may come back marked secret; the digest is not one.
    this.configSha256 = pulumi.unsecret(write.stdout.apply((stdout) => parseWrittenManagerFiles(stdout).configDigest));

    this.registerOutputs({ configFile: this.configFile, configSha256: this.configSha256 });
  }
}
