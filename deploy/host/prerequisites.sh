#!/usr/bin/env bash
# Installs what building and running sysbox needs on a Debian machine, only what is missing.
#   prerequisites.sh runtime   packages building and running need (gcc for the C hook, runc,
#                              busybox-static for the demo)
#   prerequisites.sh test      plus what the test suites use
# Prints `export JAVA_HOME=...` for a JDK 25 (sourced by the other scripts through java-home).
set -euo pipefail
kind=${1:-runtime}
# iproute2: the manager moves a pod sandbox's CNI interfaces into the pod's own network namespace.
packages=(gcc libc6-dev runc crun util-linux iproute2 busybox-static ca-certificates)
if [ "$kind" = test ]; then
    # containerd and the CNI plugins: the CRI suites run their own containerd; strace: the launcher's exec tests;
    # podman and conmon: the Podman suite (podman 4.3 in Debian 12).
    packages+=(fuse3 procps docker.io strace containerd containernetworking-plugins podman conmon)
fi
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "prerequisites: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    # Packages such as docker.io and containerd start their daemons on install; the tests
    # start their own on private sockets, so nothing may start here (policy-rc.d says so).
    guard=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        guard=/usr/sbin/policy-rc.d
    fi
    trap '[ -n "$guard" ] && rm -f "$guard"' EXIT
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi
