#!/bin/bash
# CRI-O lab: critest v1.26.1 against CRI-O v1.32.13 with handlers runc and sysbox-runc (issue 10, acceptance 4).
# Follows ../shared/k8s-kit/crio/RECIPE.md; everything private lives under /tmp/crio-lab (sysbox's dirs in
# /tmp/crio-lab/sbx). Outside it, CRI-O itself makes: v1 cgroups /crio and /crio-conmon-<id>, nat chains of its
# hostport manager and CNI portmap, the bridge criolab0, /var/lib/cni/results, /run/crun; `down` removes them all.
#
#   lab.sh build                 Go 1.23 (bookworm-backports, private apt lists) + CRI-O v1.32.13 + pinns, patched
#   lab.sh up [DIST]             registry 127.0.0.1:5098, bridge, sysboxd from DIST (default: this tree's dist/), CRI-O
#   lab.sh pod-check             one sysbox-runc pod through crictl: what a pod must see, and nothing left after rmp
#   lab.sh critest HANDLER       critest against the lab's CRI-O; results/critest-HANDLER/{junit.xml,critest.out}
#   lab.sh compare               totals of both runs and the specs that fail only with sysbox-runc
#   lab.sh down                  stop everything by pid, remove what CRI-O and the lab made outside /tmp/crio-lab
#
# Inputs (environment): CRIO_GIT (the bare repository `fetch github:cri-o/cri-o` brings), KIT (default
# ../shared/k8s-kit beside the repository: crio/ config files, bin/critest and bin/crictl v1.26.1 in KIT_BIN,
# default /var/tmp/k8s-kit/bin), REGISTRY_DATA (the kit's stand-in images, default /var/tmp/k8s-kit/registry/data;
# copied, never served or changed in place).
set -euo pipefail
L=/tmp/crio-lab
S=$L/sbx
REPO=$(cd "$(dirname "$0")/../.." && pwd)
KIT=${KIT:-$REPO/../shared/k8s-kit}
KIT_BIN=${KIT_BIN:-/var/tmp/k8s-kit/bin}
REGISTRY_DATA=${REGISTRY_DATA:-/var/tmp/k8s-kit/registry/data}
CRICTL="$L/bin/crictl --config $L/crictl.yaml"
TAG=v1.32.13

build() {
  : "${CRIO_GIT:?set CRIO_GIT to the cri-o bare repository}"
  mkdir -p $L/apt-bp/lists/partial $L/go123 $L/src
  if [ ! -x $L/go123/usr/lib/go-1.23/bin/go ]; then
    echo 'deb http://deb.debian.org/debian bookworm-backports main' > $L/apt-bp/bp.list
    local A="-o Dir::Etc::sourcelist=$L/apt-bp/bp.list -o Dir::Etc::sourceparts=- -o Dir::State::Lists=$L/apt-bp/lists"
    apt-get $A update >/dev/null
    (cd $L/apt-bp && apt-get $A download golang-1.23-go golang-1.23-src)
    for f in $L/apt-bp/*.deb; do dpkg -x "$f" $L/go123; done
  fi
  if [ ! -f $L/src/Makefile ]; then
    # The snapshot lacks the SQLite amalgamation blob; tag libsqlite3 links Debian's library instead.
    git --git-dir="$CRIO_GIT" ls-tree -r --name-only $TAG | grep -v '^vendor/github.com/mattn/go-sqlite3/sqlite3-binding.c$' \
      | git --git-dir="$CRIO_GIT" --work-tree=$L/src checkout $TAG --pathspec-from-file=-
    (cd $L/src && patch -p1 < "$KIT/crio/crio-host.patch")
  fi
  cp "$KIT/crio/env.sh" $L/env.sh
  (cd $L/src && . $L/env.sh && make bin/crio bin/pinns BUILDTAGS="$BUILDTAGS")
  $L/src/bin/crio --version | head -1
}

# The lab's config: the kit's crio.conf, CNI and registries, plus the two drop-ins sysbox-runc pods need.
configure() {
  local dist=$1
  mkdir -p $L/{bin,conf.d,cni/net.d,cni-ipam,registries.conf.d,hooks.d,cdi,keys,policies,state,logs,run,results,registry,crictl-test}
  cp "$KIT/crio/crio.conf" "$KIT/crio/registries.conf" "$KIT/crio/crictl.yaml" $L/
  cp "$KIT/crio/cni/10-criolab.conflist" $L/cni/net.d/
  cp "$KIT_BIN/critest" "$KIT_BIN/crictl" $L/bin/
  cat > $L/conf.d/10-infra.conf <<'CONF'
# A sysbox-runc pod's infra container holds the pod's user namespace, which its containers join;
# CRI-O would drop it for pods that share no pid namespace (the kubelet's default).
[crio.runtime]
drop_infra_ctr = false
CONF
  cat > $L/conf.d/20-sysbox-runc.conf <<CONF
[crio.runtime.runtimes.sysbox-runc]
runtime_path = "$L/bin/sysbox-runc"
runtime_type = "oci"
runtime_root = "$L/run/sysbox-runc"
monitor_path = "/usr/bin/conmon"
monitor_cgroup = "pod"
allowed_annotations = ["io.kubernetes.cri-o.userns-mode"]
CONF
  # Lab only: CRI-O's runtime_path, pointing sysbox-runc at the lab's daemons.
  cat > $L/bin/sysbox-runc <<WRAP
#!/bin/sh
SYSBOX_RUN_DIR=$S/run exec $dist/bin/sysbox-runc "\$@"
WRAP
  chmod +x $L/bin/sysbox-runc
  cat > $L/registry/config.yml <<CONF
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $L/registry/data}, delete: {enabled: true}}
http: {addr: 127.0.0.1:5098}
CONF
  [ -d $L/registry/data ] || cp -a "$REGISTRY_DATA" $L/registry/data
}

wait_for() {  # wait_for SECONDS COMMAND...: poll every 0.5 s
  local n=$(( $1 * 2 )); shift
  for _ in $(seq $n); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  return 1
}

up() {
  local dist=${1:-$REPO/dist}
  [ -x $L/src/bin/crio ] || { echo "run '$0 build' first"; exit 1; }
  configure "$(cd "$dist" && pwd)"
  nohup docker-registry serve $L/registry/config.yml > $L/registry/registry.log 2>&1 &
  echo $! > $L/registry/registry.pid
  wait_for 10 curl -sf http://127.0.0.1:5098/v2/ || { echo "registry did not start"; exit 1; }
  # The bridge before the first pod, so 127.0.0.1:hostPort reaches pods (CRI-O's hostport manager neither
  # sets route_localnet nor masquerades 127/8).
  ip link show criolab0 >/dev/null 2>&1 || ip link add criolab0 type bridge
  ip link set criolab0 up
  sysctl -qw net.ipv4.conf.criolab0.route_localnet=1
  iptables -t nat -C POSTROUTING -s 127.0.0.0/8 -o criolab0 -m comment --comment crio-lab-localhost-hostport -j MASQUERADE 2>/dev/null \
    || iptables -t nat -I POSTROUTING -s 127.0.0.0/8 -o criolab0 -m comment --comment crio-lab-localhost-hostport -j MASQUERADE
  # sysbox's daemons on private dirs, with their own subuid pool (no overlap with other sysbox instances).
  mkdir -p $S/{run,data,fsmnt,logs}
  echo "sysbox:1073741824:16777216" > $S/subuid; cp $S/subuid $S/subgid
  nohup "$dist/bin/sysboxd" --run-dir $S/run --data-root $S/data --fs-mountpoint $S/fsmnt --log-dir $S/logs --log-level debug \
    -- --subuid-file $S/subuid --subgid-file $S/subgid --subid-pool-size 16777216 > $S/sysboxd.out 2>&1 &
  echo $! > $S/sysboxd.pid
  wait_for 60 grep -q "sysboxd: ready" $S/sysboxd.out || { echo "sysboxd did not start"; cat $S/sysboxd.out; exit 1; }
  # CRI-O (the kit's start-crio.sh, with paths of this lab): the patch's two switches for a root without CAP_SYS_RESOURCE.
  [ -e /var/lib/cni ] || touch $L/state/var-lib-cni.absent
  [ -e /run/crun ] || touch $L/state/run-crun.absent
  CRIO_RESTRICT_OOM_SCORE_ADJ=true CRIO_RESTRICT_CAPS_TO_BOUNDING=true nohup $L/src/bin/crio --config $L/crio.conf \
    --config-dir $L/conf.d --registries-conf $L/registries.conf --registries-conf-dir $L/registries.conf.d \
    >> $L/logs/crio.log 2>&1 &
  echo $! > $L/crio.pid
  wait_for 60 $CRICTL version || { echo "CRI-O did not start"; tail -20 $L/logs/crio.log; exit 1; }
  $CRICTL pull registry.k8s.io/e2e-test-images/busybox:1.29-2 >/dev/null
  echo "lab up: CRI-O pid $(cat $L/crio.pid), sysboxd pid $(cat $S/sysboxd.pid), registry pid $(cat $L/registry/registry.pid)"
}

pod_check() {
  local t=$L/crictl-test
  cat > $t/pod.json <<'JSON'
{"metadata": {"name": "pod-check", "namespace": "default", "uid": "pod-check-uid", "attempt": 1},
 "hostname": "pod-check", "log_directory": "/tmp/crio-lab/crictl-test/logs", "linux": {}}
JSON
  for c in one two; do
    cat > $t/$c.json <<JSON
{"metadata": {"name": "$c"}, "image": {"image": "registry.k8s.io/e2e-test-images/busybox:1.29-2"},
 "command": ["sleep", "3600"], "log_path": "$c.log", "linux": {}}
JSON
  done
  local pod one two fail=0
  pod=$($CRICTL runp --runtime sysbox-runc $t/pod.json)
  one=$($CRICTL create "$pod" $t/one.json $t/pod.json); $CRICTL start "$one" >/dev/null
  two=$($CRICTL create "$pod" $t/two.json $t/pod.json); $CRICTL start "$two" >/dev/null
  local infra; infra=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["init_process_pid"])' \
    $L/run/sysbox-runc/runc/$pod/state.json)
  local ns="for n in user net ipc uts pid; do readlink /proc/self/ns/\$n; done"
  local want; want=$(for n in user net ipc uts pid; do readlink /proc/$infra/ns/$n; done)
  check() { if [ "$2" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: got [$2] want [$3]"; fail=1; fi; }
  local map; map=$(awk '{print $1, $2, $3}' /proc/$infra/uid_map)
  check "sandbox's range is its own (host id != 0)" "$([ "$(echo $map | cut -d' ' -f2)" != 0 ] && echo yes)" yes
  for c in $one $two; do
    check "container ${c:0:12}: the sandbox's uid_map" "$($CRICTL exec "$c" cat /proc/self/uid_map | awk '{print $1, $2, $3}')" "$map"
    check "container ${c:0:12}: the sandbox's user, net, ipc, uts, pid namespaces" "$($CRICTL exec "$c" sh -c "$ns")" "$want"
    check "container ${c:0:12}: /sys/class/net" "$($CRICTL exec "$c" ls /sys/class/net | tr '\n' ' ')" "eth0 lo "
    check "container ${c:0:12}: hostname" "$($CRICTL exec "$c" hostname)" "pod-check"
    check "container ${c:0:12}: /proc/uptime counts from the pod (sysbox-fs)" \
      "$($CRICTL exec "$c" cut -d. -f1 /proc/uptime | awk '{print ($1 < 600) ? "pod" : "host: " $1}')" "pod"
  done
  check "pod's root may make a bridge in the pod's network namespace" "$($CRICTL exec "$one" sh -c 'brctl addbr br-check && echo made')" "made"
  $CRICTL stopp "$pod" >/dev/null; $CRICTL rmp "$pod" >/dev/null
  check "nothing mounted under the manager's data root or CRI-O's namespaces dir after rmp" \
    "$(awk '$5 ~ "^('$S/data'|'$L/run/ns')/" {print $5}' /proc/self/mountinfo)" ""
  check "no id range or shifted dir left" "$(find $S/data/idranges $S/data/shifted -mindepth 1)" ""
  return $fail
}

run_critest() {
  local h=$1 r=$L/results/critest-$1
  rm -rf "$r"; mkdir -p "$r"
  local s=unix://$L/crio.sock start; start=$(date +%s)
  (cd "$r" && timeout 1800 $L/bin/critest --runtime-endpoint $s --image-endpoint $s --runtime-handler "$h" \
     --ginkgo.no-color --ginkgo.junit-report="$r/junit.xml" > "$r/critest.out" 2>&1) || true
  echo "critest $h: $(( $(date +%s) - start )) s"
  python3 "$KIT/crio/scripts/junit-sum.py" "$r/junit.xml" | head -1
}

compare() {
  python3 "$KIT/crio/scripts/junit-sum.py" $L/results/critest-runc/junit.xml $L/results/critest-sysbox-runc/junit.xml
}

down() {
  set +e
  if [ -f $L/crio.pid ] && kill -0 "$(cat $L/crio.pid)" 2>/dev/null; then
    $CRICTL rm -fa >/dev/null 2>&1; $CRICTL rmp -fa >/dev/null 2>&1
    kill "$(cat $L/crio.pid)"; wait_for 20 sh -c "! kill -0 $(cat $L/crio.pid)"
  fi
  # containers CRI-O could not remove: sysbox-runc's delete (runc's and the manager's part) while the manager runs
  for d in $L/run/sysbox-runc/sysbox/*; do
    [ -d "$d" ] && $L/bin/sysbox-runc --root $L/run/sysbox-runc delete --force "$(basename "$d")"
  done
  # conmon and container processes of this CRI-O (their command lines name the lab's dirs), by pid
  for p in $(ps -eo pid=,args= | awk '/\/tmp\/crio-lab\/(run|storage)/ && !/awk/ {print $1}'); do kill "$p" 2>/dev/null; done
  sleep 1
  for p in $(cat /sys/fs/cgroup/pids/crio/*/cgroup.procs /sys/fs/cgroup/pids/crio-conmon-*/cgroup.procs 2>/dev/null | sort -u); do
    kill -9 "$p" 2>/dev/null
  done
  for f in $S/sysboxd.pid $L/registry/registry.pid; do
    [ -f $f ] && kill "$(cat $f)" 2>/dev/null && wait_for 30 sh -c "! kill -0 $(cat $f)"
  done
  # mounts under the lab (overlay, shm, pinned namespaces, the manager's clones, sysbox-fs), deepest first
  for m in $(awk '$5 ~ "^/tmp/crio-lab/" {print $5}' /proc/self/mountinfo | sort -r); do umount -l "$m"; done
  ip link del criolab0 2>/dev/null
  for T in iptables ip6tables; do
    $T -t nat -D POSTROUTING -s 127.0.0.0/8 -o criolab0 -m comment --comment crio-lab-localhost-hostport -j MASQUERADE 2>/dev/null
    $T -t nat -S 2>/dev/null | grep -E '^-A (PREROUTING|OUTPUT|POSTROUTING) .*-j (KUBE-HOSTPORTS|CRIO-HOSTPORTS-MASQ|CNI-HOSTPORT-[A-Z]+)' \
      | sed 's/^-A/-D/' | while read -r r; do eval $T -t nat $r; done
    for op in -F -X; do
      for ch in $($T -t nat -S 2>/dev/null | awk '/^-N (KUBE-HOSTPORTS|KUBE-HP-|CRIO-HOSTPORTS-MASQ|CRIO-MASQ-|CNI-HOSTPORT-|CNI-DN-)/ {print $2}'); do
        $T -t nat $op "$ch"
      done
    done
  done
  # CRI-O's cgroupfs manager: /crio/..., /crio-conmon-<id> in the v1 controllers (with the pod's cgroups runc made
  # below, relative to conmon's) and /crio-<id> in the named hierarchies; each tree deepest first
  for h in /sys/fs/cgroup/*/; do
    find "$h" -maxdepth 1 -mindepth 1 -type d -regextype egrep -regex '.*/crio(-conmon)?(-[0-9a-f]{64})?' 2>/dev/null \
      | while read -r top; do find "$top" -depth -type d | while read -r d; do rmdir "$d" 2>/dev/null || echo "could not rmdir $d"; done; done
  done
  [ -f $L/state/var-lib-cni.absent ] && rmdir /var/lib/cni/results /var/lib/cni 2>/dev/null
  [ -f $L/state/run-crun.absent ] && rmdir /run/crun 2>/dev/null
  rm -f $L/state/*.absent
  echo "left: cgroups=$(ls -d /sys/fs/cgroup/*/crio* 2>/dev/null | wc -l) mounts=$(grep -c /tmp/crio-lab/ /proc/self/mountinfo)" \
       "procs=$(ps -eo args= | awk '/\/tmp\/crio-lab\// && !/awk/' | wc -l) chains=$(iptables-save -t nat | grep -cE '^:(KUBE|CRIO|CNI)-')" \
       "bridge=$(ip link show criolab0 >/dev/null 2>&1 && echo yes || echo no)"
}

case ${1:-} in
  build) build ;;
  up) up "${2:-}" ;;
  pod-check) pod_check ;;
  critest) run_critest "${2:?handler}" ;;
  compare) compare ;;
  down) down ;;
  *) sed -n '2,20p' "$0"; exit 2 ;;
esac
