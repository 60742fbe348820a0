import { isBlenderPackage } from "./blender";
import { CONTAINER_PATHS } from "./containerLayout";
import { DEFAULT_VARIABLES, ManagerConfig } from "./schema";

type Variables = ManagerConfig["variables"];

/** What the worker image holds: the official Blender build, Debian packages, or neither. */
export interface WorkerImageContent {
  readonly blender?: unknown;
  readonly workerPackages: readonly string[];
}

/** The Blender executable in the worker image, or undefined when the image holds none. */
export function workerBlenderExecutable(image: WorkerImageContent): string | undefined {
  if (image.blender !== undefined) return CONTAINER_PATHS.blenderBinary;
  if (image.workerPackages.some(isBlenderPackage)) return CONTAINER_PATHS.debianBlenderBinary;
  return undefined;
}

/**
 * The manager's variables, with `blender` pointing Linux workers at the worker image's Blender
 * and `blenderArgs` present. Flamenco replaces a variable of its defaults whole, so the other
 * platforms keep their default values. A variable the stack sets itself (`ownVariables`) stays
 * as the stack has it.
 */
export function blenderVariables(
  variables: Variables,
  image: WorkerImageContent,
  ownVariables: readonly string[],
): Variables {
  const executable = workerBlenderExecutable(image);
  if (executable === undefined) return variables;
  const defaults = structuredClone(DEFAULT_VARIABLES) as Variables;
  const blender = {
    values: defaults.blender.values.map((entry) =>
      entry.platform === "linux" ? { ...entry, value: executable } : entry,
    ),
  };
  return {
    ...variables,
    ...(ownVariables.includes("blender") ? {} : { blender }),
    ...(variables.blenderArgs === undefined ? { blenderArgs: defaults.blenderArgs } : {}),
  };
}
