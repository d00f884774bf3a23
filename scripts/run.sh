#!/usr/bin/env bash
# Runs a project command with everything it needs in place, so that each npm script works on a
# fresh machine: Node >= 22 (installed into a cache when the machine's is older), the npm
# dependencies (installed when missing or older than the lock file) and the compiled program.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/node-env.sh
appstack_install_dependencies
export PATH="$PWD/node_modules/.bin:$PATH"
# Node keeps the compiled code of every module it loads here: each later run of the program (and
# of mocha, tsc) starts about a quarter faster (BENCHMARKS.md).
export NODE_COMPILE_CACHE="${NODE_COMPILE_CACHE:-${APPSTACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/appstack}/node-compile-cache}"
# The build is skipped when no source (nor a folder, whose time changes when a file is added or
# removed) is newer than the last successful one: an incremental tsc that
# finds nothing to do still costs about 2 s. The stamp is written only after tsc succeeds.
stamp=bin/.build-stamp
if [ ! -f "$stamp" ] || [ -n "$(find index.ts stacks components policy scripts test tsconfig.json package-lock.json -newer "$stamp" \( -name '*.ts' -o -name '*.json' -o -type d \) 2>/dev/null | head -n 1)" ]; then
    rm -f "$stamp"
    tsc -p tsconfig.json
    # tsc leaves the output of a moved or deleted source behind, where require would still find
    # it (stacks/schema.js before stacks/schema/index.js) and mocha would still run it.
    (cd bin && find . -name '*.js' -print) | while read -r compiled; do
        [ -f "${compiled%.js}.ts" ] || rm -f "bin/$compiled" "bin/$compiled.map"
    done
    touch "$stamp"
fi
exec "$@"
