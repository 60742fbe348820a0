import { officialBlenderUrl } from "../config/blender";
import type { ReleaseSource } from "../config/release";
import type { Settings, WorkerHostSettings } from "../config/settings";
import { keyName } from "../config/shown";
import { hostConfigFilePath, imageContextDirectory, workerImageContextDirectory } from "../config/layout";
import { blenderCacheEntry, releaseCacheEntry } from "./names";
import { workerHomeDirectory, workerImageName } from "./workers";

/**
 * The commands run at `pulumi up` are the project's own scripts, called by a path relative
 * to the project directory, so the same config gives the same command text on every machine
 * (`components/scriptCommand.ts` adds the directory to run them in).
 */
export const FETCH_RELEASE_COMMAND = "node scripts/fetch-release.js";
export const WRITE_MANAGER_FILES_COMMAND = "node scripts/write-manager-files.js";
export const ENSURE_WORKER_HOME_COMMAND = "node scripts/ensure-worker-home.js";

export function releaseCommandEnvironment(
  settings: Pick<Settings, "release" | "releaseCacheDirectory" | "featureDirectory">,
  dockerfile: string,
): Record<string, string> {
  const { release } = settings;
  return {
    FLAMENCO_RELEASE_URL: release.url,
    FLAMENCO_RELEASE_ARCHIVE: release.archiveName,
    FLAMENCO_RELEASE_CACHE_ENTRY: releaseCacheEntry(settings),
    ...(release.verification.kind === "sha256"
      ? { FLAMENCO_RELEASE_SHA256: release.verification.sha256 }
      : { FLAMENCO_RELEASE_CHECKSUMS_URL: release.verification.checksumsUrl }),
    FLAMENCO_IMAGE_CONTEXT: imageContextDirectory(settings),
    FLAMENCO_DOCKERFILE: dockerfile,
  };
}

/**
 * How a failure at `up` names the Blender the stack asks for: the key, its value, and what it
 * takes. The fetch script puts it before its own reason (a missing checksum list, a mismatch).
 */
export function blenderConfigDescription(blender: ReleaseSource): string {
  if (blender.url === officialBlenderUrl(blender.version)) {
    return `${keyName(["blenderVersion"])} "${blender.version}" (expected a version blender.org publishes: ${blender.url}, checked against the checksum list beside it)`;
  }
  if (blender.verification.kind === "sha256") {
    return `${keyName(["blenderRelease"])} ${JSON.stringify({ url: blender.url, sha256: blender.verification.sha256 })} (expected the archive at that url, with that sha256)`;
  }
  return `${keyName(["blenderRelease", "url"])} "${blender.url}" (expected an archive with its checksum list ${blender.verification.checksumsUrl} beside it)`;
}

/**
 * The worker image's context: the same release as the manager image's (found in the cache),
 * the official Blender build when the stack asks for it, and the worker Dockerfile.
 */
export function workerImageCommandEnvironment(
  settings: Pick<Settings, "release" | "releaseCacheDirectory" | "featureDirectory" | "blender">,
  dockerfile: string,
): Record<string, string> {
  const { blender } = settings;
  return {
    ...releaseCommandEnvironment(settings, dockerfile),
    FLAMENCO_IMAGE_CONTEXT: workerImageContextDirectory(settings),
    ...(blender === undefined
      ? {}
      : {
          BLENDER_RELEASE_URL: blender.url,
          BLENDER_RELEASE_ARCHIVE: blender.archiveName,
          BLENDER_RELEASE_CACHE_ENTRY: blenderCacheEntry(settings, blender),
          ...(blender.verification.kind === "sha256"
            ? { BLENDER_RELEASE_SHA256: blender.verification.sha256 }
            : { BLENDER_RELEASE_CHECKSUMS_URL: blender.verification.checksumsUrl }),
          BLENDER_RELEASE_CONFIG: blenderConfigDescription(blender),
        }),
  };
}

export function managerFilesCommandEnvironment(
  settings: Pick<Settings, "featureDirectory" | "storage" | "managerUser">,
): Record<string, string> {
  return {
    FLAMENCO_CONFIG_FILE: hostConfigFilePath(settings),
    FLAMENCO_STORAGE_DIRECTORIES: JSON.stringify([settings.storage.manager, settings.storage.shared]),
    FLAMENCO_STORAGE_OWNER: settings.managerUser,
  };
}

/**
 * Creates a worker's identity directory on its host, owned by the user the worker runs as.
 * On the manager's host the script creates it directly; on another host it asks that host's
 * engine (a root container of the worker image, no network) to create it, since Docker would
 * create a missing bind-mount source owned by root.
 */
export function workerHomeCommandEnvironment(
  settings: Pick<Settings, "managerUser" | "workerImage" | "landscape" | "release" | "blender" | "workerPackages">,
  host: Pick<WorkerHostSettings, "workersRoot" | "dockerHost">,
  name: string,
): Record<string, string> {
  return {
    FLAMENCO_WORKER_HOME: workerHomeDirectory(host, name),
    FLAMENCO_WORKER_HOME_OWNER: settings.managerUser,
    ...(host.dockerHost === undefined
      ? {}
      : { FLAMENCO_DOCKER_HOST: host.dockerHost, FLAMENCO_WORKER_IMAGE: workerImageName(settings) }),
  };
}

/** One verified archive in the cache. */
export interface FetchedArchive {
  archive: string;
  sha256: string;
  downloaded: boolean;
}

/** What the release command reports on its last stdout line; `blender` for the worker image's context. */
export interface FetchedRelease extends FetchedArchive {
  context: string;
  blender?: FetchedArchive;
}

const HEX_DIGEST = /^[0-9a-f]{64}$/;

/**
 * The JSON result line a script prints last, when `isComplete` accepts it; a clear error
 * naming the command otherwise (its output then says why it failed).
 */
export function resultLine<T>(
  stdout: string,
  command: string,
  isComplete: (result: Partial<T>) => boolean,
): Partial<T> {
  const lastLine = stdout.trim().split("\n").pop() ?? "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(lastLine);
  } catch {
    throw new Error(`The ${command} command printed no result line; its output was: ${stdout.slice(0, 500)}`);
  }
  const result = parsed as Partial<T>;
  if (!isComplete(result)) throw new Error(`The ${command} command printed an unexpected result: ${lastLine}`);
  return result;
}

function isArchive(line: Partial<FetchedArchive>): boolean {
  return typeof line.archive === "string" && HEX_DIGEST.test(line.sha256 ?? "");
}

export function parseFetchedRelease(stdout: string): FetchedRelease {
  const result = resultLine<FetchedRelease>(
    stdout,
    "release",
    (line) =>
      isArchive(line) && typeof line.context === "string" && (line.blender === undefined || isArchive(line.blender)),
  );
  return {
    archive: result.archive as string,
    sha256: result.sha256 as string,
    context: result.context as string,
    downloaded: result.downloaded === true,
    ...(result.blender === undefined
      ? {}
      : {
          blender: {
            archive: result.blender.archive,
            sha256: result.blender.sha256,
            downloaded: result.blender.downloaded === true,
          },
        }),
  };
}

/** What the manager-files command reports on its last stdout line. */
export interface WrittenManagerFiles {
  configFile: string;
  createdDirectories: string[];
  /** Changes with every write; reveals nothing about the content (see write-manager-files.js). */
  configDigest: string;
}

export function parseWrittenManagerFiles(stdout: string): WrittenManagerFiles {
  const result = resultLine<WrittenManagerFiles>(
    stdout,
    "manager-files",
    (line) =>
      typeof line.configFile === "string" &&
      Array.isArray(line.createdDirectories) &&
      HEX_DIGEST.test(line.configDigest ?? ""),
  );
  return {
    configFile: result.configFile as string,
    createdDirectories: result.createdDirectories as string[],
    configDigest: result.configDigest as string,
  };
}
