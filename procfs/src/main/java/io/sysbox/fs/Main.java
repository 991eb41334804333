package io.sysbox.fs;

/**
 * sysbox-fs: will serve per-container /proc and /sys (FUSE) and intercept mount syscalls.
 * Until then it says so and exits successfully, so sysboxd and the systemd units can already
 * name it.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        for (String a : args) {
            if (a.equals("--version") || a.equals("-v")) {
                System.out.println("sysbox-fs version 0.1.0 (emulation not built yet)");
                return;
            }
        }
        System.err.println("sysbox-fs: the /proc and /sys emulation is not built yet; nothing to serve");
    }
}
