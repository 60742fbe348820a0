import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { RELEASE_SHA256_ARG } from "./render/dockerfile";

export interface ManagerImageArgs {
  /** Local image name; its tag carries landscape and version (`managerImageName`). */
  readonly imageName: pulumi.Input<string>;
  /** Build context holding the Dockerfile and the verified release archive. */
  readonly contextDirectory: pulumi.Input<string>;
  /** Digest of the archive as verified at download; the build checks the archive against it. */
  readonly releaseSha256: pulumi.Input<string>;
}

/** The manager image, built locally and never pushed. */
export class ManagerImage extends pulumi.ComponentResource {
  readonly imageName: pulumi.Output<string>;
  /** Local image id; containers follow it so a rebuild replaces them. */
  readonly imageId: pulumi.Output<string>;

  constructor(name: string, args: ManagerImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("openstudiolandscapes:flamenco:ManagerImage", name, {}, opts);

    const image = new docker.Image(
      name,
      {
        imageName: args.imageName,
        skipPush: true,
        build: {
          context: args.contextDirectory,
          dockerfile: pulumi.interpolate`${args.contextDirectory}/Dockerfile`,
          args: { [RELEASE_SHA256_ARG]: args.releaseSha256 },
          // Flamenco publishes Linux builds for amd64 only.
          platform: "linux/amd64",
          // Everything the build needs is in the context: it must not reach the network.
          network: "none",
        },
      },
      { parent: this },
    );
    this.imageName = image.imageName;
    this.imageId = image.repoDigest;

    this.registerOutputs({ imageName: this.imageName, imageId: this.imageId });
  }
}
