package io.sysbox.runc.engine;

import io.sysbox.common.sys.Exec;
import io.sysbox.common.sys.MemoryFile;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Java CLI's own process runs the engine: the fallback the launcher execs for what needs no
 * manager (spec, features, help, --no-sysbox-mgr) or when the manager is not running. It becomes
 * the engine through execve from the JVM (FFM).
 */
public record ThisJvm() implements EngineProcess {
    @Override
    public void become(List<String> argv, Optional<MemoryFileArg> file) throws IOException {
        List<String> line = new ArrayList<>(argv);
        if (file.isPresent()) {
            int fd = MemoryFile.inheritable("process.json", file.get().content());
            line.set(file.get().index(), "/proc/self/fd/" + fd);
        }
        System.out.flush();
        System.err.flush();
        Exec.execve(line.getFirst(), line, System.getenv());
    }

    @Override
    public int run(List<String> argv) throws IOException {
        try {
            return new ProcessBuilder(argv).inheritIO().start().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + argv.getFirst(), e);
        }
    }

    @Override
    public Captured capture(List<String> argv) throws IOException {
        Process p = new ProcessBuilder(argv)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .redirectInput(ProcessBuilder.Redirect.INHERIT)
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        try {
            return new Captured(p.waitFor(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + argv.getFirst(), e);
        }
    }
}
