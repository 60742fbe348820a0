import { ConfigError, ConfigProblem } from "../../components/config/errors";
import { rawStackConfig } from "../../components/config/decode";
import { HINTS } from "../../components/config/schema";
import { parseSettings, PROJECT, Settings } from "../../components/config/settings";
import type { NamespacedConfig } from "./stackFile";

export interface Validation {
  /** The settings `pulumi up` would use; undefined when there are problems. */
  settings?: Settings;
  problems: ConfigProblem[];
  /** flamencoRelease has a url that needs a sha256: the one problem an import may leave for later. */
  pendingSha256: boolean;
  /** Encrypted keys other than mqttPassword: left out of the check (they cannot be decrypted here). */
  unchecked: string[];
}

/** A checksum stand-in, used only to check everything else while a sha256 is still missing. */
const STAND_IN_SHA256 = "0".repeat(64);

function isMissingSha256(problem: ConfigProblem): boolean {
  return problem.key === `${PROJECT}:flamencoRelease.sha256` && problem.expected === HINTS.sha256Required;
}

/**
 * Checks the stack config exactly as the program does at `pulumi up` (same decoding of
 * Pulumi's string values, same schema, the stack name as the default landscape).
 * With `allowMissingSha256`, a flamencoRelease url without a sha256 is reported as
 * pending instead of failing, provided nothing else is wrong.
 */
export function validateStackConfig(
  config: NamespacedConfig,
  context: { stack: string; homeDirectory: string; allowMissingSha256: boolean },
): Validation {
  const raw = rawStackConfig(config.values);
  const unchecked = config.secretKeys.filter((key) => key !== "mqttPassword");
  for (const key of unchecked) delete raw[key];
  const settingsContext = {
    stack: context.stack,
    homeDirectory: context.homeDirectory,
    mqttPasswordIsSecret: "mqttPassword" in raw ? config.secretKeys.includes("mqttPassword") : undefined,
  };
  try {
    return { settings: parseSettings(raw, settingsContext), problems: [], pendingSha256: false, unchecked };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = [...error.problems];
    const others = problems.filter((problem) => !isMissingSha256(problem));
    if (!context.allowMissingSha256 || others.length > 0 || problems.length === others.length) {
      return { problems, pendingSha256: false, unchecked };
    }
    const release = raw.flamencoRelease as Record<string, unknown>;
    const settings = parseSettings(
      { ...raw, flamencoRelease: { ...release, sha256: STAND_IN_SHA256 } },
      settingsContext,
    );
    return { settings, problems: [], pendingSha256: true, unchecked };
  }
}
