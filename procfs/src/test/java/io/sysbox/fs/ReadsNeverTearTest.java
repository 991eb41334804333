package io.sysbox.fs;

import io.sysbox.common.sys.BootClock;
import io.sysbox.fs.emulation.registry.Container;
import io.sysbox.fs.testing.Mounts;
import io.sysbox.fs.testing.TempDirs;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, acceptance 6: reads of an emulated file whose content changes length meanwhile.
 * A writer alternates two values of different lengths in a container's kernel/panic (as
 * `echo 1` / `echo 1001` from another process would) while every kind of reader reads it:
 * busybox cat (sendfile(2), which on this kernel reads a direct-I/O FUSE file through the page
 * cache), busybox head (read(2)), busybox sh's read builtin (a byte per read(2)), busybox dd
 * bs=1, two busybox processes on one descriptor (dd, then cat),
 * Java's read(2) and pread(2), and two threads preading one descriptor. Every read must give
 * one of the values whole: no value cut at an older length, none padded, none empty, none
 * glued from two renderings. Over a real FUSE mount served by sysbox-fs's two threads.
 */
class ReadsNeverTearTest {
    private static final Logger LOG = LogManager.getLogger("sysbox-fs-test");
    private static final Path BUSYBOX = Path.of("/bin/busybox");
    /** Reads per reader that reads in-process or in one process (cat and head take many files). */
    private static final int READS = 10_000;
    /** Reads per reader that needs a process or two per read (dd, the shared descriptor). */
    private static final int PROCESS_READS = 1_000;
    private static final int ROOT_UID = 100000;

    private Path base;
    private Path mountpoint;
    private SysboxFsMount mount;

    @BeforeEach
    void setUp() throws IOException {
        assertTrue(Files.isExecutable(BUSYBOX), BUSYBOX + " is missing: apt-get install busybox-static");
        base = TempDirs.create("sysboxfs-tear-");
        mountpoint = base.resolve("mnt");
        mount = SysboxFsMount.mount(mountpoint, SysboxFsMount.DEFAULT_THREADS, LOG);
    }

    @AfterEach
    void tearDown() throws IOException {
        try {
            if (mount != null) mount.close();
        } finally {
            assertFalse(Mounts.isMountPoint(mountpoint), "the FUSE mount outlived close()");
            TempDirs.delete(base);
        }
    }

    private Path panic(String id) throws Exception {
        mount.registry().register(new Container(id, BootClock.nanos(), Map.of(), 0, ROOT_UID, ROOT_UID));
        return mount.containerDirectory(id).resolve("proc/sys/kernel/panic");
    }

    /** Container N's two values: "N\n" and "N00N\n", so a value also tells whose it is. */
    private static List<String> values(int n) {
        return List.of(n + "\n", n + "00" + n + "\n");
    }

    @Test
    void everyKindOfReaderGetsWholeValuesWhileTheLengthChanges() throws Exception {
        Path file = panic("c1");
        List<String> values = values(1);
        Map<String, Callable<Reads>> readers = new LinkedHashMap<>();
        readers.put("busybox cat", () -> shellReads(values, READS, file, manyTimes("cat")));
        readers.put("busybox head", () -> shellReads(values, READS, file, manyTimes("head -q -n 5")));
        // The shell's read builtin reads a byte per read(2), as dd bs=1 does, without a process per read.
        readers.put("busybox sh read", () -> shellReads(values, READS, file, loop(READS,
                "if IFS= read -r v < panic; then echo \"$v\"; else printf '%s' \"$v\"; fi")));
        readers.put("busybox dd bs=1", () -> shellReads(values, PROCESS_READS, file, loop(PROCESS_READS,
                BUSYBOX + " dd if=" + file.getFileName() + " bs=1 2>/dev/null")));
        readers.put("dd bs=1 then cat on one descriptor", () -> shellReads(values, PROCESS_READS, file, loop(PROCESS_READS,
                "{ " + BUSYBOX + " dd bs=1 count=2 2>/dev/null; " + BUSYBOX + " cat; } < " + file.getFileName())));
        readers.put("Java read(2)", () -> javaReads(values, READS, () -> readWhole(file)));
        readers.put("Java pread(2), 2 bytes at a time", () -> javaReads(values, READS, () -> preadWhole(file, 2)));
        readers.put("two threads preading one descriptor", () -> twoThreadsOnOneDescriptor(values, file));

        Map<String, Reads> results;
        long written;
        try (Writer writer = Writer.start(Map.of(file, values))) {
            results = runAll(readers);
            written = writer.stop();
        }
        assertAllWhole(results, written, values);
    }

    @Test
    void fiveContainersReadWholeValuesWhileEachChangesItsOwn() throws Exception {
        Map<Path, List<String>> files = new LinkedHashMap<>();
        for (int c = 1; c <= 5; c++) files.put(panic("c" + c), values(c));
        Map<String, Callable<Reads>> readers = new LinkedHashMap<>();
        int c = 1;
        for (Map.Entry<Path, List<String>> entry : files.entrySet()) {
            Path file = entry.getKey();
            List<String> values = entry.getValue();
            readers.put("c" + c + " busybox cat", () -> shellReads(values, READS, file, manyTimes("cat")));
            readers.put("c" + c + " Java read(2)", () -> javaReads(values, READS, () -> readWhole(file)));
            c++;
        }
        Map<String, Reads> results;
        long written;
        try (Writer writer = Writer.start(files)) {
            results = runAll(readers);
            written = writer.stop();
        }
        List<String> all = files.values().stream().flatMap(List::stream).toList();
        assertAllWhole(results, written, all);
    }

    /** What one reader read: how often each whole value, and every read that was not one. */
    private record Reads(Map<String, Integer> whole, List<String> torn) {
        static Reads of(List<String> values, List<String> reads) {
            Map<String, Integer> whole = new LinkedHashMap<>();
            List<String> torn = new ArrayList<>();
            for (String read : reads) {
                if (values.contains(read)) whole.merge(read, 1, Integer::sum);
                else torn.add(read);
            }
            return new Reads(whole, torn);
        }
    }

    private static void assertAllWhole(Map<String, Reads> results, long written, List<String> values) {
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Reads> result : results.entrySet()) {
            Reads reads = result.getValue();
            if (!reads.torn().isEmpty()) {
                failures.add(result.getKey() + ": " + reads.torn().size() + " torn reads, e.g. "
                        + reads.torn().stream().limit(5).map(ReadsNeverTearTest::quoted).toList());
            }
        }
        assertEquals(List.of(), failures, "reads that were not one whole value of " + values.stream().map(ReadsNeverTearTest::quoted).toList()
                + " (" + written + " writes meanwhile)");
        // The test must have changed lengths under the readers, or it proves nothing.
        assertTrue(written >= 100, "only " + written + " writes during the reads");
        for (Map.Entry<String, Reads> result : results.entrySet()) {
            assertTrue(result.getValue().whole().size() >= 2, result.getKey() + " saw only " + result.getValue().whole()
                    + ": the length did not change under it");
        }
    }

    /** S quoted, a run of one control character shown once with its count ("\\x00*4091"). */
    private static String quoted(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); ) {
            char ch = s.charAt(i);
            int run = 1;
            while (i + run < s.length() && s.charAt(i + run) == ch) run++;
            if (ch == '\n') out.append("\\n".repeat(Math.min(run, 3))).append(run > 3 ? "*" + run : "");
            else if (ch < ' ') out.append(String.format("\\x%02x", (int) ch)).append(run > 1 ? "*" + run : "");
            else out.append(String.valueOf(ch).repeat(run));
            i += run;
        }
        return out.append('"').toString();
    }

    private static Map<String, Reads> runAll(Map<String, Callable<Reads>> readers) throws Exception {
        Map<String, Reads> results = new LinkedHashMap<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(readers.size())) {
            Map<String, Future<Reads>> running = new LinkedHashMap<>();
            readers.forEach((name, reader) -> running.put(name, pool.submit(reader)));
            for (Map.Entry<String, Future<Reads>> r : running.entrySet()) results.put(r.getKey(), r.getValue().get(5, TimeUnit.MINUTES));
        }
        return results;
    }

    /**
     * One busybox APPLET process reading the file READS times, each an open of its own. The file
     * is named relative to the reader's working directory: the whole command line is one string
     * for sh -c, which the kernel takes up to 128 KiB.
     */
    private static String manyTimes(String applet) {
        return BUSYBOX + " " + applet + " panic".repeat(READS);
    }

    private static String loop(int times, String command) {
        return "i=0; while [ $i -lt " + times + " ]; do " + command + "; i=$((i+1)); done";
    }

    /**
     * Runs SCRIPT with busybox sh; its output is the reads one after the other. Every value
     * ends in a newline and no value is a prefix of another's line, so the output cut after
     * each newline gives the reads: a cut read glues onto the next one, an empty one is
     * missing from the count. It runs in FILE's directory.
     */
    private static Reads shellReads(List<String> values, int expected, Path file, String script) throws Exception {
        Path out = Files.createTempFile("sysboxfs-tear-", ".out");
        try {
            Process p = new ProcessBuilder(BUSYBOX.toString(), "sh", "-c", script).directory(file.getParent().toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(4, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("the reader did not finish: " + script.substring(0, Math.min(200, script.length())));
            }
            assertEquals(0, p.exitValue(), "exit status of the reader");
            String output = Files.readString(out, StandardCharsets.ISO_8859_1);
            List<String> reads = new ArrayList<>();
            int at = 0;
            while (at < output.length()) {
                int nl = output.indexOf('\n', at);
                int end = nl < 0 ? output.length() : nl + 1;
                reads.add(output.substring(at, end));
                at = end;
            }
            while (reads.size() < expected) reads.add(""); // reads that gave nothing
            if (reads.size() > expected) reads.add("(" + (reads.size() - expected) + " reads more than made)");
            return Reads.of(values, reads);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private interface Read {
        String read() throws IOException;
    }

    private static Reads javaReads(List<String> values, int times, Read read) throws IOException {
        List<String> reads = new ArrayList<>(times);
        for (int i = 0; i < times; i++) reads.add(read.read());
        return Reads.of(values, reads);
    }

    /** As cat does with read(2): open, read until end of file, close. */
    private static String readWhole(Path file) throws IOException {
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** pread(2) of CHUNK bytes at increasing offsets until end of file. */
    private static String preadWhole(Path file, int chunk) throws IOException {
        StringBuilder content = new StringBuilder();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(chunk);
            long position = 0;
            while (true) {
                buffer.clear();
                int n = ch.read(buffer, position);
                if (n <= 0) break;
                content.append(new String(buffer.array(), 0, n, StandardCharsets.ISO_8859_1));
                position += n;
            }
        }
        return content.toString();
    }

    /**
     * One descriptor per read, two threads preading it a byte at a time at once, one the even
     * offsets and one the odd; the bytes put back in order must be one whole value.
     */
    private static Reads twoThreadsOnOneDescriptor(List<String> values, Path file) throws Exception {
        List<String> reads = new ArrayList<>();
        try (ExecutorService pair = Executors.newFixedThreadPool(2)) {
            for (int i = 0; i < READS; i++) {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                    Map<Long, Byte> bytes = new ConcurrentHashMap<>();
                    AtomicLong end = new AtomicLong(Long.MAX_VALUE);
                    List<Future<?>> halves = new ArrayList<>();
                    for (int parity = 0; parity < 2; parity++) {
                        long first = parity;
                        halves.add(pair.submit(() -> {
                            ByteBuffer one = ByteBuffer.allocate(1);
                            for (long at = first; at < end.get(); at += 2) {
                                one.clear();
                                if (ch.read(one, at) <= 0) {
                                    end.accumulateAndGet(at, Math::min);
                                    break;
                                }
                                bytes.put(at, one.get(0));
                            }
                            return null;
                        }));
                    }
                    for (Future<?> half : halves) half.get();
                    StringBuilder content = new StringBuilder();
                    for (long at = 0; at < end.get(); at++) {
                        Byte b = bytes.get(at);
                        if (b == null) {
                            content.append("(missing byte ").append(at).append(')');
                            break;
                        }
                        content.append((char) (b & 0xff));
                    }
                    if (bytes.size() != Math.min(end.get(), Integer.MAX_VALUE)) content.append("(bytes past the end)");
                    reads.add(content.toString());
                }
            }
        }
        return Reads.of(values, reads);
    }

    /** One thread per file writing its values in turn, each with its own open as `echo V > file` does. */
    private static final class Writer implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong written = new AtomicLong();
        private final List<Thread> threads = Collections.synchronizedList(new ArrayList<>());
        private final Set<String> failures = ConcurrentHashMap.newKeySet();

        static Writer start(Map<Path, List<String>> files) throws IOException {
            Writer writer = new Writer();
            for (Map.Entry<Path, List<String>> file : files.entrySet()) {
                Files.writeString(file.getKey(), file.getValue().getFirst()); // readers start on a written value
                Thread t = Thread.ofPlatform().daemon().name("writer " + file.getKey()).start(() -> writer.write(file.getKey(), file.getValue()));
                writer.threads.add(t);
            }
            return writer;
        }

        private void write(Path file, List<String> values) {
            for (long i = 0; running.get(); i++) {
                try {
                    Files.writeString(file, values.get((int) (i % values.size())));
                    written.incrementAndGet();
                } catch (IOException e) {
                    failures.add(file + ": " + e);
                    return;
                }
            }
        }

        /** Stops the writers and answers how many writes they made. */
        long stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(30));
            assertEquals(Set.of(), failures, "failed writes");
            return written.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
