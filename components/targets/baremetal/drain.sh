#!/bin/sh
# Run on the first server before a node is uninstalled: moves its pods elsewhere (respecting
# their PodDisruptionBudgets) and removes it from the cluster, and from etcd for a server.
#
# Input (environment):
#   NODE     the node's name
#   TIMEOUT  seconds the drain may take (default 600)
set -eu

: "${NODE:?}"
if ! k3s kubectl get node "$NODE" >/dev/null 2>&1; then
    exit 0
fi
k3s kubectl drain "$NODE" --ignore-daemonsets --delete-emptydir-data --timeout="${TIMEOUT:-600}s"
k3s kubectl delete node "$NODE" --wait=true
