package io.sysbox.setup.resources;

import io.sysbox.common.oci.IdMapping;
import io.sysbox.common.proto.ConfigResponse;
import io.sysbox.common.proto.PrepareRequest;
import io.sysbox.common.proto.PrepareResponse;
import io.sysbox.common.proto.PreparedMount;
import io.sysbox.common.proto.SpecialMount;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PrepareMessagesTest {
    @Test
    void everyFieldOfThePreparationReachesTheRequest() {
        Preparation p = new Preparation("c1", Path.of("/b/rootfs"), List.of(new IdMapping(0, 165536, 65536)),
                List.of(new IdMapping(0, 165536, 65536)),
                List.of(new Preparation.BindSource(3, Path.of("/src"), "/dst", List.of("rbind", "ro"))),
                List.of("/dst"), 42, Path.of("/run/runc/c1"), Path.of("/run/sysbox-runc/sysbox/c1"),
                Optional.of(new Preparation.PodName("u1", "ns", "pod")), true, 4242);
        PrepareRequest r = PrepareMessages.request(p);
        assertEquals("c1", r.getId());
        assertEquals("/b/rootfs", r.getRootfs());
        assertEquals(165536, r.getUidMappings(0).getHostId());
        assertEquals(65536, r.getGidMappings(0).getSize());
        assertEquals(3, r.getBindMounts(0).getIndex());
        assertEquals("/src", r.getBindMounts(0).getSource());
        assertEquals(List.of("rbind", "ro"), r.getBindMounts(0).getOptionsList());
        assertEquals(List.of("/dst"), r.getSkipUidShiftList());
        assertEquals(42, r.getWatchPid());
        assertEquals("/run/runc/c1", r.getRuntimeStateDir());
        assertEquals("/run/sysbox-runc/sysbox/c1", r.getRuntimePrivateDir());
        assertEquals("u1", r.getPod().getUid());
        assertEquals("ns", r.getPod().getNamespace());
        assertEquals("pod", r.getPod().getName());
        assertEquals(true, r.getOciHooks());
        assertEquals(4242, r.getJoinedUsernsPid());
        PrepareRequest plain = PrepareMessages.request(new Preparation("c2", Path.of("/r"), List.of(), List.of(),
                List.of(), List.of(), 0, Path.of("/s"), Path.of("/p"), Optional.empty(), false, 0));
        assertEquals(false, plain.hasPod());
        assertEquals(false, plain.getOciHooks());
    }

    @Test
    void theResponseBecomesRecordsWithUnsignedIdsAndOnlyTheMountsThatChanged() {
        io.sysbox.common.proto.IdMapping high = io.sysbox.common.proto.IdMapping.newBuilder()
                .setContainerId(0).setHostId((int) 3_000_000_000L).setSize(65536).build();
        PrepareResponse response = PrepareResponse.newBuilder().setUidMapping(high).setGidMapping(high)
                .setRootfs("/shifted/c1/rootfs")
                .addMounts(PreparedMount.newBuilder().setIndex(1).setSource("/shifted/c1/mounts/0"))
                .addMounts(PreparedMount.newBuilder().setIndex(2))
                .addSpecialMounts(SpecialMount.newBuilder().setSource("/var/lib/sysbox/docker/c1").setDestination("/var/lib/docker"))
                .setConfig(ConfigResponse.newBuilder().setHonorCaps(true).setSyscontMode(false))
                .build();
        assertEquals(new Prepared(new IdMapping(0, 3_000_000_000L, 65536), new IdMapping(0, 3_000_000_000L, 65536),
                        "/shifted/c1/rootfs", Map.of(1, "/shifted/c1/mounts/0"),
                        Map.of("/var/lib/docker", "/var/lib/sysbox/docker/c1"), true, false),
                PrepareMessages.prepared(response));
    }
}
