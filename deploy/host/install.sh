#!/usr/bin/env bash
# Installs the built runtime (dist/ from `./mvnw package`) into PREFIX, its systemd units,
# registers it with Docker when asked (--docker); starts the daemons (systemd when it runs,
# else sysboxd in the background).
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
prefix=/usr/local
systemd_dir=/etc/systemd/system
dist=$repo/dist
start=yes
docker=no
docker_default=no
docker_config=
docker_pidfile=
oci_hooks_dir=
usage() {
    cat <<USAGE
Usage: install.sh [--prefix DIR] [--systemd-dir DIR] [--dist DIR] [--no-start]
                  [--docker] [--docker-default] [--docker-config FILE] [--docker-pidfile FILE]
                  [--oci-hooks-dir DIR]
  --prefix DIR           install root (default /usr/local): DIR/sbin/sysbox-*, DIR/lib/sysbox/
  --systemd-dir DIR      where the units go (default /etc/systemd/system)
  --dist DIR             the built layout (default: dist/ of this checkout)
  --no-start             install only; do not start the daemons
  --docker               register the runtime "sysbox-runc" in /etc/docker/daemon.json (other keys
                         kept) and have a running dockerd reload it; skipped when Docker is not
                         installed (no dockerd command and no daemon.json)
  --docker-default       as --docker, and make sysbox-runc Docker's default runtime
  --docker-config FILE   register in FILE instead of /etc/docker/daemon.json (implies --docker;
                         FILE is created if missing)
  --docker-pidfile FILE  dockerd's pidfile, to find the dockerd to reload (default /var/run/docker.pid)
  --oci-hooks-dir DIR    also put the OCI hooks file sysbox.json (Podman and CRI-O with plain runc, for
                         containers annotated io.sysbox.syscont=true) into DIR, e.g.
                         /usr/share/containers/oci/hooks.d; it is always in PREFIX/lib/sysbox/share/containers/oci/hooks.d
USAGE
}
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix=$2; shift 2 ;;
        --systemd-dir) systemd_dir=$2; shift 2 ;;
        --dist) dist=$2; shift 2 ;;
        --no-start) start=no; shift ;;
        --docker) docker=yes; shift ;;
        --docker-default) docker=yes; docker_default=yes; shift ;;
        --docker-config) docker=yes; docker_config=$2; shift 2 ;;
        --docker-pidfile) docker_pidfile=$2; shift 2 ;;
        --oci-hooks-dir) oci_hooks_dir=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install.sh: unknown flag $1" >&2; usage >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
[ -x "$dist/bin/sysbox-runc" ] || { echo "install.sh: $dist/bin/sysbox-runc missing: build first (./mvnw package)" >&2; exit 1; }
[ -x "$dist/bin/sysbox-install" ] || { echo "install.sh: $dist/bin/sysbox-install missing: build first (./mvnw package)" >&2; exit 1; }
[ -x "$dist/libexec/sysbox-procsys-hook" ] || { echo "install.sh: $dist/libexec/sysbox-procsys-hook missing: build first (./mvnw package)" >&2; exit 1; }

dest=$prefix/lib/sysbox
mkdir -p "$prefix/sbin" "$prefix/lib"
rm -rf "$dest.new"
mkdir -p "$dest.new"
# libexec/ holds the hook sysbox-runc puts in specs (found beside lib/), not a command for sbin.
cp -a "$dist/bin" "$dist/lib" "$dist/libexec" "$dist/share" "$dest.new/"
# The OCI hooks file names the hook by its path: the installed one, not the build's.
hooks_file=share/containers/oci/hooks.d/sysbox.json
sed "s#\"path\": \"[^\"]*\"#\"path\": \"$dest/libexec/sysbox-oci-hook\"#" "$dist/$hooks_file" > "$dest.new/$hooks_file"
cp "$repo/README.md" "$dest.new/" 2>/dev/null || true
rm -rf "$dest.old"
[ -d "$dest" ] && mv "$dest" "$dest.old"
mv "$dest.new" "$dest"
rm -rf "$dest.old"
# The compiled sysbox-runc finds its libexec/ through /proc/self/exe: a symbolic link, so no shell
# starts per runtime call. The JVM launchers get small scripts: they find their lib/ from $0 without
# forking readlink.
for b in "$dest"/bin/*; do
    name=$(basename "$b")
    rm -f "$prefix/sbin/$name"
    if [ "$(head -c 4 "$b" | od -An -c | tr -d ' ')" = '177ELF' ]; then
        ln -s "$dest/bin/$name" "$prefix/sbin/$name"
    else
        printf '#!/bin/sh\nexec %s "$@"\n' "$dest/bin/$name" > "$prefix/sbin/$name"
        chmod 755 "$prefix/sbin/$name"
    fi
done

# Units: the daemons' files live in sysboxd.service.wants (that is where the user's guide edits
# them), and the unit search path links to them.
wants=$systemd_dir/sysboxd.service.wants
mkdir -p "$wants"
for u in sysboxd sysbox-mgr sysbox-fs; do
    target=$systemd_dir/$u.service
    [ "$u" != sysboxd ] && target=$wants/$u.service
    sed "s#/usr/local/sbin/#$prefix/sbin/#g" "$repo/deploy/host/systemd/$u.service" > "$target"
done
ln -sfn sysboxd.service.wants/sysbox-mgr.service "$systemd_dir/sysbox-mgr.service"
ln -sfn sysboxd.service.wants/sysbox-fs.service "$systemd_dir/sysbox-fs.service"
# sysbox-cri is for Kubernetes nodes only: installed, not enabled (the kubelet must be pointed at
# its socket first: see README "Kubernetes"); `systemctl enable --now sysbox-cri` there.
sed "s#/usr/local/sbin/#$prefix/sbin/#g" "$repo/deploy/host/systemd/sysbox-cri.service" > "$systemd_dir/sysbox-cri.service"
if [ -n "$oci_hooks_dir" ]; then
    mkdir -p "$oci_hooks_dir"
    cp "$dest/$hooks_file" "$oci_hooks_dir/sysbox.json"
fi
echo "installed sysbox into $dest (commands in $prefix/sbin, units in $systemd_dir)"

# Docker: sysbox-install edits daemon.json (JSON-aware, atomic, keeps other keys) and sends dockerd
# a SIGHUP, which reloads "runtimes" and "default-runtime" without restarting containers.
if [ "$docker" = yes ]; then
    if [ -z "$docker_config" ] && ! command -v dockerd >/dev/null && [ ! -e /etc/docker/daemon.json ]; then
        echo "install.sh: Docker is not installed (no dockerd, no /etc/docker/daemon.json): not registering the runtime" >&2
    else
        register=(docker --docker-config "${docker_config:-/etc/docker/daemon.json}"
                  --runtime-path "$prefix/sbin/sysbox-runc")
        [ -n "$docker_pidfile" ] && register+=(--docker-pidfile "$docker_pidfile")
        [ "$docker_default" = yes ] && register+=(--default)
        "$prefix/sbin/sysbox-install" "${register[@]}"
    fi
fi

[ "$start" = yes ] || exit 0
if [ -d /run/systemd/system ] && command -v systemctl >/dev/null; then
    systemctl daemon-reload
    systemctl enable sysboxd.service
    systemctl restart sysboxd.service
else
    # No systemd: sysboxd in the background, replacing one this script started before.
    if [ -f /run/sysbox/sysboxd.pid ] && kill -0 "$(cat /run/sysbox/sysboxd.pid)" 2>/dev/null; then
        old=$(cat /run/sysbox/sysboxd.pid)
        kill -TERM "$old"
        for _ in $(seq 100); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
    fi
    mkdir -p /run/sysbox
    nohup "$prefix/sbin/sysboxd" >>/var/log/sysboxd.log 2>&1 </dev/null &
fi
for _ in $(seq 300); do
    [ -S /run/sysbox/sysmgr-cli.sock ] && [ -S /run/sysbox/sysmgr.sock ] && break
    sleep 0.1
done
[ -S /run/sysbox/sysmgr-cli.sock ] || { echo "install.sh: sysbox-mgr did not start: see /var/log/sysbox-mgr.log /var/log/sysboxd.log" >&2; exit 1; }
echo "sysbox daemons running (sockets in /run/sysbox)"
