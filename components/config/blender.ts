import { ArchiveNaming, archiveVersion, ReleaseSource, resolveArchiveSource } from "./release";

/** Where blender.org publishes its releases: `Blender<major>.<minor>/` per series. */
export const BLENDER_DOWNLOADS = "https://download.blender.org/release";

/** A Blender release version as its archives name it: 4.2.3, 3.6.0. */
export const BLENDER_VERSION_PATTERN = /^\d+\.\d+\.\d+$/;

export const BLENDER_NAMING: ArchiveNaming = {
  archivePattern: /^blender-(\d+\.\d+\.\d+)-linux-x64\.tar\.xz$/,
  checksumListName: (version) => `blender-${version}.sha256`,
};

/** The official Linux build's file name; its top directory is the same name without `.tar.xz`. */
export function blenderArchiveName(version: string): string {
  return `blender-${version}-linux-x64.tar.xz`;
}

export function officialBlenderUrl(version: string): string {
  const [major, minor] = version.split(".");
  return `${BLENDER_DOWNLOADS}/Blender${major}.${minor}/${blenderArchiveName(version)}`;
}

/** The version in a location named like an official Linux build, else undefined. */
export function blenderArchiveVersion(location: string): string | undefined {
  return archiveVersion(location, BLENDER_NAMING);
}

/** The official build of `version`, or the archive the override names. */
export function resolveBlenderSource(version: string, override?: { url: string; sha256?: string }): ReleaseSource {
  const url = override?.url ?? officialBlenderUrl(version);
  const fileName = url.slice(url.lastIndexOf("/") + 1);
  return resolveArchiveSource(version, url, override?.sha256, BLENDER_NAMING, fileName);
}

/**
 * Names the package for Debian's own Blender (`blender`, or `blender=<version>`), as a
 * workerPackages entry holds it.
 */
export function isBlenderPackage(entry: string): boolean {
  return entry.split("=")[0] === "blender";
}
