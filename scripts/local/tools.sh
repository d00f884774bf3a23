#!/usr/bin/env bash
# Builds the pinned tools of versions.env from Go modules into $APPSTACK_CACHE/tools/<hash>/bin,
# reusing what is there. See README.md.
#   tools.sh [-q] [--engine] [--print-bin-dir | --print-env]
#     -q: no progress; --engine: the Pulumi CLI and Kubernetes plugin too; then print the bin dir,
#     or `export` lines for eval
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
print_mode="" quiet=0 engine=0
for arg in "$@"; do
  case "$arg" in
    --print-bin-dir) print_mode=bin ;;
    --print-env) print_mode=env ;;
    -q|--quiet) quiet=1 ;;
    --engine) engine=1 ;;
    *) sed -n '2,6p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done
set -a; . "$SCRIPT_DIR/versions.env"; set +a

CACHE_ROOT=${APPSTACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/appstack}
TOOLS_DIR="$CACHE_ROOT/tools/$(sha256sum <"$SCRIPT_DIR/versions.env" | cut -c1-12)"
BIN_DIR="$TOOLS_DIR/bin" SRC_DIR="$TOOLS_DIR/src" LOG_DIR="$TOOLS_DIR/logs"
# GOTMPDIR: go's scratch folders of a build (hundreds of MB for Kubernetes) stay under the cache.
export GOMODCACHE="$CACHE_ROOT/go/mod" GOCACHE="$CACHE_ROOT/go/build" GOTMPDIR="$CACHE_ROOT/go/tmp" GOFLAGS="-modcacherw -buildvcs=false"
export GOTOOLCHAIN="${GO_TOOLCHAIN:-local}" CGO_ENABLED=0 GOWORK=off
LDFLAGS="-s -w"

log() { [ "$quiet" = 1 ] || echo "$*" >&2; }
die() { echo "tools.sh: $*" >&2; exit 1; }

# run_logged TOOL CMD...: a build step, its output in the tool's log, the log's tail on failure.
run_logged() {
  local tool=$1; shift
  "$@" >>"$LOG_DIR/$tool.log" 2>&1 || { tail -n 30 "$LOG_DIR/$tool.log" >&2; die "building $tool failed; log: $LOG_DIR/$tool.log"; }
}

# ensure_tool NAME BUILD_FUNCTION BINARY...: build unless every binary is there. A build writes to
# a scratch dir and moves the binaries in at the end, so a killed build leaves none half-written.
ensure_tool() {
  local name=$1 fn=$2 b missing=0 start=$SECONDS out="$TOOLS_DIR/tmp-$1"; shift 2
  for b in "$@"; do [ -x "$BIN_DIR/$b" ] || missing=1; done
  if [ "$missing" = 0 ]; then log "  $name: reused"; return; fi
  log "  $name: building ..."
  rm -rf "$out"; mkdir -p "$out"; : >"$LOG_DIR/$name.log"
  "$fn" "$out"
  for b in "$@"; do mv -f "$out/$b" "$BIN_DIR/$b" || die "$name build produced no $b"; done
  rm -rf "$out"
  log "  $name: built in $((SECONDS - start))s"
}

# build_module DIR: a throw-away module that requires what cannot be `go install`ed.
build_module() { rm -rf "$1"; mkdir -p "$1"; printf 'module appstack.local/build\n\ngo 1.26.0\n' >"$1/go.mod"; }

# etcd's server module replaces its siblings with ../api etc.: pin them to the same release.
build_etcd() {
  local dir="$SRC_DIR/etcd" v=$ETCD_VERSION m
  build_module "$dir"
  { printf '\nrequire go.etcd.io/etcd/server/v3 %s\n\nreplace (\n' "$v"
    for m in api/v3 client/pkg/v3 client/v3 pkg/v3; do printf '\tgo.etcd.io/etcd/%s => go.etcd.io/etcd/%s %s\n' "$m" "$m" "$v"; done
    printf ')\n'; } >>"$dir/go.mod"
  (cd "$dir" && run_logged etcd go build -trimpath -mod=mod -ldflags "$LDFLAGS" -o "$1/etcd" go.etcd.io/etcd/server/v3)
}

build_kwok() {
  run_logged kwok env GOBIN="$1" go install -trimpath -ldflags "$LDFLAGS" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION" "sigs.k8s.io/kwok/cmd/kwokctl@$KWOK_VERSION"
}

# k8s.io/kubernetes replaces every k8s.io staging module with ./staging/...: the list comes from
# its go.mod, each pinned to the published $KUBERNETES_STAGING_VERSION. One `go build` for the four
# binaries, so the shared packages compile once.
build_kubernetes() {
  local dir="$SRC_DIR/kubernetes" v=$KUBERNETES_VERSION gomod m pkg ld="$LDFLAGS" minor=${KUBERNETES_VERSION#v1.}
  gomod=$(go mod download -json "k8s.io/kubernetes@$v" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  [ -f "$gomod" ] || die "could not download k8s.io/kubernetes@$v"
  build_module "$dir"
  { printf '\nrequire k8s.io/kubernetes %s\n\nreplace (\n' "$v"
    for m in $(sed -n 's#^[[:space:]]*\(k8s\.io/[a-z0-9-]*\) => \./staging/.*#\1#p' "$gomod"); do printf '\t%s => %s %s\n' "$m" "$m" "$KUBERNETES_STAGING_VERSION"; done
    printf ')\n'; } >>"$dir/go.mod"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $pkg.gitVersion=$v -X $pkg.gitMajor=1 -X $pkg.gitMinor=${minor%%.*} -X $pkg.gitTreeState=clean"
  done
  (cd "$dir" && run_logged kubernetes go build -trimpath -mod=mod -ldflags "$ld" -o "$1/" k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
}

# The Pulumi CLI: its main package lives in pkg/v3, which must be built at the same release as
# sdk/v3. atotto/clipboard is not served; the fork the CLI's own releases use is.
clipboard_replace='replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e'
build_pulumi() {
  local dir="$SRC_DIR/pulumi" v=$PULUMI_VERSION
  build_module "$dir"
  printf '\nrequire (\n\tgithub.com/pulumi/pulumi/pkg/v3 %s\n\tgithub.com/pulumi/pulumi/sdk/v3 %s\n)\n\n%s\n' "$v" "$v" "$clipboard_replace" >>"$dir/go.mod"
  (cd "$dir" && run_logged pulumi go build -trimpath -mod=mod -ldflags "$LDFLAGS -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$v" \
    -o "$1/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
}

# The Kubernetes provider's own main embeds files its module lacks (they are generated at release
# time), so a main of ours serves the provider with the schema and mapping the module ships.
build_kubernetes_provider() {
  local dir="$SRC_DIR/pulumi-kubernetes" v=$PULUMI_KUBERNETES_PROVIDER_MODULE module=github.com/pulumi/pulumi-kubernetes/provider/v4 src
  build_module "$dir"
  printf '\nrequire %s %s\n\n%s\n' "$module" "$v" "$clipboard_replace" >>"$dir/go.mod"
  src=$(cd "$dir" && go mod download -json "$module@$v" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  [ -d "$src" ] || die "could not download $module@$v"
  cp "$src/cmd/pulumi-resource-kubernetes/terraform-mapping.json" "$dir/"
  # The engine reads the plugin's version from its schema, which the release process fills in.
  sed '0,/^{/s//{\n    "version": "'"${v#v}"'",/' "$src/cmd/pulumi-resource-kubernetes/schema.json" >"$dir/schema.json"
  cat >"$dir/main.go" <<'GO'
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
)

var version string // set by -ldflags

//go:embed schema.json
var schema []byte

//go:embed terraform-mapping.json
var mapping []byte

func main() { provider.Serve("kubernetes", version, schema, mapping) }
GO
  (cd "$dir" && run_logged pulumi-kubernetes go build -trimpath -mod=mod -ldflags "$LDFLAGS -X main.version=${v#v}" -o "$1/pulumi-resource-kubernetes" .)
}

# The stages that ship in the kwok module (kwokctl's defaults lack the volume ones); cluster.sh
# hands them to kwokctl. Plain data, no build.
ensure_kwok_stages() {
  local dest="$TOOLS_DIR/share/kwok-stages" dir f
  if [ -f "$dest/.complete" ]; then log "  kwok-stages: reused"; return; fi
  dir=$(cd "$TOOLS_DIR" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  rm -rf "$dest"; mkdir -p "$dest"
  for f in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease pod/fast/pod-ready pod/fast/pod-complete \
      pod/fast/pod-delete volume/fast/pvc-provision volume/fast/pv-bind volume/fast/pvc-delete volume/fast/pv-delete; do
    cp "$dir/kustomize/stage/$f.yaml" "$dest/" || die "no stage $f in the kwok module"
  done
  chmod -R u+w "$dest"; touch "$dest/.complete"
  log "  kwok-stages: copied"
}

mkdir -p "$BIN_DIR" "$SRC_DIR" "$LOG_DIR" "$GOMODCACHE" "$GOCACHE" "$GOTMPDIR"
command -v go >/dev/null || die "go is not on PATH (need Go >= 1.26)"
case "$(go env GOVERSION)" in
  go1.2[6-9]*|go1.[3-9][0-9]*|go[2-9]*) ;;
  *) [ "$GOTOOLCHAIN" != local ] || die "$(go env GOVERSION) is too old: need Go >= 1.26 (or set GO_TOOLCHAIN in versions.env)" ;;
esac
exec 9>"$TOOLS_DIR/.lock"; flock 9   # one builder at a time per tools dir
start=$SECONDS
log "tools ($TOOLS_DIR):"
ensure_tool etcd build_etcd etcd
ensure_tool kwok build_kwok kwok kwokctl
ensure_kwok_stages
ensure_tool kubernetes build_kubernetes kube-apiserver kube-controller-manager kube-scheduler kubectl
if [ "$engine" = 1 ]; then
  ensure_tool pulumi build_pulumi pulumi
  ensure_tool pulumi-kubernetes build_kubernetes_provider pulumi-resource-kubernetes
fi
log "tools ready in $((SECONDS - start))s"
case "$print_mode" in
  bin) echo "$BIN_DIR" ;;
  env) printf 'export PATH=%q:"$PATH"\nexport APPSTACK_TOOLS_DIR=%q\n' "$BIN_DIR" "$TOOLS_DIR" ;;
esac
