package io.sysbox.install.containerd;

import io.sysbox.install.host.HostRoot;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host's containerd executable, where packages put it, and its major version from
 * {@code containerd --version} ("containerd github.com/containerd/containerd 1.6.20~ds1 ...",
 * "containerd github.com/containerd/containerd/v2 v2.0.4 ..."). containerd is a static Go binary,
 * so it runs from the host root as well as on the host.
 */
public record ContainerdBinary(Path hostPath, Path local) {
    public static final List<Path> LOCATIONS = List.of(Path.of("/usr/bin/containerd"),
            Path.of("/usr/local/bin/containerd"), Path.of("/bin/containerd"));
    private static final Pattern VERSION = Pattern.compile("^containerd \\S+ v?(\\d+)\\.\\d+");
    private static final long TIMEOUT_SECONDS = 10;

    /** The first of {@link #LOCATIONS} that exists on HOST. */
    public static Optional<ContainerdBinary> find(HostRoot host) {
        for (Path p : LOCATIONS) {
            Path local = host.resolve(p);
            if (Files.isRegularFile(local)) return Optional.of(new ContainerdBinary(p, local));
        }
        return Optional.empty();
    }

    /** The major version it reports, empty when it cannot be run or says something else. */
    public Optional<Integer> major() {
        if (!Files.isExecutable(local)) return Optional.empty();
        try {
            Process p = new ProcessBuilder(local.toString(), "--version").redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            return parseMajor(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    static Optional<Integer> parseMajor(String versionOutput) {
        Matcher m = VERSION.matcher(versionOutput.strip());
        return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }
}
