import type { z } from "zod";
import { blenderVariables } from "./blenderVariables";
import { resolveBlenderSource } from "./blender";
import { crossKeyProblems, PathKind } from "./crossKeyRules";
import { ConfigError, ConfigProblem } from "./errors";
import { hostDirectory, hostLayout, workersRootOf } from "./layout";
import { ReleaseSource, resolveReleaseSource } from "./release";
import { ManagerConfig, stackConfigSchema, StackConfig, WorkerHostConfig } from "./schema";
import { keyName, PROJECT, shownValue, valueAt } from "./shown";

export { PROJECT };

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
  /** How many database backups under <storage>/backups are kept; older ones are removed. */
  backupsToKeep: number;
  /** Blender's official Linux build, unpacked in the worker image (blenderVersion, blenderRelease). */
  blender?: ReleaseSource;
  /** Debian packages installed in the worker image, sorted, each once; empty: none. */
  workerPackages: string[];
}

export interface SettingsContext {
  stack: string;
  homeDirectory: string;
  /** Whether mqttPassword is stored as a secret (`pulumi config set --secret`). */
  mqttPasswordIsSecret?: boolean;
  /** Looks up what a host path is, so storage that exists as a file is refused at preview. */
  pathKind?: (hostPath: string) => PathKind;
}

function defaultNetworkName(landscape: string): string {
  return `openstudiolandscapes-${landscape}`;
}

function problemsFromZod(error: z.ZodError, raw: Record<string, unknown>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const unknownKey of issue.keys) {
        const keyPath = [...issue.path, unknownKey];
        const expected =
          keyName(keyPath) === `${PROJECT}:manager.mqtt.password`
            ? `no password here: store it as a secret with "pulumi config set --secret mqttPassword", on the project's state backend (docs/data-safety.md)`
            : "no such key (check its spelling against docs/configuration.md)";
        problems.push({ key: keyName(keyPath), got: shownValue(raw, keyPath), expected });
      }
      continue;
    }
    if (issue.code === "invalid_key") {
      // A bad map key: the key is the offending value, and its own rule says what is accepted.
      const badKey = issue.path[issue.path.length - 1];
      problems.push({
        key: keyName(issue.path),
        got: badKey,
        expected: issue.issues.map((inner) => inner.message).join("; "),
      });
      continue;
    }
    problems.push({ key: keyName(issue.path), got: shownValue(raw, issue.path), expected: issue.message });
  }
  return problems;
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
      if (problem.key === `${PROJECT}:landscape`)
        problem.expected += ` (the stack name is used when landscape is not set)`;
    }
  }
  problems.push(
    ...crossKeyProblems(withLandscape, {
      homeDirectory: context.homeDirectory,
      hasMqttPassword: mqttPassword !== undefined,
      pathKind: context.pathKind,
    }),
  );
  if (mqttPassword !== undefined && context.mqttPasswordIsSecret === false) {
    problems.push({
      key: `${PROJECT}:mqttPassword`,
      got: "a plain-text value (not shown)",
      expected:
        'a secret: set it with "pulumi config set --secret mqttPassword", on the project\'s state backend (docs/data-safety.md)',
    });
  }
  if (!result.success || problems.length > 0) throw new ConfigError(problems, `stack "${context.stack}"`);
  const ownVariables = Object.keys((valueAt(withLandscape, ["manager", "variables"]) ?? {}) as object);
  return toSettings(result.data, mqttPassword !== undefined, context.homeDirectory, ownVariables);
}

/** The manager's address on the studio network, as the OpenStudioLandscapes seed advises. */
function defaultManagerUrl(network: { alias: string; domain: string }, hostPort: number): string {
  return `http://${network.alias}.${network.domain}:${hostPort}`;
}

function toWorkerHost(host: WorkerHostConfig, sharedStorage: string, featureDirectory: string): WorkerHostSettings {
  return {
    name: host.name,
    ...(host.dockerHost === undefined ? {} : { dockerHost: host.dockerHost }),
    count: host.count,
    ...(host.gpus === undefined ? {} : { gpus: String(host.gpus) }),
    sharedStorage: hostDirectory(host.sharedStorage ?? sharedStorage),
    workersRoot: workersRootOf(host, featureDirectory),
    network: host.dockerHost === undefined ? "landscape" : (host.network ?? "bridge"),
    environment: host.environment,
  };
}

/**
 * `ownVariables`: the manager variables the stack sets itself, which the worker image's
 * Blender never replaces.
 */
function toSettings(
  config: StackConfig,
  hasMqttPassword: boolean,
  homeDirectory: string,
  ownVariables: readonly string[],
): Settings {
  const { landscapesRoot, featureDirectory, releaseCacheDirectory, storage } = hostLayout(config, homeDirectory);
  const blender =
    config.blenderVersion === undefined
      ? undefined
      : resolveBlenderSource(config.blenderVersion, config.blenderRelease);
  const workerPackages = [...new Set(config.workerPackages)].sort();
  return {
    landscape: config.landscape,
    landscapesRoot,
    enabled: config.enabled,
    release: resolveReleaseSource(config.flamencoVersion, config.flamencoRelease),
    releaseCacheDirectory,
    featureDirectory,
    ports: {
      host: config.managerPortHost,
      container: config.managerPortContainer,
      bindAddress: config.managerBindAddress,
    },
    storage,
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
    manager: {
      ...config.manager,
      variables: blenderVariables(config.manager.variables, { blender, workerPackages }, ownVariables),
    },
    hasMqttPassword,
    workers: config.workers.map((host) => toWorkerHost(host, storage.shared, featureDirectory)),
    managerUrl: (config.managerUrl ?? defaultManagerUrl(config.network, config.managerPortHost)).replace(/\/$/, ""),
    ...(config.workerImage === undefined ? {} : { workerImage: config.workerImage }),
    backupsToKeep: config.backupsToKeep,
    ...(blender === undefined ? {} : { blender }),
    workerPackages,
  };
}
