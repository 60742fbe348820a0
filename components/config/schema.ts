import { z } from "zod";
import { CONTAINER_PATHS } from "./containerLayout";
import { GO_DURATION_HINT, isGoDuration } from "./durations";
import { BLENDER_DOWNLOADS, BLENDER_NAMING, BLENDER_VERSION_PATTERN, blenderArchiveName } from "./blender";
import { isWithin } from "./flamencoPaths";
import { DNS_LABEL, DOCKER_OBJECT_NAME, isDnsName, isIpLiteral } from "./network";
import { FEATURE_DIRECTORY, PLACEHOLDERS, templateIsAbsolute, unknownPlaceholders } from "./placeholders";
import { ArchiveNaming, checksumListBeside, FLAMENCO_NAMING, OFFICIAL_DOWNLOADS } from "./release";

/*
 * Every key of the schema carries its description in `.meta({ description })`, the last call
 * of its chain: `npm run docs` renders docs/configuration.md and Pulumi.yaml's config block
 * from them, with the type, default and rule (the HINTS below) read from the schema itself. A
 * key without a description fails the docs test.
 */
declare module "zod" {
  interface GlobalMeta {
    /** The default as the reference states it where the program derives it (from the stack name, other keys). */
    derivedDefault?: string;
    /** A number checked to be whole by a refinement rather than z.int(). */
    type?: "integer";
  }
}

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
        .refine(hasNoCredentials, { error: HINTS.releaseUrlCredentials })
        .meta({ description: "Where the release archive is: a URL or a path on the machine that runs Pulumi." }),
      sha256: sha256.optional().meta({
        description:
          "The archive's sha256. Without it, the archive is checked against the checksum list published beside an official archive's name, which only https vouches for.",
      }),
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
        .refine(hasNoCredentials, { error: HINTS.releaseUrlCredentials })
        .meta({
          description:
            "Where the Blender archive is: a URL or a path on the machine that runs Pulumi, of a `.tar.xz` whose top directory holds the `blender` executable.",
        }),
      sha256: sha256.optional().meta({
        description:
          "The archive's sha256. Without it, an https:// archive named like an official one is checked against `blender-<version>.sha256` published beside it.",
      }),
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
      platform: z
        .enum(["all", "linux", "windows", "darwin", "manager"], { error: HINTS.platform })
        .optional()
        .meta({ description: "The platform this value is for." }),
      platforms: z
        .array(z.enum(["all", "linux", "windows", "darwin", "manager"], { error: HINTS.platform }))
        .optional()
        .meta({ description: "Several platforms that share this value, instead of `platform`." }),
      audience: z.enum(["all", "workers", "users"], { error: HINTS.audience }).optional().meta({
        description: "Who gets this value: workers, users (job submission) or all (Flamenco's default).",
      }),
      value: z
        .string({ error: "a string" })
        .meta({ description: "The variable's value on that platform, such as a path." }),
    },
    { error: "an object {platform | platforms, audience?, value}" },
  )
  .refine((entry) => (entry.platform === undefined) !== (entry.platforms === undefined), {
    error: "exactly one of platform or platforms",
  });

const variable = z.strictObject(
  {
    isTwoway: z.boolean({ error: HINTS.boolean }).optional().meta({
      description:
        "A two-way variable (`is_twoway`): Flamenco also turns its values back into the variable in the paths of submitted jobs, so one job runs on every platform.",
    }),
    values: z
      .array(variableValue, { error: "a list of {platform, value}" })
      .min(1, { error: "at least one value" })
      .meta({ description: "The variable's value per platform and audience." }),
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
    broker: z
      .string({ error: HINTS.mqttBroker })
      .refine(isMqttBrokerUrl, { error: HINTS.mqttBroker })
      .meta({ description: "The broker's URL." }),
    clientID: z.string({ error: HINTS.name }).optional().meta({
      description: "Client ID the manager connects to the broker with (`clientID`).",
    }),
    topicPrefix: z
      .string({ error: HINTS.name })
      .optional()
      .meta({ description: "Prefix of the topics the manager publishes its events on (`topic_prefix`)." }),
    username: z.string({ error: HINTS.name }).optional().meta({ description: "User name at the broker." }),
  },
  {
    error: "an object {broker, clientID?, topicPrefix?, username?}; the password goes into the secret key mqttPassword",
  },
);

const garbageCollect = z.strictObject(
  {
    period: duration
      .default(DEFAULTS.shamanGarbageCollectPeriod)
      .meta({ description: "How often Shaman's garbage collection runs." }),
    maxAge: duration
      .default(DEFAULTS.shamanGarbageCollectMaxAge)
      .meta({ description: "Files in Shaman's store unused for longer than this are removed." }),
    extraCheckoutPaths: z
      .array(
        z
          .string({ error: HINTS.extraCheckoutPath })
          .refine(isSharedStorageContainerPath, { error: HINTS.extraCheckoutPath }),
        { error: "a list of paths" },
      )
      .default([])
      .meta({
        description:
          "More checkout directories whose links keep Shaman's files in use, besides its own; paths as the manager's container sees them.",
      }),
  },
  { error: "an object {period?, maxAge?, extraCheckoutPaths?}" },
);

const shaman = z.strictObject(
  {
    enabled: z
      .boolean({ error: HINTS.boolean })
      .default(DEFAULTS.shamanEnabled)
      .meta({ description: "Whether Shaman is on." }),
    garbageCollect: garbageCollect.prefault({}).meta({ description: "Garbage collection of Shaman's file store." }),
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
    managerName: nonEmpty
      .default(DEFAULTS.managerName)
      .meta({ description: "Name shown in the web UI and returned by `/api/v3/version` (`manager_name`)." }),
    databaseCheckPeriod: duration
      .default(DEFAULTS.databaseCheckPeriod)
      .meta({ description: "How often the manager checks its database (`database_check_period`)." }),
    taskTimeout: duration.default(DEFAULTS.taskTimeout).meta({
      description:
        "How long a task may go without an update from its worker before the manager times it out (`task_timeout`).",
    }),
    workerTimeout: duration.default(DEFAULTS.workerTimeout).meta({
      description:
        "How long a worker may go without contacting the manager before the manager times it out (`worker_timeout`).",
    }),
    blocklistThreshold: count.default(DEFAULTS.blocklistThreshold).meta({
      description:
        "Failures of one worker on one type of task in a job after which that worker gets no more of them in that job (`blocklist_threshold`).",
    }),
    taskFailAfterSoftfailCount: count.default(DEFAULTS.taskFailAfterSoftfailCount).meta({
      description: "How many workers may fail a task before it fails for good (`task_fail_after_softfail_count`).",
    }),
    autodiscoverable: z.boolean({ error: HINTS.boolean }).default(DEFAULTS.autodiscoverable).meta({
      description:
        "Whether the manager announces itself over UPnP/SSDP. The seed had `true`, but the announcement does not cross a Docker bridge network and would only name the container's internal address: workers are given the manager's URL instead.",
    }),
    shaman: shaman
      .prefault({})
      .meta({ description: "Shaman, Flamenco's file storage for job files; it needs symlinks on the shared storage." }),
    variables: variables
      .prefault(() => structuredClone(DEFAULT_VARIABLES))
      .meta({
        description:
          "Flamenco's variables by name, two-way variables included. The defaults point `blender` at the Blender on each platform's PATH and give `blenderArgs`. With `blenderVersion` or `workerPackages` holding Blender, Linux workers get the worker image's Blender as `blender`, unless the stack sets `blender` itself; the other platforms keep their values.",
      }),
    mqtt: mqtt.optional().meta({
      description:
        "Flamenco's MQTT client (`mqtt.client`): the manager publishes its events to this broker. Its password is the secret key `mqttPassword`.",
    }),
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
      .optional()
      .meta({
        description: "Docker network of the landscape: the manager and the workers on its host join it.",
        derivedDefault: "`openstudiolandscapes-<landscape>`",
      }),
    alias: z
      .string({ error: HINTS.dnsLabel })
      .regex(DNS_LABEL, { error: HINTS.dnsLabel })
      .default(DEFAULTS.networkAlias)
      .meta({ description: "The manager's name on the landscape network; `<alias>.<domain>` names it there too." }),
    domain: z
      .string({ error: HINTS.dnsName })
      .refine(isDnsName, { error: HINTS.dnsName })
      .default(DEFAULTS.networkDomain)
      .meta({
        description:
          "Studio LAN domain: the manager container's hostname is `<alias>.<domain>` (at most 64 characters), and the default `managerUrl` uses it.",
      }),
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
  return z
    .number({ error: hint })
    .refine((value) => Number.isInteger(value) && value >= minimum, { error: hint })
    .meta({ type: "integer" });
}

const hostPath = z
  .string({ error: HINTS.hostPath })
  .refine((value) => value.startsWith("/") && isMountablePath(value), { error: HINTS.hostPath });

export const workerHostSchema = z
  .strictObject(
    {
      name: z
        .string({ error: HINTS.hostName })
        .regex(DNS_LABEL, { error: HINTS.hostName })
        .meta({ description: "Name of the render host; it names the host's workers and their resources." }),
      dockerHost: z
        .string({ error: HINTS.dockerHost })
        .refine(isDockerEndpoint, { error: HINTS.dockerHost })
        .optional()
        .meta({
          description: "Docker endpoint of the render host, reachable from the machine that runs Pulumi.",
          derivedDefault: "the manager's Docker engine",
        }),
      count: wholeNumber(0, HINTS.count).meta({
        description: "Number of workers on this host; `0` keeps the host (and its provider) declared with no workers.",
      }),
      gpus: z
        .union([z.literal("all", { error: HINTS.gpus }), wholeNumber(1, HINTS.gpus)], { error: HINTS.gpus })
        .optional()
        .meta({ description: "GPUs of each worker container, as `docker run --gpus` takes them." }),
      sharedStorage: hostPath.optional().meta({
        description: `Where this host sees the studio's shared storage. Required for a host with a \`dockerHost\`. It is mounted in every worker at the manager's shared-storage path (\`${CONTAINER_PATHS.sharedStorage}\`): Flamenco needs workers to see shared storage at the path the manager sees it.`,
        derivedDefault: "the manager's `sharedStorage`",
      }),
      workersRoot: hostPath.optional().meta({
        description:
          "Directory on that host holding one identity directory (`FLAMENCO_HOME`) per worker. The default is a path on the machine that runs Pulumi: set it for hosts whose filesystem differs. On the manager's host it must be apart from storage and the program's other directories.",
        derivedDefault: `\`<landscapesRoot>/<landscape>/${FEATURE_DIRECTORY}/workers\``,
      }),
      network: z.enum(["bridge", "host"], { error: HINTS.workerNetwork }).optional().meta({
        description:
          "For a host with a `dockerHost`: `bridge` (Docker's default network) or `host` (the host's network and DNS). Workers on the manager's host join the landscape network.",
        derivedDefault: "`bridge`",
      }),
      environment: environmentMap(WORKER_RESERVED_VARIABLES, HINTS.workerEnvironment)
        .default({})
        .meta({ description: "Extra environment variables of this host's workers." }),
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
  landscape: z.string({ error: HINTS.landscape }).regex(LANDSCAPE_PATTERN, { error: HINTS.landscape }).meta({
    description:
      "Landscape id: it names the containers, the network, the image tag and the directories of the landscape.",
    derivedDefault: "the stack name",
  }),
  landscapesRoot: absolutePath
    .default(DEFAULTS.landscapesRoot)
    .meta({ description: "Root of all landscapes on this host (the seed's `DOT_LANDSCAPES`); `~` is expanded." }),
  enabled: z
    .boolean({ error: HINTS.boolean })
    .default(DEFAULTS.enabled)
    .meta({ description: "`false` declares no Docker resources for this landscape; the outputs say it is disabled." }),
  flamencoVersion: z
    .string({ error: HINTS.version })
    .regex(VERSION_PATTERN, { error: HINTS.version })
    .default(DEFAULTS.flamencoVersion)
    .meta({
      description: `Flamenco release to deploy, downloaded from \`${OFFICIAL_DOWNLOADS}/flamenco-<version>-linux-amd64.tar.gz\` and verified against the \`flamenco-<version>.sha256\` published beside it. Quote it in YAML.`,
    }),
  flamencoRelease: releaseOverride.optional().meta({
    description:
      "Where the release of `flamencoVersion` comes from instead of flamenco.blender.org (mirrors, air-gapped studios). When the file is named like an official archive, the version in its name must equal `flamencoVersion`; other names are not checked against it.",
  }),
  managerPortHost: port
    .default(DEFAULTS.managerPortHost)
    .meta({ description: "Host port of the manager's web UI and API; each landscape on a host needs its own." }),
  managerPortContainer: port
    .default(DEFAULTS.managerPortContainer)
    .meta({ description: "Port the manager listens on inside its container (`listen` in `flamenco-manager.yaml`)." }),
  managerBindAddress: z
    .string({ error: HINTS.ipLiteral })
    .refine(isIpLiteral, { error: HINTS.ipLiteral })
    .default(DEFAULTS.managerBindAddress)
    .meta({ description: "Host address the manager's port is published on; `127.0.0.1` keeps it to this host." }),
  storage: pathTemplate.default(DEFAULTS.storage).meta({
    description: `Host directory of the manager's database, task logs and database backups. \`{DOT_LANDSCAPES}\` stands for \`landscapesRoot\`, \`{LANDSCAPE}\` for the landscape and \`{FEATURE}\` for \`${FEATURE_DIRECTORY}\`, as in the seed. A directory or a path that does not exist yet, without \`:\` or \`,\`, apart from every other directory the program uses.`,
  }),
  sharedStorage: pathTemplate.default(DEFAULTS.sharedStorage).meta({
    description:
      "The studio's shared storage (job files, renders) as the manager's host sees it; workers on that host mount it too. Same rules as `storage`, and apart from it.",
  }),
  network: networkSchema
    .prefault({})
    .meta({ description: "The landscape's Docker network and the manager's name on it." }),
  baseImage: z
    .string({ error: HINTS.imageReference })
    .regex(IMAGE_REFERENCE, { error: HINTS.imageReference })
    .default(DEFAULTS.baseImage)
    .meta({
      description:
        "Base of the manager image, and of the worker image the program builds for Blender. It needs `sh`, `bash` (the health check), `tar` with `gzip`, `sha256sum`, `mkdir`, `chmod`, `getent`, `groupadd` and `useradd`, and `apt-get` for a worker image.",
    }),
  timezone: z
    .string({ error: HINTS.timezone })
    .refine(isTimezone, { error: HINTS.timezone })
    .default(DEFAULTS.timezone)
    .meta({
      description:
        "`TZ` of the manager and worker containers: an IANA zone, in its own letter case (the seed's `Europe/UTC` is not one).",
    }),
  environment: environment.default({}).meta({ description: "Extra environment variables of the manager container." }),
  logLevel: z
    .enum(["quiet", "info", "debug", "trace"], { error: HINTS.logLevel })
    .default(DEFAULTS.logLevel)
    .meta({ description: "The manager's log level flag (the seed ran it with `-trace`)." }),
  managerUser: z
    .string({ error: HINTS.managerUser })
    .regex(/^\d+(?::\d+)?$/, { error: HINTS.managerUser })
    .default(DEFAULTS.managerUser)
    .meta({
      description:
        "uid[:gid] the manager runs as, and the render workers too (they write the same shared storage; their identity directories are given to this user). Storage directories the program creates, and `flamenco-manager.yaml`, are given to it when Pulumi runs as root; otherwise they belong to the user running Pulumi, so set this to that user's uid:gid.",
    }),
  allowRootUser: z.boolean({ error: HINTS.boolean }).default(DEFAULTS.allowRootUser).meta({
    description:
      "`true` allows a `managerUser` with uid 0: root in the containers is root over the storage they mount.",
  }),
  restart: z
    .enum(["no", "on-failure", "always", "unless-stopped"], { error: HINTS.restart })
    .default(DEFAULTS.restart)
    .meta({ description: "Docker restart policy of the manager and worker containers." }),
  manager: manager.prefault({}).meta({ description: "Settings of `flamenco-manager.yaml`, by their stack key names." }),
  workers: workers.default([]).meta({
    description:
      "The render hosts: each runs `count` workers of this landscape on one Docker engine. Host names must be unique.",
  }),
  managerUrl: z.string({ error: HINTS.managerUrl }).refine(isManagerUrl, { error: HINTS.managerUrl }).optional().meta({
    description:
      "How browsers and workers on other hosts reach the manager; the `managerUrl` and `workerCommand` outputs show it. The default needs the studio's DNS to name the manager's host.",
    derivedDefault: "`http://<network.alias>.<network.domain>:<managerPortHost>`",
  }),
  workerImage: z
    .string({ error: HINTS.imageReference })
    .regex(IMAGE_REFERENCE, { error: HINTS.imageReference })
    .optional()
    .meta({
      description:
        "An image of the studio's own for every worker, such as one with Blender (`registry.studio.lan/flamenco-worker:3.7-blender4.2`). It must have `flamenco-worker` on its `PATH`, and `sh`, `mkdir` and `chown`. Not together with `blenderVersion` or `workerPackages`, with which the program builds the worker image.",
      derivedDefault: "the manager image, or the worker image the program builds",
    }),
  backupsToKeep: wholeNumber(1, HINTS.backupsToKeep).default(DEFAULTS.backupsToKeep).meta({
    description:
      "Database backups kept under `<storage>/backups`, taken before the manager container is replaced or destroyed; older ones are removed after each new backup.",
  }),
  blenderVersion: z
    .string({ error: HINTS.blenderVersion })
    .regex(BLENDER_VERSION_PATTERN, { error: HINTS.blenderVersion })
    .optional()
    .meta({
      description: `Blender's official Linux build for the workers, from \`${BLENDER_DOWNLOADS}/Blender<major>.<minor>/${blenderArchiveName("<version>")}\`, verified against the \`blender-<version>.sha256\` published beside it and unpacked in the worker image at \`${CONTAINER_PATHS.blenderDirectory}\`. Quote it in YAML. See docs/blender.md.`,
    }),
  blenderRelease: blenderRelease.optional().meta({
    description:
      "Where the build of `blenderVersion` comes from instead of download.blender.org (mirrors, air-gapped studios); it needs `blenderVersion`. When the file is named like an official archive, its version must equal `blenderVersion`.",
  }),
  workerPackages: workerPackages.default([]).meta({
    description:
      "Debian packages installed in the worker image (without recommended packages), from the base image's package sources. `blender` installs Debian's Blender, not together with `blenderVersion`. An empty list builds nothing. Write it as a YAML list in the stack file, or set items with `pulumi config set --path 'workerPackages[0]' blender` (Pulumi.yaml declares it a list of strings). See docs/blender.md.",
  }),
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

/** What the configuration reference says of a stack key the schema does not parse. */
export interface SecretKeyDoc {
  description: string;
  /** What the key accepts, as the error says it. */
  accepts: string;
}

/** Keys read beside the schema, as Pulumi secrets (components/config/read.ts), described for the reference. */
export const SECRET_KEY_DOCS: Record<Exclude<keyof typeof KEY_KINDS, keyof StackConfigInput>, SecretKeyDoc> = {
  mqttPassword: {
    description:
      "The password of the MQTT broker of `manager.mqtt`, kept a secret: `pulumi config set --secret mqttPassword <password>`. Never shown in errors or outputs.",
    accepts: "a secret string; a plain-text value is refused, and so is a password without `manager.mqtt`",
  },
};
