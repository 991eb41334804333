#!/usr/bin/env bash
# From a fresh Debian machine to a running system container: installs the apt packages,
# builds, installs, starts the daemons, then runs a busybox system container made the way the
# user's guide does it (sysbox-runc spec + sysbox-runc run) that prints its uid map and hostname.
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
cd "$repo"
[ "$(id -u)" = 0 ] || { echo "quickstart: run as root (sudo)" >&2; exit 1; }
deploy/host/prerequisites.sh runtime
. deploy/host/java-home.sh
./mvnw -B -q package -DskipTests
deploy/host/install.sh

dir=/root/syscontainer
rm -rf "$dir"
mkdir -p "$dir/rootfs/bin"
cp "$(command -v busybox)" "$dir/rootfs/bin/busybox"
for applet in sh cat hostname echo ls id; do ln -s busybox "$dir/rootfs/bin/$applet"; done
cd "$dir"
sysbox-runc spec
sed -i -e 's/"terminal":true/"terminal":false/' \
    -e 's#"args":\["sh"\]#"args":["sh","-c","echo uid_map: $(cat /proc/self/uid_map); echo hostname: $(hostname)"]#' config.json
sysbox-runc run my_syscontainer
