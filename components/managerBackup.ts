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
 * every input of the manager container, marked deleteBeforeReplace. The manager container
 * carries this command's id in a label (`guard`), so it depends on the command through a
 * property, not only through dependsOn. That is what orders the steps in the Pulumi engine
 * (pkg/resource/deploy/step_generator.go, pulumi/pulumi):
 *   - A changed container input changes the triggers, so the command is replaced. Because it
 *     is deleteBeforeReplace, the step generator first computes its dependents that would be
 *     replaced (calculateDependentReplacements: a dependent counts when one of its input
 *     properties depends on the replaced resource and the provider's Diff of that property,
 *     made unknown, demands a replacement; container labels do) and deletes them first, in
 *     reverse dependency order. A dependent linked only by dependsOn would not be deleted
 *     first, and the backup would run next to the running manager.
 *   - So the steps are: delete the old container, run the old command's delete (the backup,
 *     with the environment stored at the last `up`: the old version), create the new command
 *     (it reports the new backup), create the new container, which starts the new version.
 *   - `pulumi destroy` deletes dependents before what they depend on: the container goes,
 *     then the backup runs.
 * A failed backup fails the delete step, so `pulumi up` stops before the new container starts.
 */
export class ManagerBackup extends pulumi.ComponentResource {
  /** For the manager container's backup-guard label. */
  readonly guard: pulumi.Output<string>;
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
    this.guard = backup.id;
    this.newestBackup = backup.stdout.apply((stdout) => parseBackupReport(stdout).newest);

    this.registerOutputs({ guard: this.guard, newestBackup: this.newestBackup });
  }
}
