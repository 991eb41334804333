#!/bin/sh
# Mount interception benchmark of issue 11: mount -t tmpfs / umount pairs in a system container
# (through sysbox-fs's seccomp handler) vs a plain runc container, interleaved; prints the ratio.
# Needs root, a built dist/ (./mvnw -B package -DskipTests) and runc + busybox-static.
# Usage: conformance/bench/mounts.sh [--pairs 1000] [--batch 100]
set -eu
. "$(dirname "$0")/classpath.sh"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dsysbox.dist="$repo/dist" \
    -cp "$classpath" io.sysbox.conformance.bench.MountBenchmark "$@"
