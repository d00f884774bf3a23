# Sourced by scripts that run Node: makes sure `node` and `npm` are Node >= 22, installing a
# pinned Node from the npm registry into a cache outside the work tree when the machine's is older.
APPSTACK_NODE_VERSION=24.21.0
appstack_cache="${APPSTACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/appstack}"
node_major() { local version; version=$(node --version 2>/dev/null) || version=v0; version=${version#v}; echo "${version%%.*}"; }
if [ "$(node_major)" -lt 22 ]; then
    node_prefix="$appstack_cache/node-$APPSTACK_NODE_VERSION"
    if [ ! -x "$node_prefix/node_modules/.bin/node" ]; then
        echo "Installing Node $APPSTACK_NODE_VERSION (the machine has $(node --version 2>/dev/null || echo none))" >&2
        mkdir -p "$node_prefix"
        npm install --prefix "$node_prefix" --no-save --no-audit --no-fund --loglevel=error "node@$APPSTACK_NODE_VERSION" >&2
    fi
    export PATH="$node_prefix/node_modules/.bin:$PATH"
fi
unset -f node_major

# Installs the npm dependencies of the package in the current directory when they are missing or
# older than its lock file.
appstack_install_dependencies() {
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        echo "Installing npm dependencies of $(basename "$PWD")" >&2
        npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
    fi
}
