import * as crypto from "crypto";

/** Where official release archives are published. */
export const OFFICIAL_DOWNLOADS = "https://flamenco.blender.org/downloads";

/** Archive file name of a Linux release, as published. */
export function releaseArchiveName(version: string): string {
  return `flamenco-${version}-linux-amd64.tar.gz`;
}

export function officialReleaseUrl(version: string): string {
  return `${OFFICIAL_DOWNLOADS}/${releaseArchiveName(version)}`;
}

/**
 * How a project names its Linux archives and the checksum list (`sha256sum` output for every
 * archive of a version) it publishes beside them.
 */
export interface ArchiveNaming {
  /** Matches an official Linux archive's file name; its first group is the version. */
  readonly archivePattern: RegExp;
  readonly checksumListName: (version: string) => string;
}

export const FLAMENCO_NAMING: ArchiveNaming = {
  archivePattern: /^flamenco-(\d+(?:\.\d+){1,2}(?:-[A-Za-z0-9.]+)?)-linux-amd64\.tar\.gz$/,
  checksumListName: (version) => `flamenco-${version}.sha256`,
};

function fileNameOf(location: string): string {
  return location.slice(location.lastIndexOf("/") + 1);
}

/** The version in an archive location named like an official one, else undefined. */
export function archiveVersion(location: string, naming: ArchiveNaming): string | undefined {
  return naming.archivePattern.exec(fileNameOf(location))?.[1];
}

export function officialArchiveVersion(location: string): string | undefined {
  return archiveVersion(location, FLAMENCO_NAMING);
}

/**
 * For an archive named like an official one, the checksum list published beside it;
 * otherwise undefined. Mirrors and air-gapped copies keep both files side by side, so the
 * rule holds for any location, not only the official server.
 */
export function checksumListBeside(location: string, naming: ArchiveNaming): string | undefined {
  const version = archiveVersion(location, naming);
  if (version === undefined) return undefined;
  return `${location.slice(0, location.lastIndexOf("/") + 1)}${naming.checksumListName(version)}`;
}

/** `.../flamenco-<v>-linux-amd64.tar.gz` → `.../flamenco-<v>.sha256`. */
export function publishedChecksumLocation(location: string): string | undefined {
  return checksumListBeside(location, FLAMENCO_NAMING);
}

export type ReleaseVerification =
  { kind: "sha256"; sha256: string } | { kind: "published-checksums"; checksumsUrl: string };

/** An archive the program fetches at `pulumi up`: where from, how it is verified, where it is cached. */
export interface ReleaseSource {
  /** Version of what the archive holds. */
  version: string;
  /** http(s):// or file:// URL, or an absolute path. */
  url: string;
  /** File name the archive is stored under in the cache. */
  archiveName: string;
  verification: ReleaseVerification;
  /** Cache directory name: one entry per url and expected checksum. */
  cacheKey: string;
}

/** Source of the archive at `url`, verified by `sha256` or by the checksum list beside it. */
export function resolveArchiveSource(
  version: string,
  url: string,
  sha256: string | undefined,
  naming: ArchiveNaming,
  archiveName: string,
): ReleaseSource {
  let verification: ReleaseVerification;
  if (sha256) {
    verification = { kind: "sha256", sha256: sha256.toLowerCase() };
  } else {
    const checksumsUrl = checksumListBeside(url, naming);
    if (!checksumsUrl) throw new Error(`archive ${url} has neither a sha256 nor a published checksum list`);
    verification = { kind: "published-checksums", checksumsUrl };
  }
  const keyMaterial = `${url}\n${verification.kind === "sha256" ? verification.sha256 : verification.checksumsUrl}`;
  const cacheKey = crypto.createHash("sha256").update(keyMaterial).digest("hex").slice(0, 16);
  return { version, url, archiveName, verification, cacheKey };
}

export function resolveReleaseSource(version: string, override?: { url: string; sha256?: string }): ReleaseSource {
  const url = override?.url ?? officialReleaseUrl(version);
  const lastSegment = fileNameOf(url);
  const archiveName =
    lastSegment.endsWith(".tar.gz") || lastSegment.endsWith(".tgz") ? lastSegment : releaseArchiveName(version);
  return resolveArchiveSource(version, url, override?.sha256, FLAMENCO_NAMING, archiveName);
}
