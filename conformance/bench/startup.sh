#!/bin/sh
# Start-up benchmark of issue 2: sysbox-runc run vs runc run (user namespace) of /bin/true,
# interleaved. Needs root, a built dist/ (./mvnw -B package -DskipTests) and runc + busybox-static.
# Usage: conformance/bench/startup.sh [--rounds N] [--warmup W]
set -eu
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if [ ! -x dist/bin/sysbox-runc ] || [ ! -x dist/bin/sysbox-mgr ]; then
    echo "startup.sh: dist/ is not built; run: ./mvnw -B package -DskipTests" >&2
    exit 1
fi
classpath_file="$repo/conformance/target/bench-classpath.txt"
./mvnw -q -B -pl conformance compile dependency:build-classpath -Dmdep.outputFile="$classpath_file" >&2
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dsysbox.dist="$repo/dist" \
    -cp "conformance/target/classes:$(cat "$classpath_file")" \
    io.sysbox.conformance.bench.StartupBenchmark "$@"
