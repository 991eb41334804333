#!/usr/bin/env bash
# Builds sysbox-runc's AOT cache (-XX:AOTCacheOutput): one training run of a real system
# container (busybox /bin/true) through the running manager, so the classes of the hot path
# (spec conversion, the manager channel, FFM) are pre-parsed and linked for every later call.
#   aot-train.sh LAYOUT [RUN_DIR]   LAYOUT has bin/ and lib/ (dist/ or PREFIX/lib/sysbox)
set -euo pipefail
layout=$(cd "$1" && pwd)
run_dir=${2:-/run/sysbox}
busybox=$(command -v busybox || true)
[ -n "$busybox" ] || { echo "aot-train: busybox (busybox-static) is needed for the training run" >&2; exit 1; }
work=$(mktemp -d /tmp/sysbox-aot.XXXXXX)
id=aot-train-$$
cleanup() {
    "$layout/bin/sysbox-runc" --root "$work/state" --run-dir "$run_dir" delete --force "$id" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/bundle/rootfs/bin"
cp "$busybox" "$work/bundle/rootfs/bin/busybox"
ln -s busybox "$work/bundle/rootfs/bin/true"
(cd "$work/bundle" && "$layout/bin/sysbox-runc" spec)
sed -i -e 's/"terminal":true/"terminal":false/' -e 's#"args":\["sh"\]#"args":["/bin/true"]#' \
    -e 's#"namespaces":\[#"cgroupsPath":"sysbox-aot-train/'"$id"'","namespaces":[#' "$work/bundle/config.json"
rm -f "$layout/lib/sysbox-runc.aot"
SYSBOX_AOT_TRAIN="$layout/lib/sysbox-runc.aot" \
    "$layout/bin/sysbox-runc" --root "$work/state" --run-dir "$run_dir" run --bundle "$work/bundle" "$id"
# The training container's cgroup parent, in every hierarchy (nested where our own cgroup is);
# rmdir removes a cgroup only when nothing is left in it.
find /sys/fs/cgroup -maxdepth 6 -type d -name sysbox-aot-train -prune -exec rmdir {} + 2>/dev/null || true
[ -s "$layout/lib/sysbox-runc.aot" ] || { echo "aot-train: no cache written" >&2; exit 1; }
echo "sysbox-runc AOT cache: $layout/lib/sysbox-runc.aot"
