import { ConfigError } from "../../../components/config/errors";
import { parseSettings, PROJECT, SettingsContext } from "../../../components/config/settings";

export const HOME = "/home/artist";
export const CONTEXT: SettingsContext = { stack: "dev", homeDirectory: HOME };

/** The ConfigError parseSettings throws for `raw`; fails the test when it accepts it. */
export function configErrorOf(raw: Record<string, unknown>, context: SettingsContext = CONTEXT): ConfigError {
  try {
    parseSettings(raw, context);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(raw)}`);
}

/** The message line that reports `key`. */
export function lineFor(error: ConfigError, key: string): string {
  const line = error.message.split("\n").find((candidate) => candidate.includes(`${PROJECT}:${key}:`));
  if (line === undefined) throw new Error(`no line for ${key} in:\n${error.message}`);
  return line;
}
