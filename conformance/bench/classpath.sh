# Sourced by the benchmark scripts: checks dist/ is built and sets $classpath to the
# conformance module's classes and dependencies (JAVA_HOME: Temurin 25 unless set).
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if [ ! -x dist/bin/sysbox-runc ] || [ ! -x dist/bin/sysbox-mgr ]; then
    echo "$(basename "$0"): dist/ is not built; run: ./mvnw -B package -DskipTests" >&2
    exit 1
fi
classpath_file="$repo/conformance/target/bench-classpath.txt"
./mvnw -q -B -pl conformance compile dependency:build-classpath -Dmdep.outputFile="$classpath_file" >&2
classpath="conformance/target/classes:$(cat "$classpath_file")"
