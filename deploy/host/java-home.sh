# Sourced: sets JAVA_HOME to a JDK 25 (SYSBOX_JAVA_HOME, Temurin 25, or Debian's openjdk-25,
# installed if the distribution has it), or exits with what to do.
find_jdk25() {
    for candidate in "${SYSBOX_JAVA_HOME:-}" "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64; do
        if [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] \
            && "$candidate/bin/java" -version 2>&1 | grep -q 'version "25'; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}
if ! JAVA_HOME=$(find_jdk25); then
    if apt-cache show openjdk-25-jdk-headless >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-25-jdk-headless >&2
    fi
    JAVA_HOME=$(find_jdk25) || {
        echo "A JDK 25 is needed: install Temurin 25 or openjdk-25-jdk-headless, or set SYSBOX_JAVA_HOME" >&2
        exit 1
    }
fi
export JAVA_HOME
