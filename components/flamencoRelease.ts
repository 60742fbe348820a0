import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { FETCH_RELEASE_COMMAND, parseFetchedRelease } from "./render/commands";
import { scriptCommand } from "./scriptCommand";

export interface FlamencoReleaseArgs {
  /**
   * What the fetch script is told (`releaseCommandEnvironment`): the archive's url and how to
   * verify it, its cache entry, and the image build context to stage with the Dockerfile.
   */
  readonly environment: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/**
 * The verified release archive and the image build context made from it (for the worker image
 * also the verified Blender archive). The download runs at `pulumi up`, not at preview, and is
 * cached under landscapesRoot by url and checksum.
 */
export class FlamencoRelease extends pulumi.ComponentResource {
  readonly archivePath: pulumi.Output<string>;
  readonly sha256: pulumi.Output<string>;
  readonly contextDirectory: pulumi.Output<string>;
  /** Digest of the Blender archive staged with the release; undefined when none is. */
  readonly blenderSha256: pulumi.Output<string | undefined>;

  constructor(name: string, args: FlamencoReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openstudiolandscapes:flamenco:Release", name, {}, opts);

    const fetch = new command.local.Command(
      `${name}-fetch`,
      { ...scriptCommand(FETCH_RELEASE_COMMAND), environment: args.environment },
      { parent: this, dependsOn: opts?.dependsOn },
    );
    const fetched = fetch.stdout.apply(parseFetchedRelease);
    this.archivePath = fetched.archive;
    this.sha256 = fetched.sha256;
    this.contextDirectory = fetched.context;
    this.blenderSha256 = fetched.apply((result) => result.blender?.sha256);

    this.registerOutputs({
      archivePath: this.archivePath,
      sha256: this.sha256,
      contextDirectory: this.contextDirectory,
      blenderSha256: this.blenderSha256,
    });
  }
}
