#!/usr/bin/env bash
# pulumi-cli-setup.sh — put the pulumi CLI v3.259.0 on PATH, built from Pulumi's Go modules.
#
#   1. a `pulumi` of that version on PATH: nothing to do;
#   2. else a build cached under the wrapper module's digest: installed from the cache;
#   3. else built from tools/pulumi-cli (go.mod + go.sum pin pkg/v3 and sdk/v3), with the flags
#      of Pulumi's own release build, cached, then installed.
#
# The Go module proxy serves pkg/v3 and sdk/v3; a cold build takes 5-12 minutes on 2 cores.
#
# Environment overrides:
#   PULUMI_CLI_CACHE    cache dir (default: /var/cache/flamenco-engine/pulumi-cli)
#   PULUMI_CLI_INSTALL  where the CLI goes (default: /usr/local/bin/pulumi)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=v3.259.0
MODULE_DIR=tools/pulumi-cli
CACHE_DIR=${PULUMI_CLI_CACHE:-/var/cache/flamenco-engine/pulumi-cli}
INSTALL=${PULUMI_CLI_INSTALL:-/usr/local/bin/pulumi}
export PATH="/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"

log() { printf 'pulumi-cli-setup: %s\n' "$*"; }
die() { printf 'pulumi-cli-setup: ERROR: %s\n' "$*" >&2; exit 1; }

installed_version() { "$1" version 2>/dev/null | head -n 1 || true; }

if command -v pulumi >/dev/null && [ "$(installed_version pulumi)" = "$VERSION" ]; then
  log "pulumi $VERSION already on PATH ($(command -v pulumi))"
  exit 0
fi

command -v go >/dev/null || die "go is not installed; it builds the pulumi CLI from Pulumi's Go modules"
mkdir -p "$CACHE_DIR"
exec 8>"$CACHE_DIR/.lock"
flock 8

build_flags=(-trimpath -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$VERSION")
digest=$( { cat "$MODULE_DIR/go.mod" "$MODULE_DIR/go.sum"; printf '%s\n' "$(go env GOVERSION)" "${build_flags[@]}"; } | sha256sum | cut -c1-16)
cached="$CACHE_DIR/$digest/pulumi"

if [ -x "$cached" ] && [ "$(installed_version "$cached")" = "$VERSION" ]; then
  log "using the cached build $cached"
else
  log "building pulumi $VERSION from $MODULE_DIR (cold: 5-12 minutes)"
  started=$(date +%s)
  mkdir -p "$CACHE_DIR/$digest"
  (cd "$MODULE_DIR" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build "${build_flags[@]}" \
    -o "$cached.partial" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
  [ "$(installed_version "$cached.partial")" = "$VERSION" ] || die "the build does not report $VERSION"
  mv -f "$cached.partial" "$cached"
  log "built in $(( $(date +%s) - started ))s"
fi

install -m 0755 "$cached" "$INSTALL.partial"
mv -f "$INSTALL.partial" "$INSTALL"
log "installed $INSTALL ($(installed_version "$INSTALL"))"
