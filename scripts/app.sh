#!/usr/bin/env bash
# The sample app's own checks (app/, the default build context): its dependencies, its build and
# its tests, which run the service as a process beside PostgreSQL and Redis on loopback.
set -euo pipefail
cd "$(dirname "$0")/../app"
source ../scripts/node-env.sh
source ../scripts/servers.sh
appstack_install_dependencies
npm test
