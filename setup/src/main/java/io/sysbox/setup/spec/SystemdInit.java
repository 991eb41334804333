package io.sysbox.setup.spec;

import java.util.List;

/** Recognizes a container whose init is systemd, which needs the tmpfs mounts and environment of SPEC §3. */
final class SystemdInit {

    private static final List<String> INIT_PATHS = List.of("/sbin/init", "/usr/sbin/init");

    private SystemdInit() {
    }

    /** /sbin/init is taken as systemd: images that boot another init there do not mind the extra tmpfs. */
    static boolean isSystemd(List<String> args) {
        if (args.isEmpty()) return false;
        String init = args.getFirst();
        return INIT_PATHS.contains(init) || init.endsWith("/systemd");
    }
}
