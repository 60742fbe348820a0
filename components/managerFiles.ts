import * as crypto from "crypto";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "./config/settings";
import { managerFilesCommandEnvironment, WRITE_MANAGER_FILES_COMMAND } from "./render/commands";
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
  /** Digest of the yaml: a change of it replaces the manager container, which rereads it. */
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
    this.configSha256 = pulumi.output(args.managerYaml).apply((text) => crypto.createHash("sha256").update(text).digest("hex"));
    this.written = write.stdout;

    this.registerOutputs({ configFile: this.configFile, configSha256: this.configSha256 });
  }
}
