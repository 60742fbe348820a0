import * as os from "os";
import * as pulumi from "@pulumi/pulumi";
import { rawStackConfig } from "./decode";
import { ConfigError } from "./errors";
import { hostPathKind } from "./pathKind";
import { parseSettings, PROJECT, Settings } from "./settings";

/**
 * Whether a config key was stored with --secret. The SDK marks this helper internal and
 * leaves it out of its typings, so it is looked up defensively; when it is missing the
 * check is skipped rather than failing a valid stack.
 */
function configKeyIsSecret(fullKey: string): boolean | undefined {
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  return runtime.isConfigSecret?.(fullKey);
}

export interface StackSettings {
  settings: Settings;
  /** The stack's keys as set (without namespace, values parsed): what the component is given. */
  raw: Record<string, unknown>;
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
  const { mqttPassword: _secret, ...keys } = raw;
  return { settings, raw: keys, mqttPassword };
}
