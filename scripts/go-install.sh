# Sourced by the scripts that build a tool from its Go module into the cache (outside the work
# tree). go_install_once BIN_DIR PACKAGE@VERSION: builds it into BIN_DIR unless it is already
# there; a build that fails leaves no half-filled BIN_DIR behind.
go_install_once() {
    local bin_dir=$1 package=$2
    local cache=${APPSTACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/appstack}
    [ -x "$bin_dir/$(basename "${package%@*}")" ] && return 0
    echo "Building ${package} (once)" >&2
    rm -rf "$bin_dir.partial"
    env GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build" GOFLAGS="-modcacherw -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0 \
        GOBIN="$bin_dir.partial" go install -trimpath -ldflags "-s -w" "$package" >&2
    rm -rf "$bin_dir" && mv "$bin_dir.partial" "$bin_dir"
}
