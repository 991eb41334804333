package io.sysbox.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, acceptance 4: a manager whose data root is a small tmpfs the test fills, by bytes and
 * by inodes. A create then fails saying the disk is full and where, leaves no record, clone or
 * mount, and once space is freed the same manager creates and deletes containers again.
 */
class FullDataRootIT extends SuiteLifecycle {
    private Path dataRoot;
    private ManagerProcess small;
    private SysboxRunc runc;
    private LeakCheck leaks;

    @BeforeAll
    void startAManagerOnASmallTmpfs() throws IOException {
        Path base = env.directory("small");
        dataRoot = Files.createDirectories(base.resolve("data"));
        env.runner().run(List.of("mount", "-t", "tmpfs", "-o", "size=4m,nr_inodes=400,mode=0711", "sysbox-full-test",
                dataRoot.toString())).requireSuccess();
        ManagerDirs dirs = new ManagerDirs(Files.createDirectories(base.resolve("run")), dataRoot, base.resolve("subuid"),
                base.resolve("subgid"), base.resolve("sysbox-mgr.log"), base.resolve("sysbox-mgr.console"));
        Files.writeString(dirs.subuidFile(), "");
        Files.writeString(dirs.subgidFile(), "");
        small = ManagerProcess.start(env.dist().sysboxMgr(), dirs);
        Path root = Files.createDirectories(base.resolve("runtime-root"));
        runc = new SysboxRunc(env.dist().sysboxRunc(), root, dirs.runDir(), base.resolve("sysbox-runc.log"), env.runner());
        leaks = new LeakCheck(dataRoot, root, env.cgroups());
        env.keepLog(dirs.logFile());
    }

    @AfterAll
    void stopItAndUnmount() {
        if (small != null) small.stop();
        if (dataRoot != null) env.runner().run(List.of("umount", dataRoot.toString()));
    }

    @AfterEach
    void emptyTheDisk() throws IOException {
        for (String leftover : List.of("filler", "fillers")) TreeRemoval.remove(dataRoot.resolve(leftover));
    }

    private CommandResult create(BusyboxBundle bundle, String id) {
        return runc.run("create", "--bundle", bundle.dir().toString(), id);
    }

    /** The full disk's refusal, nothing left, then space again: a container's whole life works. */
    private void refusedThenRecovered(String hint) throws IOException {
        String id = hint + "-" + ProcessHandle.current().pid();
        // One bundle (on the suite's disk, not the full one) for the refused create and the one after.
        BusyboxBundle bundle = BusyboxBundle.create(env.work().resolve("small-bundles").resolve(id), runc,
                env.cgroups().pathFor(id));
        CommandResult full = create(bundle, id);
        containers.assertRefused(full, "no space left on device");
        assertTrue(full.stderr().contains(dataRoot.toString()), "the message should name the data root:\n" + full.describe());
        assertEquals(List.of(), leaks.leaks().stream().filter(l -> !l.contains("sysbox-full-test")).toList(),
                "the refused create left (the test's own tmpfs aside)");
        assertTrue(small.isAlive(), "the manager died");
        emptyTheDisk();

        CommandResult create = create(bundle, id);
        assertEquals(0, create.exitCode(), () -> "with space again:\n" + create.describe());
        runc.run("start", id).requireSuccess();
        runc.run("delete", "--force", id).requireSuccess();
        assertEquals(List.of(), LeakCheck.awaitEmpty(() -> leaks.leaks().stream().filter(l -> !l.contains("sysbox-full-test"))
                .toList(), Duration.ofSeconds(10)), "after delete");
    }

    @Test
    void aDataRootOutOfBytes() throws IOException {
        byte[] chunk = new byte[64 << 10];
        try (OutputStream out = Files.newOutputStream(dataRoot.resolve("filler"))) {
            for (int i = 0; i < 1000; i++) out.write(chunk);
        } catch (IOException expected) {
            assertTrue(expected.getMessage().contains("No space left"), expected.getMessage());
        }
        refusedThenRecovered("full-bytes");
    }

    @Test
    void aDataRootOutOfInodes() throws IOException {
        Path fillers = Files.createDirectories(dataRoot.resolve("fillers"));
        List<Path> made = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) made.add(Files.createFile(fillers.resolve("f" + i)));
        } catch (IOException expected) {
            assertTrue(expected.getMessage().contains("No space left"), expected.getMessage());
        }
        assertTrue(made.size() < 1000, "the tmpfs never ran out of inodes");
        refusedThenRecovered("full-inodes");
    }
}
