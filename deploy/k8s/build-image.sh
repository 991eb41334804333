#!/usr/bin/env bash
# Builds the DaemonSet's image from the built dist/ (./mvnw package) without a registry:
#
#   deploy/k8s/build-image.sh [--out FILE] [--tag REF]
#
# The recipe deploy/k8s/Dockerfile on the project's debian image, realised by
# conformance/images/build-images.sh (cached by its inputs), packed as a one-layer
# `docker save` archive FILE (default deploy/k8s/target/sysbox-deploy-image.tar) tagged REF
# (default localhost/sysbox-deploy:0.1.0, what the manifests name). Load it on each node:
# `ctr -n k8s.io images import FILE` (containerd) or `podman load -i FILE` (CRI-O's storage).
# Runs as root (debootstrap and chroot, as the image builder needs). Prints FILE.
set -euo pipefail
repo=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
out=$repo/deploy/k8s/target/sysbox-deploy-image.tar
tag=localhost/sysbox-deploy:0.1.0
while [ $# -gt 0 ]; do
    case $1 in
        --out) out=$2; shift 2 ;;
        --tag) tag=$2; shift 2 ;;
        -h | --help) sed -n '2,/^set -euo/{/^#/!d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        *) echo "build-image.sh: unknown flag $1" >&2; exit 2 ;;
    esac
done
dist=$repo/dist
[ -x "$dist/bin/sysbox-deploy" ] || { echo "build-image.sh: $dist/bin/sysbox-deploy missing: build first (./mvnw package)" >&2; exit 1; }
. "$repo/deploy/host/java-home.sh"

stage=$(mktemp -d /tmp/sysbox-deploy-image.XXXXXX)
trap 'rm -rf "$stage"' EXIT
cp -a "$repo/dockerfiles/debian" "$stage/debian"
mkdir -p "$stage/sysbox-deploy" "$stage/tree/opt" "$stage/java"
cp "$repo/deploy/k8s/Dockerfile" "$stage/sysbox-deploy/"
cp -a "$dist" "$stage/tree/opt/sysbox"
# A runtime of the modules the jars need, where launcher.sh looks for Java 25; jdk.crypto.ec for
# the API server's TLS.
modules=$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --multi-release 25 --print-module-deps \
    --class-path "$dist/lib/*" "$dist"/lib/sysbox-deploy.jar "$dist"/lib/sysbox-installer.jar)
"$JAVA_HOME/bin/jlink" --add-modules "$modules,jdk.crypto.ec" --strip-debug --no-header-files --no-man-pages \
    --output "$stage/java/usr/lib/jvm/temurin-25-jdk-amd64"
# Reproducible tars (names sorted, times and owners fixed): the image builder's cache key hashes
# them, so the same dist/ and JDK hit the cache, and --prune drops the image of an older dist/.
reproducible_tar() {  # DIR ARCHIVE MEMBER
    tar --sort=name --mtime=@0 --numeric-owner --owner=0 --group=0 -C "$1" -cf "$2" "$3"
}
reproducible_tar "$stage/tree" "$stage/sysbox-deploy/sysbox.tar" opt
reproducible_tar "$stage/java" "$stage/sysbox-deploy/java.tar" usr
rootfs=$(SYSBOX_DOCKERFILES=$stage "$repo/conformance/images/build-images.sh" --prune sysbox-deploy | awk '$1 == "sysbox-deploy" {print $2}')
[ -f "$rootfs" ] || { echo "build-image.sh: the image builder gave no tarball" >&2; exit 1; }

# docker save layout: one layer (the root filesystem), its config and the manifest.
archive=$stage/archive
mkdir -p "$archive"
diff_id=$(sha256sum "$rootfs" | cut -d' ' -f1)
mkdir -p "$archive/$diff_id"
cp "$rootfs" "$archive/$diff_id/layer.tar"
cat > "$stage/config.json" <<JSON
{"architecture": "amd64", "os": "linux",
 "config": {"Cmd": ["/opt/sysbox/bin/sysbox-deploy", "--stay"], "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]},
 "rootfs": {"type": "layers", "diff_ids": ["sha256:$diff_id"]}}
JSON
config_id=$(sha256sum "$stage/config.json" | cut -d' ' -f1)
cp "$stage/config.json" "$archive/$config_id.json"
printf '[{"Config": "%s.json", "RepoTags": ["%s"], "Layers": ["%s/layer.tar"]}]\n' "$config_id" "$tag" "$diff_id" > "$archive/manifest.json"
mkdir -p "$(dirname "$out")"
# Names without "./": what `docker save` writes and importers look for.
(cd "$archive" && tar --numeric-owner --owner=0 --group=0 -cf "$out" manifest.json "$config_id.json" "$diff_id")
echo "$out"
