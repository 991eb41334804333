package io.sysbox.conformance.podman;

import io.sysbox.conformance.Prerequisites;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The OCI runtime one {@link PrivatePodman} runs, with the global flags that keep its state
 * private (--root; for sysbox-runc also --run-dir, the suite's daemons).
 *
 * <p>Podman is given a two-line wrapper named NAME that adds those flags, because podman 4.3
 * drops both other ways of passing them: its own runtime calls (start, kill, pause, delete,
 * state) get an environment of PATH and XDG_RUNTIME_DIR only, so SYSBOX_RUN_DIR never reaches
 * them, and the cleanup process conmon starts when a container exits (`podman container
 * cleanup`, which runs `delete --force`) is not given podman's --runtime-flag. Named after the
 * runtime, so podman's settings by runtime name (runtime_supports_json) apply as to the binary.
 */
public record OciRuntime(String name, Path executable, List<String> globalFlags) {

    /** Plain runc with its state under STATE_ROOT: the reference the same steps are compared with. */
    public static OciRuntime runc(Path stateRoot) {
        return new OciRuntime("runc", Prerequisites.RUNC, List.of("--root", stateRoot.toString()));
    }

    /** sysbox-runc of dist/ (LAUNCHER) with its state under STATE_ROOT, its daemons in RUN_DIR. */
    public static OciRuntime sysboxRunc(Path launcher, Path stateRoot, Path runDir) {
        return new OciRuntime("sysbox-runc", launcher,
                List.of("--root", stateRoot.toString(), "--run-dir", runDir.toString()));
    }

    /** Writes DIR/NAME, the wrapper podman is given as --runtime, and returns its path. */
    Path writeWrapper(Path dir) throws IOException {
        StringBuilder line = new StringBuilder("exec ").append(quote(executable.toString()));
        for (String flag : globalFlags) line.append(' ').append(quote(flag));
        Path wrapper = Files.createDirectories(dir).resolve(name);
        Files.writeString(wrapper, "#!/bin/sh\n" + line + " \"$@\"\n");
        Files.setAttribute(wrapper, "unix:mode", 0755);
        return wrapper;
    }

    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
