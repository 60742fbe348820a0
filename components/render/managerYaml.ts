import { stringify } from "yaml";
import type { Settings } from "../config/settings";
import { valueNextToExecutable } from "../config/flamencoPaths";
import { CONTAINER_PATHS, DATABASE_FILE, FLAMENCO_PROCESS_DIRECTORIES } from "./names";

type ManagerYamlSettings = Pick<Settings, "manager" | "ports">;
type ManagerSettings = Settings["manager"];

/**
 * flamenco-manager.yaml names of the manager's plain settings, by their stack key under
 * `manager.`. The renderer writes them and the config import reads them; a new manager key
 * in the schema fails `tsc` until it is named here.
 */
export const MANAGER_YAML_NAMES = {
  managerName: "manager_name",
  databaseCheckPeriod: "database_check_period",
  taskTimeout: "task_timeout",
  workerTimeout: "worker_timeout",
  blocklistThreshold: "blocklist_threshold",
  taskFailAfterSoftfailCount: "task_fail_after_softfail_count",
  autodiscoverable: "autodiscoverable",
} as const satisfies Record<Exclude<keyof ManagerSettings, "shaman" | "variables" | "mqtt">, string>;

/** flamenco-manager.yaml names of `mqtt.client`, by stack key under `manager.mqtt.` (the password is the secret mqttPassword). */
export const MQTT_CLIENT_YAML_NAMES = {
  broker: "broker",
  clientID: "clientID",
  topicPrefix: "topic_prefix",
  username: "username",
} as const satisfies Record<keyof NonNullable<ManagerSettings["mqtt"]>, string>;

/**
 * local_manager_storage_path as Flamenco needs it to reach the storage mount: relative, since
 * Flamenco joins this key onto its executable's directory even when the value is absolute.
 */
function localStorageValue(): string {
  const value = valueNextToExecutable(FLAMENCO_PROCESS_DIRECTORIES.executableDirectory, CONTAINER_PATHS.storage);
  if (value === undefined) {
    throw new Error(`the storage mount ${CONTAINER_PATHS.storage} must lie below the manager's directory`);
  }
  return value;
}

/**
 * The entries of flamenco-manager.yaml the program sets itself: the format version, and the
 * database, listen address and storage paths that follow the container's mounts and port.
 */
export function programManagerYaml(containerPort: number | string) {
  return {
    _meta: { version: 3 },
    database: `${CONTAINER_PATHS.storage}/${DATABASE_FILE}`,
    listen: `:${containerPort}`,
    local_manager_storage_path: localStorageValue(),
    shared_storage_path: CONTAINER_PATHS.sharedStorage,
  };
}

/**
 * The flamenco-manager.yaml the manager reads from its working directory. Keys and
 * order follow Flamenco 3's own file; storage paths point at the container mounts, so
 * the manager never starts in its first-run setup mode. Pure: the same settings always
 * give the same bytes.
 */
export function managerConfigDocument(settings: ManagerYamlSettings, mqttPassword?: string): Record<string, unknown> {
  const { manager } = settings;
  const fixed = programManagerYaml(settings.ports.container);
  const names = MANAGER_YAML_NAMES;
  const document: Record<string, unknown> = {
    _meta: fixed._meta,
    [names.managerName]: manager.managerName,
    database: fixed.database,
    [names.databaseCheckPeriod]: manager.databaseCheckPeriod,
    listen: fixed.listen,
    [names.autodiscoverable]: manager.autodiscoverable,
    local_manager_storage_path: fixed.local_manager_storage_path,
    shared_storage_path: fixed.shared_storage_path,
    shaman: {
      enabled: manager.shaman.enabled,
      garbageCollect: {
        period: manager.shaman.garbageCollect.period,
        maxAge: manager.shaman.garbageCollect.maxAge,
        extraCheckoutPaths: manager.shaman.garbageCollect.extraCheckoutPaths,
      },
    },
    [names.taskTimeout]: manager.taskTimeout,
    [names.workerTimeout]: manager.workerTimeout,
    [names.blocklistThreshold]: manager.blocklistThreshold,
    [names.taskFailAfterSoftfailCount]: manager.taskFailAfterSoftfailCount,
  };
  if (manager.mqtt) {
    const client: Record<string, string> = {};
    for (const [key, name] of Object.entries(MQTT_CLIENT_YAML_NAMES)) {
      const value = manager.mqtt[key as keyof typeof MQTT_CLIENT_YAML_NAMES];
      if (value !== undefined) client[name] = value;
    }
    if (mqttPassword !== undefined) client.password = mqttPassword;
    document.mqtt = { client };
  }
  document.variables = Object.fromEntries(
    Object.entries(manager.variables).map(([name, variable]) => [
      name,
      {
        ...(variable.isTwoway !== undefined ? { is_twoway: variable.isTwoway } : {}),
        values: variable.values.map((entry) => ({
          ...(entry.platform !== undefined ? { platform: entry.platform } : {}),
          ...(entry.platforms !== undefined ? { platforms: entry.platforms } : {}),
          ...(entry.audience !== undefined ? { audience: entry.audience } : {}),
          value: entry.value,
        })),
      },
    ]),
  );
  return document;
}

const HEADER =
  "# Written by the flamenco-landscape Pulumi program from stack config. Edit the stack config, not this file.\n";

export function renderManagerYaml(settings: ManagerYamlSettings, mqttPassword?: string): string {
  return HEADER + stringify(managerConfigDocument(settings, mqttPassword), { lineWidth: 0 });
}
