#!/usr/bin/env bash
# Builds the pinned local-default tools from Go modules into a cache outside
# the repo, and reuses them when they are already there.
#
#   tools.sh                  build what is missing; progress on stderr
#   tools.sh --print-bin-dir  same, then print only the bin dir on stdout
#   tools.sh --print-env      same, then print `export ...` lines on stdout
#                             (eval "$(scripts/local/tools.sh --print-env)")
#   tools.sh --quiet ...      no progress lines (errors still go to stderr)
#
# Cache layout (APPSTACK_CACHE defaults to ${XDG_CACHE_HOME:-$HOME/.cache}/appstack):
#   $APPSTACK_CACHE/go/{mod,build}         GOMODCACHE / GOCACHE, shared by all versions
#   $APPSTACK_CACHE/tools/<hash>/bin       the binaries (put this on PATH)
#   $APPSTACK_CACHE/tools/<hash>/src/<tool>    generated build modules
#   $APPSTACK_CACHE/tools/<hash>/logs/<tool>.log
# <hash> is a hash of versions.env, so a version bump builds into a new
# directory and never mixes versions.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

print_mode=""
quiet=0
for arg in "$@"; do
  case "$arg" in
    --print-bin-dir) print_mode="bin" ;;
    --print-env) print_mode="env" ;;
    --quiet|-q) quiet=1 ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "tools.sh: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

# All KEY=value lines become variables (and are exported for sub-shells).
set -a
# shellcheck source=versions.env
. "$SCRIPT_DIR/versions.env"
set +a

CACHE_ROOT=${APPSTACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/appstack}
TOOLS_HASH=$(sha256sum <"$SCRIPT_DIR/versions.env" | cut -c1-12)
TOOLS_DIR="$CACHE_ROOT/tools/$TOOLS_HASH"
BIN_DIR="$TOOLS_DIR/bin"
SRC_DIR="$TOOLS_DIR/src"
LOG_DIR="$TOOLS_DIR/logs"

# Go settings for every build: caches under our cache root (not the repo),
# read-write module cache so `rm -rf` works, static binaries, no VCS stamping.
export GOMODCACHE="$CACHE_ROOT/go/mod"
export GOCACHE="$CACHE_ROOT/go/build"
export GOFLAGS="-modcacherw -buildvcs=false"
export GOTOOLCHAIN="${GO_TOOLCHAIN:-local}"
export CGO_ENABLED=0
export GOWORK=off
GO_BUILD_FLAGS=(-trimpath -mod=mod)
LDFLAGS_BASE="-s -w"

log() { [ "$quiet" = 1 ] || echo "$*" >&2; }
die() { echo "tools.sh: $*" >&2; exit 1; }

# run_logged TOOL CMD...: run a build step with output appended to the tool's log;
# on failure show the tail of the log and where it is.
run_logged() {
  local tool=$1; shift
  if ! "$@" >>"$LOG_DIR/$tool.log" 2>&1; then
    echo "tools.sh: building $tool failed: $*" >&2
    tail -n 30 "$LOG_DIR/$tool.log" >&2
    die "full log: $LOG_DIR/$tool.log"
  fi
}

# ensure_tool NAME BUILD_FUNCTION BINARY...: build unless every binary exists.
# Binaries are built into a temp dir and moved in at the end, so a killed build
# never leaves a half-written binary that would later count as "present".
ensure_tool() {
  local name=$1 fn=$2; shift 2
  local b missing=0
  for b in "$@"; do [ -x "$BIN_DIR/$b" ] || missing=1; done
  if [ "$missing" = 0 ]; then
    log "  $name: reused"
    return
  fi
  log "  $name: building ..."
  local start=$SECONDS out="$TOOLS_DIR/tmp-$name"
  rm -rf "$out"; mkdir -p "$out"
  : >"$LOG_DIR/$name.log"
  "$fn" "$out"
  for b in "$@"; do
    [ -x "$out/$b" ] || die "$name build produced no $b (log: $LOG_DIR/$name.log)"
    mv -f "$out/$b" "$BIN_DIR/$b"
  done
  rm -rf "$out"
  log "  $name: built in $((SECONDS - start))s"
}

# new_build_module DIR MODULE_PATH: fresh go.mod for a throw-away build module.
new_build_module() {
  rm -rf "$1"; mkdir -p "$1"
  printf 'module %s\n\ngo 1.26.0\n' "$2" >"$1/go.mod"
}

# --- etcd --------------------------------------------------------------------
# go.etcd.io/etcd/server/v3 replaces its sibling modules with ../api etc., so
# it cannot be `go install`ed; require them at the same published version.
build_etcd() {
  local out=$1 dir="$SRC_DIR/etcd" v=$ETCD_VERSION
  new_build_module "$dir" appstack.local/build/etcd
  cat >>"$dir/go.mod" <<EOF

require go.etcd.io/etcd/server/v3 $v

replace (
	go.etcd.io/etcd/api/v3 => go.etcd.io/etcd/api/v3 $v
	go.etcd.io/etcd/client/pkg/v3 => go.etcd.io/etcd/client/pkg/v3 $v
	go.etcd.io/etcd/client/v3 => go.etcd.io/etcd/client/v3 $v
	go.etcd.io/etcd/pkg/v3 => go.etcd.io/etcd/pkg/v3 $v
)
EOF
  (cd "$dir" && run_logged etcd go build "${GO_BUILD_FLAGS[@]}" -ldflags "$LDFLAGS_BASE" \
    -o "$out/etcd" go.etcd.io/etcd/server/v3)
}

# --- kwok --------------------------------------------------------------------
build_kwok() {
  local out=$1
  run_logged kwok env GOBIN="$out" go install -trimpath -ldflags "$LDFLAGS_BASE" \
    "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION"
}

# --- kubernetes ----------------------------------------------------------------
# k8s.io/kubernetes replaces every k8s.io/* staging module with ./staging/...;
# we read that list from its go.mod and point each at the published
# $KUBERNETES_STAGING_VERSION. All four binaries are built by ONE `go build`
# so the shared packages (most of the tree) compile once.
build_kubernetes() {
  local out=$1 dir="$SRC_DIR/kubernetes" v=$KUBERNETES_VERSION sv=$KUBERNETES_STAGING_VERSION
  local gomod staging
  gomod=$(go mod download -json "k8s.io/kubernetes@$v" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [ -f "$gomod" ] || die "could not download k8s.io/kubernetes@$v (log: $LOG_DIR/kubernetes.log)"
  staging=$(sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/.*#\1#p' "$gomod")
  [ -n "$staging" ] || die "found no staging replace directives in $gomod"
  new_build_module "$dir" appstack.local/build/kubernetes
  {
    printf '\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$v"
    for m in $staging; do printf '\t%s => %s %s\n' "$m" "$m" "$sv"; done
    printf ')\n'
  } >>"$dir/go.mod"
  local minor=${v#v1.}; minor=${minor%%.*}
  local ld="$LDFLAGS_BASE"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
  done
  (cd "$dir" && run_logged kubernetes go build "${GO_BUILD_FLAGS[@]}" -ldflags "$ld" -o "$out/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler \
    k8s.io/kubernetes/cmd/kubectl)
}

# --- kwok stages ---------------------------------------------------------------
# The stage definitions that ship in the kwok module (kwokctl's defaults lack
# the volume stages); cluster.sh hands them to kwokctl. Plain data, no build.
ensure_kwok_stages() {
  local dest="$TOOLS_DIR/share/kwok-stages" dir f
  if [ -f "$dest/.complete" ]; then log "  kwok-stages: reused"; return; fi
  dir=$(cd "$TOOLS_DIR" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" |
    sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -d "$dir/kustomize/stage" ] || die "kwok module has no kustomize/stage dir: '$dir'"
  rm -rf "$dest"; mkdir -p "$dest"
  for f in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
      pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete \
      volume/fast/pvc-provision volume/fast/pv-bind volume/fast/pvc-delete volume/fast/pv-delete; do
    cp "$dir/kustomize/stage/$f.yaml" "$dest/"
  done
  chmod -R u+w "$dest"
  touch "$dest/.complete"
  log "  kwok-stages: copied"
}

main() {
  mkdir -p "$BIN_DIR" "$SRC_DIR" "$LOG_DIR" "$GOMODCACHE" "$GOCACHE"
  command -v go >/dev/null || die "go is not on PATH (need Go >= 1.26)"
  # kubernetes, kwok and etcd at the pinned versions declare `go 1.26.0`.
  if [ "$GOTOOLCHAIN" = local ]; then
    local gov; gov=$(go env GOVERSION)   # e.g. go1.26.8
    case "$gov" in
      go1.2[6-9]*|go1.[3-9][0-9]*|go[2-9]*) ;;
      *) die "$gov is too old: need Go >= 1.26 (or set GO_TOOLCHAIN=go1.26.8 in versions.env)" ;;
    esac
  fi
  # One builder at a time per tools dir (CI steps or two terminals).
  exec 9>"$TOOLS_DIR/.lock"
  flock 9

  local start=$SECONDS
  log "tools ($TOOLS_DIR):"
  ensure_tool etcd build_etcd etcd
  ensure_tool kwok build_kwok kwok kwokctl
  ensure_kwok_stages
  ensure_tool kubernetes build_kubernetes kube-apiserver kube-controller-manager kube-scheduler kubectl
  log "tools ready in $((SECONDS - start))s"

  case "$print_mode" in
    bin) echo "$BIN_DIR" ;;
    env)
      # shellcheck disable=SC2016 # $PATH is expanded by the caller's eval
      printf 'export PATH=%q:"$PATH"\n' "$BIN_DIR"
      printf 'export APPSTACK_TOOLS_DIR=%q\n' "$TOOLS_DIR"
      ;;
  esac
}

main "$@"; exit $?
