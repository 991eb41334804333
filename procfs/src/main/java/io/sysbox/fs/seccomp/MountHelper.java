package io.sysbox.fs.seccomp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs libexec/sysbox-fs-mount, which does in a caller's namespaces what the policy decided
 * (a JVM cannot join a mount namespace: it has threads). Its exit status is the errno of the
 * mount call that failed, which becomes the intercepted call's.
 */
public final class MountHelper {
    public static final String NAME = "sysbox-fs-mount";
    /** The system property dist/lib/launcher.sh passes every JVM: the installation's libexec/. */
    public static final String LIBEXEC_PROPERTY = "sysbox.libexec";
    /** The helper's own errors (usage, a namespace it could not join): the call fails with EPERM. */
    private static final int FIRST_HELPER_STATUS = 126;

    /** What running it gave: 0 done, else an errno for the caller, with what the helper said. */
    public record Outcome(int errno, String message) {}

    private final Optional<Path> helper;

    public MountHelper(Optional<Path> helper) {
        this.helper = helper;
    }

    /** The helper of the libexec directory the JVM was started with, if it was. */
    public static MountHelper fromSystemProperty() {
        String dir = System.getProperty(LIBEXEC_PROPERTY, "");
        return new MountHelper(dir.isEmpty() ? Optional.empty() : Optional.of(Path.of(dir, NAME).toAbsolutePath()));
    }

    public Outcome run(int callerTid, long sourcePid, List<String> job) throws IOException {
        if (helper.isEmpty() || !Files.isExecutable(helper.get())) {
            return new Outcome(MountPolicy.EPERM, NAME + " is not installed"
                    + helper.map(h -> " at " + h).orElse(" (no -D" + LIBEXEC_PROPERTY + ")"));
        }
        List<String> command = new ArrayList<>(List.of(helper.get().toString(), Integer.toString(callerTid),
                Long.toString(sourcePid)));
        command.addAll(job);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int status;
        try {
            status = process.waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + NAME + " ran", e);
        }
        if (status == 0) return new Outcome(0, output);
        return new Outcome(status < FIRST_HELPER_STATUS ? status : MountPolicy.EPERM, output);
    }
}
