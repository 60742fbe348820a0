/**
 * Every validation rule of the config schema, with a bad value that breaks it: one table.
 * The last tests enumerate the schema's rules (its key paths, the messages its types and
 * checks declare, and HINTS) and fail when a rule has no row here: a new rule needs a row.
 */
import { ConfigError, ConfigProblem } from "../../components/config/errors";
import { HINTS, stackConfigSchema } from "../../components/config/schema";
import { parseSettings, PROJECT } from "../../components/config/settings";
import { rulePath, schemaRules } from "./schemaRules";

const CONTEXT = { stack: "dev", homeDirectory: "/home/artist" };
const REMOTE = {
  name: "render-01",
  dockerHost: "ssh://render@render-01.studio.lan",
  count: 2,
  sharedStorage: "/mnt/projects",
};
const OFFICIAL_URL = "https://mirror.example.com/flamenco-3.7-linux-amd64.tar.gz";
const NAME = "a non-empty string";
const DURATION = 'a Go duration such as "30s", "10m" or "1h30m", at most 2562047h47m16.854775807s';
const MANAGER_ENVIRONMENT =
  "a map of variable names ([A-Za-z_][A-Za-z0-9_]*) to strings without NUL characters; TZ and PATH are set by the program (TZ is set by the timezone key)";
const WORKER_ENVIRONMENT =
  "a map of variable names ([A-Za-z_][A-Za-z0-9_]*) to strings without NUL characters; TZ, PATH, FLAMENCO_HOME and FLAMENCO_WORKER_NAME are set by the program";
const HOST_PATH = "an absolute path on that render host, such as /mnt/projects, without ':' or ','";
const SHA256_REQUIRED =
  "a sha256: only an https:// url named like an official archive (flamenco-<version>-linux-amd64.tar.gz) is checked against the checksum list published beside it; http://, file:// and local paths need the archive's sha256";
const COUNT = "a whole number from 0 upwards";
const PLATFORM = "one of all, linux, windows, darwin, manager";
const PATH_TEMPLATE =
  "an absolute path (may start with ~ or {DOT_LANDSCAPES}) using only the placeholders {DOT_LANDSCAPES}, {LANDSCAPE}, {FEATURE}";
const EXTRA_CHECKOUT_PATH =
  "an absolute path inside the shared storage as the manager sees it (/app/flamenco-manager-storage-shared/...): the manager walks it in its own container";
const VARIABLE_NAME =
  "a variable name ([A-Za-z_][A-Za-z0-9_-]*) other than jobs, which Flamenco sets itself to the Shaman checkout path and drops when configured";
const MQTT_BROKER =
  "a broker URL that Flamenco's MQTT client dials: mqtt://, tcp://, ssl://, tls://, mqtts://, mqtt+ssl:// or tcps:// with host and port, or ws:// or wss://";
const NO_SUCH_KEY = "no such key (check its spelling against docs/configuration.md)";
const BLENDER_URL = "https://mirror.example.com/blender/blender-4.2.3-linux-x64.tar.xz";
const BLENDER_RELEASE_URL =
  "an https://, http:// or file:// URL, or an absolute path, of a .tar.xz archive of Blender's Linux build (named like blender-<version>-linux-x64.tar.xz where it can be)";
const DEBIAN_PACKAGE =
  'a Debian package name (lowercase letters, digits, "+", "-" and ".", at least two characters, starting with a letter or digit), optionally pinned to a version: "blender" or "blender=3.4.1+dfsg-2+b1"';

/** A variables map with one variable `blender` holding `entry` as its only value. */
function variableValue(entry: unknown): Record<string, unknown> {
  return { manager: { variables: { blender: { values: [entry] } } } };
}

/** [what is wrong, raw config, reported key, reported value, what the error says is accepted] */
type BadConfigCase = [string, Record<string, unknown>, string, unknown, string];

const BAD_CONFIG_CASES: BadConfigCase[] = [
  [
    "landscape with spaces and capitals",
    { landscape: "Bad Name" },
    "landscape",
    "Bad Name",
    "lowercase letters, digits, '_', '.', '-', starting with a letter or digit, at most 63 characters",
  ],
  ["landscape starting with '-'", { landscape: "-dev" }, "landscape", "-dev", "starting with a letter or digit"],
  [
    "landscape longer than 63 characters",
    { landscape: "a".repeat(64) },
    "landscape",
    "a".repeat(64),
    "at most 63 characters",
  ],
  [
    "relative landscapesRoot",
    { landscapesRoot: "landscapes" },
    "landscapesRoot",
    "landscapes",
    "an absolute path (may start with ~)",
  ],
  [
    "landscapesRoot with ':'",
    { landscapesRoot: "/srv/landscapes:ro" },
    "landscapesRoot",
    "/srv/landscapes:ro",
    "a path without ':' or ',' (Docker splits mount specifications at them)",
  ],
  [
    "landscapesRoot starting with ~user",
    { landscapesRoot: "~artist/landscapes" },
    "landscapesRoot",
    "~artist/landscapes",
    "an absolute path (may start with ~)",
  ],
  ["non-boolean enabled", { enabled: "yes" }, "enabled", "yes", "true or false"],
  [
    "non-version flamencoVersion",
    { flamencoVersion: "latest" },
    "flamencoVersion",
    "latest",
    'a Flamenco release version such as "3.7" or "3.6.1"',
  ],
  ["major-only flamencoVersion", { flamencoVersion: "3" }, "flamencoVersion", "3", "a Flamenco release version"],
  [
    "flamencoRelease given as a bare url",
    { flamencoRelease: OFFICIAL_URL },
    "flamencoRelease",
    OFFICIAL_URL,
    "an object {url, sha256}",
  ],
  [
    "release url with an unsupported scheme",
    { flamencoRelease: { url: "ftp://mirror.example.com/flamenco-3.7-linux-amd64.tar.gz" } },
    "flamencoRelease.url",
    "ftp://mirror.example.com/flamenco-3.7-linux-amd64.tar.gz",
    "an https://, http:// or file:// URL, or an absolute path",
  ],
  [
    "release url that is relative",
    { flamencoRelease: { url: "mirror/flamenco-3.7-linux-amd64.tar.gz" } },
    "flamencoRelease.url",
    "mirror/flamenco-3.7-linux-amd64.tar.gz",
    "an https://, http:// or file:// URL, or an absolute path",
  ],
  [
    "release url without a path",
    { flamencoRelease: { url: "https://mirror.example.com/", sha256: "a".repeat(64) } },
    "flamencoRelease.url",
    "https://mirror.example.com/",
    "an https://, http:// or file:// URL, or an absolute path",
  ],
  [
    "malformed sha256",
    { flamencoRelease: { url: "https://mirror.example.com/custom.tar.gz", sha256: "abc123" } },
    "flamencoRelease.sha256",
    "abc123",
    "64 hexadecimal characters (the archive's sha256)",
  ],
  [
    "custom release url without sha256",
    { flamencoRelease: { url: "https://mirror.example.com/flamenco-custom.tar.gz" } },
    "flamencoRelease.sha256",
    undefined,
    SHA256_REQUIRED,
  ],
  [
    "official-looking release over http without sha256",
    { flamencoRelease: { url: "http://mirror.example.com/flamenco-3.7-linux-amd64.tar.gz" } },
    "flamencoRelease.sha256",
    undefined,
    SHA256_REQUIRED,
  ],
  [
    "release url with credentials",
    {
      flamencoRelease: {
        url: "https://artist:hunter2@mirror.example.com/flamenco-custom.tar.gz",
        sha256: "a".repeat(64),
      },
    },
    "flamencoRelease.url",
    "https://artist:(not shown)@mirror.example.com/flamenco-custom.tar.gz",
    "a URL without credentials (user:password@): they would be kept in the state and shown in logs; serve the release where it needs none, or copy it and use a file:// URL",
  ],
  [
    "unknown key in flamencoRelease",
    { flamencoRelease: { url: OFFICIAL_URL, checksum: "x" } },
    "flamencoRelease.checksum",
    "x",
    NO_SUCH_KEY,
  ],
  ["host port 0", { managerPortHost: 0 }, "managerPortHost", 0, "an integer from 1 to 65535"],
  ["host port 65536", { managerPortHost: 65536 }, "managerPortHost", 65536, "an integer from 1 to 65535"],
  ["non-integer host port", { managerPortHost: 8484.5 }, "managerPortHost", 8484.5, "an integer from 1 to 65535"],
  [
    "container port as a string",
    { managerPortContainer: "8080" },
    "managerPortContainer",
    "8080",
    "an integer from 1 to 65535",
  ],
  ["container port 0", { managerPortContainer: 0 }, "managerPortContainer", 0, "an integer from 1 to 65535"],
  [
    "bind address that is a host name",
    { managerBindAddress: "localhost" },
    "managerBindAddress",
    "localhost",
    'an IP address such as "0.0.0.0" or "127.0.0.1"',
  ],
  [
    "bind address out of range",
    { managerBindAddress: "300.1.1.1" },
    "managerBindAddress",
    "300.1.1.1",
    "an IP address",
  ],
  [
    "unknown placeholder in storage",
    { storage: "{DOT_LANDSCAPES}/{STUDIO}/storage" },
    "storage",
    "{DOT_LANDSCAPES}/{STUDIO}/storage",
    `${PATH_TEMPLATE} (unknown placeholder {STUDIO})`,
  ],
  [
    "relative storage template",
    { storage: "storage/{LANDSCAPE}" },
    "storage",
    "storage/{LANDSCAPE}",
    `${PATH_TEMPLATE} (this one is relative)`,
  ],
  ["storage that is not a string", { storage: 5 }, "storage", 5, PATH_TEMPLATE],
  [
    "relative shared storage template",
    { sharedStorage: "{LANDSCAPE}/shared" },
    "sharedStorage",
    "{LANDSCAPE}/shared",
    `${PATH_TEMPLATE} (this one is relative)`,
  ],
  ["network given as a name", { network: "studio-net" }, "network", "studio-net", "an object {name?, alias?, domain?}"],
  [
    "network name starting with '-'",
    { network: { name: "-net" } },
    "network.name",
    "-net",
    "a Docker network name: letters, digits, '_', '.', '-', starting with a letter or digit",
  ],
  [
    "network named like one of Docker's own",
    { network: { name: "host" } },
    "network.name",
    "host",
    "a network name of this landscape, not host, bridge or none (Docker's own networks)",
  ],
  ["non-boolean allowRootUser", { allowRootUser: "yes" }, "allowRootUser", "yes", "true or false"],
  [
    "backupsToKeep of 0",
    { backupsToKeep: 0 },
    "backupsToKeep",
    0,
    "a whole number of database backups to keep, from 1 upwards",
  ],
  [
    "network alias with capitals and '_'",
    { network: { alias: "Flamenco_Manager" } },
    "network.alias",
    "Flamenco_Manager",
    "a DNS label: lowercase letters, digits and '-', at most 63 characters",
  ],
  [
    "network domain with an empty label",
    { network: { domain: "studio..lan" } },
    "network.domain",
    "studio..lan",
    "a DNS name such as openstudiolandscapes.lan",
  ],
  [
    "unknown key in network",
    { network: { domainName: "studio.lan" } },
    "network.domainName",
    "studio.lan",
    NO_SUCH_KEY,
  ],
  [
    "base image with spaces",
    { baseImage: "Debian Bookworm" },
    "baseImage",
    "Debian Bookworm",
    'a Docker image reference such as "debian:bookworm-slim"',
  ],
  [
    "timezone that does not exist",
    { timezone: "Europe/UTC" },
    "timezone",
    "Europe/UTC",
    'an IANA time zone such as "UTC" or "Europe/Zurich"',
  ],
  // Zone files are looked up case-sensitively (/usr/share/zoneinfo/Europe/Zurich): TZ=europe/zurich silently runs as UTC.
  [
    "timezone in the wrong letter case",
    { timezone: "europe/zurich" },
    "timezone",
    "europe/zurich",
    "an IANA time zone",
  ],
  ["environment given as a list", { environment: ["A=1"] }, "environment", ["A=1"], MANAGER_ENVIRONMENT],
  [
    "environment variable with a bad name",
    { environment: { "MY-VAR": "1" } },
    "environment.MY-VAR",
    "1",
    "a map of variable names ([A-Za-z_][A-Za-z0-9_]*) to strings",
  ],
  [
    "environment variable holding a list",
    { environment: { PATHS: ["/a"] } },
    "environment.PATHS",
    ["/a"],
    MANAGER_ENVIRONMENT,
  ],
  [
    "TZ in environment",
    { environment: { TZ: "Europe/Zurich" } },
    "environment.TZ",
    "Europe/Zurich",
    "TZ is set by the timezone key",
  ],
  ["unknown logLevel", { logLevel: "verbose" }, "logLevel", "verbose", "one of quiet, info, debug, trace"],
  [
    "managerUser given as a name",
    { managerUser: "flamenco" },
    "managerUser",
    "flamenco",
    'a numeric "uid" or "uid:gid" the manager runs as, such as "1000:1000"',
  ],
  [
    "unknown restart policy",
    { restart: "sometimes" },
    "restart",
    "sometimes",
    "one of no, on-failure, always, unless-stopped",
  ],
  ["manager given as a name", { manager: "farm" }, "manager", "farm", "an object of flamenco-manager.yaml settings"],
  ["empty managerName", { manager: { managerName: "" } }, "manager.managerName", "", NAME],
  ["manager duration with a space", { manager: { taskTimeout: "10 min" } }, "manager.taskTimeout", "10 min", DURATION],
  ["manager duration without unit", { manager: { workerTimeout: "60" } }, "manager.workerTimeout", "60", DURATION],
  [
    "database check period in days",
    { manager: { databaseCheckPeriod: "1d" } },
    "manager.databaseCheckPeriod",
    "1d",
    DURATION,
  ],
  ["negative blocklistThreshold", { manager: { blocklistThreshold: -1 } }, "manager.blocklistThreshold", -1, COUNT],
  ["fractional blocklistThreshold", { manager: { blocklistThreshold: 1.5 } }, "manager.blocklistThreshold", 1.5, COUNT],
  [
    "negative taskFailAfterSoftfailCount",
    { manager: { taskFailAfterSoftfailCount: -3 } },
    "manager.taskFailAfterSoftfailCount",
    -3,
    COUNT,
  ],
  [
    "autodiscoverable as a word",
    { manager: { autodiscoverable: "yes" } },
    "manager.autodiscoverable",
    "yes",
    "true or false",
  ],
  [
    "shaman given as a word",
    { manager: { shaman: "on" } },
    "manager.shaman",
    "on",
    "an object {enabled, garbageCollect?}",
  ],
  [
    "shaman enabled as a word",
    { manager: { shaman: { enabled: "yes" } } },
    "manager.shaman.enabled",
    "yes",
    "true or false",
  ],
  [
    "shaman garbageCollect as a duration",
    { manager: { shaman: { garbageCollect: "24h" } } },
    "manager.shaman.garbageCollect",
    "24h",
    "an object {period?, maxAge?, extraCheckoutPaths?}",
  ],
  [
    "shaman garbage collection period in days",
    { manager: { shaman: { garbageCollect: { period: "1d" } } } },
    "manager.shaman.garbageCollect.period",
    "1d",
    DURATION,
  ],
  [
    "shaman garbage collection maxAge as a number",
    { manager: { shaman: { garbageCollect: { maxAge: 744 } } } },
    "manager.shaman.garbageCollect.maxAge",
    744,
    DURATION,
  ],
  [
    "shaman checkout paths as one string",
    { manager: { shaman: { garbageCollect: { extraCheckoutPaths: "/mnt/a" } } } },
    "manager.shaman.garbageCollect.extraCheckoutPaths",
    "/mnt/a",
    "a list of paths",
  ],
  [
    "shaman checkout path that is a number",
    { manager: { shaman: { garbageCollect: { extraCheckoutPaths: [7] } } } },
    "manager.shaman.garbageCollect.extraCheckoutPaths.0",
    7,
    EXTRA_CHECKOUT_PATH,
  ],
  [
    "shaman checkout path on the host, which the manager's container does not have",
    { manager: { shaman: { garbageCollect: { extraCheckoutPaths: ["/mnt/checkouts"] } } } },
    "manager.shaman.garbageCollect.extraCheckoutPaths.0",
    "/mnt/checkouts",
    EXTRA_CHECKOUT_PATH,
  ],
  [
    "relative shaman checkout path, which Flamenco resolves against /app",
    { manager: { shaman: { garbageCollect: { extraCheckoutPaths: ["checkouts"] } } } },
    "manager.shaman.garbageCollect.extraCheckoutPaths.0",
    "checkouts",
    EXTRA_CHECKOUT_PATH,
  ],
  [
    "shaman checkout path that leaves the shared storage through ..",
    { manager: { shaman: { garbageCollect: { extraCheckoutPaths: ["/app/flamenco-manager-storage-shared/../x"] } } } },
    "manager.shaman.garbageCollect.extraCheckoutPaths.0",
    "/app/flamenco-manager-storage-shared/../x",
    EXTRA_CHECKOUT_PATH,
  ],
  ["unknown shaman key", { manager: { shaman: { gc: true } } }, "manager.shaman.gc", true, NO_SUCH_KEY],
  [
    "variables given as a list",
    { manager: { variables: ["blender"] } },
    "manager.variables",
    ["blender"],
    "a map of variable name to {isTwoway?, values}",
  ],
  [
    "variable name with a space",
    { manager: { variables: { "my var": { values: [{ platform: "all", value: "x" }] } } } },
    "manager.variables.my var",
    "my var",
    VARIABLE_NAME,
  ],
  [
    "variable named jobs, which Flamenco sets itself",
    { manager: { variables: { jobs: { values: [{ platform: "all", value: "/mnt/jobs" }] } } } },
    "manager.variables.jobs",
    "jobs",
    VARIABLE_NAME,
  ],
  [
    "variable given as a string",
    { manager: { variables: { blender: "/opt/blender" } } },
    "manager.variables.blender",
    "/opt/blender",
    "an object {isTwoway?, values}",
  ],
  [
    "isTwoway as a word",
    { manager: { variables: { blender: { isTwoway: "yes", values: [{ platform: "all", value: "x" }] } } } },
    "manager.variables.blender.isTwoway",
    "yes",
    "true or false",
  ],
  [
    "variable values as a string",
    { manager: { variables: { blender: { values: "blender" } } } },
    "manager.variables.blender.values",
    "blender",
    "a list of {platform, value}",
  ],
  [
    "variable with no values",
    { manager: { variables: { blender: { values: [] } } } },
    "manager.variables.blender.values",
    [],
    "at least one value",
  ],
  [
    "variable value given as a string",
    variableValue("blender"),
    "manager.variables.blender.values.0",
    "blender",
    "an object {platform | platforms, audience?, value}",
  ],
  [
    "variable value with both platform and platforms",
    variableValue({ platform: "linux", platforms: ["windows"], value: "x" }),
    "manager.variables.blender.values.0",
    { platform: "linux", platforms: ["windows"], value: "x" },
    "exactly one of platform or platforms",
  ],
  [
    "variable value with neither platform nor platforms",
    variableValue({ value: "x" }),
    "manager.variables.blender.values.0",
    { value: "x" },
    "exactly one of platform or platforms",
  ],
  [
    "unknown platform",
    variableValue({ platform: "beos", value: "x" }),
    "manager.variables.blender.values.0.platform",
    "beos",
    PLATFORM,
  ],
  [
    "unknown platform in platforms",
    variableValue({ platforms: ["linux", "amiga"], value: "x" }),
    "manager.variables.blender.values.0.platforms.1",
    "amiga",
    PLATFORM,
  ],
  [
    "unknown audience",
    variableValue({ platform: "all", audience: "everyone", value: "x" }),
    "manager.variables.blender.values.0.audience",
    "everyone",
    "one of all, workers, users",
  ],
  [
    "variable value that is a number",
    variableValue({ platform: "all", value: 4 }),
    "manager.variables.blender.values.0.value",
    4,
    "a string",
  ],
  [
    "unknown key in a variable value",
    variableValue({ platform: "all", value: "x", os: "linux" }),
    "manager.variables.blender.values.0.os",
    "linux",
    NO_SUCH_KEY,
  ],
  [
    "mqtt given as a broker url",
    { manager: { mqtt: "tcp://mqtt.lan:1883" } },
    "manager.mqtt",
    "tcp://mqtt.lan:1883",
    "an object {broker, clientID?, topicPrefix?, username?}; the password goes into the secret key mqttPassword",
  ],
  ["mqtt with an empty broker", { manager: { mqtt: { broker: "" } } }, "manager.mqtt.broker", "", MQTT_BROKER],
  ["mqtt without broker", { manager: { mqtt: { clientID: "farm" } } }, "manager.mqtt.broker", undefined, MQTT_BROKER],
  [
    "mqtt broker without scheme, which Go parses as the scheme mqtt.studio.lan",
    { manager: { mqtt: { broker: "mqtt.studio.lan:1883" } } },
    "manager.mqtt.broker",
    "mqtt.studio.lan:1883",
    MQTT_BROKER,
  ],
  [
    "mqtt broker over tcp without a port",
    { manager: { mqtt: { broker: "tcp://mqtt.studio.lan" } } },
    "manager.mqtt.broker",
    "tcp://mqtt.studio.lan",
    MQTT_BROKER,
  ],
  [
    "mqtt broker with a scheme the client does not dial",
    { manager: { mqtt: { broker: "http://mqtt.studio.lan:1883" } } },
    "manager.mqtt.broker",
    "http://mqtt.studio.lan:1883",
    MQTT_BROKER,
  ],
  [
    "mqtt clientID as a number",
    { manager: { mqtt: { broker: "tcp://b:1883", clientID: 7 } } },
    "manager.mqtt.clientID",
    7,
    NAME,
  ],
  [
    "mqtt topicPrefix as a list",
    { manager: { mqtt: { broker: "tcp://b:1883", topicPrefix: ["a"] } } },
    "manager.mqtt.topicPrefix",
    ["a"],
    NAME,
  ],
  [
    "mqtt username as a boolean",
    { manager: { mqtt: { broker: "tcp://b:1883", username: true } } },
    "manager.mqtt.username",
    true,
    NAME,
  ],
  ["unknown key in manager", { manager: { taskTimeOut: "5m" } }, "manager.taskTimeOut", "5m", NO_SUCH_KEY],
  ["unknown top-level key", { managerPort: 8484 }, "managerPort", 8484, NO_SUCH_KEY],
  [
    "workers that is not a list",
    { workers: { name: "a", count: 1 } },
    "workers",
    { name: "a", count: 1 },
    "a list of render hosts {name, dockerHost?, count, ...}",
  ],
  [
    "a render host given as a name",
    { workers: ["render-01"] },
    "workers.0",
    "render-01",
    "an object {name, dockerHost?, count, gpus?, sharedStorage?, workersRoot?, network?, environment?}",
  ],
  [
    "a host name with capitals",
    { workers: [{ name: "Render01", count: 1 }] },
    "workers.0.name",
    "Render01",
    "a render host name: a DNS label (lowercase letters, digits and '-', at most 63 characters)",
  ],
  [
    "a host name with a dot",
    { workers: [{ name: "render.01", count: 1 }] },
    "workers.0.name",
    "render.01",
    "a DNS label",
  ],
  ["a host without name", { workers: [{ count: 1 }] }, "workers.0.name", undefined, "a render host name"],
  [
    "a host name used twice",
    {
      workers: [
        { name: "render", count: 1 },
        { ...REMOTE, name: "render" },
      ],
    },
    "workers.1.name",
    "render",
    'a render host name used only once (workers.0.name is also "render")',
  ],
  ["a negative count", { workers: [{ name: "a", count: -1 }] }, "workers.0.count", -1, COUNT],
  ["a fractional count", { workers: [{ name: "a", count: 1.5 }] }, "workers.0.count", 1.5, COUNT],
  ["a count as a string", { workers: [{ name: "a", count: "2" }] }, "workers.0.count", "2", COUNT],
  ["a missing count", { workers: [{ name: "a" }] }, "workers.0.count", undefined, COUNT],
  [
    "a Docker endpoint without scheme",
    { workers: [{ ...REMOTE, dockerHost: "render-01:2375" }] },
    "workers.0.dockerHost",
    "render-01:2375",
    `a Docker endpoint: "unix:///absolute/path.sock", "tcp://host:port" or "ssh://user@host" (leave it out for the manager's own engine)`,
  ],
  [
    "gpus 0",
    { workers: [{ name: "a", count: 1, gpus: 0 }] },
    "workers.0.gpus",
    0,
    "all or a whole number of GPUs from 1 upwards",
  ],
  [
    "gpus as a device list (only a count or all)",
    { workers: [{ name: "a", count: 1, gpus: "device=0,2" }] },
    "workers.0.gpus",
    "device=0,2",
    "all or a whole number of GPUs from 1 upwards",
  ],
  [
    "gpus as a word",
    { workers: [{ name: "a", count: 1, gpus: "some" }] },
    "workers.0.gpus",
    "some",
    "all or a whole number of GPUs from 1 upwards",
  ],
  [
    "a relative shared storage path",
    { workers: [{ ...REMOTE, sharedStorage: "mnt/projects" }] },
    "workers.0.sharedStorage",
    "mnt/projects",
    HOST_PATH,
  ],
  [
    "a workers root under ~",
    { workers: [{ ...REMOTE, workersRoot: "~/workers" }] },
    "workers.0.workersRoot",
    "~/workers",
    HOST_PATH,
  ],
  [
    "an unknown network",
    { workers: [{ ...REMOTE, network: "overlay" }] },
    "workers.0.network",
    "overlay",
    "one of bridge, host",
  ],
  [
    "a network on the manager's host",
    { workers: [{ name: "a", count: 1, network: "host" }] },
    "workers.0.network",
    "host",
    "no network: workers on the manager's host join the landscape network (network applies to hosts with a dockerHost)",
  ],
  [
    "a remote host without shared storage",
    { workers: [{ name: "r", dockerHost: "tcp://r:2376", count: 1 }] },
    "workers.0.sharedStorage",
    undefined,
    "where this render host sees the studio's shared storage (required for a host with a dockerHost)",
  ],
  [
    "a host's environment given as a list",
    { workers: [{ name: "a", count: 1, environment: ["A=1"] }] },
    "workers.0.environment",
    ["A=1"],
    WORKER_ENVIRONMENT,
  ],
  [
    "FLAMENCO_HOME in a host's environment",
    { workers: [{ name: "a", count: 1, environment: { FLAMENCO_HOME: "/x" } }] },
    "workers.0.environment.FLAMENCO_HOME",
    "/x",
    "TZ, PATH, FLAMENCO_HOME and FLAMENCO_WORKER_NAME are set by the program",
  ],
  [
    "FLAMENCO_WORKER_NAME in a host's environment",
    { workers: [{ name: "a", count: 1, environment: { FLAMENCO_WORKER_NAME: "x" } }] },
    "workers.0.environment.FLAMENCO_WORKER_NAME",
    "x",
    "set by the program",
  ],
  [
    "a host's environment variable holding an object",
    { workers: [{ name: "a", count: 1, environment: { A: { b: 1 } } }] },
    "workers.0.environment.A",
    { b: 1 },
    WORKER_ENVIRONMENT,
  ],
  [
    "TZ in a host's environment",
    { workers: [{ name: "a", count: 1, environment: { TZ: "UTC" } }] },
    "workers.0.environment.TZ",
    "UTC",
    "set by the program",
  ],
  ["an unknown host key", { workers: [{ name: "a", count: 1, replicas: 2 }] }, "workers.0.replicas", 2, NO_SUCH_KEY],
  [
    "a manager URL with a path",
    { managerUrl: "http://manager:8484/api" },
    "managerUrl",
    "http://manager:8484/api",
    'an http:// or https:// URL of the manager without path, such as "http://flamenco-manager.studio.lan:8484"',
  ],
  [
    "a worker image with spaces",
    { workerImage: "flamenco worker" },
    "workerImage",
    "flamenco worker",
    'a Docker image reference such as "debian:bookworm-slim"',
  ],
  [
    "a blenderVersion without its patch number",
    { blenderVersion: "4.2" },
    "blenderVersion",
    "4.2",
    'a Blender release version such as "4.2.3" (major.minor.patch, as in blender-4.2.3-linux-x64.tar.xz)',
  ],
  [
    "blenderRelease given as a bare url",
    { blenderVersion: "4.2.3", blenderRelease: BLENDER_URL },
    "blenderRelease",
    BLENDER_URL,
    "an object {url, sha256?}",
  ],
  [
    "a blenderRelease url that is not a .tar.xz",
    {
      blenderVersion: "4.2.3",
      blenderRelease: { url: "/srv/mirror/blender-4.2.3-linux-x64.zip", sha256: "a".repeat(64) },
    },
    "blenderRelease.url",
    "/srv/mirror/blender-4.2.3-linux-x64.zip",
    BLENDER_RELEASE_URL,
  ],
  [
    "a blenderRelease url with an unsupported scheme",
    {
      blenderVersion: "4.2.3",
      blenderRelease: { url: "ftp://mirror.example.com/blender.tar.xz", sha256: "a".repeat(64) },
    },
    "blenderRelease.url",
    "ftp://mirror.example.com/blender.tar.xz",
    BLENDER_RELEASE_URL,
  ],
  [
    "a blenderRelease url with credentials",
    {
      blenderVersion: "4.2.3",
      blenderRelease: { url: "https://artist:hunter2@mirror.example.com/blender.tar.xz", sha256: "a".repeat(64) },
    },
    "blenderRelease.url",
    "https://artist:(not shown)@mirror.example.com/blender.tar.xz",
    "a URL without credentials (user:password@): they would be kept in the state and shown in logs; serve the release where it needs none, or copy it and use a file:// URL",
  ],
  [
    "a malformed blenderRelease sha256",
    { blenderVersion: "4.2.3", blenderRelease: { url: BLENDER_URL, sha256: "abc123" } },
    "blenderRelease.sha256",
    "abc123",
    "64 hexadecimal characters (the archive's sha256)",
  ],
  [
    "an http:// Blender archive without sha256",
    { blenderVersion: "4.2.3", blenderRelease: { url: "http://mirror.example.com/blender-4.2.3-linux-x64.tar.xz" } },
    "blenderRelease",
    { url: "http://mirror.example.com/blender-4.2.3-linux-x64.tar.xz" },
    "a sha256 beside the url: only an https:// url named like an official archive (blender-<version>-linux-x64.tar.xz) is checked against the checksum list published beside it (blender-<version>.sha256); http://, file:// and local paths need the archive's sha256",
  ],
  [
    "an unknown key in blenderRelease",
    { blenderVersion: "4.2.3", blenderRelease: { url: BLENDER_URL, checksum: "x" } },
    "blenderRelease.checksum",
    "x",
    NO_SUCH_KEY,
  ],
  [
    "workerPackages given as one string",
    { workerPackages: "blender fonts-noto-core" },
    "workerPackages",
    "blender fonts-noto-core",
    "a list of Debian package names",
  ],
  ["a package name with capitals", { workerPackages: ["Blender"] }, "workerPackages.0", "Blender", DEBIAN_PACKAGE],
  [
    "a package name that would reach the build's shell",
    { workerPackages: ["fonts-noto-core", "blender; rm -rf /"] },
    "workerPackages.1",
    "blender; rm -rf /",
    DEBIAN_PACKAGE,
  ],
  ["an apt option instead of a package", { workerPackages: ["-y"] }, "workerPackages.0", "-y", DEBIAN_PACKAGE],
  [
    "a package pinned to something that is not a version",
    { workerPackages: ["blender=latest"] },
    "workerPackages.0",
    "blender=latest",
    'optionally pinned to a version: "blender" or "blender=3.4.1+dfsg-2+b1"',
  ],
];

function problemsOf(raw: Record<string, unknown>): readonly ConfigProblem[] {
  try {
    parseSettings(raw, CONTEXT);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(raw)}`);
}

describe("bad config: one problem naming the key, the value it got and what it accepts", () => {
  it.each(BAD_CONFIG_CASES)("%s", (_title, raw, key, got, expected) => {
    const problems = problemsOf(raw);
    expect(problems).toHaveLength(1);
    expect(problems[0].key).toBe(`${PROJECT}:${key}`);
    expect(problems[0].got).toEqual(got);
    expect(problems[0].expected).toContain(expected);
  });
});

describe("every rule of the schema has a bad-config case", () => {
  const { rules, paths } = schemaRules(stackConfigSchema);
  const cases = BAD_CONFIG_CASES.map(([title, , key, , expected]) => ({ title, path: rulePath(key, paths), expected }));

  it("finds the schema's rules (the walk sees nested keys, lists and maps)", () => {
    expect(paths).toEqual(
      expect.arrayContaining([
        "landscape",
        "manager.mqtt.broker",
        "workers.*.gpus",
        "manager.variables.*.values.*.platforms.*",
      ]),
    );
    expect(rules).toContainEqual({ path: "manager.variables.*.values", message: "at least one value" });
    expect(rules.length).toBeGreaterThan(60);
  });

  it("every key path of the schema has a case for a bad value at or under it", () => {
    const untested = paths.filter(
      (schemaPath) => !cases.some((row) => row.path === schemaPath || row.path.startsWith(`${schemaPath}.`)),
    );
    expect(untested).toEqual([]);
  });

  it("every message the schema declares is expected by a case at its key", () => {
    const untested = rules
      .filter(
        (rule) =>
          !cases.some(
            (row) =>
              (row.path === rule.path || row.path.startsWith(`${rule.path}.`)) && row.expected.includes(rule.message),
          ),
      )
      .map((rule) => `${rule.path}: ${rule.message}`);
    expect(untested).toEqual([]);
  });

  it("every hint, including those of rules written as code, is expected by some case", () => {
    const untested = Object.entries(HINTS)
      .filter(([, hint]) => !cases.some((row) => row.expected.includes(hint)))
      .map(([name]) => name);
    expect(untested).toEqual([]);
  });
});
