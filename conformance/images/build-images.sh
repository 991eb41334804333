#!/usr/bin/env bash
# Builds the test images of dockerfiles/ locally (there is no registry on these machines) as
# root filesystem tarballs, cached outside the clone by everything that goes into them.
#
#   build-images.sh [--cache DIR] [--prune] [IMAGE...]
#
# IMAGE is a directory of dockerfiles/ (busybox, debian, debian-docker); none means all of
# them. Prints `IMAGE PATH` on stdout for each image asked for (images named in FROM lines are
# built first); everything else goes to stderr. The tarball is DIR/IMAGE-KEY.tar, where KEY is
# the sha256 of this builder, the recipe directory, the inputs of its generated context files
# (the busybox binary; debootstrap's options, suite and mirror) and the key of its FROM image:
# a rerun with the same inputs is a cache hit, a changed input builds anew.
#
#   --cache DIR  the cache (default $SYSBOX_IMAGE_CACHE, else /var/cache/sysbox-test-images)
#   --prune      remove the cached tarballs of the images asked for whose key is not current
#   SYSBOX_DOCKERFILES=DIR  read the recipes from DIR instead of the clone's dockerfiles/
#
# Runs as root: debootstrap, chroot and the device nodes of a root filesystem need it. RUN
# steps run chrooted in private mount, pid, uts and ipc namespaces (their /proc, /sys, /dev and
# resolv.conf mounts vanish with them, and so does any process they leave), with a
# policy-rc.d that forbids starting services; only the network is the host's, for apt.
# Installs debootstrap, busybox-static and jq with apt when they are missing.
set -euo pipefail
shopt -s inherit_errexit

builder=$(readlink -f "${BASH_SOURCE[0]}")
here=$(dirname "$builder")
# shellcheck source=recipes.sh
. "$here/recipes.sh"

log() { echo "build-images: $*" >&2; }
die() { log "$*"; exit 1; }

usage() {  # [STATUS]: the header above; on stdout when asked for, else with the error
    if [ "${1:-2}" = 0 ]; then usage_text; else usage_text >&2; fi
    exit "${1:-2}"
}
usage_text() { sed -n '2,/^set -euo/{/^#/!d;s/^# \{0,1\}//;p}' "$builder"; }

cache=${SYSBOX_IMAGE_CACHE:-/var/cache/sysbox-test-images}
recipes=${SYSBOX_DOCKERFILES:-$here/../../dockerfiles}
prune=0
requested=()
while [ $# -gt 0 ]; do
    case $1 in
        --cache) [ $# -ge 2 ] || die "--cache needs a directory"; cache=$2; shift 2 ;;
        --cache=*) cache=${1#--cache=}; shift ;;
        --prune) prune=1; shift ;;
        -h | --help) usage 0 ;;
        --) shift; requested+=("$@"); break ;;
        -*) log "unknown option $1"; usage ;;
        *) requested+=("$1"); shift ;;
    esac
done

[ "$(id -u)" = 0 ] || die "run as root: debootstrap, chroot and the device nodes of a root filesystem need it"
[ -d "$recipes" ] || die "no recipe directory at $recipes: set SYSBOX_DOCKERFILES to a directory of <image>/Dockerfile"
recipes=$(readlink -f "$recipes")
[ -n "$cache" ] || die "the cache directory is empty: pass --cache DIR or set SYSBOX_IMAGE_CACHE"
cache=$(realpath -m "$cache")
case $cache/ in
    "$recipes"/* | "$(readlink -f "$here/../..")"/*)
        die "the cache $cache is inside the clone or the recipes: put it outside (--cache DIR)" ;;
esac
mkdir -p "$cache"

mapfile -t available < <(cd "$recipes" && for recipe in */Dockerfile; do
    [ -f "$recipe" ] && echo "${recipe%/Dockerfile}"; done | LC_ALL=C sort)
[ ${#available[@]} -gt 0 ] || die "no recipes (<image>/Dockerfile) under $recipes"
[ ${#requested[@]} -gt 0 ] || requested=("${available[@]}")
for image in "${requested[@]}"; do
    [[ $image =~ ^[a-z0-9][a-z0-9._-]*$ ]] || die "'$image' is not an image name (lower-case letters, digits, '.', '_', '-'); the recipes are: ${available[*]}"
    [ -f "$recipes/$image/Dockerfile" ] || die "no recipe for image '$image' (no $recipes/$image/Dockerfile); the recipes are: ${available[*]}"
done

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

package_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# Installs the Debian PACKAGE when it is missing, refreshing the package lists only if needed.
require_package() {
    local package=$1
    package_installed "$package" && return 0
    log "installing $package with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    local install=(apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "$package")
    if ! "${install[@]}" >&2; then
        apt-get update -q -o DPkg::Lock::Timeout=600 >&2
        "${install[@]}" >&2 || die "cannot install $package: run \`apt-get install $package\` and retry"
    fi
}

# The URI of the first enabled `deb` source for exactly SUITE in the machine's apt configuration.
debian_mirror() {
    local suite=$1 mirror="" file
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$file" ] || continue
        mirror=$(awk -v suite="$suite" '
            $1 == "deb" { i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                          if ($(i + 1) == suite) { print $i; exit } }' "$file")
        [ -z "$mirror" ] || break
    done
    if [ -z "$mirror" ]; then
        for file in /etc/apt/sources.list.d/*.sources; do
            [ -f "$file" ] || continue
            mirror=$(awk -v suite="$suite" '
                function flush() {
                    if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && tolower(enabled) != "no" && uris != "") {
                        split(uris, u, " "); print u[1]; found = 1; exit
                    }
                    types = ""; suites = ""; uris = ""; enabled = ""
                }
                /^[[:space:]]*$/ { flush(); next }
                /^#/ { next }
                { line = $0; field = tolower(line); sub(/:.*/, "", field); sub(/^[^:]*:[[:space:]]*/, "", line)
                  if (field == "types") types = line; else if (field == "suites") suites = line
                  else if (field == "uris") uris = line; else if (field == "enabled") enabled = line }
                END { if (!found) flush() }' "$file")
            [ -z "$mirror" ] || break
        done
    fi
    [ -n "$mirror" ] || die "no enabled 'deb' source for suite $suite in /etc/apt/sources.list or /etc/apt/sources.list.d/*.{list,sources}: add the Debian mirror for $suite there"
    printf '%s\n' "${mirror%/}"
}

# Splits the arguments of a debootstrap context into options (--x=y) and the one suite.
debootstrap_arguments() {  # FILE SPEC -> sets dbs_options, dbs_suite
    local file=$1 word
    local -a words
    dbs_options=()
    dbs_suite=""
    read -ra words <<< "$2"
    for word in "${words[@]:1}"; do
        case $word in
            --*=*) dbs_options+=("$word") ;;
            -*) die "$file: debootstrap context option '$word': only --name=value options are accepted" ;;
            *) [ -z "$dbs_suite" ] || die "$file: debootstrap context names two suites ($dbs_suite, $word)"
               dbs_suite=$word ;;
        esac
    done
    [ -n "$dbs_suite" ] || die "$file: debootstrap context needs a suite, e.g. 'debootstrap --variant=minbase bookworm'"
}

# What a context generator's output depends on, as one line for the cache key.
context_input() {  # FILE SPEC
    local file=$1 spec=$2
    case ${spec%% *} in
        busybox-static)
            [ "$spec" = busybox-static ] || die "$file: the busybox-static context takes no arguments (got '$spec')"
            require_package busybox-static
            echo "busybox-static $(sha256_of /usr/bin/busybox)" ;;
        debootstrap)
            debootstrap_arguments "$file" "$spec"
            local mirror
            mirror=$(debian_mirror "$dbs_suite")
            echo "debootstrap ${dbs_options[*]} suite=$dbs_suite mirror=$mirror" ;;
        *) die "$file: unknown context generator '${spec%% *}': the builder knows busybox-static and debootstrap" ;;
    esac
}

# The cache key of IMAGE (see the header). Recomputed on each call: it is cheap.
image_key() {
    local image=$1 depth=${2:-0} dir file base base_key="" contexts="" name spec input listing
    dir=$recipes/$image
    file=$dir/Dockerfile
    [ "$depth" -lt 16 ] || die "$file: FROM chain longer than 16 recipes: is there a FROM cycle?"
    base=$(recipe_base "$file")
    if [ "$base" != scratch ]; then
        [ -f "$recipes/$base/Dockerfile" ] || die "$file: FROM $SYSBOX_TEST_REPOSITORY/$base: there is no recipe $recipes/$base/Dockerfile"
        base_key=$(image_key "$base" $((depth + 1)))
    fi
    listing=$(recipe_contexts "$file")
    while IFS=$'\t' read -r name spec; do
        [ -n "$name" ] || continue
        input=$(context_input "$file" "$spec")
        contexts+="context $name $input"$'\n'
    done <<< "$listing"
    listing=$(cd "$dir" && find . \( -type f -o -type l \) -printf '%p\n' | LC_ALL=C sort)
    {
        echo "builder $(sha256_of "$builder") $(sha256_of "$here/recipes.sh")"
        while IFS= read -r name; do
            if [ -L "$dir/$name" ]; then echo "recipe $name link $(readlink "$dir/$name")"
            # Only the executable bit: git keeps no other, and umasks differ between clones.
            elif [ -x "$dir/$name" ]; then echo "recipe $name executable $(sha256_of "$dir/$name")"
            else echo "recipe $name $(sha256_of "$dir/$name")"; fi
        done <<< "$listing"
        printf '%s' "$contexts"
        echo "base $base $base_key"
    } | sha256sum | cut -d' ' -f1
}

# Resolves PATH inside ROOT the way the image will see it: symlinks are followed within ROOT,
# never out to the host. Prints the host path; missing trailing components are kept as they are.
in_root_path() {
    local root=$1 path=$2 resolved="" part target hops=0 i=0
    local -a queue more
    IFS=/ read -ra queue <<< "$path"
    while [ "$i" -lt ${#queue[@]} ]; do
        part=${queue[i]}
        i=$((i + 1))
        case $part in
            '' | .) continue ;;
            ..) resolved=${resolved%/*}; continue ;;
        esac
        if [ -L "$root$resolved/$part" ]; then
            hops=$((hops + 1))
            [ "$hops" -le 40 ] || die "too many symlinks resolving $path inside $root"
            target=$(readlink "$root$resolved/$part")
            [[ $target == /* ]] && resolved=""
            IFS=/ read -ra more <<< "$target"
            queue=("${more[@]}" "${queue[@]:i}")
            i=0
        else
            resolved+="/$part"
        fi
    done
    printf '%s%s\n' "$root" "$resolved"
}

# The mounts a RUN step sees, made inside its private mount namespace (run by unshare).
# shellcheck disable=SC2016
run_step_namespace_setup='
set -eu
root=$1 resolv=$2
shift 2
mountable() { [ -d "$root/$1" ] && [ ! -L "$root/$1" ]; }
if mountable proc; then mount -t proc -o nosuid,nodev,noexec proc "$root/proc"; fi
if mountable sys; then mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"; fi
if mountable dev; then
    mount -t tmpfs -o nosuid,mode=0755 dev "$root/dev"
    for node in null zero full random urandom tty; do
        : > "$root/dev/$node"
        mount --bind "/dev/$node" "$root/dev/$node"
    done
    mkdir "$root/dev/pts" "$root/dev/shm"
    mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
    mount -t tmpfs -o nosuid,nodev,mode=1777 shm "$root/dev/shm"
    ln -s pts/ptmx "$root/dev/ptmx"
    ln -s /proc/self/fd "$root/dev/fd"
    ln -s /proc/self/fd/0 "$root/dev/stdin"
    ln -s /proc/self/fd/1 "$root/dev/stdout"
    ln -s /proc/self/fd/2 "$root/dev/stderr"
fi
if [ -f "$root/etc/resolv.conf" ] && [ ! -L "$root/etc/resolv.conf" ] && [ ! -L "$root/etc" ]; then
    mount --bind "$resolv" "$root/etc/resolv.conf"
    mount -o remount,bind,ro "$root/etc/resolv.conf"
fi
hostname sysbox-test-build
exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    HOSTNAME=sysbox-test-build chroot "$root" "$@"
'

# Runs ARGV chrooted in ROOT like a Dockerfile RUN step (see the header for the isolation).
run_step() {  # BUILD ROOT WHERE ARGV...
    local build=$1 root=$2 where=$3 status=0 policy="" resolv=""
    shift 3
    # The chroot shares the host's network: a service started by a package's postinst would
    # run on the host. policy-rc.d (exit 101) is how Debian's invoke-rc.d is told not to.
    if [ -d "$root/usr/sbin" ] && [ ! -L "$root/usr/sbin" ] && [ ! -e "$root/usr/sbin/policy-rc.d" ] && [ ! -L "$root/usr/sbin/policy-rc.d" ]; then
        policy=$root/usr/sbin/policy-rc.d
        printf '#!/bin/sh\n# build-images.sh: no service starts during an image build\nexit 101\n' > "$policy"
        chmod 755 "$policy"
    fi
    # A copy, mounted read-only: a step that writes /etc/resolv.conf must not reach the host's.
    [ -f "$build/resolv.conf" ] || cp /etc/resolv.conf "$build/resolv.conf" 2>/dev/null || : > "$build/resolv.conf"
    if [ -d "$root/etc" ] && [ ! -L "$root/etc" ] && [ ! -e "$root/etc/resolv.conf" ] && [ ! -L "$root/etc/resolv.conf" ]; then
        resolv=$root/etc/resolv.conf
        : > "$resolv"
    fi
    unshare --mount --uts --ipc --pid --fork --kill-child -- \
        bash -c "$run_step_namespace_setup" run-step "$root" "$build/resolv.conf" "$@" >&2 || status=$?
    [ -z "$policy" ] || rm -f "$policy"
    if [ -n "$resolv" ] && [ -f "$resolv" ] && [ ! -s "$resolv" ]; then rm -f "$resolv"; fi
    [ "$status" = 0 ] || die "$where: RUN failed with exit status $status"
}

# Makes the generated context file OUT as SPEC says (see context_input for the key side).
generate_context() {  # FILE BUILD OUT SPEC
    local file=$1 build=$2 out=$3 spec=$4
    case ${spec%% *} in
        busybox-static)
            require_package busybox-static
            cp /usr/bin/busybox "$out"
            chmod 755 "$out" ;;
        debootstrap)
            require_package debootstrap
            debootstrap_arguments "$file" "$spec"
            local mirror target=$build/debootstrap status=0
            mirror=$(debian_mirror "$dbs_suite")
            log "debootstrap ${dbs_options[*]} $dbs_suite from $mirror (about 30 s)"
            mkdir "$target"
            # debootstrap mounts /proc and /sys in the target: keep them in a namespace of its own.
            unshare --mount --uts --ipc --pid --fork --kill-child --mount-proc -- \
                debootstrap "${dbs_options[@]}" "$dbs_suite" "$target" "$mirror" >&2 || status=$?
            if [ "$status" != 0 ]; then
                [ ! -f "$target/debootstrap/debootstrap.log" ] || tail -n 30 "$target/debootstrap/debootstrap.log" >&2
                die "$file: debootstrap of $dbs_suite from $mirror failed with exit status $status (log above)"
            fi
            # debootstrap copies the host's name and resolver in; the runtime provides both.
            : > "$target/etc/resolv.conf"
            echo localhost > "$target/etc/hostname"
            chmod 644 "$target/etc/resolv.conf" "$target/etc/hostname"
            tar -C "$target" --numeric-owner --xattrs --xattrs-include=security.capability -cf "$out" .
            rm -rf --one-file-system "$target" ;;
        *) die "$file: unknown context generator '${spec%% *}'" ;;
    esac
}

# COPY and ADD: SOURCES (relative to the context) to DEST (inside ROOT), Docker's semantics
# for a trailing '/', directories (their content is copied) and ADD's unpacking of tarballs.
copy_step() {  # FILE LINE KEYWORD CONTEXT ROOT ARGUMENTS
    local file=$1 n=$2 keyword=$3 context=$4 root=$5 arguments=$6 dest target source from
    local -a words
    if [[ $arguments == \[* ]]; then
        mapfile -d '' -t words < <(recipe_exec_form "$file" "$n" "$arguments")
    else
        read -ra words <<< "$arguments"
    fi
    [ ${#words[@]} -ge 2 ] || recipe_fail "$file" "$n" "$keyword needs at least one source and a destination"
    dest=${words[-1]}
    unset 'words[-1]'
    [[ ${words[0]} != --* ]] || recipe_fail "$file" "$n" "$keyword ${words[0]}: options are not supported by this builder"
    [ ${#words[@]} -eq 1 ] || [[ $dest == */ ]] || recipe_fail "$file" "$n" "$keyword with several sources needs a destination ending in '/'"
    [[ $dest == /* ]] || dest=/$dest
    for source in "${words[@]}"; do
        case /$source/ in
            */../* | *[\*\?\[]*) recipe_fail "$file" "$n" "$keyword $source: sources are plain paths inside the build context (no '..', no wildcards)" ;;
        esac
        from=$context/$source
        [ -e "$from" ] || recipe_fail "$file" "$n" "$keyword $source: not in the build context (the recipe directory and its generated context files)"
        target=$(in_root_path "$root" "$dest")
        if [ "$keyword" = ADD ] && [ -f "$from" ] && [[ $source =~ \.(tar|tar\.gz|tgz|tar\.xz|txz)$ ]]; then
            mkdir -p "$target"
            tar -C "$target" -xpf "$from" --numeric-owner --xattrs --xattrs-include=security.capability
        elif [ -d "$from" ] && [ ! -L "$from" ]; then
            mkdir -p "$target"
            cp -a --no-preserve=ownership "$from/." "$target/"
        else
            if [[ $dest == */ ]] || [ -d "$target" ]; then
                mkdir -p "$target"
                target=$target/$(basename "$source")
            else
                mkdir -p "$(dirname "$target")"
            fi
            cp -a --no-preserve=ownership "$from" "$target"
        fi
    done
}

# Builds IMAGE into BUILD (a fresh directory in the cache) and leaves BUILD/image.tar.
build_into() {  # IMAGE BUILD
    local image=$1 build=$2 file=$recipes/$1/Dockerfile context=$2/context root=$2/rootfs
    local listing n keyword arguments name spec base base_tar seen_from=0
    local -a argv
    mkdir "$context" "$root"
    chmod 755 "$root"
    cp -a "$recipes/$image/." "$context/"
    listing=$(recipe_contexts "$file")
    while IFS=$'\t' read -r name spec; do
        [ -n "$name" ] || continue
        [ ! -e "$context/$name" ] || die "$file: context file $name is generated but the recipe directory has one too: rename one"
        generate_context "$file" "$build" "$context/$name" "$spec"
    done <<< "$listing"
    listing=$(recipe_instructions "$file")
    while IFS=$'\t' read -r n keyword arguments; do
        case $keyword in
            FROM)
                [ "$seen_from" = 0 ] || recipe_fail "$file" "$n" "one FROM per recipe (multi-stage builds are not supported)"
                seen_from=1
                base=$(recipe_base "$file")
                if [ "$base" != scratch ]; then
                    base_tar=$cache/$base-$(image_key "$base").tar
                    tar -C "$root" -xpf "$base_tar" --numeric-owner --xattrs --xattrs-include=security.capability
                fi ;;
            COPY | ADD) copy_step "$file" "$n" "$keyword" "$context" "$root" "$arguments" ;;
            RUN)
                if [[ $arguments == \[* ]]; then
                    mapfile -d '' -t argv < <(recipe_exec_form "$file" "$n" "$arguments")
                    [ ${#argv[@]} -gt 0 ] || recipe_fail "$file" "$n" "RUN: expected a JSON array of strings"
                else
                    [ -e "$(in_root_path "$root" /bin/sh)" ] || recipe_fail "$file" "$n" "RUN in shell form needs /bin/sh in the image: use the exec form [\"/bin/busybox\", ...]"
                    argv=(/bin/sh -c "$arguments")
                fi
                log "$image: RUN $arguments"
                run_step "$build" "$root" "$file:$n" "${argv[@]}" ;;
            CMD) recipe_exec_form "$file" "$n" "$arguments" > /dev/null ;;
            STOPSIGNAL) recipe_stop_signal_syntax "$file" "$n" "$arguments" ;;
            *) recipe_fail "$file" "$n" "$keyword is not supported by this builder (FROM, COPY, ADD, RUN, CMD, STOPSIGNAL are)" ;;
        esac
    done <<< "$listing"
    tar -C "$root" --sort=name --numeric-owner --xattrs --xattrs-include=security.capability -cf "$build/image.tar" .
    sync "$build/image.tar"
}

# Makes sure the tarball of IMAGE is in the cache; its bases must be there already.
ensure_built() {  # IMAGE
    local image=$1 key out lock build started status
    key=$(image_key "$image")
    out=$cache/$image-$key.tar
    if [ -f "$out" ]; then
        log "cache hit: $image $out"
        return 0
    fi
    # One build of an image at a time: a second builder waits and then finds the cache filled.
    exec {lock}> "$cache/.lock-$image"
    flock "$lock"
    if [ -f "$out" ]; then
        log "cache hit: $image $out (built while waiting)"
        exec {lock}>&-
        return 0
    fi
    # Holding the lock, any build directory of this image is left over from a killed build.
    find "$cache" -maxdepth 1 -name ".build-$image.*" -type d -exec rm -rf --one-file-system {} +
    build=$(mktemp -d "$cache/.build-$image.XXXXXX")
    started=$SECONDS
    log "building $image (key $key)"
    # Not `( ... ) || ...`: bash would ignore set -e inside the subshell.
    set +e
    (
        set -e
        trap 'rm -rf --one-file-system "$build"' EXIT
        trap 'exit 130' INT TERM HUP
        build_into "$image" "$build"
        mv -T "$build/image.tar" "$out"
    )
    status=$?
    set -e
    exec {lock}>&-
    [ "$status" = 0 ] || die "building $image failed (exit status $status); nothing was cached"
    log "built $image in $((SECONDS - started)) s: $out ($(du -h "$out" | cut -f1))"
}

# Orders the requested images after the images their FROM lines name.
ordered=()
add_with_bases() {
    local image=$1 depth=${2:-0} base known
    [ "$depth" -lt 16 ] || die "$recipes/$image/Dockerfile: FROM chain longer than 16 recipes: is there a FROM cycle?"
    base=$(recipe_base "$recipes/$image/Dockerfile")
    if [ "$base" != scratch ]; then
        [ -f "$recipes/$base/Dockerfile" ] || die "$recipes/$image/Dockerfile: FROM $SYSBOX_TEST_REPOSITORY/$base: there is no recipe $recipes/$base/Dockerfile"
        add_with_bases "$base" $((depth + 1))
    fi
    for known in "${ordered[@]}"; do [ "$known" != "$image" ] || return 0; done
    ordered+=("$image")
}
for image in "${requested[@]}"; do add_with_bases "$image"; done
command -v jq > /dev/null || require_package jq
for image in "${ordered[@]}"; do ensure_built "$image"; done

for image in "${requested[@]}"; do
    key=$(image_key "$image")
    if [ "$prune" = 1 ]; then
        for old in "$cache/$image"-*.tar; do
            [[ ${old##*/} =~ ^$image-[0-9a-f]{64}\.tar$ ]] || continue
            [ "$old" = "$cache/$image-$key.tar" ] || { log "pruning $old"; rm -f "$old"; }
        done
    fi
    echo "$image $cache/$image-$key.tar"
done
