#!/bin/sh
# Issue 3's benchmark: docker run --rm busybox true, sysbox-runc vs runc, interleaved on one
# private dockerd. Needs root, docker.io, and a built dist/ (./mvnw -B package -DskipTests).
# Usage: conformance/bench/docker.sh [ROUNDS]
set -eu
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
[ -x dist/bin/sysbox-runc ] || { echo "docker.sh: dist/ is not built; run: ./mvnw -B package -DskipTests" >&2; exit 1; }
classpath_file="$repo/conformance/target/bench-classpath.txt"
./mvnw -q -B -pl conformance compile dependency:build-classpath -Dmdep.outputFile="$classpath_file" >&2
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dsysbox.dist="$repo/dist" \
    -cp "conformance/target/classes:$(cat "$classpath_file")" io.sysbox.conformance.bench.DockerBenchmark "$@"
