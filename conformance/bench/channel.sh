#!/bin/sh
# Why sysbox-runc's channel to the manager is not gRPC: a fresh JVM making one manager call
# through grpc-java/Netty vs through the framed channel, each with its own AOT cache,
# interleaved. Needs root and a built dist/ (./mvnw -B package -DskipTests).
# Usage: conformance/bench/channel.sh [ROUNDS]
set -eu
. "$(dirname "$0")/classpath.sh"
# The probes' AOT caches need jar files on the class path, not a directory: pack the classes.
jar_dir="$repo/conformance/target/bench-jar"
mkdir -p "$jar_dir"
"$JAVA_HOME/bin/jar" cf "$jar_dir/conformance-bench.jar" -C conformance/target/classes .
classpath="$jar_dir/conformance-bench.jar:${classpath#conformance/target/classes:}"
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Dsysbox.daemon.log-level=info -Dsysbox.dist="$repo/dist" \
    -Dchannel.classpath="$classpath" -cp "$classpath" io.sysbox.conformance.bench.ChannelBenchmark "$@"
