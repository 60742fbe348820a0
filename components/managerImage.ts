import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { BLENDER_SHA256_ARG, RELEASE_SHA256_ARG } from "./render/dockerfile";

export interface ManagerImageArgs {
  /** Local image name; its tag carries landscape and version (`managerImageName`). */
  readonly imageName: pulumi.Input<string>;
  /** Build context holding the Dockerfile and the verified release archive. */
  readonly contextDirectory: pulumi.Input<string>;
  /** Digest of the archive as verified at download; the build checks the archive against it. */
  readonly releaseSha256: pulumi.Input<string>;
  /** Digest of the official Blender archive in the context of a worker image that unpacks it. */
  readonly blenderSha256?: pulumi.Input<string>;
  /** The build installs packages with the base image's package manager, so it needs the network. */
  readonly installsPackages?: boolean;
}

/**
 * An image built locally from a staged context and never pushed: the manager image (which the
 * workers run too), or the worker image that holds Blender.
 */
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
          args: {
            [RELEASE_SHA256_ARG]: args.releaseSha256,
            ...(args.blenderSha256 === undefined ? {} : { [BLENDER_SHA256_ARG]: args.blenderSha256 }),
          },
          // Flamenco publishes Linux builds for amd64 only.
          platform: "linux/amd64",
          // Apart from packages, everything the build needs is in the context: otherwise it must not reach the network.
          ...(args.installsPackages === true ? {} : { network: "none" }),
        },
      },
      { parent: this },
    );
    this.imageName = image.imageName;
    this.imageId = image.repoDigest;

    this.registerOutputs({ imageName: this.imageName, imageId: this.imageId });
  }
}
