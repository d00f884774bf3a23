#!/usr/bin/env bash
# The Deployments program's own checks (deployments/, a Pulumi project of its own): its
# dependencies, its build and its tests under Pulumi's mocks.
set -euo pipefail
cd "$(dirname "$0")/../deployments"
source ../scripts/node-env.sh
appstack_install_dependencies
npm test
