# Sourced by the dist/bin launchers, with SYSBOX_BIN set to their directory: finds Java 25 and
# runs a component's jar with the AOT cache built for it at install time (classes pre-parsed and
# linked). SYSBOX_AOT_TRAIN=FILE makes this run record a cache into FILE instead. No command
# substitutions: every fork shows in the CLI's start-up time.
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
    exec "$sysbox_java" $sysbox_jvm_flags $SYSBOX_JVM_OPTS $aot -jar "$SYSBOX_LIB/$name.jar" "$@"
}

# launch_then_exec NAME [ARGS...]: like launch, but the JVM may end by asking this shell to
# exec the low-level runtime in its place (a quoted `exec ...` line on fd 3, see
# io.sysbox.runc.engine.LowLevelRuntime): the engine then gets this process's pid, stdio,
# terminal and signals, as with execve from the JVM, without the JVM linking execve through
# FFM first (that alone costs more than runc's whole `run`). The AOT cache is NAME's, or
# $sysbox_aot_name's when the caller set it.
launch_then_exec() {
    name=$1
    shift
    sysbox_aot_option "${sysbox_aot_name:-$name}"
    { sysbox_exec=$(SYSBOX_EXEC_FD=3 SYSBOX_ENGINE_PID=$$ "$sysbox_java" $sysbox_jvm_flags $SYSBOX_JVM_OPTS \
        $aot -jar "$SYSBOX_LIB/$name.jar" "$@" 3>&1 1>&4 4>&-); sysbox_status=$?; } 4>&1
    if [ $sysbox_status -eq 0 ] && [ -n "$sysbox_exec" ]; then
        eval "$sysbox_exec"
    fi
    exit $sysbox_status
}
