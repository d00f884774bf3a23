#!/usr/bin/env bash
# A Kubernetes control plane on this machine, run by kwokctl with the binaries tools.sh builds;
# kwok plays three nodes (pods become Ready, Job pods complete, no container runs). See README.md.
#   cluster.sh up            start (or reuse a healthy) control plane, wait until ready
#   cluster.sh down          stop every process started by `up`
#   cluster.sh down --purge  ... and delete all its state (certificates, etcd data, logs)
#   cluster.sh status        show the control plane's state; exit 1 if not ready
#   cluster.sh kubeconfig    print the admin kubeconfig path
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE_DIR=${APPSTACK_LOCAL_STATE:-$(cd "$SCRIPT_DIR/../.." && pwd)/.appstack/local}
KUBECONFIG_FILE="$STATE_DIR/kubeconfig"
TIMEOUT=${APPSTACK_LOCAL_TIMEOUT:-120}
PORT_BASE=${APPSTACK_LOCAL_PORT_BASE:-36400}
NAME=appstack-local
export KWOK_WORKDIR="$STATE_DIR/kwok"   # kwokctl keeps the cluster here, not in ~/.kwok

log() { echo "cluster: $*" >&2; }
die() { echo "cluster: error: $*" >&2; exit 1; }

load_tools() {
  local env
  env=$("$SCRIPT_DIR/tools.sh" --print-env) || die "tools.sh failed"
  eval "$env"
}

kubectl_() { kubectl --kubeconfig "$KUBECONFIG_FILE" "$@"; }
# kwokctl_ CMD...: kwokctl for our cluster; its output goes to a log, shown when it fails.
kwokctl_() {
  # 8>&-: the processes kwokctl starts must not inherit (and so hold) our lock.
  kwokctl --name "$NAME" "$@" >>"$STATE_DIR/kwokctl.log" 2>&1 8>&- ||
    { tail -n 20 "$STATE_DIR/kwokctl.log" >&2; die "kwokctl $1 failed; log: $STATE_DIR/kwokctl.log"; }
}
exists() { [ -f "$KWOK_WORKDIR/clusters/$NAME/kwok.yaml" ]; }
ready() { [ -f "$KUBECONFIG_FILE" ] && kubectl_ get --raw /readyz --request-timeout=3s >/dev/null 2>&1; }
# The processes of our cluster: every one runs from (or is given files under) its directory.
processes() { pgrep -af -- "$KWOK_WORKDIR/clusters/$NAME" || true; }

# kwokctl's own configuration: loopback only, our ports, and kwok's stages (the ones kwok ships,
# copied by tools.sh, with volumes bound under our StorageClass, plus ours for Ingress and
# LoadBalancer addresses).
write_config() {
  local s offset expressions=(-e "s|@BIN@|$APPSTACK_TOOLS_DIR/bin|g")
  for offset in 43 47 57 59 79 80; do expressions+=(-e "s|@BASE+$offset@|$((PORT_BASE + offset))|g"); done
  { sed "${expressions[@]}" "$SCRIPT_DIR/kwokctl.yaml"
    for s in "$APPSTACK_TOOLS_DIR"/share/kwok-stages/*.yaml "$SCRIPT_DIR"/kwok/*.yaml; do echo "---"; sed "s/'kwok-volume'/'standard'/g" "$s"; done
  } >"$STATE_DIR/kwokctl.yaml"
}

apply_cluster_objects() {
  kubectl_ apply -f "$SCRIPT_DIR/cluster-objects.yaml" >>"$STATE_DIR/kwokctl.log" 2>&1 || die "applying the nodes failed; log: $STATE_DIR/kwokctl.log"
}

wait_until() {
  local what=$1 deadline=$((SECONDS + TIMEOUT)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "timed out after ${TIMEOUT}s waiting for $what; logs: $KWOK_WORKDIR/clusters/$NAME/logs"
    sleep 0.5
  done
}
nodes_ready() { [ "$(kubectl_ get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '^True$')" -ge 3 ]; }

cmd_up() {
  local start=$SECONDS
  load_tools
  mkdir -p "$STATE_DIR"
  exec 8>"$STATE_DIR/.lock"; flock 8   # one up/down at a time per state dir
  if ready; then
    log "control plane already running (reused)"
  elif exists; then
    log "starting the control plane again (state kept in $KWOK_WORKDIR)"
    kwokctl_ start cluster --wait "${TIMEOUT}s"
  else
    log "creating the control plane (kube-apiserver on 127.0.0.1:$((PORT_BASE + 43)))"
    write_config
    kwokctl_ create cluster --config "$STATE_DIR/kwokctl.yaml" --kubeconfig "$KUBECONFIG_FILE" --wait "${TIMEOUT}s"
  fi
  apply_cluster_objects
  wait_until "3 Ready nodes" nodes_ready
  wait_until "the default ServiceAccount" kubectl_ -n default get serviceaccount default
  log "ready in $((SECONDS - start))s; kubeconfig: $KUBECONFIG_FILE"
}

cmd_down() {
  if exists; then
    load_tools
    exec 8>"$STATE_DIR/.lock"; flock 8
    if [ "${1:-}" = --purge ]; then kwokctl_ delete cluster --kubeconfig "$KUBECONFIG_FILE"; else kwokctl_ stop cluster; fi
  fi
  local left; left=$(processes)
  [ -z "$left" ] || die "processes still running after down:"$'\n'"$left"
  if [ "${1:-}" = --purge ]; then rm -rf "$STATE_DIR"; log "stopped; state removed"; else log "stopped"; fi
}

case "${1:-}" in
  up) cmd_up ;;
  down) shift; cmd_down "$@" ;;
  status) processes; if ready; then echo "api: ready at https://127.0.0.1:$((PORT_BASE + 43)); kubeconfig: $KUBECONFIG_FILE"; else echo "api: not ready"; exit 1; fi ;;
  kubeconfig) echo "$KUBECONFIG_FILE" ;;
  *) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
