#!/usr/bin/env bash
# A real Kubernetes control plane on this machine for the local default:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler, and kwok
# playing the kubelets of a few fake nodes (pods get scheduled, become Ready,
# Job pods complete; no container ever runs).
#
#   cluster.sh up            start (or reuse a healthy) control plane, wait until ready
#   cluster.sh down          stop every process started by `up`
#   cluster.sh down --purge  ... and delete all state (certs, etcd data, logs)
#   cluster.sh status        show processes and API health; exit 1 if not ready
#   cluster.sh kubeconfig    print the admin kubeconfig path
#
# Everything listens on 127.0.0.1 only. State lives in <repo>/.appstack/local
# (override with APPSTACK_LOCAL_STATE). Ports are APPSTACK_LOCAL_PORT_BASE
# (default 36400) plus a fixed offset each, see "Ports" below.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
STATE_DIR=${APPSTACK_LOCAL_STATE:-$REPO_ROOT/.appstack/local}
PKI="$STATE_DIR/pki"
LOGS="$STATE_DIR/logs"
PIDS="$STATE_DIR/pids"
KUBECONFIG_FILE="$STATE_DIR/kubeconfig"
TIMEOUT=${APPSTACK_LOCAL_TIMEOUT:-120}   # seconds to wait for each component
CLUSTER_NAME=appstack-local

# Ports: one base so a second checkout can move everything at once.
PORT_BASE=${APPSTACK_LOCAL_PORT_BASE:-36400}
ETCD_CLIENT_PORT=$((PORT_BASE + 79))   # 36479
ETCD_PEER_PORT=$((PORT_BASE + 80))     # 36480
APISERVER_PORT=$((PORT_BASE + 43))     # 36443
KCM_PORT=$((PORT_BASE + 57))           # 36457 (controller-manager health/metrics)
SCHEDULER_PORT=$((PORT_BASE + 59))     # 36459 (scheduler health/metrics)
KWOK_PORT=$((PORT_BASE + 47))          # 36447 (kwok health/metrics)

SERVICE_CIDR=10.96.0.0/16   # virtual only: nothing routes there
POD_CIDR=10.244.0.0/16      # fake pod IPs handed out by kwok
# Fake nodes: name:zone. Pods spread over them like over a 3-zone cloud cluster.
NODES=(appstack-node-a:zone-a appstack-node-b:zone-b appstack-node-c:zone-c)
# Components in start order (down stops them in reverse).
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

log() { echo "cluster: $*" >&2; }
die() { echo "cluster: error: $*" >&2; exit 1; }

# load_tools: build/reuse the pinned tools and put them first on PATH.
load_tools() {
  local env
  env=$("$SCRIPT_DIR/tools.sh" --print-env) || die "tools.sh failed"
  eval "$env"
}

kubectl_() { kubectl --kubeconfig "$KUBECONFIG_FILE" "$@"; }

# ---------------------------------------------------------------- processes

pid_of() { cat "$PIDS/$1.pid" 2>/dev/null || true; }

# is_running NAME: the pid file points at a live process running our binary
# (checked by name so a recycled pid is never taken for ours).
is_running() {
  local pid; pid=$(pid_of "$1")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] &&
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$1"
}

# start NAME ARGS...: run the tool NAME in the background, in its own session
# (so a Ctrl-C in the calling shell does not kill it), logging to logs/NAME.log.
start() {
  local name=$1; shift
  local bin; bin=$(command -v "$name") || die "$name not found on PATH"
  echo "--- $(date -u +%FT%TZ) starting $name" >>"$LOGS/$name.log"
  # 8>&-: do not hand our lock fd to a long-lived child (it would hold the lock).
  setsid "$bin" "$@" >>"$LOGS/$name.log" 2>&1 </dev/null 8>&- &
  echo $! >"$PIDS/$name.pid"
}

# stop NAME...: one after the other (callers pass reverse start order, so the
# API server still has etcd while it shuts down): TERM, wait up to 15 s, KILL.
# Then wait until all of them are reaped.
stop() {
  local name pid i pids=()
  for name in "$@"; do
    pid=$(pid_of "$name")
    if [ -n "$pid" ] && is_running "$name"; then
      pids+=("$pid")
      kill -TERM "$pid" 2>/dev/null || true
      for i in $(seq 1 30); do is_running "$name" || break; sleep 0.5; done
      if is_running "$name"; then
        log "$name (pid $pid) did not stop on TERM, killing"
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
    rm -f "$PIDS/$name.pid"
  done
  # The processes were re-parented when `up` returned; give their new parent
  # (init) a moment to reap them, so no <defunct> entry outlives `down`.
  for pid in "${pids[@]}"; do
    for i in $(seq 1 20); do [ -e "/proc/$pid" ] || break; sleep 0.25; done
  done
}

# wait_for NAME DESCRIPTION CMD...: poll CMD until it succeeds; on timeout
# point at the component's log.
wait_for() {
  local name=$1 what=$2; shift 2
  local deadline=$((SECONDS + TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    if ! is_running "$name"; then
      tail -n 20 "$LOGS/$name.log" >&2 || true
      die "$name exited while waiting for $what; log: $LOGS/$name.log"
    fi
    if [ $SECONDS -ge $deadline ]; then
      tail -n 20 "$LOGS/$name.log" >&2 || true
      die "timed out after ${TIMEOUT}s waiting for $what; log: $LOGS/$name.log"
    fi
    sleep 0.5
  done
}

# https_ok PORT PATH: GET over TLS with the admin client cert.
https_ok() {
  curl -fsS --max-time 3 --cacert "$PKI/ca.crt" --cert "$PKI/admin.crt" --key "$PKI/admin.key" \
    "https://127.0.0.1:$1$2"
}
# insecure_ok URL: health endpoints of kcm/scheduler (self-signed, anonymous-allowed).
insecure_ok() { curl -fsS -k --max-time 3 "$1"; }

api_ready() { https_ok "$APISERVER_PORT" /readyz; }

# ---------------------------------------------------------------- certificates

# make_cert NAME SUBJECT [SANs]: key + cert signed by our CA.
make_cert() {
  local name=$1 subj=$2 sans=${3:-}
  openssl genrsa -out "$PKI/$name.key" 2048 2>/dev/null
  openssl req -new -key "$PKI/$name.key" -subj "$subj" -out "$PKI/$name.csr" 2>/dev/null
  {
    echo "basicConstraints=CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    if [ -n "$sans" ]; then
      echo "extendedKeyUsage=serverAuth,clientAuth"
      echo "subjectAltName=$sans"
    else
      echo "extendedKeyUsage=clientAuth"
    fi
  } >"$PKI/$name.ext"
  openssl x509 -req -in "$PKI/$name.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$PKI/$name.ext" -out "$PKI/$name.crt" 2>/dev/null
  rm -f "$PKI/$name.csr" "$PKI/$name.ext"
}

ensure_pki() {
  [ -f "$PKI/.complete" ] && return
  log "generating certificates in $PKI"
  rm -rf "$PKI"; mkdir -p "$PKI"; chmod 700 "$PKI"
  openssl genrsa -out "$PKI/ca.key" 2048 2>/dev/null
  openssl req -x509 -new -key "$PKI/ca.key" -subj "/CN=$CLUSTER_NAME-ca" -days 3650 -sha256 \
    -out "$PKI/ca.crt" 2>/dev/null
  # Serving cert: what clients on this machine dial, plus the in-cluster names
  # of the `kubernetes` Service (first IP of SERVICE_CIDR).
  make_cert apiserver "/CN=kube-apiserver" \
    "IP:127.0.0.1,DNS:localhost,IP:10.96.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  make_cert admin "/O=system:masters/CN=admin"
  # The built-in RBAC roles are bound to these user names.
  make_cert kube-controller-manager "/CN=system:kube-controller-manager"
  make_cert kube-scheduler "/CN=system:kube-scheduler"
  make_cert kwok "/O=system:masters/CN=kwok"
  # Service-account token signing keypair.
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  touch "$PKI/.complete"
}

# write_kubeconfig FILE USER: self-contained kubeconfig (certs embedded), so
# it can be handed to Pulumi or copied elsewhere.
write_kubeconfig() {
  local file=$1 user=$2 b64="base64 -w0"
  cat >"$file.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: $CLUSTER_NAME
  cluster:
    server: https://127.0.0.1:$APISERVER_PORT
    certificate-authority-data: $($b64 <"$PKI/ca.crt")
users:
- name: $user
  user:
    client-certificate-data: $($b64 <"$PKI/$user.crt")
    client-key-data: $($b64 <"$PKI/$user.key")
contexts:
- name: $CLUSTER_NAME
  context:
    cluster: $CLUSTER_NAME
    user: $user
current-context: $CLUSTER_NAME
EOF
  chmod 600 "$file.tmp"
  mv "$file.tmp" "$file"
}

# ---------------------------------------------------------------- components

start_etcd() {
  mkdir -p "$STATE_DIR/etcd"
  start etcd --name "$CLUSTER_NAME" --data-dir "$STATE_DIR/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "$CLUSTER_NAME=http://127.0.0.1:$ETCD_PEER_PORT" \
    --quota-backend-bytes 2147483648 \
    --unsafe-no-fsync   # a throw-away dev store: trade durability for speed
  wait_for etcd "etcd health" insecure_ok "http://127.0.0.1:$ETCD_CLIENT_PORT/health"
}

start_apiserver() {
  # --endpoint-reconciler-type=none: the `kubernetes` Service would otherwise get
  # 127.0.0.1 as endpoint, which endpoint validation rejects (loopback).
  start kube-apiserver \
    --bind-address 127.0.0.1 --secure-port "$APISERVER_PORT" --advertise-address 127.0.0.1 \
    --etcd-servers "http://127.0.0.1:$ETCD_CLIENT_PORT" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" \
    --service-account-key-file "$PKI/sa.pub" \
    --service-account-signing-key-file "$PKI/sa.key" \
    --service-account-issuer "https://kubernetes.default.svc.cluster.local" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --authorization-mode RBAC \
    --allow-privileged=true \
    --endpoint-reconciler-type none \
    --profiling=false
  wait_for kube-apiserver "kube-apiserver /readyz" api_ready
}

start_controller_manager() {
  write_kubeconfig "$STATE_DIR/kube-controller-manager.kubeconfig" kube-controller-manager
  local kc="$STATE_DIR/kube-controller-manager.kubeconfig"
  start kube-controller-manager \
    --kubeconfig "$kc" --authentication-kubeconfig "$kc" --authorization-kubeconfig "$kc" \
    --bind-address 127.0.0.1 --secure-port "$KCM_PORT" \
    --cluster-name "$CLUSTER_NAME" \
    --service-account-private-key-file "$PKI/sa.key" --root-ca-file "$PKI/ca.crt" \
    --use-service-account-credentials=true \
    --cluster-signing-cert-file "$PKI/ca.crt" --cluster-signing-key-file "$PKI/ca.key" \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --leader-elect=false \
    --profiling=false
  wait_for kube-controller-manager "kube-controller-manager /healthz" \
    insecure_ok "https://127.0.0.1:$KCM_PORT/healthz"
}

start_scheduler() {
  write_kubeconfig "$STATE_DIR/kube-scheduler.kubeconfig" kube-scheduler
  local kc="$STATE_DIR/kube-scheduler.kubeconfig"
  start kube-scheduler \
    --kubeconfig "$kc" --authentication-kubeconfig "$kc" --authorization-kubeconfig "$kc" \
    --bind-address 127.0.0.1 --secure-port "$SCHEDULER_PORT" \
    --leader-elect=false \
    --profiling=false
  wait_for kube-scheduler "kube-scheduler /healthz" insecure_ok "https://127.0.0.1:$SCHEDULER_PORT/healthz"
}

# kwok config: a KwokConfiguration plus the Stage objects that drive fake
# lifecycles -- kwok's own stages for nodes, pods and volumes (shipped in its
# module, copied by tools.sh), with the volume stages pointed at our default
# StorageClass, plus ours for Ingress/LoadBalancer status (kwok/*.yaml).
write_kwok_config() {
  local f="$STATE_DIR/kwok.yaml" stages="$APPSTACK_TOOLS_DIR/share/kwok-stages" s
  [ -f "$stages/.complete" ] || die "kwok stages missing in $stages (run tools.sh)"
  {
    cat <<EOF
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokConfiguration
options:
  manageNodesWithAnnotationSelector: kwok.x-k8s.io/node=fake
  cidr: $POD_CIDR
  nodeIP: 127.0.0.1
  serverAddress: 127.0.0.1:$KWOK_PORT
  nodeLeaseDurationSeconds: 40
  # The binary applies no defaults to these (kwokctl normally does): set them.
  nodeLeaseParallelism: 4
  nodePlayStageParallelism: 4
  podPlayStageParallelism: 4
  podsOnNodeSyncParallelism: 2
EOF
    for s in "$stages"/*.yaml "$SCRIPT_DIR"/kwok/*.yaml; do
      echo "---"
      sed "s/'kwok-volume'/'standard'/g" "$s"
    done
  } >"$f"
}

start_kwok() {
  write_kubeconfig "$STATE_DIR/kwok.kubeconfig" kwok
  write_kwok_config
  start kwok --kubeconfig "$STATE_DIR/kwok.kubeconfig" --config "$STATE_DIR/kwok.yaml"
  wait_for kwok "kwok /healthz" insecure_ok "http://127.0.0.1:$KWOK_PORT/healthz"
}

# ---------------------------------------------------------------- cluster objects

# Fake nodes, default StorageClass, IngressClass. `kubectl apply` is idempotent,
# so this also repairs a reused plane.
apply_bootstrap_objects() {
  local spec="" n name zone
  for n in "${NODES[@]}"; do
    name=${n%%:*}; zone=${n#*:}
    spec+="---
apiVersion: v1
kind: Node
metadata:
  name: $name
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: \"0\"
  labels:
    kubernetes.io/hostname: $name
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    kubernetes.io/role: agent
    node.kubernetes.io/instance-type: kwok
    topology.kubernetes.io/region: local
    topology.kubernetes.io/zone: $zone
    type: kwok
status:
  allocatable: {cpu: '64', memory: 256Gi, pods: '250', ephemeral-storage: 1Ti}
  capacity: {cpu: '64', memory: 256Gi, pods: '250', ephemeral-storage: 1Ti}
"
  done
  # Dynamic provisioning by kwok's pvc-provision stage: every claim of class
  # `standard` (the default) gets a PV created and bound right away.
  spec+="---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations:
    storageclass.kubernetes.io/is-default-class: \"true\"
provisioner: kwok.x-k8s.io/volume
reclaimPolicy: Delete
volumeBindingMode: Immediate
allowVolumeExpansion: true
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: nginx
  annotations:
    ingressclass.kubernetes.io/is-default-class: \"true\"
spec:
  controller: k8s.io/ingress-nginx
"
  printf '%s' "$spec" | kubectl_ apply -f - >"$LOGS/bootstrap.log" 2>&1 ||
    { cat "$LOGS/bootstrap.log" >&2; die "applying bootstrap objects failed"; }
}

nodes_ready() {
  local ready
  ready=$(kubectl_ get nodes -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' |
    grep -c '^True$' || true)
  [ "$ready" -ge "${#NODES[@]}" ]
}
default_sa_exists() { kubectl_ -n default get serviceaccount default; }

# ---------------------------------------------------------------- commands

# One `up`/`down` at a time per state dir (e.g. two terminals, or CI steps).
lock_state() {
  exec 8>"$STATE_DIR/.lock"
  flock 8
}

all_running() {
  local c
  for c in "${COMPONENTS[@]}"; do is_running "$c" || return 1; done
}

cmd_up() {
  local t0=$SECONDS
  load_tools
  mkdir -p "$STATE_DIR" "$LOGS" "$PIDS"
  lock_state
  ensure_pki
  write_kubeconfig "$KUBECONFIG_FILE" admin

  if all_running && api_ready >/dev/null 2>&1; then
    log "control plane already running (reused)"
  else
    # Anything half-up from an earlier run is stopped first, so we never run
    # two copies against the same etcd data.
    stop_all quiet
    log "starting control plane (logs: $LOGS)"
    local c t
    for c in "${COMPONENTS[@]}"; do
      t=$SECONDS
      case "$c" in
        etcd) start_etcd ;;
        kube-apiserver) start_apiserver ;;
        kube-controller-manager) start_controller_manager ;;
        kube-scheduler) start_scheduler ;;
        kwok) start_kwok ;;
      esac
      log "  $c ready in $((SECONDS - t))s"
    done
  fi
  apply_bootstrap_objects
  wait_for kwok "${#NODES[@]} Ready nodes" nodes_ready
  wait_for kube-controller-manager "the default ServiceAccount" default_sa_exists
  log "ready in $((SECONDS - t0))s: https://127.0.0.1:$APISERVER_PORT"
  log "kubeconfig: $KUBECONFIG_FILE"
}

stop_all() {
  local i reversed=()
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do reversed+=("${COMPONENTS[$i]}"); done
  stop "${reversed[@]}"
  [ "${1:-}" = quiet ] || log "stopped"
}

cmd_down() {
  local purge=0
  [ "${1:-}" = "--purge" ] && purge=1
  if [ -d "$PIDS" ]; then lock_state; stop_all; else log "not running"; fi
  # Verify: no process of ours may survive (pid files are gone by now, so look
  # for processes that use our state dir in their command line).
  local left
  left=$(pgrep -af -- "$STATE_DIR" || true)
  [ -z "$left" ] || die "processes still running after down:"$'\n'"$left"
  if [ "$purge" = 1 ]; then
    rm -rf "$STATE_DIR"
    log "purged $STATE_DIR"
  fi
}

cmd_status() {
  local c ok=0
  for c in "${COMPONENTS[@]}"; do
    if is_running "$c"; then
      printf '%-24s running (pid %s)\n' "$c" "$(pid_of "$c")"
    else
      printf '%-24s stopped\n' "$c"; ok=1
    fi
  done
  if [ -f "$PKI/admin.crt" ] && api_ready >/dev/null 2>&1; then
    printf '%-24s ready at https://127.0.0.1:%s\n' "api" "$APISERVER_PORT"
  else
    printf '%-24s not ready\n' "api"; ok=1
  fi
  printf '%-24s %s\n' "kubeconfig" "$KUBECONFIG_FILE"
  return $ok
}

main() {
  case "${1:-}" in
    up) cmd_up ;;
    down) shift; cmd_down "$@" ;;
    status) cmd_status ;;
    kubeconfig) echo "$KUBECONFIG_FILE" ;;
    *) sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
}

main "$@"; exit $?
