package io.sysbox.conformance;

import io.sysbox.common.channel.FramedClient;
import io.sysbox.common.channel.ManagerMethod;
import io.sysbox.common.proto.ListRequest;
import io.sysbox.common.proto.ListResponse;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A daemon that survived hostile input: still running, still answering, and holding no more
 * descriptors on the suite's files (bundles, rootfs, data root) or pidfds than before the input.
 */
final class DaemonHealth {
    private DaemonHealth() {}

    /** The descriptors of PID that name something under WORK, or a pidfd, counted by target. */
    static Map<String, Integer> descriptors(long pid, Path work) {
        Map<String, Integer> counts = new TreeMap<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException gone) {
                    continue; // closed while listing
                }
                if (target.contains(work.toString()) || target.contains("pidfd")) counts.merge(target, 1, Integer::sum);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list the descriptors of pid " + pid + ": " + e.getMessage(), e);
        }
        return counts;
    }

    /** One line per target PID holds more often now than in BASELINE. */
    static List<String> descriptorLeaks(String daemon, long pid, Path work, Map<String, Integer> baseline) {
        List<String> leaks = new ArrayList<>();
        descriptors(pid, work).forEach((target, count) -> {
            int before = baseline.getOrDefault(target, 0);
            if (count > before) leaks.add(daemon + " holds " + (count - before) + " more descriptor(s) on " + target);
        });
        return leaks;
    }

    /** The manager answers a LIST on a new framed connection; returns how many containers it knows. */
    static int managerAnswers(ManagerProcess manager) throws IOException {
        if (!manager.isAlive()) throw new AssertionError("sysbox-mgr died:\n" + manager.logTail());
        byte[] answer = new FramedClient(manager.dirs().cliSocket())
                .call(ManagerMethod.LIST.code(), ListRequest.getDefaultInstance().toByteArray());
        return ListResponse.parseFrom(answer).getContainersCount();
    }
}
