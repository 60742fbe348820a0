import type { Settings } from "../config/settings";
import { BLENDER_ARCHIVE_IN_CONTEXT, CONTAINER_PATHS, RELEASE_ARCHIVE_IN_CONTEXT } from "./names";

/** Build argument that carries the verified archive digest into the build. */
export const RELEASE_SHA256_ARG = "FLAMENCO_RELEASE_SHA256";
/** Build argument that carries the verified digest of the Blender archive into the worker image's build. */
export const BLENDER_SHA256_ARG = "BLENDER_SHA256";

/**
 * What the official Linux build of Blender links against and a slim Debian base lacks. Found
 * with `ldd` on Blender 4.2's build (its `bpy` module, built like the `blender` executable) in
 * debian:bookworm-slim: libGL.so.1, libICE.so.6, libSM.so.6, libX11.so.6, libXext.so.6,
 * libXfixes.so.3, libXi.so.6, libXrender.so.1, libXxf86vm.so.1, libgomp.so.1 and
 * libxkbcommon.so.0; with these packages it renders a Cycles frame in the background.
 */
export const BLENDER_LIBRARY_PACKAGES = [
  "libgl1",
  "libgomp1",
  "libice6",
  "libsm6",
  "libx11-6",
  "libxext6",
  "libxfixes3",
  "libxi6",
  "libxkbcommon0",
  "libxrender1",
  "libxxf86vm1",
] as const;

const HEADER = "# Written by the flamenco-landscape Pulumi program from stack config.\n";

function uidAndGid(managerUser: string): { uid: string; gid: string } {
  const [uid, gid = uid] = managerUser.split(":");
  return { uid, gid };
}

/** The stage that checks the release archive against the digest verified at download and unpacks it. */
function unpackStage(baseImage: string): string {
  return `FROM ${baseImage} AS unpack
ARG ${RELEASE_SHA256_ARG}
COPY ${RELEASE_ARCHIVE_IN_CONTEXT} /tmp/${RELEASE_ARCHIVE_IN_CONTEXT}
RUN echo "\${${RELEASE_SHA256_ARG}}  /tmp/${RELEASE_ARCHIVE_IN_CONTEXT}" | sha256sum -c - \\
 && mkdir -p /release \\
 && tar -xzf /tmp/${RELEASE_ARCHIVE_IN_CONTEXT} -C /release --strip-components=1 \\
 && chmod 0755 /release/flamenco-manager /release/flamenco-worker /release/tools/ffmpeg-linux-amd64
`;
}

/** The unprivileged user the containers run as, created unless the base image has it. */
function userStep(managerUser: string): string {
  const { uid, gid } = uidAndGid(managerUser);
  return `RUN (getent group ${gid} >/dev/null || groupadd --system --gid ${gid} flamenco) \\
 && (getent passwd ${uid} >/dev/null || useradd --system --uid ${uid} --gid ${gid} --home-dir ${CONTAINER_PATHS.workingDirectory} --no-create-home flamenco)
`;
}

/** Packages from the base image's package manager, without recommends; the build needs the network for it. */
function aptInstall(packages: readonly string[]): string {
  return `RUN apt-get update \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(" ")} \\
 && apt-get clean \\
 && rm -rf /var/lib/apt/lists/*
`;
}

/**
 * Multi-stage Dockerfile for the manager image. The first stage checks the archive
 * against the digest verified at download and unpacks it; the final stage holds only
 * the two binaries and ffmpeg, owned by root and run by an unprivileged user.
 */
export function renderDockerfile(settings: Pick<Settings, "baseImage" | "managerUser">): string {
  const { uid, gid } = uidAndGid(settings.managerUser);
  const app = CONTAINER_PATHS.workingDirectory;
  return `${HEADER}${unpackStage(settings.baseImage)}
FROM ${settings.baseImage}
${userStep(settings.managerUser)}COPY --from=unpack /release/flamenco-manager /release/flamenco-worker ${app}/
COPY --from=unpack /release/tools/ffmpeg-linux-amd64 ${app}/tools/ffmpeg-linux-amd64
WORKDIR ${app}
USER ${uid}:${gid}
ENV PATH=${app}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENTRYPOINT []
CMD ["${CONTAINER_PATHS.managerBinary}"]
`;
}

/**
 * The stage that checks the Blender archive against the digest verified at download and
 * unpacks its top directory. Files are given to root, whoever owned them in the archive, so
 * the worker cannot change the Blender it runs.
 */
function blenderStage(baseImage: string): string {
  const archive = `/tmp/${BLENDER_ARCHIVE_IN_CONTEXT}`;
  return `FROM ${baseImage} AS blender
ARG ${BLENDER_SHA256_ARG}
${aptInstall(["xz-utils"])}COPY ${BLENDER_ARCHIVE_IN_CONTEXT} ${archive}
RUN echo "\${${BLENDER_SHA256_ARG}}  ${archive}" | sha256sum -c - \\
 && mkdir -p /blender \\
 && tar -xJf ${archive} -C /blender --strip-components=1 --no-same-owner \\
 && (test -x /blender/blender || (echo "the Blender archive has no executable blender in its top directory" >&2 && exit 1))
`;
}

/** The official build in its directory, and `blender` on PATH for a shell in the worker (docker exec). */
function officialBlenderSteps(): string {
  return `COPY --from=blender /blender ${CONTAINER_PATHS.blenderDirectory}
RUN ln -s ${CONTAINER_PATHS.blenderBinary} /usr/local/bin/blender
`;
}

/** What the worker image is built from, besides the base image and the release. */
export type WorkerImageSettings = Pick<Settings, "baseImage" | "managerUser" | "blender" | "workerPackages">;

/**
 * Multi-stage Dockerfile for the worker image, built only when it holds Blender: the release
 * unpacked as for the manager image, the official Blender build checked and unpacked in a stage
 * of its own, and a final stage with the packages installed first (so a new release or Blender
 * version reuses that layer from the build cache), then the worker, FFmpeg and Blender. HOME is
 * the worker's identity directory: Blender writes its user config and caches there, and the
 * image's own home (/app) is not writable.
 */
export function renderWorkerDockerfile(settings: WorkerImageSettings): string {
  const { uid, gid } = uidAndGid(settings.managerUser);
  const app = CONTAINER_PATHS.workingDirectory;
  const official = settings.blender !== undefined;
  const packages = [...new Set([...(official ? BLENDER_LIBRARY_PACKAGES : []), ...settings.workerPackages])].sort();
  return `${HEADER}${unpackStage(settings.baseImage)}
${official ? `${blenderStage(settings.baseImage)}\n` : ""}FROM ${settings.baseImage}
${packages.length > 0 ? aptInstall(packages) : ""}${userStep(settings.managerUser)}COPY --from=unpack /release/flamenco-worker ${app}/
COPY --from=unpack /release/tools/ffmpeg-linux-amd64 ${app}/tools/ffmpeg-linux-amd64
${official ? officialBlenderSteps() : ""}WORKDIR ${app}
USER ${uid}:${gid}
ENV PATH=${app}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENV HOME=${CONTAINER_PATHS.workerHome}
ENTRYPOINT []
CMD ["${CONTAINER_PATHS.workerBinary}"]
`;
}
