#!/bin/sh
# Issue 3's benchmarks: docker run --rm busybox true, sysbox-runc vs runc, interleaved on one
# private dockerd; then docker run inside a system container vs on that host dockerd.
# Needs root, docker.io, and a built dist/ (./mvnw -B package -DskipTests).
# Usage: conformance/bench/docker.sh [ROUNDS]
set -eu
. "$(dirname "$0")/classpath.sh"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dsysbox.daemon.log-level=info -Dsysbox.dist="$repo/dist" \
    -cp "$classpath" io.sysbox.conformance.bench.DockerBenchmark "$@"
