import { ConfigError, ConfigProblem } from "./config/errors";
import type { PathKind } from "./config/crossKeyRules";
import { parseSettings, PROJECT, Settings } from "./config/settings";
import { isRecord } from "./config/values";
import type { FlamencoLandscapeArgs, RenderHost } from "./flamencoLandscapeArgs";

/*
 * Stack config and the component's arguments are one set of settings: stack config keys map
 * onto FlamencoLandscapeArgs (index.ts declares the component with them), and the arguments map
 * back onto stack config keys, which the schema validates. Only the fields that stack config
 * writes as one of two shapes have other names here.
 */

type Raw = Record<string, unknown>;

function withoutUndefined(entries: Raw): Raw {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

function hostToStackConfig(host: RenderHost): unknown {
  if (!isRecord(host)) return host;
  const { allGpus, gpuCount, ...rest } = host;
  return withoutUndefined({ ...rest, gpus: allGpus === true ? "all" : gpuCount });
}

/** The stack config keys (without namespace) the arguments stand for; mqttPassword is left out. */
/** `{url, sha256}` of stack config, from its two arguments; undefined when neither is given. */
function archiveSource(url: unknown, sha256: unknown): Raw | undefined {
  return url === undefined && sha256 === undefined ? undefined : withoutUndefined({ url, sha256 });
}

export function argsToStackConfig(args: FlamencoLandscapeArgs): Raw {
  const {
    flamencoReleaseUrl,
    flamencoReleaseSha256,
    blenderReleaseUrl,
    blenderReleaseSha256,
    workers,
    mqttPassword: _secret,
    ...rest
  } = args;
  return withoutUndefined({
    ...rest,
    flamencoRelease: archiveSource(flamencoReleaseUrl, flamencoReleaseSha256),
    blenderRelease: archiveSource(blenderReleaseUrl, blenderReleaseSha256),
    workers: Array.isArray(workers) ? workers.map(hostToStackConfig) : workers,
  });
}

function hostToArgs(host: unknown): unknown {
  if (!isRecord(host)) return host;
  const { gpus, ...rest } = host;
  if (gpus === "all") return { ...rest, allGpus: true };
  return withoutUndefined({ ...rest, gpuCount: gpus });
}

function environmentToArgs(environment: unknown): unknown {
  if (!isRecord(environment)) return environment;
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, String(value)]));
}

/** The component's arguments for a stack's config keys (without namespace, values parsed). */
export function stackConfigToArgs(raw: Raw): FlamencoLandscapeArgs {
  const { flamencoRelease, blenderRelease, workers, environment, ...rest } = raw;
  const release = isRecord(flamencoRelease) ? flamencoRelease : {};
  const blender = isRecord(blenderRelease) ? blenderRelease : {};
  return withoutUndefined({
    ...rest,
    flamencoReleaseUrl: release.url,
    flamencoReleaseSha256: release.sha256,
    blenderReleaseUrl: blender.url,
    blenderReleaseSha256: blender.sha256,
    environment: environmentToArgs(environment),
    workers: Array.isArray(workers)
      ? workers.map((host) =>
          isRecord(host) ? { ...(hostToArgs(host) as Raw), environment: environmentToArgs(host.environment) } : host,
        )
      : workers,
  }) as FlamencoLandscapeArgs;
}

/** A stack config key as the argument that stands for it: `flamenco-landscape:flamencoRelease.url` is `flamencoReleaseUrl`. */
export function argumentName(key: string, args: FlamencoLandscapeArgs): string {
  const bare = key.startsWith(`${PROJECT}:`) ? key.slice(PROJECT.length + 1) : key;
  if (bare === "flamencoRelease" || bare === "flamencoRelease.url") return "flamencoReleaseUrl";
  if (bare === "flamencoRelease.sha256") return "flamencoReleaseSha256";
  if (bare === "blenderRelease" || bare === "blenderRelease.url") return "blenderReleaseUrl";
  if (bare === "blenderRelease.sha256") return "blenderReleaseSha256";
  const gpus = /^workers\.(\d+)\.gpus$/.exec(bare);
  if (gpus) {
    const host = args.workers?.[Number(gpus[1])];
    return `workers.${gpus[1]}.${host?.gpuCount !== undefined ? "gpuCount" : "allGpus"}`;
  }
  return bare;
}

export interface ArgsContext {
  /** The component's name, for the error. */
  readonly name: string;
  /** The stack name: the landscape's name when the arguments give none. */
  readonly stack: string;
  readonly homeDirectory: string;
  readonly pathKind?: (hostPath: string) => PathKind;
}

export const ARGS_HINT = "Nothing was created. Fix these arguments of FlamencoLandscape and run again.";

/**
 * Validates the arguments with the stack config's schema and rules; one ConfigError names every
 * bad argument, by its own name.
 */
export function settingsFromArgs(args: FlamencoLandscapeArgs, context: ArgsContext): Settings {
  const raw = argsToStackConfig(args);
  if (args.mqttPassword !== undefined) raw.mqttPassword = "(a secret)";
  const problems: ConfigProblem[] = bothGpuArguments(args);
  let settings: Settings | undefined;
  try {
    settings = parseSettings(raw, {
      stack: context.stack,
      homeDirectory: context.homeDirectory,
      pathKind: context.pathKind,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems.map((problem) => ({ ...problem, key: argumentName(problem.key, args) })));
  }
  if (settings === undefined || problems.length > 0) {
    throw new ConfigError(problems, `FlamencoLandscape "${context.name}"`, ARGS_HINT);
  }
  return settings;
}

/** Stack config's gpus is all or a count; here they are two arguments, and only one may be given. */
function bothGpuArguments(args: FlamencoLandscapeArgs): ConfigProblem[] {
  return (Array.isArray(args.workers) ? args.workers : []).flatMap((host, index) =>
    isRecord(host) && host.allGpus === true && host.gpuCount !== undefined
      ? [{ key: `workers.${index}.allGpus`, got: true, expected: "allGpus or gpuCount, not both" }]
      : [],
  );
}
