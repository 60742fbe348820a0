import { stringify } from "yaml";
import type { Settings } from "../config/settings";
import { CONTAINER_PATHS, DATABASE_FILE } from "./names";

type ManagerYamlSettings = Pick<Settings, "manager" | "ports">;

/**
 * The flamenco-manager.yaml the manager reads from its working directory. Keys and
 * order follow Flamenco 3's own file; storage paths point at the container mounts, so
 * the manager never starts in its first-run setup mode. Pure: the same settings always
 * give the same bytes.
 */
export function managerConfigDocument(settings: ManagerYamlSettings, mqttPassword?: string): Record<string, unknown> {
  const { manager } = settings;
  const document: Record<string, unknown> = {
    _meta: { version: 3 },
    manager_name: manager.managerName,
    database: `${CONTAINER_PATHS.storage}/${DATABASE_FILE}`,
    database_check_period: manager.databaseCheckPeriod,
    listen: `:${settings.ports.container}`,
    autodiscoverable: manager.autodiscoverable,
    local_manager_storage_path: CONTAINER_PATHS.storage,
    shared_storage_path: CONTAINER_PATHS.sharedStorage,
    shaman: {
      enabled: manager.shaman.enabled,
      garbageCollect: {
        period: manager.shaman.garbageCollect.period,
        maxAge: manager.shaman.garbageCollect.maxAge,
        extraCheckoutPaths: manager.shaman.garbageCollect.extraCheckoutPaths,
      },
    },
    task_timeout: manager.taskTimeout,
    worker_timeout: manager.workerTimeout,
    blocklist_threshold: manager.blocklistThreshold,
    task_fail_after_softfail_count: manager.taskFailAfterSoftfailCount,
  };
  if (manager.mqtt) {
    const client: Record<string, string> = { broker: manager.mqtt.broker };
    if (manager.mqtt.clientID !== undefined) client.clientID = manager.mqtt.clientID;
    if (manager.mqtt.topicPrefix !== undefined) client.topic_prefix = manager.mqtt.topicPrefix;
    if (manager.mqtt.username !== undefined) client.username = manager.mqtt.username;
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

const HEADER = "# Written by the flamenco-landscape Pulumi program from stack config. Edit the stack config, not this file.\n";

export function renderManagerYaml(settings: ManagerYamlSettings, mqttPassword?: string): string {
  return HEADER + stringify(managerConfigDocument(settings, mqttPassword), { lineWidth: 0 });
}
