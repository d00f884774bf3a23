#!/usr/bin/env bash
# npm run test:docs: the docs' commands that read a cluster (```sh cluster blocks), run against the
# embedded control plane with the local stack deployed by npm run local:up, which is then taken
# down again. kubectl is the control plane's own (scripts/local/tools.sh builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(scripts/local/tools.sh -q --print-env)"
node bin/scripts/local.js up
trap 'node bin/scripts/local.js down' EXIT
KUBECONFIG="$PWD/.appstack/local/kubeconfig" node bin/scripts/docs-commands.js
