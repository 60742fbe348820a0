import type { Settings } from "../config/settings";
import { hostConfigFilePath, imageContextDirectory, releaseCacheEntry } from "./names";

/**
 * The commands run at `pulumi up` are the project's own scripts, called by a path
 * relative to the project directory (where `pulumi up` runs), so the same config gives
 * the same command text on every machine.
 */
export const FETCH_RELEASE_COMMAND = "node scripts/fetch-release.js";
export const WRITE_MANAGER_FILES_COMMAND = "node scripts/write-manager-files.js";

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

export function managerFilesCommandEnvironment(settings: Pick<Settings, "featureDirectory" | "storage" | "managerUser">): Record<string, string> {
  return {
    FLAMENCO_CONFIG_FILE: hostConfigFilePath(settings),
    FLAMENCO_STORAGE_DIRECTORIES: JSON.stringify([settings.storage.manager, settings.storage.shared]),
    FLAMENCO_STORAGE_OWNER: settings.managerUser,
  };
}

/** What the release command reports on its last stdout line. */
export interface FetchedRelease {
  archive: string;
  sha256: string;
  context: string;
  downloaded: boolean;
}

export function parseFetchedRelease(stdout: string): FetchedRelease {
  const lastLine = stdout.trim().split("\n").pop() ?? "";
  let parsed: unknown;
  try {
    parsed = JSON.parse(lastLine);
  } catch {
    throw new Error(`The release command printed no result line; its output was: ${stdout.slice(0, 500)}`);
  }
  const result = parsed as Partial<FetchedRelease>;
  if (typeof result.archive !== "string" || typeof result.context !== "string" || !/^[0-9a-f]{64}$/.test(result.sha256 ?? "")) {
    throw new Error(`The release command printed an unexpected result: ${lastLine}`);
  }
  return { archive: result.archive, sha256: result.sha256 as string, context: result.context, downloaded: result.downloaded === true };
}
