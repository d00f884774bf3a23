#!/usr/bin/env bash
# Prints the directory of the Prometheus Operator's CRDs (ServiceMonitor, PodMonitor,
# PrometheusRule, ...), fetched once as the Go module that holds them into a cache outside the
# work tree, for test:server to install before it applies the monitoring objects.
set -euo pipefail

PROMETHEUS_OPERATOR_VERSION=v0.85.0

cache=${APPSTACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/appstack}
module_dir=$(env GOMODCACHE="$cache/go/mod" GOFLAGS="-modcacherw" GOTOOLCHAIN=local \
    go mod download -json "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["Dir"])')
echo "$module_dir/example/prometheus-operator-crd"
