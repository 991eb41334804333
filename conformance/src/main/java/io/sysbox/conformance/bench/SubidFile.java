package io.sysbox.conformance.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a subuid file (NAME:START:COUNT lines) to find host ids no entry claims. */
final class SubidFile {
    private static final long ID_LIMIT = 0xFFFF_FFFEL;
    private static final long FIRST_SUBID = 100_000;

    private SubidFile() {}

    /** The first id after every entry's end, with room for SIZE ids below the uid_t limit. */
    static long firstFreeAbove(Path file, long size) throws IOException {
        long end = FIRST_SUBID;
        for (String line : Files.readAllLines(file)) {
            String[] f = line.strip().split(":");
            if (f.length != 3) continue;
            end = Math.max(end, Long.parseLong(f[1]) + Long.parseLong(f[2]));
        }
        if (end + size > ID_LIMIT) {
            throw new IllegalStateException(file + " leaves no " + size + " free host ids below " + ID_LIMIT);
        }
        return end;
    }
}
