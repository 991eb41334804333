package io.sysbox.fs.seccomp;

import java.io.IOException;
import java.util.Optional;

/** What the policy may ask about the process that made an intercepted call, as it sees things. */
public interface CallerView {
    /** A path looked up from the caller's root and working directory. */
    record Located(MountEntry mount, boolean mountRoot) {}

    /** CAP_SYS_ADMIN in its effective set (in its own user namespace). */
    boolean hasSysAdmin() throws IOException;

    /** Where PATH leads for the caller: the mount it ends on; empty when it does not exist. */
    Optional<Located> locate(String path, boolean followLast) throws IOException;

    /** Whether it is in the network namespace of process PID. */
    boolean sharesNetworkWith(long pid) throws IOException;

    /** Its mount table. */
    MountTable mounts() throws IOException;
}
