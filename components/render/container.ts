import {
  DATABASE_VERSION_FILE,
  FEATURE_LABEL,
  FLAMENCO_VERSION_LABEL,
  LABEL_PREFIX,
  LANDSCAPE_LABEL,
} from "../../scripts/shared-names";
import type { LogLevel, Settings } from "../config/settings";
import type { ContainerSpec } from "./containerSpec";
import { hostConfigFilePath, managerFqdn } from "../config/layout";
import { CONTAINER_PATHS, managerAliases, managerContainerName } from "./names";

export const CONFIG_DIGEST_LABEL = `${LABEL_PREFIX}.flamenco.config-sha256`;

const LOG_LEVEL_FLAGS: Record<LogLevel, string[]> = {
  quiet: ["-quiet"],
  info: [],
  debug: ["-debug"],
  trace: ["-trace"],
};

/** Where the manager container records the version it runs, beside the database in the storage mount. */
export const DATABASE_VERSION_PATH = `${CONTAINER_PATHS.storage}/${DATABASE_VERSION_FILE}`;

/**
 * Writes `version` to `versionFile` (through a sibling and a rename, so the file is whole or
 * absent), then replaces the shell with `command`: the manager stays PID 1 and gets Docker's
 * stop signal itself. `version` matches VERSION_PATTERN, so it needs no quoting.
 */
export function recordVersionThenRun(versionFile: string, version: string, command: readonly string[]): string[] {
  const script = `printf '%s\\n' '${version}' > '${versionFile}.partial' && mv -f '${versionFile}.partial' '${versionFile}' && exec "$@"`;
  return ["/bin/sh", "-c", script, "flamenco-manager", ...command];
}

/**
 * The manager's command: it first records its version beside the database, so a backup of that
 * database is named for the version that last ran on it (scripts/backup-database.js), also after
 * a restore put an older database back.
 */
export function managerCommand(logLevel: LogLevel, version: string): string[] {
  return recordVersionThenRun(DATABASE_VERSION_PATH, version, [
    CONTAINER_PATHS.managerBinary,
    ...LOG_LEVEL_FLAGS[logLevel],
  ]);
}

/**
 * Health check on `GET /api/v3/version`. Base images such as debian:bookworm-slim have
 * no curl or wget, so the request is made with bash's /dev/tcp. Docker makes its first probe
 * one interval after the start (Engine API 1.41 has no separate start interval), so a 1 s
 * interval lets `pulumi up` go on within a second of the manager listening; a probe costs the
 * engine about 20 ms of CPU time. A manager that does not answer within the 10 s start period
 * and 20 probes after it is marked unhealthy.
 */
export function managerHealthcheck(containerPort: number) {
  const request = `exec 3<>/dev/tcp/127.0.0.1/${containerPort} && printf 'GET /api/v3/version HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '`;
  return {
    tests: ["CMD", "bash", "-c", request],
    interval: "1s",
    timeout: "3s",
    startPeriod: "10s",
    retries: 20,
  };
}

/**
 * Seconds a container gets to stop after SIGTERM when it is replaced or destroyed, before Docker
 * kills it: the manager closes its database (and its WAL) and a worker signs off, so its task
 * goes back to the queue. Without it the provider kills at once.
 */
export const STOP_GRACE_SECONDS = 30;

/** Seconds `pulumi up` waits for the manager to report healthy before failing. */
export const MANAGER_WAIT_TIMEOUT_SECONDS = 90;

export function managerEnvironment(settings: Pick<Settings, "timezone" | "environment">): string[] {
  const extra = Object.keys(settings.environment)
    .sort()
    .map((name) => `${name}=${settings.environment[name]}`);
  return [`TZ=${settings.timezone}`, ...extra];
}

/**
 * Every manager container input that follows from the settings alone; the Pulumi layer
 * adds the image id and the config digest, which are known only at `up`.
 */
export function managerContainerSpec(settings: Settings) {
  return {
    name: managerContainerName(settings.landscape),
    // The hostname is already fully qualified; Docker would append a domainname to it again.
    hostname: managerFqdn(settings),
    restart: settings.restart,
    command: managerCommand(settings.logLevel, settings.release.version),
    envs: managerEnvironment(settings),
    ports: [{ internal: settings.ports.container, external: settings.ports.host, ip: settings.ports.bindAddress }],
    volumes: [
      { hostPath: hostConfigFilePath(settings), containerPath: CONTAINER_PATHS.configFile, readOnly: true },
      { hostPath: settings.storage.manager, containerPath: CONTAINER_PATHS.storage, readOnly: false },
      { hostPath: settings.storage.shared, containerPath: CONTAINER_PATHS.sharedStorage, readOnly: false },
    ],
    networksAdvanced: [{ name: settings.network.name, aliases: managerAliases(settings) }],
    healthcheck: managerHealthcheck(settings.ports.container),
    labels: [
      { label: LANDSCAPE_LABEL, value: settings.landscape },
      { label: FEATURE_LABEL, value: "flamenco-manager" },
      // Read by the restore script: whether this manager may start on a restored database.
      { label: FLAMENCO_VERSION_LABEL, value: settings.release.version },
    ],
    wait: true,
    waitTimeout: MANAGER_WAIT_TIMEOUT_SECONDS,
    destroyGraceSeconds: STOP_GRACE_SECONDS,
  } satisfies ContainerSpec;
}
