#!/usr/bin/env bash
# Sourced by the commands whose tests start PostgreSQL and Redis on 127.0.0.1 (the sample app's
# tests, test:server): installs the distribution's servers where they are missing. Installing
# needs root; anyone else is told the one command to run.
appstack_servers_missing() {
    ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null
}
if appstack_servers_missing; then
    packages="postgresql redis-server redis-tools"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "Installing PostgreSQL and Redis for the tests ($packages)" >&2
        apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >/dev/null
    else
        echo "The tests start PostgreSQL and Redis on 127.0.0.1, and this machine has neither server: install them (sudo apt-get install $packages, or your distribution's packages), then run the tests again." >&2
        exit 1
    fi
fi
unset -f appstack_servers_missing
