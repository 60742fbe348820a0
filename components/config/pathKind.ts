import * as fs from "fs";
import type { PathKind } from "./crossKeyRules";

/**
 * What a host path is, following symlinks: a symlink to a file, or one pointing nowhere,
 * is not a directory (creating the directory there would fail).
 */
export function hostPathKind(hostPath: string): PathKind {
  try {
    const stat = fs.statSync(hostPath, { throwIfNoEntry: false }) ?? fs.lstatSync(hostPath, { throwIfNoEntry: false });
    if (stat === undefined) return "missing";
    return stat.isDirectory() ? "directory" : "other";
  } catch {
    // A symlink loop, or a parent that is a file: no directory can be made there either.
    return "other";
  }
}
