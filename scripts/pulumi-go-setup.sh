#!/usr/bin/env bash
# pulumi-go-setup.sh — put two commands built from Pulumi's Go modules (v3.259.0) on PATH:
#   pulumi                            the CLI (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
#   flamenco-gen-python-sdk           the component package's Python SDK generator (tools/pulumi-go/gen-python-sdk)
#
# A `pulumi` of that version already on PATH is kept. Otherwise, and for the generator, the
# builds of tools/pulumi-go (go.mod + go.sum pin pkg/v3 and sdk/v3) are cached under the digest
# of the module, Go's version and the build flags; a cold build takes 5-12 minutes on 2 cores,
# a cached one is only copied into place.
#
# Environment overrides:
#   PULUMI_GO_CACHE     cache dir (default: /var/cache/flamenco-engine/pulumi-go)
#   PULUMI_GO_BIN       where the commands go (default: /usr/local/bin)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=v3.259.0
MODULE_DIR=tools/pulumi-go
CACHE_DIR=${PULUMI_GO_CACHE:-/var/cache/flamenco-engine/pulumi-go}
BIN_DIR=${PULUMI_GO_BIN:-/usr/local/bin}
GENERATOR=flamenco-gen-python-sdk
export PATH="/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"

log() { printf 'pulumi-go-setup: %s\n' "$*"; }
die() { printf 'pulumi-go-setup: ERROR: %s\n' "$*" >&2; exit 1; }

installed_version() { "$1" version 2>/dev/null | head -n 1 || true; }

command -v go >/dev/null || die "go is not installed; it builds the pulumi CLI and the SDK generator from Pulumi's Go modules"
mkdir -p "$CACHE_DIR"
exec 8>"$CACHE_DIR/.lock"
flock 8

build_flags=(-trimpath -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$VERSION")
digest=$( { cat "$MODULE_DIR/go.mod" "$MODULE_DIR/go.sum" "$MODULE_DIR"/gen-python-sdk/*.go; printf '%s\n' "$(go env GOVERSION)" "${build_flags[@]}"; } | sha256sum | cut -c1-16)
cached="$CACHE_DIR/$digest"

build() { # <output> <package>
  (cd "$MODULE_DIR" && CGO_ENABLED=0 GOFLAGS=-buildvcs=false go build "${build_flags[@]}" -o "$1.partial" "$2")
  mv -f "$1.partial" "$1"
}

install_command() { # <cached binary> <name>
  install -m 0755 "$1" "$BIN_DIR/$2.partial"
  mv -f "$BIN_DIR/$2.partial" "$BIN_DIR/$2"
}

mkdir -p "$cached"
if command -v pulumi >/dev/null && [ "$(installed_version pulumi)" = "$VERSION" ]; then
  log "pulumi $VERSION already on PATH ($(command -v pulumi))"
else
  if [ ! -x "$cached/pulumi" ] || [ "$(installed_version "$cached/pulumi")" != "$VERSION" ]; then
    log "building pulumi $VERSION from $MODULE_DIR (cold: 5-12 minutes)"
    started=$(date +%s)
    build "$cached/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    [ "$(installed_version "$cached/pulumi")" = "$VERSION" ] || die "the build does not report $VERSION"
    log "built pulumi in $(( $(date +%s) - started ))s"
  fi
  install_command "$cached/pulumi" pulumi
  log "installed $BIN_DIR/pulumi ($(installed_version "$BIN_DIR/pulumi"))"
fi

if [ ! -x "$cached/$GENERATOR" ]; then
  log "building $GENERATOR from $MODULE_DIR"
  started=$(date +%s)
  build "$cached/$GENERATOR" ./gen-python-sdk
  log "built $GENERATOR in $(( $(date +%s) - started ))s"
fi
if ! cmp -s "$cached/$GENERATOR" "$BIN_DIR/$GENERATOR"; then
  install_command "$cached/$GENERATOR" "$GENERATOR"
fi
log "installed $BIN_DIR/$GENERATOR"
