#!/usr/bin/env bash
# A Kubernetes control plane on this machine, run by kwokctl with the binaries tools.sh builds;
# kwok plays three nodes (pods become Ready, Job pods complete, no container runs). See README.md.
#   cluster.sh up            start (or reuse a healthy) control plane, wait until ready
#   cluster.sh down          stop every process started by `up`; the state is kept
#   cluster.sh down --purge  ... and delete all its state (certificates, etcd data, logs)
#   cluster.sh status        show the control plane's state; exit 1 if not ready
#   cluster.sh kubeconfig    print the admin kubeconfig path
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE_DIR=${APPSTACK_LOCAL_STATE:-$(cd "$SCRIPT_DIR/../.." && pwd)/.appstack/local}
KUBECONFIG_FILE="$STATE_DIR/kubeconfig"
TIMEOUT=${APPSTACK_LOCAL_TIMEOUT:-120}
# Below Linux's ephemeral range (32768-60999 by default), from which the kernel picks the local
# port of every outbound connection: a port in that range can be taken at any moment.
DEFAULT_PORT_BASE=27400
NAME=appstack-local
export KWOK_WORKDIR="$STATE_DIR/kwok"   # kwokctl keeps the cluster here, not in ~/.kwok
CLUSTER_DIR="$KWOK_WORKDIR/clusters/$NAME"
CONFIG_FILE="$STATE_DIR/kwokctl.yaml"
LOG_FILE="$STATE_DIR/kwokctl.log"
CREATE_FAILED="$STATE_DIR/create-failed"   # left by a create that failed: the next `up` starts over
# What binds which port: the offset from the port base.
declare -A PORT_OFFSETS=([kube-apiserver]=43 [kwok-controller]=47 [kube-controller-manager]=57 [kube-scheduler]=59 [etcd]=79 [etcd-peer]=80)

log() { echo "cluster: $*" >&2; }
die() { echo "cluster: error: $*" >&2; exit 1; }

# The port base: the one the existing cluster was created with (kwokctl keeps its ports), else
# APPSTACK_LOCAL_PORT_BASE, else the default.
port_base() {
  local api
  api=$(sed -n 's/^  kubeApiserverPort: \([0-9]*\)$/\1/p' "$CONFIG_FILE" 2>/dev/null || true)
  if [ -n "$api" ]; then echo $((api - PORT_OFFSETS[kube-apiserver])); else echo "${APPSTACK_LOCAL_PORT_BASE:-$DEFAULT_PORT_BASE}"; fi
}
PORT_BASE=$(port_base)

load_tools() {  # [-q]
  local env
  env=$("$SCRIPT_DIR/tools.sh" "$@" --print-env) || die "tools.sh failed"
  eval "$env"
}

kubectl_() { kubectl --kubeconfig "$KUBECONFIG_FILE" "$@"; }
# kwokctl_ CMD...: kwokctl for our cluster; its output goes to a log, shown when it fails.
kwokctl_() {
  # 8>&-: the processes kwokctl starts must not inherit (and so hold) our lock.
  kwokctl --name "$NAME" "$@" >>"$LOG_FILE" 2>&1 8>&- ||
    { tail -n 20 "$LOG_FILE" >&2; die "kwokctl $1 failed; log: $LOG_FILE"; }
}
exists() { [ -f "$CLUSTER_DIR/kwok.yaml" ]; }
ready() { [ -f "$KUBECONFIG_FILE" ] && kubectl_ get --raw /readyz --request-timeout=3s >/dev/null 2>&1; }
# The processes of our cluster: kwokctl runs each from a copy of its binary in the cluster.
processes() { pgrep -af -- "^$CLUSTER_DIR/bin/" || true; }

# Stops every process of our cluster: through kwokctl's pid files, then any left without one.
stop_all() {
  local pids
  [ -d "$CLUSTER_DIR/pids" ] && kwokctl --name "$NAME" stop cluster >>"$LOG_FILE" 2>&1 8>&- || true
  pids=$(processes | cut -d' ' -f1)
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086 # one PID a word
    kill $pids 2>/dev/null || true
    for _ in $(seq 50); do [ -n "$(processes)" ] || break; sleep 0.1; done
    # shellcheck disable=SC2086
    [ -z "$(processes)" ] || kill -9 $pids 2>/dev/null || true
  fi
  # The pid file of a component that died stays behind, and would read as a failure of the next start.
  rm -f "$CLUSTER_DIR"/pids/*.pid
}

# A component kwokctl started that is no longer running (gone, or a zombie of kwokctl).
dead_component() {
  local file pid
  for file in "$CLUSTER_DIR"/pids/*.pid; do
    [ -f "$file" ] || continue
    pid=$(cat "$file" 2>/dev/null) && [ -n "$pid" ] || continue
    case "$(sed 's/.*) \(.\).*/\1/' "/proc/$pid/stat" 2>/dev/null)" in Z|X|"") basename "$file" .pid; return 0 ;; esac
  done
  return 1
}

component_failed() {
  local log="$CLUSTER_DIR/logs/$1.log"
  { echo "--- last lines of $log:"; tail -n 12 "$log" 2>/dev/null; echo "---"; } >&2
  die "$1 exited while the control plane started; its log: $log"
}

# kwokctl_watched CMD...: kwokctl_, stopped as soon as a component it started exits: kwokctl
# itself would go on waiting for the cluster for minutes.
kwokctl_watched() {
  local pid dead
  kwokctl --name "$NAME" "$@" >>"$LOG_FILE" 2>&1 8>&- &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    if dead=$(dead_component); then kill "$pid" 2>/dev/null; wait "$pid" || true; component_failed "$dead"; fi
    sleep 0.2
  done
  wait "$pid" || { tail -n 20 "$LOG_FILE" >&2; die "kwokctl $1 failed; log: $LOG_FILE"; }
}

# Whatever a failed `up` started is stopped; a failed create is started over by the next `up`.
on_failed_start() {
  local code=$?
  [ "$code" = 0 ] && return
  stop_all
  log "stopped what this start had started; the next up starts clean"
  exit "$code"
}

# "PID 123 (name)" of the first process holding a port, "" when nothing holds it; TIME-WAIT
# connections do not block a listener. Without ss (iproute2) the ports are not checked: a
# component that cannot bind then stops the start.
port_holder() {
  ss -Htanp "sport = :$1" 2>/dev/null | awk '
    $1 == "TIME-WAIT" { next }
    { split($4, a, ":"); addr = substr($4, 1, length($4) - length(a[length(a)]) - 1); sub(/%.*/, "", addr) }
    !found && addr ~ /^(127\.0\.0\.1|0\.0\.0\.0|\*|\[::\]|\[::ffff:127\.0\.0\.1\]|\[::ffff:0\.0\.0\.0\])$/ {
      found = 1   # and read on: ss must not die of a closed pipe
      if (match($0, /users:\(\("[^"]*",pid=[0-9]+/)) { s = substr($0, RSTART + 9, RLENGTH - 9); split(s, u, "\",pid="); print "PID " u[2] " (" u[1] ")" } else print "?"
    }'
}

check_ports() {
  local component port holder lo hi first=$((PORT_BASE + 43)) last=$((PORT_BASE + 80))
  command -v ss >/dev/null || { log "ss (iproute2) is not installed: the ports are not checked before the start"; return 0; }
  for component in "${!PORT_OFFSETS[@]}"; do
    port=$((PORT_BASE + PORT_OFFSETS[$component]))
    holder=$(port_holder "$port")
    [ -n "$holder" ] || continue
    if [ "$holder" = "?" ]; then holder="port $port ($component) is in use"; else holder="port $port ($component) is in use by $holder"; fi
    if exists; then
      die "$holder; nothing was started. The control plane in $STATE_DIR keeps the ports it was created with: free the port, or run 'cluster.sh down --purge' and choose another base with APPSTACK_LOCAL_PORT_BASE=N (it uses N+43 to N+80)"
    fi
    die "$holder; nothing was started. Free the port, or choose another base with APPSTACK_LOCAL_PORT_BASE=N (it uses N+43 to N+80; this one uses $first-$last), below this machine's ephemeral ports ($(tr -s '\t ' - </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null))"
  done
  read -r lo hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || return 0
  if [ "$last" -ge "$lo" ] && [ "$first" -le "$hi" ]; then
    log "warning: ports $first-$last lie in this machine's ephemeral range ($lo-$hi), where any outbound connection may take one; a base below $((lo - 80)) avoids that"
  fi
}

# kwokctl's own configuration: loopback only, our ports, and kwok's stages (the ones kwok ships,
# copied by tools.sh, with volumes bound under our StorageClass, plus ours for Ingress and
# LoadBalancer addresses).
write_config() {
  local s offset expressions=(-e "s|@BIN@|$APPSTACK_TOOLS_DIR/bin|g")
  for offset in "${PORT_OFFSETS[@]}"; do expressions+=(-e "s|@BASE+$offset@|$((PORT_BASE + offset))|g"); done
  { sed "${expressions[@]}" "$SCRIPT_DIR/kwokctl.yaml"
    for s in "$APPSTACK_TOOLS_DIR"/share/kwok-stages/*.yaml "$SCRIPT_DIR"/kwok/*.yaml; do echo "---"; sed "s/'kwok-volume'/'standard'/g" "$s"; done
  } >"$CONFIG_FILE"
}

apply_cluster_objects() {
  kubectl_ apply -f "$SCRIPT_DIR/cluster-objects.yaml" >>"$LOG_FILE" 2>&1 || die "applying the nodes failed; log: $LOG_FILE"
}

wait_until() {
  local what=$1 deadline=$((SECONDS + TIMEOUT)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || die "timed out after ${TIMEOUT}s waiting for $what; logs: $CLUSTER_DIR/logs"
    sleep 0.5
  done
}
nodes_ready() { [ "$(kubectl_ get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '^True$')" -ge 3 ]; }

# A port base asked for that the existing cluster does not use would be ignored without a word.
check_port_base() {
  local asked=${APPSTACK_LOCAL_PORT_BASE:-}
  if [ -n "$asked" ] && [ "$asked" != "$PORT_BASE" ]; then
    die "APPSTACK_LOCAL_PORT_BASE is $asked, but the control plane in $STATE_DIR was created with port base $PORT_BASE and keeps it: run 'cluster.sh down --purge' to create it anew on $asked"
  fi
}

cmd_up() {
  local start=$SECONDS dead
  load_tools
  mkdir -p "$STATE_DIR"
  exec 8>"$STATE_DIR/.lock"; flock 8   # one up/down at a time per state dir
  if [ -f "$CREATE_FAILED" ]; then
    log "removing what a failed create left"
    stop_all
    if exists; then kwokctl_ delete cluster; fi
    rm -rf "$KWOK_WORKDIR" "$CONFIG_FILE" "$KUBECONFIG_FILE" "$CREATE_FAILED"
    PORT_BASE=$(port_base)
  fi
  check_port_base
  if ready; then
    log "control plane already running (reused)"
  else
    # What an earlier start or a crash left running would hold ports and state.
    if [ -n "$(processes)" ]; then log "stopping the processes an earlier start left running"; fi
    stop_all
    check_ports
    trap on_failed_start EXIT
    if exists; then
      log "starting the control plane again (state kept in $KWOK_WORKDIR)"
      kwokctl_watched start cluster --wait "${TIMEOUT}s"
    else
      log "creating the control plane (kube-apiserver on 127.0.0.1:$((PORT_BASE + 43)))"
      write_config
      touch "$CREATE_FAILED"
      kwokctl_watched create cluster --config "$CONFIG_FILE" --kubeconfig "$KUBECONFIG_FILE" --wait "${TIMEOUT}s"
    fi
    # kwokctl reports success once it stops waiting, ready or not.
    if ! ready; then
      if dead=$(dead_component); then component_failed "$dead"; fi
      die "the API server is not ready after ${TIMEOUT}s; logs: $CLUSTER_DIR/logs"
    fi
  fi
  apply_cluster_objects
  wait_until "3 Ready nodes" nodes_ready
  wait_until "the default ServiceAccount" kubectl_ -n default get serviceaccount default
  rm -f "$CREATE_FAILED"
  trap - EXIT
  log "ready in $((SECONDS - start))s; kubeconfig: $KUBECONFIG_FILE"
}

cmd_down() {
  local purge=${1:-} left
  if exists; then
    load_tools -q
    exec 8>"$STATE_DIR/.lock"; flock 8
  fi
  stop_all
  left=$(processes)
  [ -z "$left" ] || die "processes still running after down:"$'\n'"$left"
  if [ "$purge" = --purge ]; then
    if exists; then kwokctl_ delete cluster --kubeconfig "$KUBECONFIG_FILE"; fi
    rm -rf "$STATE_DIR"; log "stopped; state removed"
  elif exists; then
    log "stopped; state kept in $STATE_DIR (the next up starts it again; down --purge deletes it)"
  else
    log "stopped"
  fi
}

case "${1:-}" in
  up) cmd_up ;;
  down) shift; cmd_down "$@" ;;
  status) processes; if ready; then echo "api: ready at https://127.0.0.1:$((PORT_BASE + 43)); kubeconfig: $KUBECONFIG_FILE"; else echo "api: not ready"; exit 1; fi ;;
  kubeconfig) echo "$KUBECONFIG_FILE" ;;
  *) sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
