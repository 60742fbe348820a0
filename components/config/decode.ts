import { KEY_KINDS } from "./schema";
import { PROJECT } from "./settings";

/**
 * Pulumi hands config values over as strings (objects as JSON). Keys declared as
 * JSON are parsed; a value that is not valid JSON is passed on as the string it is,
 * so the schema reports it with the value the user wrote.
 */
export function decodeConfigValue(key: string, value: string): unknown {
  const kind = (KEY_KINDS as Record<string, "string" | "json" | undefined>)[key] ?? "json";
  if (kind === "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** Every key in the project's namespace, decoded; unknown keys included so they can be reported. */
export function rawStackConfig(
  allConfig: Record<string, string>,
  namespace: string = PROJECT,
): Record<string, unknown> {
  const prefix = `${namespace}:`;
  const raw: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(allConfig)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    raw[key] = decodeConfigValue(key, value);
  }
  return raw;
}
