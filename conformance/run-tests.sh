#!/usr/bin/env bash
# The whole test suite: unit tests of every module, then the conformance suites against the
# built binaries, real runc and the real kernel. Installs its apt prerequisites when missing.
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$repo"
[ "$(id -u)" = 0 ] || { echo "run-tests: the suites create namespaces, mounts and cgroups: run as root" >&2; exit 1; }
deploy/host/prerequisites.sh test
. deploy/host/java-home.sh
./mvnw -B verify "$@"
