#!/usr/bin/env bash
# Runs a project command with everything it needs in place, so that each npm script works on a
# fresh machine: Node >= 22 (installed into a cache when the machine's is older), the npm
# dependencies (installed when missing or older than the lock file) and the compiled program.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-env.sh
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "Installing npm dependencies" >&2
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2
fi
export PATH="$PWD/node_modules/.bin:$PATH"
# Node keeps the compiled code of every module it loads here: each later run of the program (and
# of mocha, tsc) starts about a quarter faster (BENCHMARKS.md).
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-${APPSTACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/appstack}/node-compile-cache}"
tsc -p tsconfig.json
exec "$@"
