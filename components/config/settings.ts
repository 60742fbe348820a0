import * as path from "path";
import type { z } from "zod";
import { ConfigError, ConfigProblem } from "./errors";
import { expandHome, expandPathTemplate, FEATURE_DIRECTORY } from "./placeholders";
import { officialArchiveVersion, ReleaseSource, resolveReleaseSource } from "./release";
import { DEFAULTS, ManagerConfig, stackConfigSchema, StackConfig, WorkerHostConfig } from "./schema";

/** The Pulumi project name, which is also the stack config namespace. */
export const PROJECT = "flamenco-landscape";

export type LogLevel = StackConfig["logLevel"];

/**
 * How the workers of a render host reach the manager: on the manager's host they join the
 * landscape network; on another host they use the default bridge or the host's network.
 */
export type WorkerNetwork = "landscape" | "bridge" | "host";

/** One render host: a Docker engine that runs `count` workers of this landscape. */
export interface WorkerHostSettings {
  name: string;
  /** Docker endpoint of the host; undefined for the manager's own engine. */
  dockerHost?: string;
  count: number;
  /** The container's GPU request ("all" or a count), as `docker run --gpus` takes it. */
  gpus?: string;
  /** Where this host sees the studio's shared storage (a path on that host). */
  sharedStorage: string;
  /** Directory on that host holding one identity directory (FLAMENCO_HOME) per worker. */
  workersRoot: string;
  network: WorkerNetwork;
  environment: Record<string, string>;
}

/** Everything the program needs, validated, with defaults applied and paths expanded. */
export interface Settings {
  landscape: string;
  landscapesRoot: string;
  enabled: boolean;
  release: ReleaseSource;
  /** Shared by every landscape under the same root. */
  releaseCacheDirectory: string;
  /** Holds flamenco-manager.yaml and the image build context of this landscape. */
  featureDirectory: string;
  ports: { host: number; container: number; bindAddress: string };
  storage: { manager: string; shared: string };
  network: { name: string; alias: string; domain: string };
  baseImage: string;
  timezone: string;
  environment: Record<string, string>;
  logLevel: LogLevel;
  managerUser: string;
  restart: StackConfig["restart"];
  manager: ManagerConfig;
  /** True when the secret key mqttPassword is set; the value itself stays a Pulumi secret. */
  hasMqttPassword: boolean;
  /** Render hosts, in config order. */
  workers: WorkerHostSettings[];
  /** How workers on other hosts reach the manager (needs the studio's DNS by default). */
  managerUrl: string;
  /** Image of the worker containers when it is not the manager image (e.g. one with Blender). */
  workerImage?: string;
}

export interface SettingsContext {
  stack: string;
  homeDirectory: string;
  /** Whether mqttPassword is stored as a secret (`pulumi config set --secret`). */
  mqttPasswordIsSecret?: boolean;
}

export function defaultNetworkName(landscape: string): string {
  return `openstudiolandscapes-${landscape}`;
}

function valueAt(raw: unknown, keyPath: readonly PropertyKey[]): unknown {
  let current: unknown = raw;
  for (const segment of keyPath) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

const HIDDEN = "a value (not shown)";
const PASSWORD_KEY = /password|secret|token/i;

/** A copy of `value` with every password-like property, at any depth, blanked out. */
function withoutPasswords(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPasswords);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, PASSWORD_KEY.test(key) ? HIDDEN : withoutPasswords(inner)]));
  }
  return value;
}

/** The offending value as shown in an error; passwords are never echoed. */
function shownValue(raw: unknown, keyPath: readonly PropertyKey[]): unknown {
  const value = valueAt(raw, keyPath);
  const last = String(keyPath[keyPath.length - 1] ?? "");
  if (PASSWORD_KEY.test(last) && value !== undefined) return HIDDEN;
  return withoutPasswords(value);
}

function keyName(keyPath: readonly PropertyKey[]): string {
  return `${PROJECT}:${keyPath.map(String).join(".")}`;
}

function problemsFromZod(error: z.ZodError, raw: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const unknownKey of issue.keys) {
        const keyPath = [...issue.path, unknownKey];
        const expected =
          keyName(keyPath) === `${PROJECT}:manager.mqtt.password`
            ? `no password here: store it as a secret with "pulumi config set --secret mqttPassword <password>"`
            : "no such key (check its spelling against the README's config reference)";
        problems.push({ key: keyName(keyPath), got: shownValue(raw, keyPath), expected });
      }
      continue;
    }
    if (issue.code === "invalid_key") {
      // A bad map key: the key is the offending value, and its own rule says what is accepted.
      const badKey = issue.path[issue.path.length - 1];
      problems.push({ key: keyName(issue.path), got: badKey, expected: issue.issues.map((inner) => inner.message).join("; ") });
      continue;
    }
    problems.push({ key: keyName(issue.path), got: shownValue(raw, issue.path), expected: issue.message });
  }
  return problems;
}

/**
 * An override named like an official archive of another version than flamencoVersion would
 * tag the image with one version while it holds another.
 */
function releaseVersionMismatch(raw: Record<string, unknown>): ConfigProblem[] {
  const url = valueAt(raw, ["flamencoRelease", "url"]);
  const version = raw.flamencoVersion ?? DEFAULTS.flamencoVersion;
  if (typeof url !== "string") return [];
  const archiveVersion = officialArchiveVersion(url);
  if (archiveVersion === undefined || archiveVersion === version) return [];
  return [
    {
      key: `${PROJECT}:flamencoVersion`,
      got: version,
      expected: `the version of the archive in flamencoRelease.url ("${archiveVersion}"), so the image tag names what it holds`,
    },
  ];
}

/**
 * Validates the raw stack config (keys without namespace, JSON values parsed) and
 * turns it into Settings. Throws one ConfigError listing every problem.
 */
export function parseSettings(raw: Record<string, unknown>, context: SettingsContext): Settings {
  const { mqttPassword, ...stackKeys } = raw;
  const withLandscape = { landscape: context.stack, ...stackKeys };
  const result = stackConfigSchema.safeParse(withLandscape);
  const problems = result.success ? [] : problemsFromZod(result.error, withLandscape);
  if (!("landscape" in stackKeys)) {
    for (const problem of problems) {
      if (problem.key === `${PROJECT}:landscape`) problem.expected += ` (the stack name is used when landscape is not set)`;
    }
  }
  problems.push(...releaseVersionMismatch(withLandscape));
  if (mqttPassword !== undefined && context.mqttPasswordIsSecret === false) {
    problems.push({
      key: `${PROJECT}:mqttPassword`,
      got: "a plain-text value (not shown)",
      expected: 'a secret: set it with "pulumi config set --secret mqttPassword <password>"',
    });
  }
  if (!result.success || problems.length > 0) throw new ConfigError(problems, `stack "${context.stack}"`);
  return toSettings(result.data, mqttPassword !== undefined, context.homeDirectory);
}

/** The manager's address on the studio network, as the OpenStudioLandscapes seed advises. */
export function defaultManagerUrl(network: { alias: string; domain: string }, hostPort: number): string {
  return `http://${network.alias}.${network.domain}:${hostPort}`;
}

/** A host path without a trailing slash, so equal paths give equal mounts. */
function hostDirectory(value: string): string {
  const normalized = path.normalize(value);
  return normalized.length > 1 ? normalized.replace(/\/+$/, "") : normalized;
}

function toWorkerHost(host: WorkerHostConfig, sharedStorage: string, featureDirectory: string): WorkerHostSettings {
  return {
    name: host.name,
    ...(host.dockerHost === undefined ? {} : { dockerHost: host.dockerHost }),
    count: host.count,
    ...(host.gpus === undefined ? {} : { gpus: String(host.gpus) }),
    sharedStorage: hostDirectory(host.sharedStorage ?? sharedStorage),
    workersRoot: hostDirectory(host.workersRoot ?? path.join(featureDirectory, "workers")),
    network: host.dockerHost === undefined ? "landscape" : (host.network ?? "bridge"),
    environment: host.environment,
  };
}

function toSettings(config: StackConfig, hasMqttPassword: boolean, homeDirectory: string): Settings {
  const landscapesRoot = path.normalize(expandHome(config.landscapesRoot, homeDirectory));
  const placeholders = { DOT_LANDSCAPES: landscapesRoot, LANDSCAPE: config.landscape, FEATURE: FEATURE_DIRECTORY };
  const featureDirectory = path.join(landscapesRoot, config.landscape, FEATURE_DIRECTORY);
  const sharedStorage = expandPathTemplate(config.sharedStorage, placeholders, homeDirectory);
  return {
    landscape: config.landscape,
    landscapesRoot,
    enabled: config.enabled,
    release: resolveReleaseSource(config.flamencoVersion, config.flamencoRelease),
    releaseCacheDirectory: path.join(landscapesRoot, ".cache", "flamenco-releases"),
    featureDirectory,
    ports: { host: config.managerPortHost, container: config.managerPortContainer, bindAddress: config.managerBindAddress },
    storage: {
      manager: expandPathTemplate(config.storage, placeholders, homeDirectory),
      shared: sharedStorage,
    },
    network: {
      name: config.network.name ?? defaultNetworkName(config.landscape),
      alias: config.network.alias,
      domain: config.network.domain,
    },
    baseImage: config.baseImage,
    timezone: config.timezone,
    environment: config.environment,
    logLevel: config.logLevel,
    managerUser: config.managerUser,
    restart: config.restart,
    manager: config.manager,
    hasMqttPassword,
    workers: config.workers.map((host) => toWorkerHost(host, sharedStorage, featureDirectory)),
    managerUrl: (config.managerUrl ?? defaultManagerUrl(config.network, config.managerPortHost)).replace(/\/$/, ""),
    ...(config.workerImage === undefined ? {} : { workerImage: config.workerImage }),
  };
}
