package io.sysbox.mgr.specialdirs;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SpecialMountTest {
    @Test
    void aSpecialMountGoesBeforeTheFirstMountBelowIt() {
        List<String> spec = List.of("/proc", "/var/lib", "/var/lib/dockerfile", "/var/lib/docker/volumes/x", "/var/lib/docker/y");

        assertEquals(3, SpecialMount.insertionIndex(spec, "/var/lib/docker"),
                "after its parent /var/lib, before /var/lib/docker/volumes/x; /var/lib/dockerfile is not below it");
        assertEquals(spec.size(), SpecialMount.insertionIndex(spec, "/var/lib/kubelet"), "nothing below: at the end");
    }
}
