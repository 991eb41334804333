package io.sysbox.conformance.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Every path under a directory with its kind, mode, owner and content (a SHA-256 of the bytes:
 * the installed tree holds all of dist/) or link target, for byte-for-byte comparisons.
 */
final class TreeSnapshot {
    private TreeSnapshot() {}

    static Map<String, String> of(Path root) throws IOException {
        Map<String, String> tree = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                int mode = ((Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS)) & 07777;
                String owner = Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS) + ":"
                        + Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
                String what;
                if (Files.isSymbolicLink(p)) what = "link -> " + Files.readSymbolicLink(p);
                else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) what = "dir " + Integer.toOctalString(mode) + " " + owner;
                else what = "file " + Integer.toOctalString(mode) + " " + owner + " " + sha256(p);
                tree.put("/" + root.relativize(p), what);
            }
        }
        return tree;
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
