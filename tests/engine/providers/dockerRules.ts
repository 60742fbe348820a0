/**
 * What the official docker provider 5.2.0 answers to Check and Diff, for the properties this
 * program uses: the rules of the docker provider STAND-IN (docker.ts), kept pure so they are
 * tested without an engine. Sources: pulumi/pulumi-docker (provider/resources.go, provider.go,
 * image.go) and the terraform provider it bridges, kreuzwerker/terraform-provider-docker v4.5.0
 * (internal/provider/resource_docker_container.go, resource_docker_network.go), through
 * pulumi-terraform-bridge v3.137.0 (pkg/tfbridge/provider.go Diff, detailed_diff.go).
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { DiffAnswer, DiffKind, Properties } from "./pluginServer";
import { isUnknown } from "./pluginServer";
import { changedPaths, same } from "./propertyDiff";

/** Container inputs the program sets; any other is refused. Pulumi names of the TF schema. */
export const CONTAINER_INPUTS = [
  "name",
  "image",
  "hostname",
  "domainname",
  "restart",
  "command",
  "envs",
  "ports",
  "volumes",
  "networksAdvanced",
  "networkMode",
  "healthcheck",
  "labels",
  "wait",
  "waitTimeout",
  "user",
  "gpus",
  "destroyGraceSeconds",
] as const;

/** Inputs the terraform schema marks ForceNew (resource_docker_container.go): a change replaces. */
const CONTAINER_FORCE_NEW = new Set([
  "name",
  "image",
  "hostname",
  "domainname",
  "command",
  "envs",
  "ports",
  "volumes",
  "networksAdvanced",
  "networkMode",
  "labels",
  "user",
  "gpus",
]);

/**
 * Sets that are ForceNew and Computed: made wholly unknown (the engine's dependent-replacement
 * probe, step_generator.go calculateDependentReplacements), the terraform SDK drops their diff
 * (helper/schema/schema.go finalizeDiff: "a computed value with an old value set already"),
 * so the provider answers no change at all.
 */
const CONTAINER_COMPUTED_SETS = new Set(["labels", "envs"]);

/** Sets whose elements the bridge does not match one by one: a change names the whole set. */
const CONTAINER_WHOLE_SETS = new Set(["volumes", "networksAdvanced"]);

/**
 * Defaults the bridge's Check writes into a container's inputs (resource_docker_container.go
 * Default values), listed under `__defaults` as the bridge does.
 */
const CONTAINER_DEFAULTS: Properties = {
  containerReadRefreshTimeoutMilliseconds: 15000,
  mustRun: true,
  networkMode: "bridge",
  removeVolumes: true,
  restart: "no",
  start: true,
  waitTimeout: 60,
};

/** Network inputs the program sets; every one is ForceNew and the network has no update. */
export const NETWORK_INPUTS = ["name", "labels"] as const;

/** Image inputs the program sets (provider/image.go Image args). */
export const IMAGE_INPUTS = ["imageName", "skipPush", "build", "buildOnPreview"] as const;
const IMAGE_BUILD_INPUTS = ["context", "dockerfile", "args", "platform", "network", "contextDigest"];

/** Properties a Check adds or computes itself; not inputs of the program. */
const BRIDGE_INTERNAL = ["__defaults", "__meta", "__inputs"];
export { BRIDGE_INTERNAL };

export interface Failure {
  property: string;
  reason: string;
}

/** A property this stand-in does not implement: a loud Check failure, never a silent pass. */
export function unimplemented(
  resource: string,
  properties: Properties,
  implemented: readonly string[],
  defaults: Properties = {},
): Failure[] {
  return Object.keys(properties)
    .filter((key) => !implemented.includes(key) && !(key in defaults) && !BRIDGE_INTERNAL.includes(key))
    .map((property) => ({
      property,
      reason: `the docker provider stand-in does not implement ${resource}.${property} (only ${implemented.join(", ")})`,
    }));
}

const RESTART = /^(no|on-failure|always|unless-stopped)$/;

/** Check of a container: validation and the bridge's defaults (provider.go Check, via the bridge). */
export function checkContainer(news: Properties): { inputs: Properties; failures: Failure[] } {
  const failures = unimplemented("Container", news, CONTAINER_INPUTS, CONTAINER_DEFAULTS);
  const defaults = Object.keys(CONTAINER_DEFAULTS).filter((key) => news[key] === undefined);
  const inputs: Properties = { ...news, __defaults: defaults };
  for (const key of defaults) inputs[key] = CONTAINER_DEFAULTS[key];
  if (typeof inputs.restart === "string" && !RESTART.test(inputs.restart)) {
    failures.push({
      property: "restart",
      reason: `'${inputs.restart}' doesn't match the pattern '^(no|on-failure|always|unless-stopped)$'`,
    });
  }
  if (Array.isArray(news.ports)) {
    inputs.ports = (news.ports as Properties[]).map((port) => {
      const added = ["ip", "protocol"].filter((key) => port[key] === undefined || port[key] === "");
      return { ...port, ip: port.ip || "0.0.0.0", protocol: port.protocol ?? "tcp", __defaults: added };
    });
  }
  if (news.healthcheck && typeof news.healthcheck === "object" && !isUnknown(news.healthcheck)) {
    const healthcheck = news.healthcheck as Properties;
    const added = ["interval", "startInterval", "startPeriod", "timeout"].filter(
      (key) => healthcheck[key] === undefined,
    );
    inputs.healthcheck = {
      ...healthcheck,
      ...Object.fromEntries(added.map((key) => [key, "0s"])),
      __defaults: added,
    };
  }
  return { inputs, failures };
}

function withReplace(kind: "add" | "delete" | "update", replaces: boolean): DiffKind {
  return replaces ? (`${kind}-replace` as DiffKind) : kind;
}

/**
 * Diff of a container (bridge: provider.go Diff; resources.go marks docker_container
 * DeleteBeforeReplace): a ForceNew change replaces it, deleted first; a change of the other
 * inputs (restart, healthcheck, wait, waitTimeout, destroyGraceSeconds) updates it in place.
 */
export function diffContainer(olds: Properties, news: Properties): DiffAnswer {
  const detailedDiff: Record<string, DiffKind> = {};
  const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter(
    (key) =>
      !BRIDGE_INTERNAL.includes(key) &&
      (CONTAINER_INPUTS as readonly string[]).concat(Object.keys(CONTAINER_DEFAULTS)).includes(key),
  );
  for (const key of keys.sort()) {
    const before = olds[key];
    const after = news[key];
    if (isUnknown(after) && CONTAINER_COMPUTED_SETS.has(key) && before !== undefined) continue;
    // user: a removed user is suppressed (DiffSuppressFunc when the new value is "").
    if (key === "user" && (after === undefined || after === "")) continue;
    let paths = changedPaths(key, before, after);
    if (CONTAINER_WHOLE_SETS.has(key) && Object.keys(paths).length > 0) {
      paths = { [key]: before === undefined ? "add" : after === undefined ? "delete" : "update" };
    }
    for (const [changed, kind] of Object.entries(paths)) {
      detailedDiff[changed] = withReplace(kind, CONTAINER_FORCE_NEW.has(key));
    }
  }
  return bridgedAnswer(detailedDiff, true);
}

/** The bridge's wire answer from a detailed diff (tfbridge/provider.go Diff, L1287-1304). */
function bridgedAnswer(detailedDiff: Record<string, DiffKind>, deleteBeforeReplace: boolean): DiffAnswer {
  const head = (changed: string) => changed.split(/[.[]/)[0];
  const diffs = [...new Set(Object.keys(detailedDiff).map(head))].sort();
  const replaces = [
    ...new Set(
      Object.entries(detailedDiff)
        .filter(([, kind]) => kind.endsWith("-replace"))
        .map(([changed]) => head(changed)),
    ),
  ].sort();
  return {
    changes: diffs.length > 0,
    diffs,
    replaces,
    detailedDiff,
    deleteBeforeReplace: replaces.length > 0 && deleteBeforeReplace,
  };
}

/**
 * Diff of a network: every input is ForceNew and the network has no update
 * (resource_docker_network.go); a replace deletes first when the name is the user's own
 * (tfbridge/schema.go nameRequiresDeleteBeforeReplace), as the program's always is.
 */
export function diffNetwork(olds: Properties, news: Properties): DiffAnswer {
  const detailedDiff: Record<string, DiffKind> = {};
  for (const key of NETWORK_INPUTS) {
    for (const [changed, kind] of Object.entries(changedPaths(key, olds[key], news[key]))) {
      detailedDiff[changed] = withReplace(kind, true);
    }
  }
  return bridgedAnswer(detailedDiff, typeof news.name === "string");
}

/** Files of a build context, minus what its .dockerignore excludes (simple patterns: names, dir/, *.ext). */
function contextFiles(context: string, ignored: readonly string[], relative = ""): string[] {
  const directory = path.join(context, relative);
  return fs
    .readdirSync(directory, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const file = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (ignored.some((pattern) => matchesIgnore(pattern, file))) return [];
      return entry.isDirectory() ? contextFiles(context, ignored, file) : [file];
    });
}

function matchesIgnore(pattern: string, file: string): boolean {
  const clean = pattern.replace(/^\/+|\/+$/g, "");
  if (clean === "") return false;
  const expression = new RegExp(
    `^${clean
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join("[^/]*")}(/.*)?$`,
  );
  return expression.test(file);
}

/**
 * The build context's digest, as the provider's Check computes it (image.go hashContext):
 * the Dockerfile, then each file not excluded by .dockerignore, by path, mode and content.
 * A change of an ignored file leaves it the same, so nothing is rebuilt.
 */
export function contextDigest(context: string, dockerfile: string): string {
  const ignoreFile = fs.existsSync(`${dockerfile}.dockerignore`)
    ? `${dockerfile}.dockerignore`
    : path.join(context, ".dockerignore");
  const ignored = fs.existsSync(ignoreFile)
    ? fs
        .readFileSync(ignoreFile, "utf8")
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#"))
    : [];
  const hash = createHash("sha256");
  const entry = (name: string, mode: string, content: Buffer) => {
    hash.update(`${name}${mode}${createHash("sha256").update(content).digest("hex")}`);
    hash.update(Buffer.from([0]));
  };
  entry("Dockerfile", "----------", fs.readFileSync(dockerfile));
  for (const file of contextFiles(context, ignored)) {
    const full = path.join(context, file);
    const stat = fs.lstatSync(full);
    const content = stat.isSymbolicLink() ? Buffer.from(fs.realpathSync(full)) : fs.readFileSync(full);
    entry(file, (stat.mode & 0o777).toString(8), content);
  }
  return hash.digest("hex");
}

/**
 * Check of an image (provider.go Check): buildOnPreview false unless set, the platform of the
 * provider's machine when none is given, and the context digest when the context is known.
 */
export function checkImage(news: Properties): { inputs: Properties; failures: Failure[] } {
  const failures = unimplemented("Image", news, IMAGE_INPUTS);
  const build = (news.build ?? {}) as Properties;
  failures.push(
    ...Object.keys(build)
      .filter((key) => !IMAGE_BUILD_INPUTS.includes(key))
      .map((key) => ({
        property: `build.${key}`,
        reason: `the docker provider stand-in does not implement Image.build.${key}`,
      })),
  );
  const inputs: Properties = { ...news, buildOnPreview: news.buildOnPreview === true };
  if (isUnknown(news.build)) return { inputs, failures };
  const checkedBuild: Properties = { ...build, platform: build.platform ?? "linux/amd64" };
  const context = typeof build.context === "string" && !isUnknown(build.context) ? build.context : undefined;
  const dockerfile =
    typeof build.dockerfile === "string" && !isUnknown(build.dockerfile)
      ? build.dockerfile
      : context === undefined
        ? undefined
        : path.join(context, "Dockerfile");
  if (context !== undefined && dockerfile !== undefined) {
    if (!fs.existsSync(dockerfile)) {
      failures.push({
        property: "build.dockerfile",
        reason: `could not open dockerfile at relative path "${dockerfile}"`,
      });
    } else {
      checkedBuild.dockerfile = dockerfile;
      checkedBuild.contextDigest = contextDigest(context, dockerfile);
    }
  }
  inputs.build = checkedBuild;
  return { inputs, failures };
}

/**
 * Diff of an image (provider.go Diff): the new inputs against those stored with the image;
 * any change is an update that builds again, never a replace; top-level keys only.
 */
export function diffImage(storedInputs: Properties, news: Properties): DiffAnswer {
  const detailedDiff: Record<string, DiffKind> = {};
  for (const key of [...new Set([...Object.keys(storedInputs), ...Object.keys(news)])].sort()) {
    if (BRIDGE_INTERNAL.includes(key)) continue;
    const before = storedInputs[key];
    const after = news[key];
    if (same(before, after)) continue;
    detailedDiff[key] = before === undefined ? "add" : after === undefined ? "delete" : "update";
  }
  return { changes: Object.keys(detailedDiff).length > 0, detailedDiff };
}

/** DiffConfig of the provider (bridge configDiffer): a changed host updates it, never replaces. */
export function diffProviderConfig(olds: Properties, news: Properties): DiffAnswer {
  const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].filter((key) => key !== "version");
  const changed = keys.filter((key) => !same(olds[key], news[key])).sort();
  return {
    changes: changed.length > 0,
    diffs: changed,
    detailedDiff: Object.fromEntries(changed.map((key) => [key, olds[key] === undefined ? "add" : "update"])),
  };
}

/** Go's time.Duration String(): how Read writes the health check's durations back ("1m" is "1m0s"). */
export function goDurationString(value: string): string {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let nanoseconds = 0;
  for (const match of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g))
    nanoseconds += Number(match[1]) * units[match[2]];
  nanoseconds = Math.round(nanoseconds);
  if (nanoseconds === 0) return "0s";
  if (nanoseconds < 1e9) {
    if (nanoseconds < 1e3) return `${nanoseconds}ns`;
    if (nanoseconds < 1e6) return `${nanoseconds / 1e3}µs`;
    return `${nanoseconds / 1e6}ms`;
  }
  const hours = Math.floor(nanoseconds / 3600e9);
  const minutes = Math.floor((nanoseconds % 3600e9) / 60e9);
  const seconds = (nanoseconds % 60e9) / 1e9;
  return `${hours > 0 ? `${hours}h` : ""}${hours > 0 || minutes > 0 ? `${minutes}m` : ""}${seconds}s`;
}

/** A Go duration in nanoseconds, as the Engine API takes a health check's durations. */
export function durationNanoseconds(value: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  for (const match of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)/g)) total += Number(match[1]) * units[match[2]];
  return Math.round(total);
}
