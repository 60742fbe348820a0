#!/usr/bin/env bash
# engine-setup.sh — make a local Docker engine usable for the engine tests.
#
#   1. installs docker.io + debootstrap from Debian's apt mirrors when missing;
#   2. starts dockerd in the background when `docker info` does not answer;
#   3. provides the base image debian:bookworm-slim WITHOUT any registry:
#      debootstrap (minbase) from the machine's own Debian mirror, cached as a
#      rootfs tarball under /var/cache, then `docker import`.
#
# Idempotent: a second run (engine up, image present) takes a few seconds.
# Must run as root. Always uses the docker.io client at /usr/bin/docker.
#
# Environment overrides:
#   ENGINE_SETUP_MIRROR   Debian mirror URI for debootstrap (default: from apt sources)
#   ENGINE_SETUP_CACHE    cache dir (default: /var/cache/flamenco-engine)
#   ENGINE_SETUP_LOG      dockerd log file (default: /var/log/dockerd-engine-setup.log)
#   ENGINE_SETUP_WAIT     seconds to wait for dockerd (default: 60)
set -euo pipefail

START_TS=$(date +%s)
DOCKER=/usr/bin/docker
IMAGE=debian:bookworm-slim
SUITE=bookworm
CACHE_DIR=${ENGINE_SETUP_CACHE:-/var/cache/flamenco-engine}
ROOTFS_TAR="$CACHE_DIR/bookworm-minbase.tar"
DOCKERD_LOG=${ENGINE_SETUP_LOG:-/var/log/dockerd-engine-setup.log}
WAIT_SECS=${ENGINE_SETUP_WAIT:-60}
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"
# Talk to the local engine only, whatever the caller's environment says.
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH

log() { printf 'engine-setup: %s\n' "$*"; }
die() { printf 'engine-setup: ERROR: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root"

# Serialise concurrent runs (two test workers calling this at once).
mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.engine-setup.lock"
flock 9

# --- 1. packages -------------------------------------------------------------
# Debian installs these daemons and tools under sbin, which a non-login PATH may lack.
find_sbin_tool() {
  local p
  for p in "/usr/sbin/$1" "/usr/bin/$1"; do
    [ -x "$p" ] && { echo "$p"; return 0; }
  done
  return 1
}

# iproute2 (ip) gives the tests' second engine a bridge of its own; xz-utils packs the stand-in
# Blender archive (.tar.xz, as blender.org publishes its Linux builds).
if [ -x "$DOCKER" ] && find_sbin_tool dockerd >/dev/null && find_sbin_tool debootstrap >/dev/null && command -v ip >/dev/null && command -v xz >/dev/null; then
  log "packages present (docker.io, debootstrap, iproute2, xz-utils)"
else
  log "installing docker.io, debootstrap, iproute2 and xz-utils with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q docker.io debootstrap iproute2 xz-utils >/dev/null
  [ -x "$DOCKER" ] || die "/usr/bin/docker still missing after apt-get install docker.io"
  find_sbin_tool dockerd >/dev/null || die "dockerd still missing after apt-get install docker.io"
  find_sbin_tool debootstrap >/dev/null || die "debootstrap still missing after apt-get install"
fi
DOCKERD=$(find_sbin_tool dockerd)
DEBOOTSTRAP=$(find_sbin_tool debootstrap)

# --- 2. engine ---------------------------------------------------------------
engine_answers() { timeout 10 "$DOCKER" info >/dev/null 2>&1; }

if engine_answers; then
  log "docker engine already answering"
else
  pidfile=/var/run/docker.pid
  if [ -s "$pidfile" ] && ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    log "removing stale $pidfile"
    rm -f "$pidfile"
  fi
  dockerd_pid=""
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  touch "$DOCKERD_LOG"
  log_start=$(( $(wc -l <"$DOCKERD_LOG") + 1 ))
  if [ -s "$pidfile" ]; then
    log "dockerd (pid $(cat "$pidfile")) is running but not answering yet; waiting"
  else
    log "starting dockerd in the background (log: $DOCKERD_LOG)"
    echo "---- engine-setup: starting $DOCKERD at $(date -u +%FT%TZ) ----" >>"$DOCKERD_LOG"
    # setsid + nohup: the daemon must outlive this script and its caller's job control.
    # 9>&- : the daemon must not inherit (and so hold forever) our lock fd.
    setsid nohup "$DOCKERD" >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
    dockerd_pid=$!
  fi
  waited=0
  until engine_answers; do
    reason=""
    if [ -n "$dockerd_pid" ] && ! kill -0 "$dockerd_pid" 2>/dev/null &&
       ! { [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }; then
      reason="dockerd exited before answering"
    elif [ "$waited" -ge "$WAIT_SECS" ]; then
      reason="docker engine did not answer within ${WAIT_SECS}s"
    fi
    if [ -n "$reason" ]; then
      echo "engine-setup: ---- dockerd log ($DOCKERD_LOG), this attempt ----" >&2
      tail -n "+$log_start" "$DOCKERD_LOG" | tail -n 30 >&2 || true
      die "$reason"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  log "docker engine up after ${waited}s"
fi

# --- 3. base image -------------------------------------------------------------
# The Debian mirror apt uses for the main archive (not -security), deb822 or one-line format.
detect_mirror() {
  local uri="" f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    uri=$(awk '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && suites ~ /(^| )(bookworm|stable)( |$)/ && uris != "" && enabled != "no") {
          split(uris, u, " "); print u[1]; found = 1; exit
        }
        types = ""; suites = ""; uris = ""; enabled = ""
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      { line = $0; sub(/^[ \t]+/, "", line) }
      tolower(line) ~ /^types:/   { sub(/^[^:]*:[ \t]*/, "", line); types = line }
      tolower(line) ~ /^suites:/  { sub(/^[^:]*:[ \t]*/, "", line); suites = line }
      tolower(line) ~ /^uris:/    { sub(/^[^:]*:[ \t]*/, "", line); uris = line }
      tolower(line) ~ /^enabled:/ { sub(/^[^:]*:[ \t]*/, "", line); enabled = tolower(line) }
      END { if (!found) flush() }
    ' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    # deb [options] URI SUITE components...
    uri=$(awk '
      $1 == "deb" {
        i = 2
        if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
        if ($(i+1) == "bookworm" || $(i+1) == "stable") { print $i; exit }
      }' "$f")
    [ -n "$uri" ] && { echo "$uri"; return; }
  done
  echo "http://deb.debian.org/debian"
}

image_ok() {
  timeout 60 "$DOCKER" run --rm --network none "$IMAGE" \
    sh -c 'command -v bash tar sha256sum useradd' >/dev/null 2>&1
}

build_rootfs_tar() {
  local mirror work
  mirror=${ENGINE_SETUP_MIRROR:-$(detect_mirror)}
  work=$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
  # shellcheck disable=SC2064
  trap "rm -rf '$work' '$ROOTFS_TAR.tmp'" EXIT
  log "debootstrap --variant=minbase $SUITE from $mirror (takes a minute or two)"
  if ! "$DEBOOTSTRAP" --variant=minbase "$SUITE" "$work/rootfs" "$mirror" \
      >"$CACHE_DIR/debootstrap.log" 2>&1; then
    tail -n 30 "$CACHE_DIR/debootstrap.log" >&2 || true
    die "debootstrap failed (full log: $CACHE_DIR/debootstrap.log)"
  fi
  # Slim it down a little, like the official -slim image: no .debs, no package lists.
  rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb \
         "$work/rootfs/var/cache/apt/"*.bin \
         "$work/rootfs/var/lib/apt/lists/"* \
         "$work/rootfs/var/log/"*.log \
         "$work/rootfs/debootstrap"
  for t in bash tar sha256sum useradd; do
    chroot "$work/rootfs" sh -c "command -v $t" >/dev/null \
      || die "debootstrapped rootfs lacks '$t'"
  done
  tar --numeric-owner -C "$work/rootfs" -cf "$ROOTFS_TAR.tmp" .
  mv -f "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  rm -rf "$work"
  trap - EXIT
  log "cached rootfs tarball $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1))"
}

import_image() {
  if [ ! -s "$ROOTFS_TAR" ] || ! tar -tf "$ROOTFS_TAR" >/dev/null 2>&1; then
    rm -f "$ROOTFS_TAR"
    build_rootfs_tar
  else
    log "using cached rootfs tarball $ROOTFS_TAR"
  fi
  log "importing $IMAGE"
  "$DOCKER" import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' \
    "$ROOTFS_TAR" "$IMAGE" >/dev/null
}

if "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then
  if image_ok; then
    log "image $IMAGE present"
  else
    log "image $IMAGE present but lacks bash/tar/sha256sum/useradd; re-importing"
    "$DOCKER" image rm -f "$IMAGE" >/dev/null 2>&1 || true
    import_image
  fi
else
  import_image
fi

image_ok || die "image $IMAGE lacks one of: bash tar sha256sum useradd"
log "image $IMAGE verified (bash, tar, sha256sum, useradd)"

# --- 4. summary ----------------------------------------------------------------
log "docker server $("$DOCKER" version --format '{{.Server.Version}}' 2>/dev/null || echo '?')," \
    "client $("$DOCKER" version --format '{{.Client.Version}}' 2>/dev/null || echo '?')"
log "done in $(( $(date +%s) - START_TS ))s"
