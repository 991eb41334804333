package io.sysbox.conformance.images;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The entries of an uncompressed tar archive as GNU tar writes them (ustar headers, GNU long
 * names, pax path records), read from the headers themselves rather than from `tar -tv` output
 * so modes, owners and link targets are exact.
 */
final class TarListing {
    /** Regular files up to this size keep their content, enough for /etc files. */
    private static final int KEPT_CONTENT = 64 * 1024;
    private static final int BLOCK = 512;

    /** One archive member; NAME without a leading "./" or trailing "/", "" for the root. */
    record Entry(String name, char type, int mode, int uid, int gid, String linkName, byte[] content) {
        boolean isRegularFile() {
            return type == '0' || type == '\0';
        }

        boolean isDirectory() {
            return type == '5';
        }

        boolean isSymlink() {
            return type == '2';
        }

        String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    private TarListing() {}

    /** The entries by name, in archive order. */
    static Map<String, Entry> read(Path tar) throws IOException {
        Map<String, Entry> entries = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(tar)) {
            String longName = null, longLink = null;
            byte[] header = new byte[BLOCK];
            while (true) {
                if (in.readNBytes(header, 0, BLOCK) < BLOCK) throw new EOFException(tar + " ends inside a tar header");
                if (isZero(header)) break;
                char type = (char) header[156];
                long size = octal(header, 124, 12);
                byte[] data = readData(in, size, type == 'L' || type == 'K' || type == 'x' || size <= KEPT_CONTENT);
                switch (type) {
                    case 'L' -> longName = cString(data, 0, data.length);
                    case 'K' -> longLink = cString(data, 0, data.length);
                    case 'x' -> {
                        Map<String, String> pax = paxRecords(data);
                        if (pax.containsKey("path")) longName = pax.get("path");
                        if (pax.containsKey("linkpath")) longLink = pax.get("linkpath");
                    }
                    default -> {
                        String name = longName != null ? longName : ustarName(header);
                        String link = longLink != null ? longLink : cString(header, 157, 100);
                        longName = null;
                        longLink = null;
                        Entry entry = new Entry(normalise(name), type, (int) octal(header, 100, 8),
                                (int) octal(header, 108, 8), (int) octal(header, 116, 8), link,
                                data == null ? new byte[0] : data);
                        entries.put(entry.name(), entry);
                    }
                }
            }
        }
        return entries;
    }

    private static byte[] readData(InputStream in, long size, boolean keep) throws IOException {
        long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
        byte[] data = null;
        if (keep) {
            data = in.readNBytes((int) size);
            if (data.length < size) throw new EOFException("tar archive ends inside a member");
            in.skipNBytes(padded - size);
        } else {
            in.skipNBytes(padded);
        }
        return data;
    }

    private static String ustarName(byte[] header) {
        String name = cString(header, 0, 100);
        boolean ustar = cString(header, 257, 6).startsWith("ustar");
        String prefix = ustar ? cString(header, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String normalise(String name) {
        String n = name.startsWith("./") ? name.substring(2) : name;
        if (n.equals(".")) n = "";
        while (n.endsWith("/")) n = n.substring(0, n.length() - 1);
        return n;
    }

    private static Map<String, String> paxRecords(byte[] data) {
        // Each record is "<length> <key>=<value>\n", LENGTH counting the whole record in bytes.
        Map<String, String> records = new LinkedHashMap<>();
        int at = 0;
        while (at < data.length) {
            int space = at;
            while (data[space] != ' ') space++;
            int length = Integer.parseInt(new String(data, at, space - at, StandardCharsets.US_ASCII));
            String record = new String(data, space + 1, length - (space - at) - 2, StandardCharsets.UTF_8);
            int equals = record.indexOf('=');
            records.put(record.substring(0, equals), record.substring(equals + 1));
            at += length;
        }
        return records;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) if (b != 0) return false;
        return true;
    }

    private static String cString(byte[] bytes, int offset, int length) {
        int end = offset;
        while (end < offset + length && bytes[end] != 0) end++;
        return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static long octal(byte[] header, int offset, int length) {
        if ((header[offset] & 0x80) != 0) {
            // GNU base-256 for numbers that do not fit in octal: big-endian, top bit as the flag.
            long value = header[offset] & 0x7f;
            for (int i = offset + 1; i < offset + length; i++) value = (value << 8) | (header[i] & 0xff);
            return value;
        }
        String digits = cString(header, offset, length).trim();
        return digits.isEmpty() ? 0 : Long.parseLong(digits, 8);
    }
}
