#!/usr/bin/env bash
# The alerts tested like code: promtool checks the rules every committed stack renders, then runs
# the unit tests of each alert (test/alerts/<stack>.test.yaml: input series, when it fires, with
# which labels) against them. promtool is built once into the cache (scripts/promtool.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bash scripts/run.sh node bin/scripts/alert-rules.js "$work"
shopt -s nullglob
rules=("$work"/*.rules.yaml)
if [ ${#rules[@]} -eq 0 ]; then
    echo "no committed stack renders alert rules" >&2
    exit 1
fi
bash scripts/promtool.sh check rules "${rules[@]}"
for file in "${rules[@]}"; do
    stack=$(basename "$file" .rules.yaml)
    tests=test/alerts/$stack.test.yaml
    if [ ! -f "$tests" ]; then
        echo "$tests: missing: every stack with alert rules has their unit tests" >&2
        exit 1
    fi
    # The tests name their rule file by the stack (rule_files: [<stack>.rules.yaml]).
    cp "$tests" "$work/"
    bash scripts/promtool.sh test rules "$work/$(basename "$tests")"
done
