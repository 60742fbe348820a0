import * as path from "path";

/** A path on this machine that the program writes, mounts or replaces. */
export interface UsedPath {
  /** Config key that decides it, as a key path (["workers", 0, "workersRoot"]). */
  keyPath: readonly PropertyKey[];
  /** How the error names it: "storage", "the release cache". */
  label: string;
  path: string;
  /** Whether the stack sets the key; a conflict is blamed on a key the stack sets. */
  setByStack: boolean;
  /** Paths of the same group may coincide (local render hosts sharing a workersRoot). */
  group?: string;
}

export interface PathOverlap {
  keyPath: readonly PropertyKey[];
  /** "it is inside storage ("/srv/db")", one per other path it collides with. */
  reasons: string[];
}

function isInside(inner: string, outer: string): boolean {
  const relative = path.relative(outer, inner);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}

function relation(blamed: string, other: string): string | undefined {
  if (blamed === other) return "is the same as";
  if (isInside(blamed, other)) return "is inside";
  if (isInside(other, blamed)) return "contains";
  return undefined;
}

/**
 * Every pair of paths where one is equal to or inside the other: writing one would clobber
 * the other (a release fetch replaces the image context wholesale; storage must never be
 * someone else's directory). Each overlap is blamed on the later path the stack sets.
 */
export function overlappingPaths(paths: readonly UsedPath[]): PathOverlap[] {
  const overlaps = new Map<number, string[]>();
  paths.forEach((later, j) => {
    paths.slice(0, j).forEach((earlier, i) => {
      if (later.group !== undefined && later.group === earlier.group) return;
      const blamedIndex = later.setByStack || !earlier.setByStack ? j : i;
      const [blamed, other] = blamedIndex === j ? [later, earlier] : [earlier, later];
      const how = relation(blamed.path, other.path);
      if (how === undefined) return;
      overlaps.set(blamedIndex, [
        ...(overlaps.get(blamedIndex) ?? []),
        `it ${how} ${other.label} (${JSON.stringify(other.path)})`,
      ]);
    });
  });
  return [...overlaps.entries()]
    .sort(([a], [b]) => a - b)
    .map(([index, reasons]) => ({ keyPath: paths[index].keyPath, reasons }));
}
