package io.sysbox.conformance;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Issue 2, acceptance 4: the capability rule and SYSBOX_HONOR_CAPS, compared with this process's own set. */
class CapabilityIT extends SuiteLifecycle {
    private static final List<String> ALL_SETS = List.of("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb");
    private static final long CAP_CHOWN_ONLY = 1L;  // bit 0

    private long hostEffective;

    @BeforeAll
    void readOwnCapabilities() {
        hostEffective = ProcStatus.self().capabilities("CapEff");
    }

    @Test
    void rootInsideGetsTheRuntimesFullSetInAllFiveSetsEvenWhenTheSpecDropsThem() throws IOException {
        String id = env.newContainerId("caps-root");
        containers.runDetached(env.bundle(id).capabilities("CAP_CHOWN").write(), id);
        ProcStatus init = ProcStatus.parse(containers.exec(id, "cat", "/proc/1/status"));
        for (String set : ALL_SETS) {
            assertEquals(hex(hostEffective), hex(init.capabilities(set)), set + " of the container's init (root)");
        }
        ProcStatus exec = ProcStatus.parse(containers.exec(id, "cat", "/proc/self/status"));
        for (String set : ALL_SETS) {
            assertEquals(hex(hostEffective), hex(exec.capabilities(set)), set + " of a process exec'd as root");
        }
    }

    @Test
    void aNonRootUserGetsEmptySetsExceptBounding() throws IOException {
        String id = env.newContainerId("caps-user");
        containers.runDetached(env.bundle(id).capabilities("CAP_CHOWN").write(), id);
        ProcStatus user = ProcStatus.parse(containers.execWith(id, List.of("--user", "1000"), "cat", "/proc/self/status"));
        assertEquals(1000, user.realUid(), "uid of exec --user 1000 (as the container sees it)");
        for (String set : List.of("CapInh", "CapPrm", "CapEff", "CapAmb")) {
            assertEquals(hex(0), hex(user.capabilities(set)), set + " of exec --user 1000");
        }
        assertEquals(hex(hostEffective), hex(user.capabilities("CapBnd")), "CapBnd of exec --user 1000");
    }

    @Test
    void honorCapsKeepsTheSpecsSet() throws IOException {
        String id = env.newContainerId("caps-honor");
        containers.runDetached(env.bundle(id).capabilities("CAP_CHOWN").env("SYSBOX_HONOR_CAPS", "TRUE").write(), id);
        ProcStatus init = ProcStatus.parse(containers.exec(id, "cat", "/proc/1/status"));
        for (String set : ALL_SETS) {
            assertEquals(hex(CAP_CHOWN_ONLY), hex(init.capabilities(set)),
                    set + " of init with SYSBOX_HONOR_CAPS=TRUE and only CAP_CHOWN in the spec");
        }
    }

    private static String hex(long mask) {
        return String.format("%016x", mask);
    }
}
