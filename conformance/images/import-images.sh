#!/usr/bin/env bash
# Builds the test images (build-images.sh, cached) and imports them into a Docker daemon as
# sysbox-test/IMAGE:KEY12 and sysbox-test/IMAGE:latest, where KEY12 is the first 12 hex digits
# of the image's cache key. An image whose KEY12 tag is already there is not imported again.
#
#   import-images.sh --docker-host unix:///path/to/docker.sock [--cache DIR] [IMAGE...]
#
# Prints `IMAGE sysbox-test/IMAGE:KEY12` on stdout for each image; logs go to stderr. Tests
# should use the KEY12 reference: :latest follows whichever clone imported last. The image
# gets the CMD and STOPSIGNAL of its recipe and the labels io.sysbox.test-image.key (the whole
# key) and io.sysbox.test-image.recipe. The daemon is never guessed: --docker-host (or DOCKER_HOST)
# is required, so a test's private dockerd is never confused with a host one.
# SYSBOX_DOCKERFILES and SYSBOX_IMAGE_CACHE are passed on to build-images.sh.
set -euo pipefail
shopt -s inherit_errexit

here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source=recipes.sh
. "$here/recipes.sh"

log() { echo "import-images: $*" >&2; }
die() { log "$*"; exit 1; }

docker_host=${DOCKER_HOST:-}
build_args=()
images=()
while [ $# -gt 0 ]; do
    case $1 in
        --docker-host | -H) [ $# -ge 2 ] || die "$1 needs a daemon address such as unix:///run/test/docker.sock"
            docker_host=$2; shift 2 ;;
        --docker-host=*) docker_host=${1#--docker-host=}; shift ;;
        --cache) [ $# -ge 2 ] || die "--cache needs a directory"; build_args+=(--cache "$2"); shift 2 ;;
        --cache=*) build_args+=("$1"); shift ;;
        -h | --help) sed -n '2,/^set -euo/{/^#/!d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; exit 0 ;;
        --) shift; images+=("$@"); break ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) images+=("$1"); shift ;;
    esac
done
[ -n "$docker_host" ] || die "name the daemon: --docker-host unix:///path/to/docker.sock (or set DOCKER_HOST)"
command -v docker > /dev/null || die "no docker client on PATH: apt-get install docker.io"
recipes=$(readlink -f "${SYSBOX_DOCKERFILES:-$here/../../dockerfiles}")
docker=(docker -H "$docker_host")
"${docker[@]}" version --format '{{.Server.Version}}' > /dev/null \
    || die "no Docker daemon answers at $docker_host: start it first (see SPEC §10 for a private dockerd)"

built=$("$here/build-images.sh" "${build_args[@]}" "${images[@]}")
while read -r image tarball; do
    [ -n "$image" ] || continue
    name=${tarball##*/}
    key=${name#"$image"-}
    key=${key%.tar}
    [[ $key =~ ^[0-9a-f]{64}$ ]] || die "unexpected tarball name $tarball from build-images.sh (want $image-<sha256>.tar)"
    repository=$SYSBOX_TEST_REPOSITORY/$image
    reference=$repository:${key:0:12}
    present=$("${docker[@]}" image inspect --format '{{index .Config.Labels "io.sysbox.test-image.key"}}' "$reference" 2>/dev/null || true)
    if [ "$present" = "$key" ]; then
        log "$reference is already imported"
    else
        cmd=$(recipe_cmd "$recipes" "$image")
        changes=(--change "LABEL io.sysbox.test-image.key=$key io.sysbox.test-image.recipe=$image")
        [ -z "$cmd" ] || changes+=(--change "CMD $cmd")
        log "importing $tarball as $reference"
        "${docker[@]}" import "${changes[@]}" "$tarball" "$reference" > /dev/null
        stop_signal=$(recipe_stop_signal "$recipes" "$image")
        if [ -n "$stop_signal" ]; then
            # `docker import --change` takes no STOPSIGNAL: a one-line build on the imported
            # image adds it (Docker's classic builder, no context, nothing pulled).
            printf 'FROM %s\nSTOPSIGNAL %s\n' "$reference" "$stop_signal" \
                | DOCKER_BUILDKIT=0 "${docker[@]}" build -q -t "$reference" - > /dev/null
        fi
    fi
    "${docker[@]}" tag "$reference" "$repository:latest"
    echo "$image $reference"
done <<< "$built"
