package io.sysbox.fs.seccomp;

import java.util.List;

/** What sysbox-fs answers an intercepted call. */
public sealed interface Verdict {
    /** The kernel decides, as if no filter had stopped the call (SECCOMP_USER_NOTIF_FLAG_CONTINUE). */
    record Proceed() implements Verdict {}

    /** The call fails with ERRNO without reaching the kernel. */
    record Refuse(int errno, String why) implements Verdict {}

    /** sysbox-fs-mount does the mount in the caller's namespaces (JOB and its arguments); its result is the call's. */
    record Perform(List<String> job) implements Verdict {
        public Perform {
            job = List.copyOf(job);
        }
    }
}
