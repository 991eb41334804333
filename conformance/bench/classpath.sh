# Sourced by the benchmark scripts: checks dist/ is built and sets $classpath to the
# conformance module's classes and dependencies (JAVA_HOME: Temurin 25 unless set).
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if [ ! -x dist/bin/sysbox-runc ] || [ ! -x dist/bin/sysbox-mgr ]; then
    echo "$(basename "$0"): dist/ is not built; run: ./mvnw -B package -DskipTests" >&2
    exit 1
fi
# -am: sysbox-common comes from the reactor (common/target/classes), so a fresh clone needs no
# `mvnw install`; each module writes its own target/bench-classpath.txt (a relative path is the module's).
classpath_file="$repo/conformance/target/bench-classpath.txt"
./mvnw -q -B -pl conformance -am compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >&2
classpath="conformance/target/classes:$(cat "$classpath_file")"
