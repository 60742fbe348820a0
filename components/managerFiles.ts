import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "./config/settings";
import { managerFilesCommandEnvironment, parseWrittenManagerFiles, WRITE_MANAGER_FILES_COMMAND } from "./render/commands";
import { hostConfigFilePath } from "./render/names";

export interface ManagerFilesArgs {
  settings: Settings;
  /** flamenco-manager.yaml text; a secret when it carries the MQTT password. */
  managerYaml: pulumi.Input<string>;
}

/**
 * flamenco-manager.yaml and the storage directories on the host. The yaml is written
 * atomically at `pulumi up`; storage is created when missing and never deleted, not even
 * by `pulumi destroy` (the command has no delete step).
 */
export class ManagerFiles extends pulumi.ComponentResource {
  readonly configFile: string;
  /**
   * Digest of the written yaml, keyed by a key that is never kept: it changes with every
   * write (so the manager container, which rereads the file, is replaced) and cannot be
   * checked against guessed passwords.
   */
  readonly configSha256: pulumi.Output<string>;
  readonly written: pulumi.Output<string>;

  constructor(name: string, args: ManagerFilesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openstudiolandscapes:flamenco:ManagerFiles", name, {}, opts);

    const write = new command.local.Command(
      name,
      {
        create: WRITE_MANAGER_FILES_COMMAND,
        environment: managerFilesCommandEnvironment(args.settings),
        stdin: args.managerYaml,
      },
      { parent: this },
    );
    this.configFile = hostConfigFilePath(args.settings);
    // The stdout of a command fed a secret may come back marked secret; the digest is not one.
    this.configSha256 = pulumi.unsecret(write.stdout.apply((stdout) => parseWrittenManagerFiles(stdout).configDigest));
    this.written = write.stdout;

    this.registerOutputs({ configFile: this.configFile, configSha256: this.configSha256 });
  }
}
