#!/bin/sh
# Issue 12's reliability suites at full size (CI runs them smaller): 20 containers through
# kill -9 of sysbox-mgr, sysbox-fs and both (CrashIT); 200 create/start/exec/delete cycles of
# bundles and of Docker containers, 10 at once (ChurnIT); sysbox-runc killed at every step of
# create and delete (InterruptedOperationsIT); 50 containers started at once (LoadIT). Each
# prints its figures ("reliability figures ..."), collected at the end from the build's output.
# Needs root, runc, busybox-static, docker.io. Usage: conformance/bench/reliability.sh [SUITE,...]
set -eu
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
. deploy/host/java-home.sh
# The suites run dist/'s binaries; `-pl conformance -am` compiles the modules but fills no dist/.
if [ ! -x dist/bin/sysbox-runc ] || [ ! -x dist/bin/sysbox-mgr ] || [ ! -x dist/bin/sysbox-fs ]; then
    echo "$(basename "$0"): dist/ is not built; run: ./mvnw -B package -DskipTests" >&2
    exit 1
fi
suites="${1:-CrashIT,ChurnIT,InterruptedOperationsIT,LoadIT}"
log="conformance/target/reliability-bench.log"
mkdir -p conformance/target
status=0
./mvnw -B verify -pl conformance -am -Dit.test="$suites" -Dsysbox.reliability.scale=full \
    -Dtest=skip -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false >"$log" 2>&1 || status=$?
grep -E 'Tests run:|FAIL' "$log" | tail -8
echo "--- figures (load average now: $(cut -d' ' -f1-3 /proc/loadavg); whole output in $log)"
# Each suite prints "reliability figures (...):" and indented lines after it.
awk '/^reliability figures/ {on=1; print; next} on && /^  / {print; next} {on=0}' "$log"
exit $status
