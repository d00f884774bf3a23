#!/usr/bin/env bash
# Installs the pinned scanners into a cache outside the work tree, reuses them when they are there,
# and prints the directory that holds them:
#   bin/kubeconform, bin/kube-score      built from their Go modules
#   venv/bin/checkov                     from PyPI
#   schemas/                             the official Kubernetes JSON schemas of the control plane's
#                                        version, from PyPI's kubernetes-validate, for kubeconform
# The directory is named after a hash of this file and the Kubernetes version, so a version bump
# installs afresh instead of mixing versions.
set -euo pipefail
cd "$(dirname "$0")/.."

KUBECONFORM_VERSION=v0.8.0
KUBE_SCORE_VERSION=v1.20.0
CHECKOV_VERSION=3.3.30
KUBERNETES_VALIDATE_VERSION=1.37.0
# The Kubernetes version the objects are checked against: the one `npm run test:server` runs.
KUBERNETES_VERSION=$(sed -n 's/^KUBERNETES_VERSION=v\([0-9]*\.[0-9]*\).*/\1/p' scripts/local/versions.env)

cache=${APPSTACK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/appstack}
dir="$cache/scan/$(cat "$0" scripts/local/versions.env | sha256sum | cut -c1-12)"
mkdir -p "$dir" "$cache/go/tmp"

if [ ! -x "$dir/bin/kubeconform" ] || [ ! -x "$dir/bin/kube-score" ]; then
    echo "Building kubeconform $KUBECONFORM_VERSION and kube-score $KUBE_SCORE_VERSION" >&2
    for module in "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" "github.com/zegl/kube-score/cmd/kube-score@$KUBE_SCORE_VERSION"; do
        env GOMODCACHE="$cache/go/mod" GOCACHE="$cache/go/build" GOTMPDIR="$cache/go/tmp" GOFLAGS="-modcacherw -buildvcs=false" GOTOOLCHAIN=local CGO_ENABLED=0 \
            GOBIN="$dir/bin.partial" go install -trimpath -ldflags "-s -w" "$module" >&2
    done
    rm -rf "$dir/bin" && mv "$dir/bin.partial" "$dir/bin"
fi

if [ ! -x "$dir/venv/bin/checkov" ]; then
    echo "Installing checkov $CHECKOV_VERSION and kubernetes-validate $KUBERNETES_VALIDATE_VERSION" >&2
    rm -rf "$dir/venv"
    python3 -m venv "$dir/venv"
    "$dir/venv/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" >&2
fi

if [ ! -d "$dir/schemas" ]; then
    echo "Preparing the Kubernetes $KUBERNETES_VERSION schemas" >&2
    rm -rf "$dir/schemas.partial"
    # kubernetes-validate's schemas name https://kubernetes.io/api/ as their base and refer to
    # /api/_definitions.json, which kubeconform would fetch from there. Each kind's schema gets
    # the definitions it uses inlined instead: no network, and one small schema to compile a kind.
    "$dir/venv/bin/python" - "$KUBERNETES_VERSION" "$dir/schemas.partial" <<'PY'
import json, pathlib, sys, kubernetes_validate
version, out = sys.argv[1], pathlib.Path(sys.argv[2])
source = pathlib.Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / f"v{version}.0-local-strict"
definitions = json.loads((source / "_definitions.json").read_text())["$defs"]

def references(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value.rsplit("/", 1)[-1]
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)

out.mkdir(parents=True)
for file in source.glob("*.json"):
    if file.name == "_definitions.json":
        continue
    schema = json.loads(file.read_text().replace('"/api/_definitions.json#/', '"#/'))
    schema.pop("$id", None)
    used, pending = {}, list(references(schema))
    while pending:
        name = pending.pop()
        if name not in used:
            used[name] = definitions[name]
            pending.extend(references(definitions[name]))
    schema["$defs"] = used
    (out / file.name).write_text(json.dumps(schema))
PY
    mv "$dir/schemas.partial" "$dir/schemas"
fi

echo "$dir"
