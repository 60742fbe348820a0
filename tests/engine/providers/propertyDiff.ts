/**
 * Property diffs as the engine and the providers name them: the path of each changed value
 * (`environment.FOO`, `ports[0].external`, `triggers[1]`) with its kind, as the SDK's
 * plugin.NewDetailedDiffFromObjectDiff (sdk/go/common/resource/plugin/provider.go) builds it
 * from an object diff. A value unknown during preview counts as changed.
 */
import type { Properties } from "./pluginServer";
import { containsUnknown, isUnknown } from "./pluginServer";

/** Keys a provider keeps beside the inputs (the bridge's defaults list, the image's stored inputs). */
const INTERNAL_KEYS = ["__defaults", "__meta", "__inputs"];

export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .filter((key) => !INTERNAL_KEYS.includes(key) && (value as Properties)[key] !== undefined)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Properties)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

export function same(before: unknown, after: unknown): boolean {
  return !containsUnknown(after) && stableJson(before) === stableJson(after);
}

function isObject(value: unknown): value is Properties {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The changed paths below one property: a whole unknown, added or removed value names the property itself. */
export function changedPaths(
  key: string,
  before: unknown,
  after: unknown,
): Record<string, "add" | "delete" | "update"> {
  if (same(before, after)) return {};
  if (before === undefined || before === null) return { [key]: "add" };
  if (after === undefined || after === null) return { [key]: "delete" };
  if (isUnknown(after)) return { [key]: "update" };
  if (Array.isArray(before) && Array.isArray(after)) {
    const length = Math.max(before.length, after.length);
    return Object.assign(
      {},
      ...Array.from({ length }, (_unused, index) => changedPaths(`${key}[${index}]`, before[index], after[index])),
    );
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
      (inner) => !INTERNAL_KEYS.includes(inner),
    );
    return Object.assign(
      {},
      ...keys.sort().map((inner) => changedPaths(`${key}.${inner}`, before[inner], after[inner])),
    );
  }
  return { [key]: "update" };
}
