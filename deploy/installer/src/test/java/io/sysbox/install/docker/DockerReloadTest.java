package io.sysbox.install.docker;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DockerReloadTest {
    /** Exit status Java reports for a process killed by SIGHUP (128 + 1). */
    private static final int KILLED_BY_SIGHUP = 129;

    @TempDir
    Path dir;

    private Path pidFile(long pid) throws IOException {
        Path file = dir.resolve("docker.pid");
        Files.writeString(file, pid + "\n");
        return file;
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void aLiveProcessThatIsNotDockerdIsNotSignalled() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "30").start();
        try {
            Path pidFile = pidFile(sleep.pid());

            ReloadOutcome outcome = new DockerReload(pidFile).reload();

            ReloadOutcome.NotDockerd notDockerd = assertInstanceOf(ReloadOutcome.NotDockerd.class, outcome);
            assertEquals(sleep.pid(), notDockerd.pid());
            assertEquals("sleep", notDockerd.comm());
            assertTrue(outcome.message().contains("\"sleep\", not dockerd: not signalled"), outcome.message());
            // SIGHUP's default action would have ended sleep at once.
            assertFalse(sleep.waitFor(500, TimeUnit.MILLISECONDS), "sleep was signalled: exit " + sleep.info());
            assertTrue(sleep.isAlive());
        } finally {
            stop(sleep);
        }
    }

    @Test
    void aProcessWhoseCommIsDockerdGetsSighup() throws Exception {
        // A copy of sleep named dockerd: its comm is "dockerd", and SIGHUP's default action ends it.
        Path dockerd = dir.resolve("dockerd");
        Files.copy(Path.of("/bin/sleep"), dockerd);
        Files.setAttribute(dockerd, "unix:mode", 0755);
        Process fake = new ProcessBuilder(dockerd.toString(), "30").start();
        try {
            assertEquals("dockerd", Files.readString(Path.of("/proc", Long.toString(fake.pid()), "comm")).strip());

            ReloadOutcome outcome = new DockerReload(pidFile(fake.pid())).reload();

            assertEquals(new ReloadOutcome.Signalled(fake.pid(), dir.resolve("docker.pid")), outcome);
            assertTrue(outcome.message().startsWith("dockerd (pid " + fake.pid() + ") sent SIGHUP"), outcome.message());
            assertTrue(fake.waitFor(10, TimeUnit.SECONDS), "the SIGHUP did not arrive");
            assertEquals(KILLED_BY_SIGHUP, fake.exitValue());
        } finally {
            stop(fake);
        }
    }

    @Test
    void aStalePidfileMeansNotRunning() throws Exception {
        Process exited = new ProcessBuilder("true").start();
        assertTrue(exited.waitFor(10, TimeUnit.SECONDS));
        ReloadOutcome outcome = new DockerReload(pidFile(exited.pid())).reload();

        ReloadOutcome.NotRunning notRunning = assertInstanceOf(ReloadOutcome.NotRunning.class, outcome);
        assertEquals("pid " + exited.pid() + " from " + dir.resolve("docker.pid") + " is not running: stale pidfile",
                notRunning.why());
        assertTrue(outcome.message().startsWith("dockerd is not running ("), outcome.message());
    }

    @Test
    void aMissingOrGarbledPidfileMeansNotRunning() throws Exception {
        Path missing = dir.resolve("none/docker.pid");
        assertEquals(new ReloadOutcome.NotRunning(missing, "no pidfile " + missing), new DockerReload(missing).reload());

        Path garbled = dir.resolve("garbled.pid");
        Files.writeString(garbled, "dockerd\n");
        ReloadOutcome outcome = new DockerReload(garbled).reload();
        assertEquals(new ReloadOutcome.NotRunning(garbled, "pidfile " + garbled + " holds \"dockerd\", not a pid"), outcome);

        Path init = dir.resolve("init.pid");
        Files.writeString(init, "1");
        assertInstanceOf(ReloadOutcome.NotRunning.class, new DockerReload(init).reload(), "pid 1 is never signalled");
    }
}
