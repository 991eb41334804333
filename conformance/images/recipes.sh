# shellcheck shell=bash
# Reading the test-image recipes of dockerfiles/ (sourced by build-images.sh and
# import-images.sh, never run on its own).
#
# A recipe is a Dockerfile in the subset this builder realises without a Docker daemon:
#   FROM scratch | FROM sysbox-test/<another recipe>     (first instruction, only one)
#   COPY <src>... <dest>    ADD <src>... <dest>          (ADD unpacks *.tar, *.tar.gz, *.tar.xz)
#   RUN <shell command>     RUN ["exec", "form"]
#   CMD ["exec", "form"]                                 (used when the image is imported)
#   STOPSIGNAL <signal>                                  (likewise: SIGRTMIN+3, SIGTERM, 15...)
# plus comment lines that declare generated build-context files:
#   # context <file>: busybox-static                      the host's static busybox binary
#   # context <file>: debootstrap [--option...] <suite>   a rootfs tarball of <suite>
# Continuation lines (a trailing backslash) and comments inside them follow Docker's rules.

SYSBOX_TEST_REPOSITORY=sysbox-test

recipe_fail() {  # FILE LINE MESSAGE: a recipe error names the spot to fix
    echo "$1:$2: $3" >&2
    exit 1
}

# Prints one instruction a line: LINE<TAB>KEYWORD<TAB>ARGUMENTS, with continuation lines
# joined and comments dropped; LINE is where the instruction starts, KEYWORD is upper case.
recipe_instructions() {
    local file=$1 n=0 start=0 line logical="" continuing=0 keyword arguments
    local blank_or_comment='^[[:space:]]*(#.*)?$' continued='^(.*)\\[[:space:]]*$'
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        line=${line%$'\r'}
        [[ $line =~ $blank_or_comment ]] && continue
        [ "$continuing" = 1 ] || start=$n
        if [[ $line =~ $continued ]]; then
            logical+="${BASH_REMATCH[1]}"
            continuing=1
            continue
        fi
        logical+=$line
        continuing=0
        logical=${logical#"${logical%%[![:space:]]*}"}
        keyword=${logical%%[[:space:]]*}
        arguments=${logical:${#keyword}}
        arguments=${arguments#"${arguments%%[![:space:]]*}"}
        arguments=${arguments%"${arguments##*[![:space:]]}"}
        printf '%d\t%s\t%s\n' "$start" "${keyword^^}" "$arguments"
        logical=""
    done < "$file"
    [ "$continuing" = 0 ] || recipe_fail "$file" "$start" "the instruction ends in a line continuation (\\) with nothing after it"
}

# Prints NAME<TAB>GENERATOR ARGS for each `# context NAME: GENERATOR ARGS` line.
# shellcheck disable=SC2094  # recipe_fail only names the file in its message
recipe_contexts() {
    local file=$1 n=0 line pattern='^#[[:space:]]*context[[:space:]]+([^[:space:]:]+):[[:space:]]*(.*[^[:space:]])[[:space:]]*$'
    while IFS= read -r line || [ -n "$line" ]; do
        n=$((n + 1))
        line=${line%$'\r'}
        [[ $line =~ $pattern ]] || continue
        case ${BASH_REMATCH[1]} in
            */* | . | ..) recipe_fail "$file" "$n" "context file '${BASH_REMATCH[1]}' must be a plain file name (no '/')" ;;
        esac
        printf '%s\t%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
    done < "$file"
}

# Prints `scratch` or the name of the recipe named by the FROM line (sysbox-test/NAME[:latest]).
recipe_base() {
    local file=$1 n keyword arguments listing
    listing=$(recipe_instructions "$file")
    IFS=$'\t' read -r n keyword arguments <<< "$listing" || true
    [ "${keyword:-}" = FROM ] || recipe_fail "$file" "${n:-1}" "a recipe starts with FROM (scratch or $SYSBOX_TEST_REPOSITORY/<recipe>)"
    case $arguments in
        scratch) echo scratch ;;
        "$SYSBOX_TEST_REPOSITORY"/*)
            local name=${arguments#"$SYSBOX_TEST_REPOSITORY"/}
            name=${name%:latest}
            [[ $name =~ ^[a-z0-9][a-z0-9._-]*$ ]] || recipe_fail "$file" "$n" "FROM $arguments: expected $SYSBOX_TEST_REPOSITORY/<recipe>[:latest]"
            echo "$name" ;;
        *) recipe_fail "$file" "$n" "FROM $arguments: there is no registry here; use scratch or another recipe as $SYSBOX_TEST_REPOSITORY/<recipe>" ;;
    esac
}

# Splits a JSON array of strings (exec form) into NUL-terminated words on stdout.
recipe_exec_form() {
    local file=$1 n=$2 json=$3
    jq -e 'type == "array" and length > 0 and all(.[]; type == "string")' <<< "$json" > /dev/null 2>&1 \
        || recipe_fail "$file" "$n" "expected a JSON array of strings such as [\"/bin/sh\"], got: $json"
    jq -j '.[] | . + "\u0000"' <<< "$json"
}

# Prints the CMD (JSON exec form) the image RECIPE should get, inherited from its FROM chain
# when the recipe has none; nothing when no recipe in the chain sets one.
recipe_cmd() {  # RECIPES IMAGE
    recipe_inherited "$1" "$2" CMD recipe_exec_form_syntax
}

# Prints the STOPSIGNAL the image RECIPE should get, inherited like the CMD.
recipe_stop_signal() {  # RECIPES IMAGE
    recipe_inherited "$1" "$2" STOPSIGNAL recipe_stop_signal_syntax
}

recipe_exec_form_syntax() {  # FILE LINE ARGUMENTS
    recipe_exec_form "$1" "$2" "$3" > /dev/null
}

# Checks the argument of a STOPSIGNAL instruction: a signal name (SIGTERM, SIGRTMIN+3) or number.
recipe_stop_signal_syntax() {  # FILE LINE ARGUMENTS
    [[ $3 =~ ^(SIG[A-Z0-9]+([+-][0-9]+)?|[0-9]+)$ ]] \
        || recipe_fail "$1" "$2" "STOPSIGNAL $3: expected one signal such as SIGTERM, SIGRTMIN+3 or 15"
}

# Prints the arguments of the last KEYWORD instruction of RECIPE (each checked by CHECK FILE
# LINE ARGUMENTS), else of the nearest recipe of its FROM chain that has one; nothing if none has.
recipe_inherited() {  # RECIPES IMAGE KEYWORD CHECK [DEPTH]
    local recipes=$1 image=$2 wanted=$3 check=$4 depth=${5:-0} file n keyword arguments value="" base listing
    file=$recipes/$image/Dockerfile
    listing=$(recipe_instructions "$file")
    [ "$depth" -lt 16 ] || recipe_fail "$file" 1 "FROM chain longer than 16 recipes: is there a FROM cycle?"
    while IFS=$'\t' read -r n keyword arguments; do
        if [ "$keyword" = "$wanted" ]; then
            "$check" "$file" "$n" "$arguments"
            value=$arguments
        fi
    done <<< "$listing"
    if [ -z "$value" ]; then
        base=$(recipe_base "$file")
        [ "$base" = scratch ] || value=$(recipe_inherited "$recipes" "$base" "$wanted" "$check" $((depth + 1)))
    fi
    printf '%s\n' "$value"
}
