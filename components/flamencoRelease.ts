import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import type { Settings } from "./config/settings";
import { FETCH_RELEASE_COMMAND, parseFetchedRelease, releaseCommandEnvironment } from "./render/commands";

export interface FlamencoReleaseArgs {
  settings: Settings;
  /** Dockerfile text staged beside the archive as the image build context. */
  dockerfile: string;
}

/**
 * The verified release archive and the image build context made from it. The download
 * runs at `pulumi up`, not at preview, and is cached under landscapesRoot by url and checksum.
 */
export class FlamencoRelease extends pulumi.ComponentResource {
  readonly archivePath: pulumi.Output<string>;
  readonly sha256: pulumi.Output<string>;
  readonly contextDirectory: pulumi.Output<string>;

  constructor(name: string, args: FlamencoReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openstudiolandscapes:flamenco:Release", name, {}, opts);

    const fetch = new command.local.Command(
      `${name}-fetch`,
      {
        create: FETCH_RELEASE_COMMAND,
        environment: releaseCommandEnvironment(args.settings, args.dockerfile),
      },
      { parent: this },
    );
    const fetched = fetch.stdout.apply(parseFetchedRelease);
    this.archivePath = fetched.archive;
    this.sha256 = fetched.sha256;
    this.contextDirectory = fetched.context;

    this.registerOutputs({ archivePath: this.archivePath, sha256: this.sha256, contextDirectory: this.contextDirectory });
  }
}
