package io.sysbox.fs.emulation.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Permission bits of host files, for the emulated nodes that stand for them. */
public final class Modes {
    private Modes() {}

    public static int of(Path path) throws IOException {
        return (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
    }

    /** The bits of {@code path}, or {@code fallback} if the host has no such file. */
    public static int orElse(Path path, int fallback) throws IOException {
        return Files.exists(path, LinkOption.NOFOLLOW_LINKS) ? of(path) : fallback;
    }
}
