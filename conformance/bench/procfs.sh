#!/bin/sh
# /proc read benchmark of issue 4, item 10: open+read+close of proc/meminfo and proc/uptime
# through sysbox-fs, through a private lxcfs 5 and on the host kernel, interleaved, from a
# thread in a 256 MiB memory cgroup. Needs root, FUSE and cgroup v1's memory controller.
# Usage: conformance/bench/procfs.sh [--rounds 2000] [--warmup 200]
set -eu
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
if ! command -v lxcfs >/dev/null 2>&1; then
    # the package must not start a system lxcfs: install only when invoke-rc.d is told to start nothing
    policy=none
    if [ -x /usr/sbin/policy-rc.d ]; then policy=0; /usr/sbin/policy-rc.d >/dev/null 2>&1 || policy=$?; fi
    if [ "$policy" = 101 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y lxcfs >&2
    else
        echo "procfs.sh: lxcfs is missing; install it (apt-get install -y lxcfs) without letting it start a service" >&2
        exit 1
    fi
fi
# the benchmark lives in procfs's test sources (it is no part of the sysbox-fs jar): test-compile,
# and a classpath of every scope
classpath_file="$repo/procfs/target/bench-classpath.txt"
./mvnw -q -B -pl procfs -am test-compile dependency:build-classpath -Dmdep.outputFile="$classpath_file" >&2
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
    -cp "procfs/target/test-classes:procfs/target/classes:$(cat "$classpath_file")" \
    io.sysbox.fs.bench.LxcfsComparisonBench "$@"
