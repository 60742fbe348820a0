#!/usr/bin/env bash
# python-setup.sh — a virtual environment with the Pulumi Python SDK at the CLI's version (and
# Dagster, for the example asset), for using the landscape component from Python:
# tests/python/requirements.txt, pinned. Cached under the digest of that file and Python's
# version; prints the environment's directory on its last line.
#
# Environment overrides:
#   PYTHON_SETUP_CACHE  cache dir (default: /var/cache/flamenco-engine/python)
set -euo pipefail
cd "$(dirname "$0")/.."

REQUIREMENTS=tests/python/requirements.txt
CACHE_DIR=${PYTHON_SETUP_CACHE:-/var/cache/flamenco-engine/python}

log() { printf 'python-setup: %s\n' "$*" >&2; }
die() { printf 'python-setup: ERROR: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is not installed"
mkdir -p "$CACHE_DIR"
exec 8>"$CACHE_DIR/.lock"
flock 8

digest=$( { cat "$REQUIREMENTS"; python3 --version; } | sha256sum | cut -c1-16)
venv="$CACHE_DIR/$digest"
if [ -x "$venv/bin/python" ] && [ -f "$venv/.complete" ]; then
  log "using $venv"
else
  # A venv records its own path, so it is made in place; .complete marks one that is whole.
  log "creating $venv from $REQUIREMENTS"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  touch "$venv/.complete"
fi
echo "$venv"
