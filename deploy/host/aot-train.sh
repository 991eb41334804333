#!/usr/bin/env bash
# Builds sysbox-runc's AOT caches (-XX:AOTCacheOutput): one training run of a real system
# container (busybox /bin/true) through the running manager, so the classes of the hot path
# (spec conversion, the manager channel, FFM) are pre-parsed and linked for every later call;
# that one serves state, exec and the rest. Then lighter ones from a `create`, a `start` and a
# `delete --force` of a second container, which the launcher gives create and run, the commands
# that only become the engine (start, kill, ...) and delete (the JVM loads every class of its
# cache at start).
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
    "$layout/bin/sysbox-runc" --root "$work/state" --run-dir "$run_dir" delete --force "$id-2" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/bundle/rootfs/bin"
cp "$busybox" "$work/bundle/rootfs/bin/busybox"
ln -s busybox "$work/bundle/rootfs/bin/true"
(cd "$work/bundle" && "$layout/bin/sysbox-runc" spec)
sed -i -e 's/"terminal":true/"terminal":false/' -e 's#"args":\["sh"\]#"args":["/bin/true"]#' \
    -e 's#"namespaces":\[#"cgroupsPath":"sysbox-aot-train/'"$id"'","namespaces":[#' "$work/bundle/config.json"
caches="sysbox-runc sysbox-runc-create sysbox-runc-passthrough sysbox-runc-delete"
for cache in $caches; do rm -f "$layout/lib/$cache.aot"; done
SYSBOX_AOT_TRAIN="$layout/lib/sysbox-runc.aot" \
    "$layout/bin/sysbox-runc" --root "$work/state" --run-dir "$run_dir" run --bundle "$work/bundle" "$id"
sed -i 's#"cgroupsPath":"sysbox-aot-train/'"$id"'"#"cgroupsPath":"sysbox-aot-train/'"$id"'-2"#' "$work/bundle/config.json"
SYSBOX_AOT_TRAIN="$layout/lib/sysbox-runc-create.aot" \
    "$layout/bin/sysbox-runc" --root "$work/state" --run-dir "$run_dir" create --bundle "$work/bundle" "$id-2" </dev/null >/dev/null
SYSBOX_AOT_TRAIN="$layout/lib/sysbox-runc-passthrough.aot" \
    "$layout/bin/sysbox-runc" --root "$work/state" --run-dir "$run_dir" start "$id-2"
SYSBOX_AOT_TRAIN="$layout/lib/sysbox-runc-delete.aot" \
    "$layout/bin/sysbox-runc" --root "$work/state" --run-dir "$run_dir" delete --force "$id-2"
# The training containers' cgroup parent, in every hierarchy (nested where our own cgroup is);
# rmdir removes a cgroup only when nothing is left in it.
find /sys/fs/cgroup -maxdepth 6 -type d -name sysbox-aot-train -prune -exec rmdir {} + 2>/dev/null || true
for cache in $caches; do
    [ -s "$layout/lib/$cache.aot" ] || { echo "aot-train: no cache written to $layout/lib/$cache.aot" >&2; exit 1; }
    echo "sysbox-runc AOT cache: $layout/lib/$cache.aot"
done
