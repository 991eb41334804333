# Sourced by the JVM launchers (dist/bin's daemons, libexec/sysbox-runc-java), with SYSBOX_BIN set to
# dist/bin: finds Java 25 and runs a component's jar, with an AOT cache LIB/NAME.aot when one was
# recorded there (SYSBOX_AOT_TRAIN=FILE records one into FILE instead).
SYSBOX_LIB="$SYSBOX_BIN/../lib"

if [ -n "$SYSBOX_JAVA_HOME" ]; then sysbox_java="$SYSBOX_JAVA_HOME/bin/java"
elif [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then sysbox_java=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
else sysbox_java=java
fi

# Every component's JVM: FFM allowed, protobuf's Unsafe use quiet, and -Xlog:disable keeps JVM
# warnings (a stale AOT cache, say) out of the commands' stdout.
sysbox_jvm_flags="--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -Xlog:disable -Xlog:all=error:stderr"

# Sets $aot: record a cache (training run) or use the one recorded for NAME, if any.
sysbox_aot_option() {
    if [ -n "$SYSBOX_AOT_TRAIN" ]; then
        aot="-XX:AOTCacheOutput=$SYSBOX_AOT_TRAIN"
    elif [ -f "$SYSBOX_LIB/$1.aot" ]; then
        aot="-XX:AOTCache=$SYSBOX_LIB/$1.aot"
    else
        aot=""
    fi
}

# launch NAME [ARGS...]: JVM options for NAME come from $SYSBOX_JVM_OPTS (set by the caller).
launch() {
    name=$1
    shift
    sysbox_aot_option "$name"
    # -Dsysbox.libexec: the installation's compiled helpers (hooks, sysbox-netns-exec), whose paths the
    # container setup puts in specs; said here, where the layout is known, not guessed from a jar's place.
    exec "$sysbox_java" $sysbox_jvm_flags "-Dsysbox.libexec=$SYSBOX_LIB/../libexec" $SYSBOX_JVM_OPTS $aot \
        -jar "$SYSBOX_LIB/$name.jar" "$@"
}
