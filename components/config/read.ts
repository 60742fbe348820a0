import * as fs from "fs";
import * as os from "os";
import * as pulumi from "@pulumi/pulumi";
import type { PathKind } from "./crossKeyRules";
import { ConfigError } from "./errors";
import { KEY_KINDS } from "./schema";
import { parseSettings, PROJECT, Settings } from "./settings";

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

/**
 * Whether a config key was stored with --secret. The SDK marks this helper internal and
 * leaves it out of its typings, so it is looked up defensively; when it is missing the
 * check is skipped rather than failing a valid stack.
 */
function configKeyIsSecret(fullKey: string): boolean | undefined {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  return runtime.isConfigSecret?.(fullKey);
}

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

export interface StackSettings {
  settings: Settings;
  /** The MQTT password, as a Pulumi secret, when the stack sets one. */
  mqttPassword?: pulumi.Output<string>;
}

/** Reads and validates the stack config once, at the edge of the program. */
export function readStackSettings(): StackSettings {
  const raw = rawStackConfig(pulumi.runtime.allConfig());
  let settings: Settings;
  try {
    settings = parseSettings(raw, {
      stack: pulumi.getStack(),
      homeDirectory: os.homedir(),
      mqttPasswordIsSecret: configKeyIsSecret(`${PROJECT}:mqttPassword`),
      pathKind: hostPathKind,
    });
  } catch (error) {
    // RunError makes Pulumi print the message alone, without a stack trace.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
  const mqttPassword = settings.hasMqttPassword ? new pulumi.Config(PROJECT).requireSecret("mqttPassword") : undefined;
  return { settings, mqttPassword };
}
