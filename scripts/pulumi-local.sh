#!/usr/bin/env bash
# Runs a Pulumi command for one landscape stack against a file backend inside the project
# (.pulumi-state/), so no Pulumi Cloud account is needed.
#
#   npm run up                     # pulumi up for the "dev" stack
#   npm run up -- show-42 --yes    # another landscape, extra flags passed on to pulumi
#   npm run preview -- show-42     # pulumi preview --diff
#
# Secrets (mqttPassword) are encrypted with a passphrase: Pulumi asks for it, or reads
# PULUMI_CONFIG_PASSPHRASE / PULUMI_CONFIG_PASSPHRASE_FILE.
set -euo pipefail
cd "$(dirname "$0")/.."

action=${1:?usage: pulumi-local.sh <up|preview|destroy|...> [stack] [pulumi flags...]}
shift
stack=dev
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
  stack=$1
  shift
fi
# A preview always shows the property-level diff.
if [ "$action" = preview ]; then
  set -- --diff "$@"
fi

if ! command -v pulumi >/dev/null 2>&1; then
  echo "The Pulumi CLI is not installed; see https://www.pulumi.com/docs/install/" >&2
  exit 1
fi

mkdir -p .pulumi-state
export PULUMI_BACKEND_URL="file://$PWD/.pulumi-state"
if ! pulumi stack select "$stack" >/dev/null 2>&1; then
  echo "Creating stack $stack in $PULUMI_BACKEND_URL"
  pulumi stack init "$stack"
fi
exec pulumi "$action" --stack "$stack" "$@"
