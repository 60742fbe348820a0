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

const ARCHIVE_NAME = /^flamenco-(\d+(?:\.\d+){1,2}(?:-[A-Za-z0-9.]+)?)-linux-amd64\.tar\.gz$/;

/** The version in an archive location named like an official one, else undefined. */
export function officialArchiveVersion(location: string): string | undefined {
  return ARCHIVE_NAME.exec(location.slice(location.lastIndexOf("/") + 1))?.[1];
}

/**
 * For an archive named like an official one (`.../flamenco-<v>-linux-amd64.tar.gz`),
 * the checksum list published beside it (`.../flamenco-<v>.sha256`); otherwise undefined.
 * Mirrors and air-gapped copies keep both files side by side, so the rule holds for any
 * location, not only the official server.
 */
export function publishedChecksumLocation(location: string): string | undefined {
  const version = officialArchiveVersion(location);
  if (version === undefined) return undefined;
  return `${location.slice(0, location.lastIndexOf("/") + 1)}flamenco-${version}.sha256`;
}

export type ReleaseVerification =
  { kind: "sha256"; sha256: string } | { kind: "published-checksums"; checksumsUrl: string };

export interface ReleaseSource {
  /** Flamenco version, used for image tags. */
  version: string;
  /** http(s):// or file:// URL, or an absolute path. */
  url: string;
  /** File name the archive is stored under in the cache. */
  archiveName: string;
  verification: ReleaseVerification;
  /** Cache directory name: one entry per url and expected checksum. */
  cacheKey: string;
}

export function resolveReleaseSource(version: string, override?: { url: string; sha256?: string }): ReleaseSource {
  const url = override?.url ?? officialReleaseUrl(version);
  const sha256 = override?.sha256?.toLowerCase();
  let verification: ReleaseVerification;
  if (sha256) {
    verification = { kind: "sha256", sha256 };
  } else {
    const checksumsUrl = publishedChecksumLocation(url);
    if (!checksumsUrl) throw new Error(`release ${url} has neither a sha256 nor a published checksum list`);
    verification = { kind: "published-checksums", checksumsUrl };
  }
  const lastSegment = url.slice(url.lastIndexOf("/") + 1);
  const archiveName =
    lastSegment.endsWith(".tar.gz") || lastSegment.endsWith(".tgz") ? lastSegment : releaseArchiveName(version);
  const keyMaterial = `${url}\n${verification.kind === "sha256" ? verification.sha256 : verification.checksumsUrl}`;
  const cacheKey = crypto.createHash("sha256").update(keyMaterial).digest("hex").slice(0, 16);
  return { version, url, archiveName, verification, cacheKey };
}
