import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import {
  BACKUP_DATABASE_COMMAND,
  BACKUP_NEWEST_COMMAND,
  managerInputsDigest,
  parseBackupReport,
} from "./render/backup";
import type { ContainerSpec } from "./render/containerSpec";
import { scriptCommand } from "./scriptCommand";

export interface ManagerBackupArgs {
  /** What the backup script is told: storage, config file, the version that runs on the database, how many to keep (`backupCommandEnvironment`). */
  readonly environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * The manager container's inputs: its spec, image and config digest. A change of any of them
   * replaces the container, so it takes a backup first.
   */
  readonly container: ContainerSpec;
  readonly imageId: pulumi.Input<string>;
  readonly configSha256: pulumi.Input<string>;
}

/**
 * A backup of the manager's database before anything can touch it: before the manager
 * container is replaced (a new version migrates the database at start-up, with no way
 * back) and when it is destroyed.
 *
 * The backup is the delete step of a `command.local.Command` whose triggers are a digest of
 * every input of the manager container, marked deleteBeforeReplace. The manager container is
 * declared with `replaceWith: [this command]`, which orders the steps in the Pulumi engine
 * (pkg/resource/deploy/step_generator.go, pulumi/pulumi):
 *   - A changed container input changes the triggers, so the command is replaced; the
 *     container is replaced with it. Both are deleteBeforeReplace, so the engine deletes the
 *     container first (its dependent), then runs the old command's delete: the backup, with the
 *     environment stored at the last `up` (the old version), of a database no manager holds
 *     open. Then it creates the new command (it reports the new backup) and the new container,
 *     which starts the new version.
 *   - The container stops gracefully (destroyGraceSeconds), so SQLite closes its WAL first.
 *   - A label holding the command's id alone would not order them: the docker provider answers
 *     "no change" when the engine asks whether unknown labels replace the container, and the
 *     backup would run next to the running manager.
 *   - `pulumi destroy` deletes dependents before what they depend on: the container goes,
 *     then the backup runs.
 * A failed backup fails the delete step, so `pulumi up` stops before the new container starts.
 */
export class ManagerBackup extends pulumi.ComponentResource {
  /** For the manager container's backup-guard label. */
  readonly guard: pulumi.Output<string>;
  /** The command the manager container is replaced with. */
  readonly command: command.local.Command;
  /** Path of the newest backup, or null when there is none yet. */
  readonly newestBackup: pulumi.Output<string | null>;

  constructor(name: string, args: ManagerBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openstudiolandscapes:flamenco:ManagerBackup", name, {}, opts);

    const managerDigest = pulumi
      .all([args.imageId, args.configSha256, pulumi.output(args.container)])
      .apply(([imageId, configSha256, spec]) => managerInputsDigest({ imageId, configSha256, spec }));
    const backup = new command.local.Command(
      name,
      {
        ...scriptCommand({ create: BACKUP_NEWEST_COMMAND, delete: BACKUP_DATABASE_COMMAND }),
        environment: args.environment,
        triggers: [managerDigest],
      },
      { parent: this, deleteBeforeReplace: true },
    );
    this.command = backup;
    this.guard = backup.id;
    this.newestBackup = backup.stdout.apply((stdout) => parseBackupReport(stdout).newest);

    this.registerOutputs({ guard: this.guard, newestBackup: this.newestBackup });
  }
}
