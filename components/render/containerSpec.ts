import type * as docker from "@pulumi/docker";

/**
 * The inputs of a `docker.Container` that follow from stack config alone; the Pulumi layer
 * adds the image. Renderers return their literals `satisfies ContainerSpec`, so a field the
 * docker provider does not have (a typo, a field of another resource) fails `tsc`.
 */
export type ContainerSpec = Omit<docker.ContainerArgs, "image">;
