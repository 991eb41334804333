#!/usr/bin/env bash
# Builds sysbox-runc's AOT caches (-XX:AOTCacheOutput): one training run of a real system
# container (busybox /bin/true) through the running manager, so the classes of the hot path
# (spec conversion, the manager channel, FFM) are pre-parsed and linked for every later call;
# then a lighter one from a `delete --force` of a created container, which the launcher gives
# start, delete, state and kill (the JVM loads every class of its cache at start).
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
    "$layout/bin/sysbox-runc" --root "$work/state" --run-dir "$run_dir" delete --force "$id-light" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/bundle/rootfs/bin"
cp "$busybox" "$work/bundle/rootfs/bin/busybox"
ln -s busybox "$work/bundle/rootfs/bin/true"
(cd "$work/bundle" && "$layout/bin/sysbox-runc" spec)
sed -i -e 's/"terminal":true/"terminal":false/' -e 's#"args":\["sh"\]#"args":["/bin/true"]#' \
    -e 's#"namespaces":\[#"cgroupsPath":"sysbox-aot-train/'"$id"'","namespaces":[#' "$work/bundle/config.json"
rm -f "$layout/lib/sysbox-runc.aot" "$layout/lib/sysbox-runc-light.aot"
SYSBOX_AOT_TRAIN="$layout/lib/sysbox-runc.aot" \
    "$layout/bin/sysbox-runc" --root "$work/state" --run-dir "$run_dir" run --bundle "$work/bundle" "$id"
sed -i 's#"cgroupsPath":"sysbox-aot-train/'"$id"'"#"cgroupsPath":"sysbox-aot-train/'"$id"'-light"#' "$work/bundle/config.json"
"$layout/bin/sysbox-runc" --root "$work/state" --run-dir "$run_dir" create --bundle "$work/bundle" "$id-light" </dev/null >/dev/null
SYSBOX_AOT_TRAIN="$layout/lib/sysbox-runc-light.aot" \
    "$layout/bin/sysbox-runc" --root "$work/state" --run-dir "$run_dir" delete --force "$id-light"
# The training containers' cgroup parent, in every hierarchy (nested where our own cgroup is);
# rmdir removes a cgroup only when nothing is left in it.
find /sys/fs/cgroup -maxdepth 6 -type d -name sysbox-aot-train -prune -exec rmdir {} + 2>/dev/null || true
for cache in sysbox-runc sysbox-runc-light; do
    [ -s "$layout/lib/$cache.aot" ] || { echo "aot-train: no cache written to $layout/lib/$cache.aot" >&2; exit 1; }
    echo "sysbox-runc AOT cache: $layout/lib/$cache.aot"
done
