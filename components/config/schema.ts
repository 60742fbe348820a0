import { z } from "zod";
import { CONTAINER_PATHS } from "./containerLayout";
import { GO_DURATION_HINT, isGoDuration } from "./durations";
import { BLENDER_NAMING, BLENDER_VERSION_PATTERN } from "./blender";
import { isWithin } from "./flamencoPaths";
import { DNS_LABEL, DOCKER_OBJECT_NAME, isDnsName, isIpLiteral } from "./network";
import { PLACEHOLDERS, templateIsAbsolute, unknownPlaceholders } from "./placeholders";
import { ArchiveNaming, checksumListBeside, FLAMENCO_NAMING } from "./release";

/**
 * Defaults of the stack config keys. They equal the OpenStudioLandscapes-Flamenco
 * defaults, and Pulumi.yaml declares the same values (a test keeps them in step).
 */
export const DEFAULTS = {
  landscapesRoot: "~/.openstudiolandscapes/landscapes",
  enabled: true,
  flamencoVersion: "3.7",
  managerPortHost: 8484,
  managerPortContainer: 8080,
  managerBindAddress: "0.0.0.0",
  storage: "{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}/storage",
  sharedStorage: "{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}/shared_storage",
  networkAlias: "flamenco-manager",
  networkDomain: "openstudiolandscapes.lan",
  baseImage: "debian:bookworm-slim",
  timezone: "UTC",
  logLevel: "info",
  managerUser: "1000:1000",
  allowRootUser: false,
  restart: "always",
  managerName: "OpenStudioLandscapes-Flamenco",
  databaseCheckPeriod: "10m",
  taskTimeout: "10m",
  workerTimeout: "1m",
  blocklistThreshold: 3,
  taskFailAfterSoftfailCount: 3,
  autodiscoverable: false,
  shamanEnabled: true,
  shamanGarbageCollectPeriod: "24h",
  shamanGarbageCollectMaxAge: "744h",
  backupsToKeep: 5,
} as const;

export const LANDSCAPE_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
/** A Flamenco release version: 3.7, 3.6.1, 3.8-beta1. */
export const VERSION_PATTERN = /^\d+(?:\.\d+){1,2}(?:-[A-Za-z0-9.]+)?$/;
const SHA256_PATTERN = /^[0-9a-fA-F]{64}$/;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Loose image reference check: `[registry[:port]/]name[:tag][@sha256:digest]`. */
const IMAGE_REFERENCE =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;

export const HINTS = {
  landscape: "lowercase letters, digits, '_', '.', '-', starting with a letter or digit, at most 63 characters",
  absolutePath: "an absolute path (may start with ~)",
  mountPath: "a path without ':' or ',' (Docker splits mount specifications at them)",
  boolean: "true or false",
  version: 'a Flamenco release version such as "3.7" or "3.6.1"',
  releaseUrl: "an https://, http:// or file:// URL, or an absolute path",
  releaseUrlCredentials:
    "a URL without credentials (user:password@): they would be kept in the state and shown in logs; serve the release where it needs none, or copy it and use a file:// URL",
  sha256: "64 hexadecimal characters (the archive's sha256)",
  sha256Required:
    "a sha256: only an https:// url named like an official archive (flamenco-<version>-linux-amd64.tar.gz) is checked against the checksum list published beside it; http://, file:// and local paths need the archive's sha256",
  port: "an integer from 1 to 65535",
  ipLiteral: 'an IP address such as "0.0.0.0" or "127.0.0.1"',
  pathTemplate: `an absolute path (may start with ~ or {DOT_LANDSCAPES}) using only the placeholders ${PLACEHOLDERS.map((p) => `{${p}}`).join(", ")}`,
  networkName: "a Docker network name: letters, digits, '_', '.', '-', starting with a letter or digit",
  reservedNetworkName: "a network name of this landscape, not host, bridge or none (Docker's own networks)",
  dnsLabel: "a DNS label: lowercase letters, digits and '-', at most 63 characters",
  dnsName: "a DNS name such as openstudiolandscapes.lan",
  imageReference: 'a Docker image reference such as "debian:bookworm-slim"',
  timezone: 'an IANA time zone such as "UTC" or "Europe/Zurich"',
  environment:
    "a map of variable names ([A-Za-z_][A-Za-z0-9_]*) to strings without NUL characters; TZ and PATH are set by the program (TZ is set by the timezone key)",
  logLevel: "one of quiet, info, debug, trace",
  managerUser: 'a numeric "uid" or "uid:gid" the manager runs as, such as "1000:1000"',
  restart: "one of no, on-failure, always, unless-stopped",
  name: "a non-empty string",
  duration: GO_DURATION_HINT,
  count: "a whole number from 0 upwards",
  hostName: "a render host name: a DNS label (lowercase letters, digits and '-', at most 63 characters)",
  uniqueHostName: "a render host name used only once",
  dockerHost:
    'a Docker endpoint: "unix:///absolute/path.sock", "tcp://host:port" or "ssh://user@host" (leave it out for the manager\'s own engine)',
  gpus: "all or a whole number of GPUs from 1 upwards",
  hostPath: "an absolute path on that render host, such as /mnt/projects, without ':' or ','",
  workerNetwork: "one of bridge, host",
  workerNetworkLocal:
    "no network: workers on the manager's host join the landscape network (network applies to hosts with a dockerHost)",
  remoteSharedStorage:
    "where this render host sees the studio's shared storage (required for a host with a dockerHost)",
  workerEnvironment:
    "a map of variable names ([A-Za-z_][A-Za-z0-9_]*) to strings without NUL characters; TZ, PATH, FLAMENCO_HOME and FLAMENCO_WORKER_NAME are set by the program",
  managerUrl:
    'an http:// or https:// URL of the manager without path, such as "http://flamenco-manager.studio.lan:8484"',
  backupsToKeep: "a whole number of database backups to keep, from 1 upwards",
  blenderVersion: 'a Blender release version such as "4.2.3" (major.minor.patch, as in blender-4.2.3-linux-x64.tar.xz)',
  blenderReleaseUrl:
    "an https://, http:// or file:// URL, or an absolute path, of a .tar.xz archive of Blender's Linux build (named like blender-<version>-linux-x64.tar.xz where it can be)",
  blenderSha256Required:
    "a sha256 beside the url: only an https:// url named like an official archive (blender-<version>-linux-x64.tar.xz) is checked against the checksum list published beside it (blender-<version>.sha256); http://, file:// and local paths need the archive's sha256",
  debianPackage:
    'a Debian package name (lowercase letters, digits, "+", "-" and ".", at least two characters, starting with a letter or digit), optionally pinned to a version: "blender" or "blender=3.4.1+dfsg-2+b1"',
  object: "an object",
  platform: "one of all, linux, windows, darwin, manager",
  extraCheckoutPath: `an absolute path inside the shared storage as the manager sees it (${CONTAINER_PATHS.sharedStorage}/...): the manager walks it in its own container`,
  variableName:
    "a variable name ([A-Za-z_][A-Za-z0-9_-]*) other than jobs, which Flamenco sets itself to the Shaman checkout path and drops when configured",
  mqttBroker:
    "a broker URL that Flamenco's MQTT client dials: mqtt://, tcp://, ssl://, tls://, mqtts://, mqtt+ssl:// or tcps:// with host and port, or ws:// or wss://",
  audience: "one of all, workers, users",
} as const;

/** Docker splits a bind mount's "host:container:options" (and --mount's "k=v,k=v") at these. */
function isMountablePath(value: string): boolean {
  return !/[:,]/.test(value);
}

const absolutePath = z
  .string({ error: HINTS.absolutePath })
  .refine((value) => value.startsWith("/") || value === "~" || value.startsWith("~/"), { error: HINTS.absolutePath })
  .refine(isMountablePath, { error: HINTS.mountPath });

const port = z.int({ error: HINTS.port }).min(1, { error: HINTS.port }).max(65535, { error: HINTS.port });
const duration = z.string({ error: HINTS.duration }).refine(isGoDuration, { error: HINTS.duration });
const count = z.int({ error: HINTS.count }).min(0, { error: HINTS.count });
const nonEmpty = z.string({ error: HINTS.name }).min(1, { error: HINTS.name });

const pathTemplate = z.string({ error: HINTS.pathTemplate }).superRefine((template, ctx) => {
  const unknown = unknownPlaceholders(template);
  if (unknown.length > 0) {
    ctx.addIssue({
      code: "custom",
      message: `${HINTS.pathTemplate} (unknown placeholder ${unknown.map((p) => `{${p}}`).join(", ")})`,
    });
  } else if (!templateIsAbsolute(template)) {
    ctx.addIssue({ code: "custom", message: `${HINTS.pathTemplate} (this one is relative)` });
  }
  if (!isMountablePath(template)) ctx.addIssue({ code: "custom", message: HINTS.mountPath });
});

function hasNoCredentials(value: string): boolean {
  try {
    const url = new URL(value);
    return url.username === "" && url.password === "";
  } catch {
    return true;
  }
}

/**
 * Only https protects the published checksum list on its way; over http or from a local
 * copy, list and archive could be swapped together, so the config must pin the digest.
 */
function verifiableWithoutSha256(url: string, naming: ArchiveNaming): boolean {
  return url.startsWith("https://") && checksumListBeside(url, naming) !== undefined;
}

function isUrlOrAbsolutePath(value: string): boolean {
  if (value.startsWith("/")) return true;
  try {
    const url = new URL(value);
    return ["https:", "http:", "file:"].includes(url.protocol) && url.pathname.length > 1;
  } catch {
    return false;
  }
}

/**
 * Intl accepts zone names in any letter case, but the zone files TZ is looked up in are
 * case-sensitive ("europe/zurich" would silently run on UTC), so the case is checked too.
 */
function isTimezone(value: string): boolean {
  if (value !== "UTC" && !/^[A-Z][A-Za-z0-9_+-]*(?:\/[A-Z0-9][A-Za-z0-9_+-]*)*$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const sha256 = z.string({ error: HINTS.sha256 }).regex(SHA256_PATTERN, { error: HINTS.sha256 });

const releaseOverride = z
  .strictObject(
    {
      url: z
        .string({ error: HINTS.releaseUrl })
        .refine(isUrlOrAbsolutePath, { error: HINTS.releaseUrl })
        .refine(hasNoCredentials, { error: HINTS.releaseUrlCredentials }),
      sha256: sha256.optional(),
    },
    { error: "an object {url, sha256}" },
  )
  .refine(
    (release) =>
      release.sha256 !== undefined ||
      !isUrlOrAbsolutePath(release.url) ||
      verifiableWithoutSha256(release.url, FLAMENCO_NAMING),
    {
      error: HINTS.sha256Required,
      path: ["sha256"],
    },
  );

function isTarXz(value: string): boolean {
  return value.slice(value.lastIndexOf("/") + 1).endsWith(".tar.xz");
}

/**
 * Where the official Blender build comes from when not from download.blender.org. A missing
 * sha256 is reported on the whole object, so the error shows the url that needs one.
 */
const blenderRelease = z
  .strictObject(
    {
      url: z
        .string({ error: HINTS.blenderReleaseUrl })
        .refine((url) => isUrlOrAbsolutePath(url) && isTarXz(url), { error: HINTS.blenderReleaseUrl })
        .refine(hasNoCredentials, { error: HINTS.releaseUrlCredentials }),
      sha256: sha256.optional(),
    },
    { error: "an object {url, sha256?}" },
  )
  .refine(
    (release) =>
      release.sha256 !== undefined ||
      !isUrlOrAbsolutePath(release.url) ||
      verifiableWithoutSha256(release.url, BLENDER_NAMING),
    { error: HINTS.blenderSha256Required },
  );

/**
 * A Debian package as apt-get takes it: Debian policy's package name, optionally `=version`
 * (Debian's version syntax, epoch included). Nothing else reaches the build's shell.
 */
const DEBIAN_PACKAGE = /^[a-z0-9][a-z0-9+.-]+(?:=(?:\d+:)?\d[A-Za-z0-9.+~-]*)?$/;

const workerPackages = z.array(
  z.string({ error: HINTS.debianPackage }).regex(DEBIAN_PACKAGE, { error: HINTS.debianPackage }),
  { error: "a list of Debian package names" },
);

/** Extra container variables; `reserved` names are set by the program itself. */
function environmentMap(reserved: readonly string[], hint: string) {
  return z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean()], { error: hint }), { error: hint })
    .superRefine((variables, ctx) => {
      for (const [name, value] of Object.entries(variables)) {
        if (!ENV_NAME_PATTERN.test(name) || reserved.includes(name) || String(value).includes("\0")) {
          ctx.addIssue({ code: "custom", path: [name], message: hint });
        }
      }
    })
    .transform((variables) =>
      Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, String(value)])),
    );
}

/** Variables of the manager container the program sets itself (PATH comes from the image). */
export const MANAGER_RESERVED_VARIABLES = ["TZ", "PATH"] as const;

const environment = environmentMap(MANAGER_RESERVED_VARIABLES, HINTS.environment);

const variableValue = z
  .strictObject(
    {
      platform: z.enum(["all", "linux", "windows", "darwin", "manager"], { error: HINTS.platform }).optional(),
      platforms: z
        .array(z.enum(["all", "linux", "windows", "darwin", "manager"], { error: HINTS.platform }))
        .optional(),
      audience: z.enum(["all", "workers", "users"], { error: HINTS.audience }).optional(),
      value: z.string({ error: "a string" }),
    },
    { error: "an object {platform | platforms, audience?, value}" },
  )
  .refine((entry) => (entry.platform === undefined) !== (entry.platforms === undefined), {
    error: "exactly one of platform or platforms",
  });

const variable = z.strictObject(
  {
    isTwoway: z.boolean({ error: HINTS.boolean }).optional(),
    values: z.array(variableValue, { error: "a list of {platform, value}" }).min(1, { error: "at least one value" }),
  },
  { error: "an object {isTwoway?, values}" },
);

/**
 * A broker URL the manager's MQTT client can dial: Go's url.Parse, then a scheme autopaho
 * knows (github.com/eclipse/paho.golang v0.12.0, autopaho/net.go); TCP and TLS dial the URL's
 * host, which needs a port (internal/manager/eventbus/mqtt_client.go, NewMQTTForwarder).
 */
export function isMqttBrokerUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return false;
  }
  const scheme = url.protocol.slice(0, -1);
  if (url.hostname === "") return false;
  if (["ws", "wss"].includes(scheme)) return true;
  return ["mqtt", "tcp", "ssl", "tls", "mqtts", "mqtt+ssl", "tcps"].includes(scheme) && url.port !== "";
}

/** Flamenco sets this variable itself and drops a configured one (internal/manager/config/config.go, ensureVariablesUnique). */
const IMPLICIT_VARIABLE = "jobs";

/** A path the manager walks in its own container lands on storage only inside the shared-storage mount. */
function isSharedStorageContainerPath(value: string): boolean {
  return value.startsWith("/") && isWithin(CONTAINER_PATHS.sharedStorage, value);
}

const mqtt = z.strictObject(
  {
    broker: z.string({ error: HINTS.mqttBroker }).refine(isMqttBrokerUrl, { error: HINTS.mqttBroker }),
    clientID: z.string({ error: HINTS.name }).optional(),
    topicPrefix: z.string({ error: HINTS.name }).optional(),
    username: z.string({ error: HINTS.name }).optional(),
  },
  {
    error: "an object {broker, clientID?, topicPrefix?, username?}; the password goes into the secret key mqttPassword",
  },
);

const garbageCollect = z.strictObject(
  {
    period: duration.default(DEFAULTS.shamanGarbageCollectPeriod),
    maxAge: duration.default(DEFAULTS.shamanGarbageCollectMaxAge),
    extraCheckoutPaths: z
      .array(
        z
          .string({ error: HINTS.extraCheckoutPath })
          .refine(isSharedStorageContainerPath, { error: HINTS.extraCheckoutPath }),
        { error: "a list of paths" },
      )
      .default([]),
  },
  { error: "an object {period?, maxAge?, extraCheckoutPaths?}" },
);

const shaman = z.strictObject(
  {
    enabled: z.boolean({ error: HINTS.boolean }).default(DEFAULTS.shamanEnabled),
    garbageCollect: garbageCollect.prefault({}),
  },
  { error: "an object {enabled, garbageCollect?}" },
);

/** Keys of manager.shaman and of its garbageCollect; flamenco-manager.yaml uses the same names. */
export const SHAMAN_KEYS: readonly string[] = Object.keys(shaman.shape);
export const GARBAGE_COLLECT_KEYS: readonly string[] = Object.keys(garbageCollect.shape);

const variables = z.record(
  z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, { error: HINTS.variableName })
    .refine((name) => name !== IMPLICIT_VARIABLE, { error: HINTS.variableName }),
  variable,
  {
    error: "a map of variable name to {isTwoway?, values}",
  },
);

/** Variables the manager starts with, as the OpenStudioLandscapes feature writes them. */
export const DEFAULT_VARIABLES: z.input<typeof variables> = {
  blender: {
    values: [
      { platform: "linux", audience: "all", value: "blender" },
      { platform: "windows", audience: "all", value: "blender.exe" },
      { platform: "darwin", audience: "all", value: "blender" },
    ],
  },
  blenderArgs: { values: [{ platform: "all", audience: "all", value: "-b -y" }] },
};

const manager = z.strictObject(
  {
    managerName: nonEmpty.default(DEFAULTS.managerName),
    databaseCheckPeriod: duration.default(DEFAULTS.databaseCheckPeriod),
    taskTimeout: duration.default(DEFAULTS.taskTimeout),
    workerTimeout: duration.default(DEFAULTS.workerTimeout),
    blocklistThreshold: count.default(DEFAULTS.blocklistThreshold),
    taskFailAfterSoftfailCount: count.default(DEFAULTS.taskFailAfterSoftfailCount),
    autodiscoverable: z.boolean({ error: HINTS.boolean }).default(DEFAULTS.autodiscoverable),
    shaman: shaman.prefault({}),
    variables: variables.prefault(() => structuredClone(DEFAULT_VARIABLES)),
    mqtt: mqtt.optional(),
  },
  { error: "an object of flamenco-manager.yaml settings" },
);

/** Docker's predefined networks: a landscape network of that name cannot be created. */
const RESERVED_NETWORK_NAMES: readonly string[] = ["host", "bridge", "none"];

export const networkSchema = z.strictObject(
  {
    name: z
      .string({ error: HINTS.networkName })
      .regex(DOCKER_OBJECT_NAME, { error: HINTS.networkName })
      .refine((name) => !RESERVED_NETWORK_NAMES.includes(name), { error: HINTS.reservedNetworkName })
      .optional(),
    alias: z
      .string({ error: HINTS.dnsLabel })
      .regex(DNS_LABEL, { error: HINTS.dnsLabel })
      .default(DEFAULTS.networkAlias),
    domain: z
      .string({ error: HINTS.dnsName })
      .refine(isDnsName, { error: HINTS.dnsName })
      .default(DEFAULTS.networkDomain),
  },
  { error: "an object {name?, alias?, domain?}" },
);

/**
 * A Docker endpoint as the Docker CLI and the Pulumi docker provider take it:
 * `unix:///path`, `tcp://host[:port]` or `ssh://[user@]host[:port]`.
 */
export function isDockerEndpoint(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.search !== "" || url.hash !== "" || url.password !== "") return false;
  switch (url.protocol) {
    case "unix:":
      return value.startsWith("unix:///") && url.pathname.length > 1 && !url.pathname.endsWith("/");
    case "tcp:":
      return url.hostname !== "" && url.username === "" && (url.pathname === "" || url.pathname === "/");
    case "ssh:":
      return url.hostname !== "" && (url.pathname === "" || url.pathname === "/");
    default:
      return false;
  }
}

/** An http(s) URL with a host and no path, query, fragment or credentials. */
export function isManagerUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === "http:" || url.protocol === "https:") &&
    url.hostname !== "" &&
    url.username === "" &&
    url.password === "" &&
    url.pathname === "/" &&
    url.search === "" &&
    url.hash === "" &&
    !value.includes("?") &&
    !value.includes("#")
  );
}

/** Variables of worker containers the program sets itself. */
export const WORKER_RESERVED_VARIABLES = ["TZ", "PATH", "FLAMENCO_HOME", "FLAMENCO_WORKER_NAME"] as const;

/**
 * A whole number checked by refinement: z.int() marks a fraction as fatal, which would stop
 * the list-level checks below from reporting their problems in the same error.
 */
function wholeNumber(minimum: number, hint: string) {
  return z.number({ error: hint }).refine((value) => Number.isInteger(value) && value >= minimum, { error: hint });
}

const hostPath = z
  .string({ error: HINTS.hostPath })
  .refine((value) => value.startsWith("/") && isMountablePath(value), { error: HINTS.hostPath });

export const workerHostSchema = z
  .strictObject(
    {
      name: z.string({ error: HINTS.hostName }).regex(DNS_LABEL, { error: HINTS.hostName }),
      dockerHost: z
        .string({ error: HINTS.dockerHost })
        .refine(isDockerEndpoint, { error: HINTS.dockerHost })
        .optional(),
      count: wholeNumber(0, HINTS.count),
      gpus: z
        .union([z.literal("all", { error: HINTS.gpus }), wholeNumber(1, HINTS.gpus)], { error: HINTS.gpus })
        .optional(),
      sharedStorage: hostPath.optional(),
      workersRoot: hostPath.optional(),
      network: z.enum(["bridge", "host"], { error: HINTS.workerNetwork }).optional(),
      environment: environmentMap(WORKER_RESERVED_VARIABLES, HINTS.workerEnvironment).default({}),
    },
    { error: "an object {name, dockerHost?, count, gpus?, sharedStorage?, workersRoot?, network?, environment?}" },
  )
  .superRefine((host, ctx) => {
    if (host.dockerHost === undefined && host.network !== undefined) {
      ctx.addIssue({ code: "custom", path: ["network"], message: HINTS.workerNetworkLocal });
    }
    if (host.dockerHost !== undefined && host.sharedStorage === undefined) {
      ctx.addIssue({ code: "custom", path: ["sharedStorage"], message: HINTS.remoteSharedStorage });
    }
  });

/**
 * The render hosts. Names must be unique: they name the workers and their resources. The
 * check runs even when some entry is invalid, so one error lists every problem.
 */
const workers = z
  .array(workerHostSchema, { error: "a list of render hosts {name, dockerHost?, count, ...}" })
  .superRefine(
    (hosts: unknown[], ctx) => {
      const firstIndex = new Map<string, number>();
      hosts.forEach((host, index) => {
        const name = host && typeof host === "object" ? (host as { name?: unknown }).name : undefined;
        if (typeof name !== "string") return;
        const first = firstIndex.get(name);
        if (first === undefined) {
          firstIndex.set(name, index);
        } else {
          ctx.addIssue({
            code: "custom",
            path: [index, "name"],
            message: `${HINTS.uniqueHostName} (workers.${first}.name is also "${name}")`,
          });
        }
      });
    },
    { when: (payload) => Array.isArray(payload.value) },
  );

/** The stack config keys in the project's namespace, validated and with defaults applied. */
export const stackConfigSchema = z.strictObject({
  landscape: z.string({ error: HINTS.landscape }).regex(LANDSCAPE_PATTERN, { error: HINTS.landscape }),
  landscapesRoot: absolutePath.default(DEFAULTS.landscapesRoot),
  enabled: z.boolean({ error: HINTS.boolean }).default(DEFAULTS.enabled),
  flamencoVersion: z
    .string({ error: HINTS.version })
    .regex(VERSION_PATTERN, { error: HINTS.version })
    .default(DEFAULTS.flamencoVersion),
  flamencoRelease: releaseOverride.optional(),
  managerPortHost: port.default(DEFAULTS.managerPortHost),
  managerPortContainer: port.default(DEFAULTS.managerPortContainer),
  managerBindAddress: z
    .string({ error: HINTS.ipLiteral })
    .refine(isIpLiteral, { error: HINTS.ipLiteral })
    .default(DEFAULTS.managerBindAddress),
  storage: pathTemplate.default(DEFAULTS.storage),
  sharedStorage: pathTemplate.default(DEFAULTS.sharedStorage),
  network: networkSchema.prefault({}),
  baseImage: z
    .string({ error: HINTS.imageReference })
    .regex(IMAGE_REFERENCE, { error: HINTS.imageReference })
    .default(DEFAULTS.baseImage),
  timezone: z
    .string({ error: HINTS.timezone })
    .refine(isTimezone, { error: HINTS.timezone })
    .default(DEFAULTS.timezone),
  environment: environment.default({}),
  logLevel: z.enum(["quiet", "info", "debug", "trace"], { error: HINTS.logLevel }).default(DEFAULTS.logLevel),
  managerUser: z
    .string({ error: HINTS.managerUser })
    .regex(/^\d+(?::\d+)?$/, { error: HINTS.managerUser })
    .default(DEFAULTS.managerUser),
  allowRootUser: z.boolean({ error: HINTS.boolean }).default(DEFAULTS.allowRootUser),
  restart: z.enum(["no", "on-failure", "always", "unless-stopped"], { error: HINTS.restart }).default(DEFAULTS.restart),
  manager: manager.prefault({}),
  workers: workers.default([]),
  managerUrl: z.string({ error: HINTS.managerUrl }).refine(isManagerUrl, { error: HINTS.managerUrl }).optional(),
  workerImage: z
    .string({ error: HINTS.imageReference })
    .regex(IMAGE_REFERENCE, { error: HINTS.imageReference })
    .optional(),
  backupsToKeep: wholeNumber(1, HINTS.backupsToKeep).default(DEFAULTS.backupsToKeep),
  blenderVersion: z
    .string({ error: HINTS.blenderVersion })
    .regex(BLENDER_VERSION_PATTERN, { error: HINTS.blenderVersion })
    .optional(),
  blenderRelease: blenderRelease.optional(),
  workerPackages: workerPackages.default([]),
});

export type StackConfig = z.output<typeof stackConfigSchema>;
type StackConfigInput = z.input<typeof stackConfigSchema>;
export type ManagerConfig = StackConfig["manager"];
export type WorkerHostConfig = StackConfig["workers"][number];

/** How each top-level key arrives from Pulumi config: strings stay strings, the rest is JSON. */
export const KEY_KINDS: Record<keyof StackConfigInput | "mqttPassword", "string" | "json"> = {
  landscape: "string",
  landscapesRoot: "string",
  enabled: "json",
  flamencoVersion: "string",
  flamencoRelease: "json",
  managerPortHost: "json",
  managerPortContainer: "json",
  managerBindAddress: "string",
  storage: "string",
  sharedStorage: "string",
  network: "json",
  baseImage: "string",
  timezone: "string",
  environment: "json",
  logLevel: "string",
  managerUser: "string",
  allowRootUser: "json",
  restart: "string",
  manager: "json",
  workers: "json",
  managerUrl: "string",
  workerImage: "string",
  backupsToKeep: "json",
  blenderVersion: "string",
  blenderRelease: "json",
  workerPackages: "json",
  mqttPassword: "string",
};
