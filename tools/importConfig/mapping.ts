import { FEATURE_DIRECTORY, isPlaceholder, PLACEHOLDER_PATTERN } from "../../components/config/placeholders";
import { officialArchiveVersion, officialReleaseUrl } from "../../components/config/release";
import {
  DEFAULT_VARIABLES,
  DEFAULTS,
  GARBAGE_COLLECT_KEYS,
  HINTS,
  LANDSCAPE_PATTERN,
  SHAMAN_KEYS,
  VERSION_PATTERN,
} from "../../components/config/schema";
import { PROJECT } from "../../components/config/settings";
import { MANAGER_YAML_NAMES, MQTT_CLIENT_YAML_NAMES, programManagerYaml } from "../../components/render/managerYaml";
import { managerContainerName } from "../../components/render/names";
import { describeValue, isRecord } from "../../components/config/values";
import type { SeedConfig } from "./seedFile";

/** How one seed key was treated. */
export type RowKind = "imported" | "default" | "not-applicable" | "attention";

export interface ReportRow {
  seedKey: string;
  /** The store's value; undefined when the key is not in the store. */
  seedValue: unknown;
  kind: RowKind;
  /** Stack keys the row writes, dotted, without namespace ("manager.shaman.enabled"). */
  stackKeys: string[];
  text: string;
}

/** One value to write into the stack file, under `flamenco-landscape:<path[0]>`. */
export interface StackEntry {
  path: string[];
  value: unknown;
  seedKey: string;
}

/** A store value that cannot be imported at all. */
export interface SeedProblem {
  seedKey: string;
  got: unknown;
  expected: string;
}

export type ReleaseChoice =
  { kind: "official"; version: string } | { kind: "url"; url: string; version?: string; needsSha256: boolean };

export interface SeedMapping {
  entries: StackEntry[];
  rows: ReportRow[];
  attention: string[];
  problems: SeedProblem[];
  /** env.LANDSCAPE, when it is a valid landscape name. */
  landscape?: string;
  /** What flamenco_version became; undefined when the store does not set it. */
  release?: ReleaseChoice;
  /** Storage paths use {DOT_LANDSCAPES} and the store does not say where that is (env.DOT_LANDSCAPES). */
  dotLandscapesUnknown: boolean;
  /** Storage paths use {LANDSCAPE} and the store names no valid landscape (env.LANDSCAPE). */
  landscapeUnknown: boolean;
}

/** Keys of the seed that mean nothing to a Pulumi stack, with the reason. */
export const NOT_APPLICABLE: Readonly<Record<string, string>> = {
  group_name: "Dagster asset group name; a Pulumi stack has no asset groups",
  key_prefixes: "Dagster asset key prefixes; Pulumi names resources after the stack",
  compose_scope: "docker compose scope; this program declares the Docker resources itself, without a compose file",
  docker_compose: "path of the generated docker-compose.yml; no compose file is written",
  feature_name: `the feature's fixed name; storage keeps the same {FEATURE} directory name, ${FEATURE_DIRECTORY}`,
  config_engine: "the seed engine's runtime object, never a stored setting",
  config_parent: "link to a parent feature's config (older engine versions); nothing to carry over",
  distribution: "Python package metadata of the feature",
  definitions: "Dagster definitions module of the feature",
  nvidia_container_toolkit_version:
    "the manager image installs no NVIDIA Container Toolkit: the manager schedules jobs and renders nothing (GPU workers are set up separately)",
};

const LOOSE_VERSION = /flamenco[-_](\d+(?:\.\d+){1,2})(?![\d.]*\d)/;
const ENUM_NAME = /^(?:FlamencoArchives\.)?version_(\d+(?:_\d+){1,2})$/;

/** The seed's default of flamenco_version, which has no one-to-one stack key. */
const SEED_VERSION_DEFAULT = "version_3_7";

interface SeedKey {
  stackKey: keyof typeof DEFAULTS;
  /** How the value is carried over: as it is, a port (digit strings as pydantic accepted them), a path template. */
  kind: "value" | "port" | "path";
  /** The seed's own default, for the report. */
  seedDefault: string;
}

/**
 * Seed keys with a one-to-one stack key, one line each; the program's default comes from the
 * schema. Keys of flamenco_manager_yaml are named in components/render/managerYaml.ts.
 */
const SEED_KEYS: Readonly<Record<string, SeedKey>> = {
  enabled: { stackKey: "enabled", kind: "value", seedDefault: "true" },
  flamenco_manager_port_host: { stackKey: "managerPortHost", kind: "port", seedDefault: "8484" },
  flamenco_manager_port_container: { stackKey: "managerPortContainer", kind: "port", seedDefault: "8080" },
  flamenco_storage: {
    stackKey: "storage",
    kind: "path",
    seedDefault: "{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}/storage",
  },
  flamenco_shared_storage: {
    stackKey: "sharedStorage",
    kind: "path",
    seedDefault: "{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}/shared_storage",
  },
};

const PATH_KEYS = Object.keys(SEED_KEYS).filter((seedKey) => SEED_KEYS[seedKey].kind === "path");

/**
 * The seed keys this mapping carries over to each stack key (dotted, without namespace), for
 * the configuration reference; the password is carried over by hand, as a secret. A unit test
 * maps a seed that holds every one of them and checks where each lands.
 */
export function seedKeysByStackKey(): Record<string, string[]> {
  const seedKeys: Record<string, string[]> = {};
  const add = (stackKey: string, seedKey: string) => (seedKeys[stackKey] ??= []).push(seedKey);
  const managerYaml = "flamenco_manager_yaml";
  add("landscape", "env.LANDSCAPE");
  add("landscapesRoot", "env.DOT_LANDSCAPES");
  for (const [seedKey, { stackKey }] of Object.entries(SEED_KEYS)) add(stackKey, seedKey);
  add("flamencoVersion", "flamenco_version");
  add("flamencoRelease", "flamenco_version");
  add("timezone", "local_environment_variables.TZ");
  add("environment", "local_environment_variables");
  for (const [stackKey, name] of Object.entries(MANAGER_YAML_NAMES))
    add(`manager.${stackKey}`, `${managerYaml}.${name}`);
  for (const name of SHAMAN_KEYS.filter((key) => key !== "garbageCollect"))
    add(`manager.shaman.${name}`, `${managerYaml}.shaman.${name}`);
  for (const name of GARBAGE_COLLECT_KEYS)
    add(`manager.shaman.garbageCollect.${name}`, `${managerYaml}.shaman.garbageCollect.${name}`);
  add("manager.variables", `${managerYaml}.variables`);
  for (const seedKey of BLENDER_VARIABLE_KEYS) add("manager.variables", seedKey);
  for (const [stackKey, name] of Object.entries(MQTT_CLIENT_YAML_NAMES))
    add(`manager.mqtt.${stackKey}`, `${managerYaml}.mqtt.client.${name}`);
  add("mqttPassword", `${managerYaml}.mqtt.client.password`);
  return seedKeys;
}

const FLAMENCO_VERSION_HINT =
  'an archive URL such as "https://flamenco.blender.org/downloads/flamenco-3.7-linux-amd64.tar.gz", or a version name such as version_3_7';

function dotted(path: readonly string[]): string {
  return path.join(".");
}

function shown(path: readonly string[], value: unknown): string {
  return `${dotted(path)} = ${describeValue(value)}`;
}

/** A suggestion for a landscape name the program accepts. */
export function suggestLandscapeName(value: string): string {
  const cleaned = value
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 63);
  return LANDSCAPE_PATTERN.test(cleaned) ? cleaned : "";
}

/** What a seed `flamenco_version` value means for this program. */
export function interpretFlamencoVersion(value: string): ReleaseChoice | undefined {
  const trimmed = value.trim();
  const enumName = ENUM_NAME.exec(trimmed);
  if (enumName) return { kind: "official", version: enumName[1].split("_").join(".") };
  if (VERSION_PATTERN.test(trimmed)) return { kind: "official", version: trimmed };
  let isLocation = trimmed.startsWith("/");
  if (!isLocation) {
    try {
      isLocation = ["https:", "http:", "file:"].includes(new URL(trimmed).protocol);
    } catch {
      isLocation = false;
    }
  }
  if (!isLocation) return undefined;
  const fileName = trimmed.slice(trimmed.lastIndexOf("/") + 1);
  const archiveVersion = officialArchiveVersion(trimmed);
  if (archiveVersion !== undefined) {
    return trimmed === officialReleaseUrl(archiveVersion)
      ? { kind: "official", version: archiveVersion }
      : // Only https vouches for a checksum list beside the copy; http and local copies need a pinned sha256.
        { kind: "url", url: trimmed, version: archiveVersion, needsSha256: !trimmed.startsWith("https://") };
  }
  const loose = LOOSE_VERSION.exec(fileName);
  return { kind: "url", url: trimmed, version: loose?.[1], needsSha256: true };
}

/** Port values: integers, or digit strings as pydantic accepted them. */
function portValue(value: unknown): unknown {
  return typeof value === "string" && /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
}

class Mapper {
  readonly entries: StackEntry[] = [];
  readonly rows: ReportRow[] = [];
  readonly attention: string[] = [];
  readonly problems: SeedProblem[] = [];
  landscape?: string;
  release?: ReleaseChoice;
  dotLandscapesUnknown = false;
  landscapeUnknown = false;

  constructor(
    private readonly seed: SeedConfig,
    private readonly env: Record<string, unknown>,
    private readonly placeholderEnvNames: Set<string>,
  ) {}

  write(seedKey: string, path: string[], value: unknown): string {
    this.entries.push({ path, value, seedKey });
    return dotted(path);
  }

  /** Writes `value` at `path` and reports the seed key as imported there. */
  imported(seedKey: string, path: string[], value: unknown, seedValue: unknown = value): void {
    const key = this.write(seedKey, path, value);
    this.row(seedKey, seedValue, "imported", shown(path, value), [key]);
  }

  row(seedKey: string, seedValue: unknown, kind: RowKind, text: string, stackKeys: string[] = []): void {
    this.rows.push({ seedKey, seedValue, kind, stackKeys, text });
  }

  note(seedKey: string, seedValue: unknown, text: string, attention: string): void {
    this.row(seedKey, seedValue, "attention", text);
    this.attention.push(`${seedKey}: ${attention}`);
  }

  problem(seedKey: string, got: unknown, expected: string): void {
    this.problems.push({ seedKey, got, expected });
    this.row(seedKey, got, "attention", "not imported: invalid (see the error)");
  }

  direct(seedKey: string, value: unknown): void {
    const { stackKey, kind } = SEED_KEYS[seedKey];
    const mapped = kind === "port" ? portValue(value) : value;
    this.imported(seedKey, [stackKey], mapped, value);
  }

  flamencoVersion(value: unknown): void {
    const seedKey = "flamenco_version";
    // A plain 3.10 is the number 3.1 to YAML: use the text as written.
    const text =
      typeof value === "string"
        ? value
        : typeof value === "number"
          ? (this.seed.sources[seedKey] ?? String(value))
          : undefined;
    const choice = text === undefined ? undefined : interpretFlamencoVersion(text);
    if (!choice) {
      this.problem(seedKey, value, FLAMENCO_VERSION_HINT);
      return;
    }
    this.release = choice;
    if (choice.kind === "official") {
      const key = this.write(seedKey, ["flamencoVersion"], choice.version);
      this.row(
        seedKey,
        value,
        "imported",
        `${shown(["flamencoVersion"], choice.version)} (official release, checked against its published sha256)`,
        [key],
      );
      return;
    }
    const keys = [this.write(seedKey, ["flamencoRelease"], { url: choice.url })];
    if (choice.version !== undefined) keys.push(this.write(seedKey, ["flamencoVersion"], choice.version));
    const versionText = choice.version !== undefined ? `, ${shown(["flamencoVersion"], choice.version)}` : "";
    if (choice.needsSha256) {
      this.row(
        seedKey,
        value,
        "attention",
        `flamencoRelease.url = ${describeValue(choice.url)}${versionText}; sha256 REQUIRED before pulumi up`,
        keys,
      );
      this.attention.push(
        `flamenco_version: ${choice.url} is not an https:// url named like an official archive (flamenco-<version>-linux-amd64.tar.gz), so no published checksum list can be trusted for it. ` +
          `Add the archive's sha256 to flamencoRelease in the stack file before "npm run up" (sha256: <64 hex digits>; compute it with: sha256sum <archive>).` +
          (choice.version === undefined
            ? ` Also set flamencoVersion in the stack file to the Flamenco version inside that archive (it names the image tag).`
            : ` flamencoVersion ${choice.version} was read from the file name: check it.`),
      );
    } else {
      this.row(seedKey, value, "imported", `flamencoRelease.url = ${describeValue(choice.url)}${versionText}`, keys);
      this.attention.push(
        `flamenco_version: ${choice.url} is a copy of an official archive: "pulumi up" checks it against flamenco-${choice.version}.sha256, which must be served beside it ` +
          `(or add its sha256 to flamencoRelease in the stack file yourself).`,
      );
    }
  }

  storage(seedKey: string, value: unknown): void {
    const { stackKey } = SEED_KEYS[seedKey];
    if (typeof value !== "string" || value.trim() === "") {
      this.problem(seedKey, value, HINTS.pathTemplate);
      return;
    }
    const substituted: string[] = [];
    const template = value.replace(PLACEHOLDER_PATTERN, (whole, name: string) => {
      if (isPlaceholder(name)) return whole;
      const replacement = this.env[name];
      if (typeof replacement === "string" || typeof replacement === "number") {
        substituted.push(`{${name}} → ${replacement}`);
        return String(replacement);
      }
      return whole;
    });
    this.notePlaceholders(template);
    const key = this.write(seedKey, [stackKey], template);
    const kept = [...template.matchAll(PLACEHOLDER_PATTERN)].map((match) => `{${match[1]}}`);
    const details = [
      kept.length > 0 ? `placeholders ${[...new Set(kept)].join(", ")} kept` : "",
      substituted.length > 0 ? `env values substituted: ${substituted.join(", ")}` : "",
    ].filter(Boolean);
    this.row(
      seedKey,
      value,
      "imported",
      `${shown([stackKey], template)}${details.length > 0 ? ` (${details.join("; ")})` : ""}`,
      [key],
    );
  }

  /** Which of the seed's runtime placeholders a storage template needs but the store does not give. */
  notePlaceholders(template: string): void {
    if (template.includes("{DOT_LANDSCAPES}") && this.env.DOT_LANDSCAPES === undefined)
      this.dotLandscapesUnknown = true;
    const landscape = this.env.LANDSCAPE;
    if (template.includes("{LANDSCAPE}") && !(typeof landscape === "string" && LANDSCAPE_PATTERN.test(landscape)))
      this.landscapeUnknown = true;
  }

  envEntries(value: unknown): void {
    if (value === null) {
      this.row("env", value, "not-applicable", "empty");
      return;
    }
    if (!isRecord(value)) {
      this.problem("env", value, "a mapping of environment names to values, such as {LANDSCAPE: my-landscape}");
      return;
    }
    if (Object.keys(value).length === 0) this.row("env", value, "not-applicable", "empty");
    for (const [name, inner] of Object.entries(value)) {
      const seedKey = `env.${name}`;
      if (name === "DOT_LANDSCAPES") {
        const key = this.write(seedKey, ["landscapesRoot"], inner);
        this.row(seedKey, inner, "imported", `${shown(["landscapesRoot"], inner)} (expands {DOT_LANDSCAPES})`, [key]);
      } else if (name === "LANDSCAPE") {
        if (typeof inner === "string" && LANDSCAPE_PATTERN.test(inner)) {
          this.landscape = inner;
          const key = this.write(seedKey, ["landscape"], inner);
          this.row(
            seedKey,
            inner,
            "imported",
            `${shown(["landscape"], inner)} (container ${managerContainerName(inner)}; expands {LANDSCAPE})`,
            [key],
          );
        } else {
          const suggestion = typeof inner === "string" ? suggestLandscapeName(inner) : "";
          this.note(
            seedKey,
            inner,
            "not imported: not a valid landscape name",
            `${describeValue(inner)} is not a landscape name this program accepts (${HINTS.landscape}); it was not imported, so the stack name is the landscape` +
              (suggestion ? `. To keep a similar name, use --stack ${suggestion}` : "") +
              ". Storage paths with {LANDSCAPE} then point at a different directory than the seed's: move the data or spell the paths out.",
          );
        }
      } else if (this.placeholderEnvNames.has(name)) {
        this.row(seedKey, inner, "imported", `substituted for {${name}} in the storage paths`);
      } else {
        this.row(
          seedKey,
          inner,
          "not-applicable",
          "a runtime value of the seed engine, only used to expand path placeholders",
        );
      }
    }
  }

  environment(value: unknown): void {
    const seedKey = "local_environment_variables";
    if (value === null || (isRecord(value) && Object.keys(value).length === 0)) {
      this.row(seedKey, value, "not-applicable", "empty");
      return;
    }
    if (!isRecord(value)) {
      this.problem(seedKey, value, HINTS.environment);
      return;
    }
    for (const [name, inner] of Object.entries(value)) {
      const innerKey = `${seedKey}.${name}`;
      if (name === "TZ") {
        const key = this.write(innerKey, ["timezone"], inner);
        this.row(innerKey, inner, "imported", `${shown(["timezone"], inner)} (TZ has its own key)`, [key]);
      } else {
        this.imported(innerKey, ["environment", name], inner);
      }
    }
  }

  bindVolumes(value: unknown): void {
    const seedKey = "local_bind_volumes";
    if (value === null || (Array.isArray(value) && value.length === 0)) {
      this.row(seedKey, value, "not-applicable", "empty");
      return;
    }
    this.note(
      seedKey,
      value,
      "not imported: no counterpart",
      `the manager container mounts only its config, storage and shared storage; extra bind volumes ${describeValue(value)} were not imported. ` +
        "If the manager needs one of them, put it under storage or sharedStorage, or ask for a volumes key.",
    );
  }

  featureName(value: unknown): void {
    if (value !== undefined && value !== null && value !== FEATURE_DIRECTORY) {
      this.note(
        "feature_name",
        value,
        "not applicable; differs from the seed's",
        `the store names the feature ${describeValue(value)}; {FEATURE} always expands to ${FEATURE_DIRECTORY} here, so storage paths with {FEATURE} may point elsewhere than before.`,
      );
      return;
    }
    this.row("feature_name", value, "not-applicable", NOT_APPLICABLE.feature_name);
  }

  blenderVariables(keys: string[]): void {
    const values = this.seed.values;
    const managerYaml = values.flamenco_manager_yaml;
    const superseded = isRecord(managerYaml) && isRecord(managerYaml.variables);
    for (const seedKey of keys) {
      if (superseded) {
        this.note(
          seedKey,
          values[seedKey],
          "not imported: superseded",
          "flamenco_manager_yaml.variables is set as well and wins; this key was not imported.",
        );
      }
    }
    if (superseded) return;
    const platformKeys = keys.filter((key) => key in BLENDER_PLATFORM_KEYS);
    if (platformKeys.length > 0) {
      const entries = Object.entries(BLENDER_PLATFORM_KEYS).map(([seedKey, { platform, value }]) => ({
        platform,
        audience: "all",
        value: platformKeys.includes(seedKey) ? values[seedKey] : value,
      }));
      const key = this.write(platformKeys.join(", "), ["manager", "variables", "blender"], { values: entries });
      for (const seedKey of platformKeys) {
        this.row(
          seedKey,
          values[seedKey],
          "imported",
          `manager.variables.blender (platform ${BLENDER_PLATFORM_KEYS[seedKey].platform})`,
          [key],
        );
      }
    }
    const argsKey = BLENDER_ARGS_KEY;
    if (keys.includes(argsKey)) {
      const args = values[argsKey];
      if (!Array.isArray(args) || args.some((arg) => typeof arg !== "string")) {
        this.problem(argsKey, args, "a list of Blender command line arguments");
        return;
      }
      const joined = (args as string[])
        .map((arg) => (/[\s'"]/.test(arg) ? `'${arg.replace(/'/g, "'\\''")}'` : arg))
        .join(" ");
      const key = this.write(argsKey, ["manager", "variables", "blenderArgs"], {
        values: [{ platform: "all", audience: "all", value: joined }],
      });
      this.row(argsKey, args, "imported", `manager.variables.blenderArgs = ${describeValue(joined)}`, [key]);
    }
  }

  managerYaml(value: unknown): void {
    mapManagerYaml(this, value, this.seed.values.flamenco_manager_port_container);
  }
}

/** Stack key under `manager.` by flamenco-manager.yaml name. */
const MANAGER_SCALARS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(MANAGER_YAML_NAMES).map(([stackKey, name]) => [name, stackKey]),
);
const MQTT_CLIENT_KEYS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(MQTT_CLIENT_YAML_NAMES).map(([stackKey, name]) => [name, stackKey]),
);

function mapManagerYaml(mapper: Mapper, value: unknown, portContainer: unknown): void {
  const base = "flamenco_manager_yaml";
  if (value === null) {
    mapper.row(base, value, "not-applicable", "empty");
    return;
  }
  if (!isRecord(value)) {
    mapper.problem(base, value, "a mapping in the form of flamenco-manager.yaml");
    return;
  }
  const port = portValue(portContainer ?? DEFAULTS.managerPortContainer);
  const fixed: Record<string, unknown> = programManagerYaml(String(port));
  for (const [name, inner] of Object.entries(value)) {
    const seedKey = `${base}.${name}`;
    if (name in MANAGER_SCALARS) {
      mapper.imported(seedKey, ["manager", MANAGER_SCALARS[name]], inner);
      if (name === "autodiscoverable" && inner === true) {
        mapper.attention.push(
          `${seedKey}: autodiscovery (UPnP/SSDP) does not cross a Docker bridge network; it was imported as true, but workers should be given the manager URL.`,
        );
      }
    } else if (name in fixed) {
      if (JSON.stringify(inner) === JSON.stringify(fixed[name])) {
        mapper.row(seedKey, inner, "not-applicable", "set by the program (same value)");
      } else {
        mapper.note(
          seedKey,
          inner,
          "not imported: set by the program",
          `the program writes ${describeValue(fixed[name])} here (storage is mounted at fixed container paths; the listen port follows managerPortContainer); the store's value was not imported.`,
        );
      }
    } else if (name === "shaman") {
      mapShaman(mapper, seedKey, inner);
    } else if (name === "mqtt") {
      mapMqtt(mapper, seedKey, inner);
    } else if (name === "variables") {
      mapVariables(mapper, seedKey, inner);
    } else {
      mapper.note(
        seedKey,
        inner,
        "not imported: unknown",
        "this flamenco-manager.yaml key has no stack config key; it was not imported.",
      );
    }
  }
}

function mapShaman(mapper: Mapper, seedKey: string, value: unknown): void {
  if (!isRecord(value)) {
    mapper.problem(seedKey, value, "a mapping {enabled, garbageCollect}");
    return;
  }
  for (const [name, inner] of Object.entries(value)) {
    const innerKey = `${seedKey}.${name}`;
    if (name === "garbageCollect" && isRecord(inner)) {
      for (const [gcName, gcValue] of Object.entries(inner)) {
        const gcKey = `${innerKey}.${gcName}`;
        if (GARBAGE_COLLECT_KEYS.includes(gcName)) {
          mapper.imported(gcKey, ["manager", "shaman", "garbageCollect", gcName], gcValue);
        } else {
          mapper.note(
            gcKey,
            gcValue,
            "not imported: unknown",
            "unknown Shaman garbage collection setting; it was not imported.",
          );
        }
      }
    } else if (SHAMAN_KEYS.includes(name) && name !== "garbageCollect") {
      mapper.imported(innerKey, ["manager", "shaman", name], inner);
    } else {
      mapper.note(innerKey, inner, "not imported: unknown", "unknown Shaman setting; it was not imported.");
    }
  }
}

function mapMqtt(mapper: Mapper, seedKey: string, value: unknown): void {
  const client = isRecord(value) ? value.client : undefined;
  if (!isRecord(value) || !isRecord(client)) {
    mapper.problem(seedKey, value, "a mapping {client: {broker, clientID, topic_prefix, username, password}}");
    return;
  }
  const broker = client.broker;
  if (broker === undefined || broker === null || broker === "") {
    mapper.row(seedKey, value, "not-applicable", "MQTT is off (empty broker): nothing to import");
    return;
  }
  for (const [name, inner] of Object.entries(client)) {
    const innerKey = `${seedKey}.client.${name}`;
    if (name === "password") {
      if (inner === "" || inner === null || inner === undefined) continue;
      mapper.note(
        innerKey,
        "(not shown)",
        "not imported: secret",
        `the MQTT password is never written in plain text: store it as a secret with "pulumi config set --secret mqttPassword", on the project's state backend (docs/data-safety.md).`,
      );
    } else if (name in MQTT_CLIENT_KEYS) {
      if (inner === "" && name !== "broker") continue;
      mapper.imported(innerKey, ["manager", "mqtt", MQTT_CLIENT_KEYS[name]], inner);
    } else {
      mapper.note(innerKey, inner, "not imported: unknown", "unknown MQTT client setting; it was not imported.");
    }
  }
}

function mapVariables(mapper: Mapper, seedKey: string, value: unknown): void {
  if (!isRecord(value)) {
    mapper.problem(seedKey, value, "a mapping of variable name to {values: [...]}");
    return;
  }
  for (const [name, inner] of Object.entries(value)) {
    const innerKey = `${seedKey}.${name}`;
    if (!isRecord(inner) || !Array.isArray(inner.values)) {
      mapper.problem(innerKey, inner, "a mapping {is_twoway?, values: [{platform, audience?, value}]}");
      continue;
    }
    const converted: Record<string, unknown> = {};
    if (inner.is_twoway !== undefined) converted.isTwoway = inner.is_twoway;
    converted.values = inner.values;
    for (const extra of Object.keys(inner).filter((key) => key !== "is_twoway" && key !== "values")) {
      mapper.note(
        `${innerKey}.${extra}`,
        inner[extra],
        "not imported: unknown",
        "unknown variable setting; it was not imported.",
      );
    }
    const path = ["manager", "variables", name];
    const key = mapper.write(innerKey, path, converted);
    mapper.row(
      innerKey,
      inner,
      "imported",
      `${dotted(path)} (${inner.values.length} value${inner.values.length === 1 ? "" : "s"})`,
      [key],
    );
  }
}

/** Placeholders in the store's storage paths that name env entries (other than the program's own). */
function placeholderEnvNames(values: Record<string, unknown>, env: Record<string, unknown>): Set<string> {
  const names = new Set<string>();
  for (const seedKey of PATH_KEYS) {
    const template = values[seedKey];
    if (typeof template !== "string") continue;
    for (const match of template.matchAll(PLACEHOLDER_PATTERN)) {
      if (!isPlaceholder(match[1]) && match[1] in env) names.add(match[1]);
    }
  }
  return names;
}

/** The seed's Blender path per platform (flamenco_variables_blender_platform_<platform>), with the program's default. */
const BLENDER_PLATFORM_KEYS: Readonly<Record<string, { platform: string; value: string }>> = Object.fromEntries(
  DEFAULT_VARIABLES.blender.values.map(({ platform, value }) => [
    `flamenco_variables_blender_platform_${platform}`,
    { platform: String(platform), value },
  ]),
);
const BLENDER_ARGS_KEY = "flamenco_variables_blender_commandline_args";
const BLENDER_VARIABLE_KEYS = [...Object.keys(BLENDER_PLATFORM_KEYS), BLENDER_ARGS_KEY];

/**
 * Maps a parsed store file onto stack config entries, with one report row per seed key.
 * Pure: it decides what to write; merging and validation come after.
 */
export function mapSeedConfig(seed: SeedConfig): SeedMapping {
  const values = seed.values;
  const env = isRecord(values.env) ? values.env : {};
  const mapper = new Mapper(seed, env, placeholderEnvNames(values, env));
  const blenderKeys = BLENDER_VARIABLE_KEYS.filter((key) => key in values && values[key] !== null);
  let blenderDone = false;

  for (const [seedKey, value] of Object.entries(values)) {
    if (seedKey in SEED_KEYS || seedKey === "flamenco_version") {
      if (value === null) {
        mapper.row(seedKey, value, "default", `empty in the store: treated as not set, ${defaultText(seedKey)}`);
      } else if (seedKey === "flamenco_version") {
        mapper.flamencoVersion(value);
      } else if (SEED_KEYS[seedKey].kind === "path") {
        mapper.storage(seedKey, value);
      } else {
        mapper.direct(seedKey, value);
      }
    } else if (seedKey === "env") {
      mapper.envEntries(value);
    } else if (seedKey === "local_environment_variables") {
      mapper.environment(value);
    } else if (seedKey === "local_bind_volumes") {
      mapper.bindVolumes(value);
    } else if (seedKey === "flamenco_manager_yaml") {
      mapper.managerYaml(value);
    } else if (seedKey === "feature_name") {
      mapper.featureName(value);
    } else if (BLENDER_VARIABLE_KEYS.includes(seedKey)) {
      if (value === null) mapper.row(seedKey, value, "not-applicable", "empty");
      else if (!blenderDone) {
        mapper.blenderVariables(blenderKeys);
        blenderDone = true;
      }
    } else if (seedKey in NOT_APPLICABLE) {
      mapper.row(seedKey, value, "not-applicable", NOT_APPLICABLE[seedKey]);
    } else {
      mapper.note(
        seedKey,
        value,
        "not imported: unknown key",
        `this key is not one of the seed's documented keys and has no counterpart; it was not imported. Check whether it mattered.`,
      );
    }
  }

  for (const seedKey of [
    ...Object.keys(SEED_KEYS).filter((key) => !PATH_KEYS.includes(key)),
    "flamenco_version",
    ...PATH_KEYS,
  ]) {
    if (seedKey in values) continue;
    mapper.row(seedKey, undefined, "default", defaultText(seedKey));
    if (PATH_KEYS.includes(seedKey)) mapper.notePlaceholders(String(DEFAULTS[SEED_KEYS[seedKey].stackKey]));
  }

  return {
    entries: mapper.entries,
    rows: mapper.rows,
    attention: mapper.attention,
    problems: mapper.problems,
    landscape: mapper.landscape,
    release: mapper.release,
    dotLandscapesUnknown: mapper.dotLandscapesUnknown,
    landscapeUnknown: mapper.landscapeUnknown,
  };
}

function defaultText(seedKey: string): string {
  if (seedKey === "flamenco_version") {
    return `nothing written; the program deploys Flamenco ${DEFAULTS.flamencoVersion} (seed default: ${SEED_VERSION_DEFAULT})`;
  }
  const { stackKey, seedDefault } = SEED_KEYS[seedKey];
  const fallback = DEFAULTS[stackKey];
  const same = String(fallback) === seedDefault ? ", the seed's default too" : ` (seed default: ${seedDefault})`;
  return `nothing written; ${PROJECT}:${stackKey} defaults to ${describeValue(fallback)}${same}`;
}
