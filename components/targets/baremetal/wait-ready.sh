#!/bin/sh
# Run on the first server: waits until the node is Ready and runs the release asked for, so that
# an upgrade moves on to the next node only once this one serves again.
#
# Input (environment):
#   NODE         the node's name
#   K3S_VERSION  the release it must run
#   TIMEOUT      seconds to wait (default 600)
set -eu

: "${NODE:?}" "${K3S_VERSION:?}"
deadline=$(($(date +%s) + ${TIMEOUT:-600}))
while :; do
    state="$(k3s kubectl get node "$NODE" -o 'jsonpath={.status.nodeInfo.kubeletVersion} {.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)"
    if [ "$state" = "$K3S_VERSION True" ]; then
        exit 0
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
        echo "node $NODE is not Ready on $K3S_VERSION (kubelet version and Ready: ${state:-unknown})" >&2
        exit 1
    fi
    sleep 5
done
