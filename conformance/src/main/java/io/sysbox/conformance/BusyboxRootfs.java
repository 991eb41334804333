package io.sysbox.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** A minimal root filesystem made of the static busybox binary and its applet links. */
public final class BusyboxRootfs {
    public static final List<String> APPLETS = List.of(
            "sh", "cat", "ls", "stat", "id", "touch", "mkdir", "rmdir", "readlink", "grep", "sleep", "echo",
            "true", "false", "ps", "head", "wc", "sed", "tty", "test", "cut", "tr", "unshare");
    /** A root-owned copy of busybox with mode 4755: checks that setuid bits survive the shift. */
    public static final String SETUID_FILE = "bin/suidtest";
    public static final int SETUID_MODE = 04755;

    private BusyboxRootfs() {}

    /** Fills ROOTFS (created if needed); files are owned by the caller, root in the suites. */
    public static void populate(Path rootfs) throws IOException {
        Prerequisites.requireExecutable(Prerequisites.BUSYBOX, "busybox-static");
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(Prerequisites.BUSYBOX, bin.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING);
        for (String applet : APPLETS) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        Path setuid = rootfs.resolve(SETUID_FILE);
        Files.copy(Prerequisites.BUSYBOX, setuid, StandardCopyOption.REPLACE_EXISTING);
        // PosixFilePermission has no setuid bit; the unix view sets the whole mode.
        Files.setAttribute(setuid, "unix:mode", SETUID_MODE);
        for (String dir : List.of("proc", "sys", "dev", "etc", "mnt")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        Path tmp = Files.createDirectories(rootfs.resolve("tmp"));
        Files.setAttribute(tmp, "unix:mode", 01777);
        Files.setAttribute(rootfs, "unix:mode", 0755);
    }
}
