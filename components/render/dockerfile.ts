import type { Settings } from "../config/settings";
import { CONTAINER_PATHS, RELEASE_ARCHIVE_IN_CONTEXT } from "./names";

/** Build argument that carries the verified archive digest into the build. */
export const RELEASE_SHA256_ARG = "FLAMENCO_RELEASE_SHA256";

function uidAndGid(managerUser: string): { uid: string; gid: string } {
  const [uid, gid = uid] = managerUser.split(":");
  return { uid, gid };
}

/**
 * Multi-stage Dockerfile for the manager image. The first stage checks the archive
 * against the digest verified at download and unpacks it; the final stage holds only
 * the two binaries and ffmpeg, owned by root and run by an unprivileged user.
 */
export function renderDockerfile(settings: Pick<Settings, "baseImage" | "managerUser">): string {
  const { uid, gid } = uidAndGid(settings.managerUser);
  const app = CONTAINER_PATHS.workingDirectory;
  return `# Written by the flamenco-landscape Pulumi program from stack config.
FROM ${settings.baseImage} AS unpack
ARG ${RELEASE_SHA256_ARG}
COPY ${RELEASE_ARCHIVE_IN_CONTEXT} /tmp/${RELEASE_ARCHIVE_IN_CONTEXT}
RUN echo "\${${RELEASE_SHA256_ARG}}  /tmp/${RELEASE_ARCHIVE_IN_CONTEXT}" | sha256sum -c - \\
 && mkdir -p /release \\
 && tar -xzf /tmp/${RELEASE_ARCHIVE_IN_CONTEXT} -C /release --strip-components=1 \\
 && chmod 0755 /release/flamenco-manager /release/flamenco-worker /release/tools/ffmpeg-linux-amd64

FROM ${settings.baseImage}
RUN (getent group ${gid} >/dev/null || groupadd --system --gid ${gid} flamenco) \\
 && (getent passwd ${uid} >/dev/null || useradd --system --uid ${uid} --gid ${gid} --home-dir ${app} --no-create-home flamenco)
COPY --from=unpack /release/flamenco-manager /release/flamenco-worker ${app}/
COPY --from=unpack /release/tools/ffmpeg-linux-amd64 ${app}/tools/ffmpeg-linux-amd64
WORKDIR ${app}
USER ${uid}:${gid}
ENV PATH=${app}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ENTRYPOINT []
CMD ["${CONTAINER_PATHS.managerBinary}"]
`;
}
