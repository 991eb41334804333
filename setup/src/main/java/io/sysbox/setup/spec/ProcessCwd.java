package io.sysbox.setup.spec;

import io.sysbox.common.oci.InvalidSpecException;

import java.nio.file.Path;

/**
 * A process's working directory may not lie in /proc. There it can be a descriptor the engine
 * still holds from the host when it chdirs (/proc/self/fd/N: CVE-2024-21626, open in runc up to
 * 1.1.11 and in this machine's 1.1.5), which would start the container's process in a host
 * directory; no container needs a working directory in /proc otherwise.
 */
public final class ProcessCwd {
    private ProcessCwd() {}

    /** WHERE names the field for the message ("process.cwd", "exec --cwd"). */
    public static void check(String cwd, String where) throws InvalidSpecException {
        String normal = Path.of("/").resolve(cwd).normalize().toString();
        if (normal.equals("/proc") || normal.startsWith("/proc/")) {
            throw new InvalidSpecException(where + " \"" + cwd + "\" is in /proc, where a working directory can be a"
                    + " descriptor the runtime leaked from the host (/proc/self/fd/N, CVE-2024-21626); refused: use a"
                    + " directory of the container's root filesystem");
        }
    }
}
