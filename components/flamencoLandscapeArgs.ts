import type * as pulumi from "@pulumi/pulumi";

/*
 * The arguments of the FlamencoLandscape component: every stack config key of the program, for
 * any Pulumi language. The component is published as a package whose schema is read from these
 * declarations, so they keep to what every language can express: plain values, lists, maps and
 * nested interfaces. Where stack config takes one of two shapes (the release's version or its
 * url and sha256; all GPUs or a count), they are separate optional fields here. Values are
 * checked by the same rules as stack config, with one error naming every bad argument.
 */

/** One landscape's Flamenco farm: the manager, its release and image, its storage and its render workers. */
export interface FlamencoLandscapeArgs {
  /** Landscape name (lowercase letters, digits, '_', '.', '-'); defaults to the stack name. */
  landscape?: string;
  /** Root of all landscapes on the Docker host that runs the manager; `~` is expanded. Default `~/.openstudiolandscapes/landscapes`. */
  landscapesRoot?: string;
  /** false declares no Docker resources for this landscape. Default true. */
  enabled?: boolean;
  /** Flamenco release to deploy, such as "3.7". Default "3.7". */
  flamencoVersion?: string;
  /** Where to download the release archive instead of flamenco.blender.org: https://, http://, file:// or an absolute path. */
  flamencoReleaseUrl?: string;
  /** The archive's sha256; needed for http://, file:// and paths, and for https:// archives not named like an official one. */
  flamencoReleaseSha256?: string;
  /** Host port of the manager's web UI and API. Default 8484. */
  managerPortHost?: number;
  /** Port the manager listens on inside its container. Default 8080. */
  managerPortContainer?: number;
  /** Address the host port is published on. Default "0.0.0.0". */
  managerBindAddress?: string;
  /** The manager's storage (database, task logs) on its host; a path template. Default `{DOT_LANDSCAPES}/{LANDSCAPE}/{FEATURE}/storage`. */
  storage?: string;
  /** The studio's shared storage (job files, renders) on the manager's host; a path template. */
  sharedStorage?: string;
  /** The landscape's Docker network and the manager's name on it. */
  network?: LandscapeNetwork;
  /** Base image of the manager and worker images. Default "debian:bookworm-slim". */
  baseImage?: string;
  /** IANA time zone of the containers. Default "UTC". */
  timezone?: string;
  /** Extra environment variables of the manager container. */
  environment?: { [name: string]: string };
  /** The manager's log level: quiet, info, debug or trace. Default "info". */
  logLevel?: string;
  /** Numeric "uid" or "uid:gid" the manager and workers run as. Default "1000:1000". */
  managerUser?: string;
  /** Allows uid 0 in managerUser. Default false. */
  allowRootUser?: boolean;
  /** Restart policy of the containers: no, on-failure, always or unless-stopped. Default "always". */
  restart?: string;
  /** Settings of flamenco-manager.yaml. */
  manager?: ManagerSettings;
  /** The render hosts and their workers. */
  workers?: RenderHost[];
  /** How workers on other hosts reach the manager, such as "http://flamenco-manager.studio.lan:8484". */
  managerUrl?: string;
  /** An image of the studio's own for the workers, instead of the one the program builds. */
  workerImage?: string;
  /** How many database backups to keep under the storage's backups/. Default 5. */
  backupsToKeep?: number;
  /** Password of the MQTT broker of manager.mqtt; keep it a secret. */
  mqttPassword?: pulumi.Input<string>;
  /** Blender's official Linux build for the workers, such as "4.2.3", from download.blender.org, verified against its published checksum list. */
  blenderVersion?: string;
  /** Where to download that build instead: https://, http://, file:// or an absolute path, of a .tar.xz. */
  blenderReleaseUrl?: string;
  /** The Blender archive's sha256; needed unless blenderReleaseUrl is an https:// url named like an official archive. */
  blenderReleaseSha256?: string;
  /** Debian packages for the worker image, such as "blender" or fonts; optionally pinned ("blender=3.4.1+dfsg-2+b1"). */
  workerPackages?: string[];
}

/** The landscape's Docker network. */
export interface LandscapeNetwork {
  /** Network name. Default `openstudiolandscapes-<landscape>`. */
  name?: string;
  /** The manager's short name on the network. Default "flamenco-manager". */
  alias?: string;
  /** The domain of the manager's fully qualified name. Default "openstudiolandscapes.lan". */
  domain?: string;
}

/** Settings of flamenco-manager.yaml, by their stack config names. */
export interface ManagerSettings {
  /** Name the manager shows. Default "OpenStudioLandscapes-Flamenco". */
  managerName?: string;
  /** Go duration between database integrity checks. Default "10m". */
  databaseCheckPeriod?: string;
  /** Go duration after which a silent task fails. Default "10m". */
  taskTimeout?: string;
  /** Go duration after which a silent worker is marked offline. Default "1m". */
  workerTimeout?: string;
  /** Failures of one worker on one job before it is blocked from it. Default 3. */
  blocklistThreshold?: number;
  /** Soft failures of a task before it fails for good. Default 3. */
  taskFailAfterSoftfailCount?: number;
  /** Announce the manager over UPnP/SSDP (does not cross a Docker bridge). Default false. */
  autodiscoverable?: boolean;
  /** Shaman, the manager's file store on shared storage. */
  shaman?: ShamanSettings;
  /** Flamenco's variables, by name; the defaults are `blender` and `blenderArgs`. */
  variables?: { [name: string]: FlamencoVariable };
  /** An MQTT broker the manager sends its events to. */
  mqtt?: MqttClient;
}

/** Shaman, the manager's file store on shared storage. */
export interface ShamanSettings {
  /** Default true; needs symlinks on shared storage. */
  enabled?: boolean;
  /** When and what Shaman's garbage collection removes. */
  garbageCollect?: ShamanGarbageCollect;
}

/** Shaman's garbage collection. */
export interface ShamanGarbageCollect {
  /** Go duration between collections. Default "24h". */
  period?: string;
  /** Go duration after which an unused file is removed. Default "744h". */
  maxAge?: string;
  /** More checkout directories inside the shared storage as the manager sees it (/app/flamenco-manager-storage-shared/...). */
  extraCheckoutPaths?: string[];
}

/** One of Flamenco's variables. */
export interface FlamencoVariable {
  /** Whether the variable maps paths both ways. */
  isTwoway?: boolean;
  /** Its values, per platform and audience. */
  values: FlamencoVariableValue[];
}

/** A value of a Flamenco variable. */
export interface FlamencoVariableValue {
  /** One of all, linux, windows, darwin, manager; or give platforms. */
  platform?: string;
  /** Several platforms at once. */
  platforms?: string[];
  /** One of all, workers, users. */
  audience?: string;
  value: string;
}

/** The MQTT client of the manager. */
export interface MqttClient {
  /** Broker URL such as tcp://mqtt.studio.lan:1883. */
  broker: string;
  clientID?: string;
  topicPrefix?: string;
  username?: string;
}

/** A Docker host with render workers. */
export interface RenderHost {
  /** Host name (a DNS label); it names the workers `<landscape>-<name>-<n>`. */
  name: string;
  /** Its Docker endpoint (unix://, tcp:// or ssh://); none for the manager's own engine. */
  dockerHost?: string;
  /** How many workers it runs. */
  count: number;
  /** Give every GPU of the host to each worker. */
  allGpus?: boolean;
  /** Or give each worker this many GPUs. */
  gpuCount?: number;
  /** Where this host sees the studio's shared storage (required with a dockerHost). */
  sharedStorage?: string;
  /** Where this host keeps its workers' identity directories. */
  workersRoot?: string;
  /** bridge or host networking, for hosts with a dockerHost. */
  network?: string;
  /** Extra environment variables of its workers. */
  environment?: { [name: string]: string };
}
