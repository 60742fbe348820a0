import * as path from "path";

/**
 * Storage paths keep the placeholders of the OpenStudioLandscapes config store,
 * so `flamenco_storage` values carry over unchanged.
 */
export const PLACEHOLDERS = ["DOT_LANDSCAPES", "LANDSCAPE", "FEATURE"] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Record<Placeholder, string>;

/** The feature's directory name under a landscape, as the seed names it. */
export const FEATURE_DIRECTORY = "OpenStudioLandscapes-Flamenco";

/** A `{NAME}` in a path template; the name is the first group. */
export const PLACEHOLDER_PATTERN = /\{([^{}]*)\}/g;

export function isPlaceholder(name: string): name is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(name);
}

/** Placeholders in `template` that are not one of {@link PLACEHOLDERS}. */
export function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER_PATTERN)].map((match) => match[1]).filter((name) => !isPlaceholder(name));
}

/** Replaces a leading `~` with the home directory. */
export function expandHome(value: string, homeDirectory: string): string {
  if (value === "~") return homeDirectory;
  if (value.startsWith("~/")) return path.join(homeDirectory, value.slice(2));
  return value;
}

/**
 * Expands `{DOT_LANDSCAPES}`, `{LANDSCAPE}`, `{FEATURE}` and a leading `~`, then
 * normalises the result. Callers validate templates with {@link unknownPlaceholders} first.
 */
export function expandPathTemplate(template: string, values: PlaceholderValues, homeDirectory: string): string {
  const expanded = template.replace(PLACEHOLDER_PATTERN, (whole, name: string) =>
    isPlaceholder(name) ? values[name] : whole,
  );
  return path.normalize(expandHome(expanded, homeDirectory));
}

/** True when the template expands to an absolute path whatever the landscape is called. */
export function templateIsAbsolute(template: string): boolean {
  return (
    template.startsWith("/") || template === "~" || template.startsWith("~/") || template.startsWith("{DOT_LANDSCAPES}")
  );
}
