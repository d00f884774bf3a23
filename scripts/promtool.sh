#!/usr/bin/env bash
# Runs promtool (Prometheus's rule checker and rule unit-test runner), built once from its Go
# module into a cache outside the work tree. Arguments are promtool's own.
set -euo pipefail
source "$(dirname "$0")/go-install.sh"

PROMETHEUS_VERSION=v0.316.0

dir="${APPSTACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/appstack}/promtool/$PROMETHEUS_VERSION"
go_install_once "$dir/bin" "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_VERSION"
exec "$dir/bin/promtool" "$@"
