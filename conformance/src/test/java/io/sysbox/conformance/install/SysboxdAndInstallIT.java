package io.sysbox.conformance.install;

import io.sysbox.conformance.CommandResult;
import io.sysbox.conformance.CommandRunner;
import io.sysbox.conformance.Dist;
import io.sysbox.conformance.MountEntry;
import io.sysbox.conformance.TreeRemoval;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 2's build items: sysboxd starts both daemons, waits for their sockets and stops them on
 * SIGTERM; install.sh lays out the binaries and the seed's systemd units (the daemons' files in
 * sysboxd.service.wants, each ExecStart with --log and --log-level) under a private prefix.
 */
class SysboxdAndInstallIT {
    private static final Duration READY = Duration.ofSeconds(60);

    @Test
    void sysboxdStartsBothDaemonsAndStopsThemOnSigterm() throws Exception {
        Dist dist = Dist.fromSystemProperty();
        Path work = Files.createTempDirectory("sysbox-sysboxd-");
        Process sysboxd = null;
        try {
            Files.setAttribute(work, "unix:mode", 0711);
            Path run = work.resolve("run"), fsMount = work.resolve("fs"), logs = work.resolve("logs");
            Files.writeString(work.resolve("subuid"), "");
            Files.writeString(work.resolve("subgid"), "");
            Path out = work.resolve("sysboxd.out");
            sysboxd = new ProcessBuilder(dist.root().resolve("bin/sysboxd").toString(), "--run-dir", run.toString(),
                    "--data-root", work.resolve("data").toString(), "--fs-mountpoint", fsMount.toString(),
                    "--log-dir", logs.toString(), "--", "--subuid-file", work.resolve("subuid").toString(),
                    "--subgid-file", work.resolve("subgid").toString())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            long deadline = System.nanoTime() + READY.toNanos();
            while (!Files.exists(out) || !Files.readString(out).contains("sysboxd: ready")) {
                if (!sysboxd.isAlive() || System.nanoTime() > deadline) fail("sysboxd did not get ready:\n" + Files.readString(out));
                Thread.sleep(100);
            }
            for (String socket : List.of("sysmgr.sock", "sysmgr-cli.sock", "sysfs.sock")) {
                assertTrue(Files.exists(run.resolve(socket)), socket + " in " + run);
            }
            assertTrue(MountEntry.current().stream().anyMatch(m -> m.line().contains(fsMount.toString())),
                    "sysbox-fs is mounted at " + fsMount);

            // A sysbox-fs killed with -9 is started again and resumes the connection the manager kept,
            // once it has handed it over (the daemons start in parallel: up to 2 s after both run).
            Path fsLog = logs.resolve("sysbox-fs.log");
            while (!Files.readString(fsLog).contains("handed the FUSE connections to the descriptor keeper")) {
                if (!sysboxd.isAlive() || System.nanoTime() > deadline) fail("no handover:\n" + Files.readString(fsLog));
                Thread.sleep(100);
            }
            long fsPid = Long.parseLong(Files.readString(run.resolve("sysfs.pid")).strip());
            ProcessHandle killed = ProcessHandle.of(fsPid).orElseThrow();
            killed.destroyForcibly();
            killed.onExit().get(30, TimeUnit.SECONDS);
            deadline = System.nanoTime() + READY.toNanos();
            while (!Files.readString(fsLog).contains("resumed the FUSE connection")
                    || Files.readString(fsLog).split("sysbox-fs ready", -1).length < 3) {
                if (!sysboxd.isAlive() || System.nanoTime() > deadline) {
                    fail("sysbox-fs was not started again:\n" + Files.readString(out) + Files.readString(fsLog));
                }
                Thread.sleep(100);
            }
            assertTrue(Files.readString(out).contains("sysbox-fs exited; starting it again"), Files.readString(out));
            assertTrue(MountEntry.current().stream().anyMatch(m -> m.line().contains(fsMount.toString())));

            sysboxd.destroy(); // SIGTERM
            assertTrue(sysboxd.waitFor(60, TimeUnit.SECONDS), "sysboxd exits after SIGTERM");
            assertEquals(0, sysboxd.exitValue(), Files.readString(out));
            for (String socket : List.of("sysmgr.sock", "sysmgr-cli.sock", "sysfs.sock", "sysboxd.pid")) {
                assertFalse(Files.exists(run.resolve(socket)), socket + " left in " + run);
            }
            assertFalse(MountEntry.current().stream().anyMatch(m -> m.line().contains(fsMount.toString())),
                    "sysbox-fs unmounted");
        } finally {
            if (sysboxd != null && sysboxd.isAlive()) {
                // SIGTERM first: sysboxd stops the daemons it started; SIGKILL alone would leave them running.
                sysboxd.destroy();
                if (!sysboxd.waitFor(60, TimeUnit.SECONDS)) {
                    sysboxd.descendants().forEach(ProcessHandle::destroyForcibly);
                    sysboxd.destroyForcibly();
                    sysboxd.waitFor(10, TimeUnit.SECONDS);
                }
            }
            TreeRemoval.remove(work);
        }
    }

    @Test
    void installLaysOutTheBinariesAndTheSeedsUnits() throws Exception {
        Dist dist = Dist.fromSystemProperty();
        Path work = Files.createTempDirectory("sysbox-install-");
        try {
            Path prefix = work.resolve("prefix"), units = work.resolve("systemd");
            CommandRunner runner = new CommandRunner(Files.createDirectories(work.resolve("scratch")), Duration.ofSeconds(60));
            CommandResult install = runner.run(List.of(dist.root().getParent().resolve("deploy/host/install.sh").toString(),
                    "--prefix", prefix.toString(), "--systemd-dir", units.toString(), "--dist", dist.root().toString(),
                    "--no-start", "--oci-hooks-dir", work.resolve("hooks.d").toString()));
            assertTrue(install.succeeded(), install.describe());
            CommandResult version = runner.run(List.of(prefix.resolve("sbin/sysbox-runc").toString(), "--version"));
            assertTrue(version.succeeded() && version.stdout().startsWith("sysbox-runc version"), version.describe());
            // sysbox-runc finds its createRuntime hook in libexec/ beside its lib/; no command for it in sbin.
            Path hook = prefix.resolve("lib/sysbox/libexec/sysbox-procsys-hook");
            assertTrue(Files.isRegularFile(hook) && Files.isExecutable(hook), hook + " installed and executable");
            assertTrue(Files.isRegularFile(prefix.resolve("lib/sysbox/lib/sysbox-runc.jar")), "the runtime's jar in lib/");
            assertFalse(Files.exists(prefix.resolve("sbin/sysbox-procsys-hook")), "no sbin command for the hook");
            // The OCI hooks file names the installed hook, in the prefix and in the --oci-hooks-dir.
            Path hooksFile = prefix.resolve("lib/sysbox/share/containers/oci/hooks.d/sysbox.json");
            Path ociHook = prefix.resolve("lib/sysbox/libexec/sysbox-oci-hook");
            assertTrue(Files.isExecutable(ociHook), ociHook + " installed and executable");
            assertTrue(Files.readString(hooksFile).contains("\"path\": \"" + ociHook + "\""), Files.readString(hooksFile));
            assertEquals(Files.readString(hooksFile), Files.readString(work.resolve("hooks.d/sysbox.json")));
            assertEquals(Files.readString(dist.ociHooksFile()).replace(dist.root().resolve("libexec/sysbox-oci-hook").toString(),
                    ociHook.toString()), Files.readString(hooksFile), "only the path differs from dist's");
            for (String daemon : List.of("sysbox-mgr", "sysbox-fs")) {
                Path unit = units.resolve("sysboxd.service.wants/" + daemon + ".service");
                String text = Files.readString(unit);
                assertTrue(text.contains("ExecStart=" + prefix.resolve("sbin/" + daemon) + " --log /var/log/" + daemon
                        + ".log --log-level info"), text);
                assertEquals(unit.toRealPath(), units.resolve(daemon + ".service").toRealPath(),
                        "the unit search path links to the file the user's guide edits");
            }
            assertTrue(Files.readString(units.resolve("sysboxd.service")).contains("Wants=sysbox-mgr.service sysbox-fs.service"));
        } finally {
            TreeRemoval.remove(work);
        }
    }
}
