#!/bin/sh
# Start-up benchmark of issue 2: sysbox-runc run vs runc run (user namespace) of /bin/true,
# interleaved. Needs root, a built dist/ (./mvnw -B package -DskipTests) and runc + busybox-static.
# Usage: conformance/bench/startup.sh [--rounds N] [--warmup W] [--sysbox-fs]
set -eu
. "$(dirname "$0")/classpath.sh"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dsysbox.daemon.log-level=info -Dsysbox.dist="$repo/dist" \
    -cp "$classpath" io.sysbox.conformance.bench.StartupBenchmark "$@"
