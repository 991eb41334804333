package io.sysbox.conformance.procfs;

import io.sysbox.conformance.BusyboxBundle;
import io.sysbox.conformance.EmulationSuite;
import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.SuiteEnvironment;
import io.sysbox.conformance.SysboxFsProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4, acceptance 8: five system containers, each with its own memory limit, and in each
 * five readers and five writers at once. Every read of an emulated file is whole and the
 * container's own (MemTotal its limit, the same lines as a read alone, uptime never going
 * back); every sysctl value read is the initial one or one its own container wrote, never
 * another's; the host's values never move; the last serialized write wins; and sysbox-fs logs
 * no warning, error or exception meanwhile. The readers use busybox cat, which reads with
 * sendfile(2). Issue 11, acceptance 6: values that change length while they are read are read
 * whole by every kind of busybox reader, in five containers at once.
 */
class ConcurrentAccessIT {
    private static final int CONTAINERS = 5;
    private static final int READERS = 5;
    private static final int WRITERS = 5;
    /** Rounds per process: about ten seconds of overlap on two CPUs. */
    private static final int ROUNDS = 20;
    private static final List<String> FILES = List.of("/proc/meminfo", "/proc/uptime", "/proc/stat", "/proc/cpuinfo");
    /** Values anything fits (panic, panic_on_oops, mmap_min_addr): disjoint ranges per container. */
    private static final List<String> WIDE_SYSCTLS = List.of("kernel/panic", "kernel/panic_on_oops", "vm/mmap_min_addr");
    /** Small ranges: too few values for five containers, so one or two write and the others only read. */
    private static final List<String> NARROW_SYSCTLS = List.of("vm/overcommit_memory", "fs/protected_symlinks");
    private static final Pattern UPTIME = Pattern.compile("(\\d+\\.\\d\\d) (\\d+\\.\\d\\d)\n");
    private static final Pattern MEM_TOTAL = Pattern.compile("MemTotal: +(\\d+) kB\n");
    private static final Pattern LOG_SECTION = Pattern.compile("(?m)^@@log /tmp/conc/(\\S+)\\.log\n");

    private static EmulationSuite suite;
    private static SuiteEnvironment env;
    private static SysboxFsProcess fs;

    /** One system container and what its writers write: per sysctl, per writer, the values in order. */
    private record Container(String id, long memoryLimit, Map<String, List<List<String>>> writes) {
        Set<String> written(String sysctl) {
            Set<String> values = new LinkedHashSet<>();
            writes.getOrDefault(sysctl, List.of()).forEach(values::addAll);
            return values;
        }
    }

    /** One read of PATH by a reader: what it printed (stdout and stderr) and its exit status. */
    private record Read(String path, String content, int exitCode) {}

    @BeforeAll
    static void start() throws Exception {
        suite = EmulationSuite.start("concurrent");
        env = suite.env();
        fs = suite.fs();
    }

    @AfterAll
    static void stop() {
        if (suite != null) suite.close();
    }

    @Test
    void concurrentReadersAndWritersSeeTheirOwnContainersConsistentValues() throws Exception {
        Map<String, String> hostBefore = hostValues();
        List<Container> containers = new ArrayList<>();
        for (int c = 0; c < CONTAINERS; c++) containers.add(startContainer(c, hostBefore));
        Map<String, Map<String, List<String>>> baselineKeys = new HashMap<>();
        for (Container container : containers) baselineKeys.put(container.id(), baselineKeys(container));

        List<String> hostChanges = new ArrayList<>();
        Map<String, String> outputs = runConcurrently(containers, hostBefore, hostChanges);

        List<String> failures = new ArrayList<>(hostChanges);
        for (Container container : containers) {
            failures.addAll(check(container, outputs.get(container.id()), baselineKeys.get(container.id()),
                    containers, hostBefore));
        }
        assertTrue(failures.isEmpty(), failures.size() + " inconsistencies, the first ones:\n  "
                + String.join("\n  ", failures.subList(0, Math.min(30, failures.size()))) + "\n" + fs.logTail());

        assertLastSerializedWriteWins(containers, hostBefore);
        assertEquals(hostBefore, hostValues(), "the host's sysctls after the run");
        String log = fs.log();
        for (Container container : containers) {
            // The log read is the one this suite's sysbox-fs writes.
            assertTrue(log.contains("registered container " + container.id() + ":"), container.id() + " in " + fs.logTail());
        }
        assertEquals(List.of(), daemonLogProblems(log), "sysbox-fs log lines at WARN or above, or exceptions");
    }

    /** Reads per tear reader that reads in one process (cat and head take many files, the shell's read is a builtin). */
    private static final int TEAR_READS = 10_000;
    /** Reads per tear reader that needs a process or two per read (dd, the shared descriptor). */
    private static final int TEAR_PROCESS_READS = 100;
    /**
     * Issue 11, acceptance 6: in each of five containers a writer alternates `echo N` and
     * `echo N00N` into kernel/panic (N the container's number, so a value also tells whose it
     * is) while busybox readers read it, each open its own read: cat (sendfile(2)), head
     * (read(2)), the shell's read builtin (a byte per read(2), as dd bs=1), dd bs=1, and dd then
     * cat on one shared descriptor. Every read is one of the container's two values, whole.
     */
    @Test
    void valuesChangingLengthAreReadWholeByEveryReaderInFiveContainers() throws Exception {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (int c = 1; c <= CONTAINERS; c++) {
            String id = env.newContainerId("tear" + c);
            BusyboxBundle bundle = env.bundle(id);
            bundle.write();
            Path scripts = Files.createDirectories(bundle.rootfs().resolve("tear"));
            Files.writeString(scripts.resolve("writer.sh"), tearWriterScript(c));
            for (Map.Entry<String, String> reader : TEAR_READERS.entrySet()) {
                Files.writeString(scripts.resolve(reader.getKey() + ".sh"), "cd /proc/sys/kernel\n" + reader.getValue() + "\n");
            }
            CommandResult run = env.runc().run("run", "--detach", "--bundle", bundle.dir().toString(), id);
            assertTrue(run.succeeded(), run.describe() + "\n" + fs.logTail());
            values.put(id, List.of(c + "\n", c + "00" + c + "\n"));
        }
        for (String id : values.keySet()) {
            // In the background of the container's init, its output nowhere: the exec returns at once.
            CommandResult started = env.runc().run("exec", id, "sh", "-c", "sh /tear/writer.sh > /dev/null 2>&1 &");
            assertTrue(started.succeeded(), started.describe());
        }
        List<String> failures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(CONTAINERS)) {
            // One reader at a time, in the five containers at once: each exec stays well within its timeout.
            for (Map.Entry<String, String> reader : TEAR_READERS.entrySet()) {
                Map<String, Future<CommandResult>> execs = new LinkedHashMap<>();
                for (String id : values.keySet()) {
                    execs.put(id, pool.submit(() -> env.runc().run("exec", id, "sh", "/tear/" + reader.getKey() + ".sh")));
                }
                for (Map.Entry<String, Future<CommandResult>> exec : execs.entrySet()) {
                    CommandResult result = exec.getValue().get();
                    String who = exec.getKey() + " " + reader.getKey();
                    assertTrue(result.succeeded(), result.describe());
                    assertEquals("", result.stderr(), "stderr of " + who);
                    failures.addAll(tornReads(who, values.get(exec.getKey()), result.stdout(),
                            reader.getKey().equals("dd") || reader.getKey().equals("shared") ? TEAR_PROCESS_READS : TEAR_READS));
                }
            }
        }
        for (String id : values.keySet()) {
            CommandResult stopped = env.runc().run("exec", id, "sh", "-c",
                    "touch /tmp/tear/stop; while [ ! -e /tmp/tear/writes ]; do sleep 0.1; done; cat /tmp/tear/writes");
            assertTrue(stopped.succeeded(), stopped.describe());
            long writes = Long.parseLong(stopped.stdout().strip());
            if (writes < 100) failures.add(id + ": only " + writes + " writes during the reads");
        }
        assertEquals(List.of(), failures, "torn reads (" + String.join(", ", values.keySet()) + ")\n" + fs.logTail());
        assertEquals(List.of(), daemonLogProblems(fs.log()), "sysbox-fs log lines at WARN or above, or exceptions");
    }

    /**
     * The busybox readers, each a script run in /proc/sys/kernel printing its reads back to back
     * (cat and head take 10 000 short names on one command line).
     */
    private static final Map<String, String> TEAR_READERS = tearReaders();

    private static Map<String, String> tearReaders() {
        String many = " panic".repeat(TEAR_READS);
        Map<String, String> readers = new LinkedHashMap<>();
        readers.put("cat", "cat" + many);
        readers.put("head", "head -q -n 5" + many);
        readers.put("read", ("i=0; while [ $i -lt %d ]; do if IFS= read -r v < panic; then echo \"$v\"; else printf '%%s' \"$v\"; fi;"
                + " i=$((i + 1)); done").formatted(TEAR_READS));
        readers.put("dd", "i=0; while [ $i -lt %d ]; do /bin/busybox dd if=panic bs=1 2>/dev/null; i=$((i + 1)); done"
                .formatted(TEAR_PROCESS_READS));
        readers.put("shared", ("i=0; while [ $i -lt %d ]; do { /bin/busybox dd bs=1 count=2 2>/dev/null; cat; } < panic;"
                + " i=$((i + 1)); done").formatted(TEAR_PROCESS_READS));
        return readers;
    }

    /** Container C's writer: `echo C` and `echo C00C` in turn until /tmp/tear/stop appears, then its count. */
    private static String tearWriterScript(int c) {
        return """
                cd /proc/sys/kernel
                mkdir -p /tmp/tear
                n=0; while [ ! -e /tmp/tear/stop ]; do echo %1$d > panic; echo %1$d00%1$d > panic; n=$((n + 2)); done
                echo $n > /tmp/tear/writes
                """.formatted(c);
    }

    /** The reads in OUTPUT that are not one of VALUES whole, a count other than EXPECTED, and a reader that saw one value only. */
    private static List<String> tornReads(String who, List<String> values, String output, int expected) {
        List<String> failures = new ArrayList<>();
        List<String> reads = splitReads(output);
        List<String> torn = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (String read : reads) {
            if (values.contains(read)) seen.add(read);
            else torn.add(read);
        }
        if (reads.size() != expected) failures.add(who + ": " + reads.size() + " reads, expected " + expected);
        if (!torn.isEmpty()) {
            failures.add(who + ": " + torn.size() + " reads not one whole value of " + values + ", e.g. "
                    + torn.stream().limit(5).map(ConcurrentAccessIT::describe).toList());
        }
        if (seen.size() < 2) failures.add(who + " saw only " + seen + ": the length did not change under it");
        return failures;
    }

    /**
     * Reads written back to back, cut after each newline: every whole value ends in one and
     * none is another's prefix, so a read cut short glues onto the next and shows as no value.
     */
    private static List<String> splitReads(String output) {
        return output.isEmpty() ? List.of() : List.of(output.split("(?<=\n)"));
    }

    /** A torn read for the failure message: its length, its NUL bytes left out and counted. */
    private static String describe(String read) {
        long nuls = read.chars().filter(ch -> ch == 0).count();
        return read.length() + " bytes \"" + read.replace("\0", "").replace("\n", "\\n") + "\""
                + (nuls > 0 ? " and " + nuls + " NUL" : "");
    }

    private static Map<String, String> hostValues() throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String sysctl : allSysctls()) {
            // Files.readString reads procfs sysctl files short (they report size 0).
            values.put(sysctl, String.join("\n", Files.readAllLines(Path.of("/proc/sys", sysctl))).strip());
        }
        return values;
    }

    private static List<String> allSysctls() {
        List<String> all = new ArrayList<>(WIDE_SYSCTLS);
        all.addAll(NARROW_SYSCTLS);
        return all;
    }

    /**
     * Container C (0-based) with a memory limit of (96 + 32 C) MiB, its reader, writer and
     * driver scripts in its rootfs, running `sleep`. A container's values never equal the
     * host's (the initial value), so a value read tells whose write it was.
     */
    private static Container startContainer(int c, Map<String, String> host) throws IOException {
        long limit = (96L + 32L * c) << 20;
        Map<String, List<List<String>>> writes = new LinkedHashMap<>();
        for (String sysctl : WIDE_SYSCTLS) {
            List<List<String>> perWriter = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                List<String> values = new ArrayList<>();
                for (int round = 0; round < ROUNDS; round++) {
                    String value = Long.toString((c + 1) * 10_000L + w * 100L + round);
                    if (!value.equals(host.get(sysctl))) values.add(value);
                }
                perWriter.add(values);
            }
            writes.put(sysctl, perWriter);
        }
        // overcommit_memory (0-2): container 0 writes one other value, container 1 the third one.
        int overcommit = Integer.parseInt(host.get("vm/overcommit_memory"));
        if (c < 2) writes.put("vm/overcommit_memory", sameValue(Integer.toString((overcommit + 1 + c) % 3)));
        // protected_symlinks (0-1): only container 3 flips it.
        if (c == 3) writes.put("fs/protected_symlinks", sameValue("0".equals(host.get("fs/protected_symlinks")) ? "1" : "0"));

        String id = env.newContainerId("conc" + c);
        BusyboxBundle bundle = env.bundle(id);
        bundle.linux().withObjectProperty("resources").putObject("memory").put("limit", limit);
        bundle.write();
        Path scripts = Files.createDirectories(bundle.rootfs().resolve("conc"));
        Files.writeString(scripts.resolve("reader.sh"), readerScript());
        for (int w = 0; w < WRITERS; w++) Files.writeString(scripts.resolve("writer-" + w + ".sh"), writerScript(writes, w));
        Files.writeString(scripts.resolve("run.sh"), driverScript());
        CommandResult run = env.runc().run("run", "--detach", "--bundle", bundle.dir().toString(), id);
        assertTrue(run.succeeded(), run.describe() + "\n" + fs.logTail());
        return new Container(id, limit, writes);
    }

    private static List<List<String>> sameValue(String value) {
        List<List<String>> perWriter = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) perWriter.add(Collections.nCopies(ROUNDS, value));
        return perWriter;
    }

    /**
     * `sh reader.sh ROUNDS`: each round reads every file and sysctl between markers, with the
     * reader's exit status. With busybox cat, which reads with sendfile(2), as Alpine and
     * busybox images do.
     */
    private static String readerScript() {
        List<String> paths = new ArrayList<>(FILES);
        allSysctls().forEach(s -> paths.add("/proc/sys/" + s));
        return """
                n=0
                while [ $n -lt "$1" ]; do
                  for f in %s; do
                    echo "@@read $f"
                    cat "$f" 2>&1
                    echo "@@rc $?"
                  done
                  n=$((n + 1))
                done
                """.formatted(String.join(" ", paths));
    }

    /** Writer W's rounds: a builtin echo per sysctl per round (no fork, so writes come fast); prints only failures. */
    private static String writerScript(Map<String, List<List<String>>> writes, int w) {
        StringBuilder script = new StringBuilder("w() { echo \"$2\" > \"/proc/sys/$1\" || echo \"@@fail $1 $2\"; }\n");
        for (int round = 0; round < ROUNDS; round++) {
            for (Map.Entry<String, List<List<String>>> sysctl : writes.entrySet()) {
                List<String> values = sysctl.getValue().get(w);
                if (round < values.size()) script.append("w ").append(sysctl.getKey()).append(' ').append(values.get(round)).append('\n');
            }
        }
        return script.toString();
    }

    /** Starts the readers and writers in the background, waits for all, then prints their logs. */
    private static String driverScript() {
        return """
                mkdir -p /tmp/conc
                r=0; while [ $r -lt %d ]; do sh /conc/reader.sh %d > /tmp/conc/reader-$r.log 2>&1 & r=$((r + 1)); done
                w=0; while [ $w -lt %d ]; do sh /conc/writer-$w.sh > /tmp/conc/writer-$w.log 2>&1 & w=$((w + 1)); done
                wait
                for f in /tmp/conc/*.log; do echo "@@log $f"; cat "$f"; done
                """.formatted(READERS, ROUNDS, WRITERS);
    }

    /**
     * The line keys of meminfo, stat and cpuinfo read alone (before anything runs concurrently):
     * a concurrent read must show the same lines, or it was truncated or mixed.
     */
    private static Map<String, List<String>> baselineKeys(Container container) {
        CommandResult result = env.runc().run("exec", container.id(), "sh", "/conc/reader.sh", "1");
        assertTrue(result.succeeded(), result.describe());
        Map<String, List<String>> keys = new HashMap<>();
        List<String> garbage = new ArrayList<>();
        for (Read read : parseReads(result.stdout(), garbage)) {
            assertEquals(0, read.exitCode(), "reading " + read.path() + " alone in " + container.id() + ": " + read.content());
            keys.put(read.path(), lineKeys(read.content()));
        }
        assertEquals(List.of(), garbage, "unexpected output of a lone reader");
        assertTrue(keys.keySet().containsAll(FILES), keys.keySet().toString());
        return keys;
    }

    /** The text before the first ':' or blank of each line: the part a truncated or mixed read changes. */
    private static List<String> lineKeys(String content) {
        List<String> keys = new ArrayList<>();
        for (String line : content.split("\n", -1)) keys.add(line.split("[:\\s]", 2)[0]);
        return keys;
    }

    /**
     * One exec per container at the same time, each running its ten processes; a host thread
     * watches the host's sysctls meanwhile and adds every change it sees to HOST_CHANGES.
     * Answers each container's output.
     */
    private static Map<String, String> runConcurrently(List<Container> containers, Map<String, String> host,
                                                       List<String> hostChanges) throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        Map<String, String> outputs = new HashMap<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(CONTAINERS + 1)) {
            Future<List<String>> watcher = pool.submit(() -> {
                List<String> changes = new ArrayList<>();
                while (running.get()) {
                    Map<String, String> now = hostValues();
                    if (!now.equals(host)) changes.add("the host's sysctls changed: " + now);
                    Thread.sleep(20);
                }
                return changes;
            });
            Map<String, Future<CommandResult>> execs = new LinkedHashMap<>();
            for (Container container : containers) {
                execs.put(container.id(), pool.submit(() -> env.runc().run("exec", container.id(), "sh", "/conc/run.sh")));
            }
            try {
                for (Map.Entry<String, Future<CommandResult>> exec : execs.entrySet()) {
                    CommandResult result = exec.getValue().get();
                    assertTrue(result.succeeded(), result.describe());
                    assertEquals("", result.stderr(), "stderr of the exec in " + exec.getKey());
                    outputs.put(exec.getKey(), result.stdout());
                }
            } finally {
                running.set(false);
            }
            hostChanges.addAll(watcher.get());
        }
        return outputs;
    }

    /** Every inconsistency in the output of CONTAINER's readers and writers. */
    private static List<String> check(Container container, String output, Map<String, List<String>> baselineKeys,
                                      List<Container> all, Map<String, String> host) {
        List<String> failures = new ArrayList<>();
        Map<String, String> logs = splitAt(LOG_SECTION, output);
        Set<String> expectedLogs = new LinkedHashSet<>();
        for (int r = 0; r < READERS; r++) expectedLogs.add("reader-" + r);
        for (int w = 0; w < WRITERS; w++) expectedLogs.add("writer-" + w);
        if (!logs.keySet().equals(expectedLogs)) failures.add(container.id() + ": logs " + logs.keySet() + ", expected " + expectedLogs);

        String memTotal = Long.toString(container.memoryLimit() >> 10);
        for (Map.Entry<String, String> log : logs.entrySet()) {
            String who = container.id() + " " + log.getKey();
            if (log.getKey().startsWith("writer-")) {
                if (!log.getValue().isEmpty()) failures.add(who + " failed writes: " + log.getValue().strip());
                continue;
            }
            List<Read> reads = parseReads(log.getValue(), failures);
            int expected = ROUNDS * (FILES.size() + allSysctls().size());
            if (reads.size() != expected) failures.add(who + ": " + reads.size() + " reads, expected " + expected);
            double lastUptime = -1;
            for (Read read : reads) {
                String what = who + " read " + read.path();
                if (read.exitCode() != 0 || read.content().isEmpty() || !read.content().endsWith("\n")) {
                    failures.add(what + ": exit status " + read.exitCode() + ", content \"" + read.content() + "\"");
                    continue;
                }
                if (read.path().startsWith("/proc/sys/")) {
                    failures.addAll(checkSysctl(what, container, read, all, host));
                } else if (read.path().equals("/proc/uptime")) {
                    Matcher m = UPTIME.matcher(read.content());
                    if (!m.matches()) {
                        failures.add(what + ": not two numbers: \"" + read.content() + "\"");
                        continue;
                    }
                    double uptime = Double.parseDouble(m.group(1));
                    if (uptime < lastUptime) failures.add(what + ": went back from " + lastUptime + " to " + uptime);
                    lastUptime = uptime;
                } else {
                    List<String> keys = lineKeys(read.content());
                    if (!keys.equals(baselineKeys.get(read.path()))) {
                        failures.add(what + ": lines differ from a lone read's: " + keys + " vs " + baselineKeys.get(read.path()));
                    }
                    Matcher total = MEM_TOTAL.matcher(read.content());
                    if (read.path().equals("/proc/meminfo") && !(total.lookingAt() && total.group(1).equals(memTotal))) {
                        failures.add(what + ": MemTotal not " + memTotal + " kB: " + read.content().lines().findFirst().orElse(""));
                    }
                }
            }
        }
        return failures;
    }

    /** A sysctl read must be one line with the initial value or one of this container's, never another's. */
    private static List<String> checkSysctl(String what, Container container, Read read, List<Container> all,
                                            Map<String, String> host) {
        String sysctl = read.path().substring("/proc/sys/".length());
        String value = read.content().strip();
        if (read.content().indexOf('\n') != read.content().length() - 1) {
            return List.of(what + ": not one line: \"" + read.content() + "\"");
        }
        if (value.equals(host.get(sysctl)) || container.written(sysctl).contains(value)) return List.of();
        for (Container other : all) {
            if (other != container && other.written(sysctl).contains(value)) {
                return List.of(what + ": " + value + " is " + other.id() + "'s value");
            }
        }
        return List.of(what + ": " + value + " was never written (host value " + host.get(sysctl) + ")");
    }

    /**
     * OUTPUT cut at the matches of MARKER, whose group 1 names the section that follows: name
     * to content.
     */
    private static Map<String, String> splitAt(Pattern marker, String output) {
        Map<String, String> sections = new LinkedHashMap<>();
        Matcher m = marker.matcher(output);
        String name = null;
        int start = 0;
        while (m.find()) {
            if (name != null) sections.put(name, output.substring(start, m.start()));
            name = m.group(1);
            start = m.end();
        }
        if (name != null) sections.put(name, output.substring(start));
        return sections;
    }

    /**
     * The reads of one reader log. A read's output is taken up to the next "@@rc", so content
     * without its final newline shows as such; anything else is added to GARBAGE.
     */
    private static List<Read> parseReads(String log, List<String> garbage) {
        List<Read> reads = new ArrayList<>();
        int at = 0;
        while (at < log.length()) {
            int headerEnd = log.indexOf('\n', at);
            if (!log.startsWith("@@read ", at) || headerEnd < 0) {
                int next = log.indexOf("\n@@read ", at);
                int end = next < 0 ? log.length() : next + 1;
                garbage.add("unexpected reader output: \"" + log.substring(at, end).strip() + "\"");
                at = end;
                continue;
            }
            String path = log.substring(at + "@@read ".length(), headerEnd);
            int rc = log.indexOf("@@rc ", headerEnd + 1);
            int rcEnd = rc < 0 ? -1 : log.indexOf('\n', rc);
            if (rcEnd < 0) {
                garbage.add("reader output ends inside a read of " + path + ": \"" + log.substring(headerEnd + 1) + "\"");
                break;
            }
            reads.add(new Read(path, log.substring(headerEnd + 1, rc), Integer.parseInt(log.substring(rc + 5, rcEnd))));
            at = rcEnd + 1;
        }
        return reads;
    }

    /**
     * Writes serialized at the end: each container writes some of its values to each of its
     * sysctls, one after the other, and reads the last one back afterwards; containers that
     * never wrote a sysctl still show the host's value.
     */
    private static void assertLastSerializedWriteWins(List<Container> containers, Map<String, String> host) {
        Map<String, Map<String, String>> expected = new LinkedHashMap<>();
        for (Container container : containers) {
            Map<String, String> last = new LinkedHashMap<>();
            StringBuilder script = new StringBuilder("set -e\n");
            for (String sysctl : allSysctls()) {
                List<String> values = new ArrayList<>(container.written(sysctl));
                if (values.isEmpty()) {
                    last.put(sysctl, host.get(sysctl));
                    continue;
                }
                // Some values, then the one a writer wrote first, which the concurrent run has long overwritten.
                List<String> sequence = new ArrayList<>(values.subList(Math.max(0, values.size() - 3), values.size()));
                sequence.add(values.getFirst());
                for (String value : sequence) script.append("echo ").append(value).append(" > /proc/sys/").append(sysctl).append('\n');
                last.put(sysctl, values.getFirst());
            }
            CommandResult result = env.runc().run("exec", container.id(), "sh", "-c", script.toString());
            assertTrue(result.succeeded(), result.describe());
            expected.put(container.id(), last);
        }
        for (Container container : containers) {
            StringBuilder script = new StringBuilder();
            for (String sysctl : allSysctls()) script.append("cat /proc/sys/").append(sysctl).append('\n');
            CommandResult result = env.runc().run("exec", container.id(), "sh", "-c", script.toString());
            assertTrue(result.succeeded(), result.describe());
            assertEquals(String.join("\n", expected.get(container.id()).values()), result.stdout().strip(),
                    "the last serialized writes in " + container.id() + " (" + String.join(", ", allSysctls()) + ")");
        }
    }

    /** The daemon log's lines at WARN or above and any exception trace. */
    private static List<String> daemonLogProblems(String log) {
        List<String> problems = new ArrayList<>();
        for (String line : log.split("\n")) {
            if (line.matches("\\S+ +(WARN|ERROR|FATAL)\\b.*") || line.contains("Exception") || line.startsWith("\tat ")) {
                problems.add(line);
            }
        }
        return problems;
    }
}
