package io.sysbox.setup.resources;

import io.sysbox.common.oci.IdMapping;
import io.sysbox.common.proto.BindMount;
import io.sysbox.common.proto.PodRef;
import io.sysbox.common.proto.PrepareRequest;
import io.sysbox.common.proto.PrepareResponse;
import io.sysbox.common.proto.PreparedMount;
import io.sysbox.common.proto.SpecialMount;

import java.util.HashMap;
import java.util.Map;

/**
 * The setup's records as the manager's Prepare messages (manager.proto) and back: for the CLI's
 * client, which sends them on the framed channel, and for the manager, whose service takes them.
 */
public final class PrepareMessages {
    private PrepareMessages() {}

    public static PrepareRequest request(Preparation p) {
        PrepareRequest.Builder b = PrepareRequest.newBuilder()
                .setId(p.id())
                .setRootfs(p.rootfs().toString())
                .setWatchPid((int) p.watchPid())
                .setRuntimeStateDir(p.runtimeStateDir().toString())
                .setRuntimePrivateDir(p.runtimePrivateDir().toString())
                .addAllSkipUidShift(p.skipUidShift())
                .setOciHooks(p.ociHooks())
                .setJoinedUsernsPid(p.joinedUsernsPid());
        p.pod().ifPresent(pod -> b.setPod(PodRef.newBuilder().setUid(pod.uid()).setNamespace(pod.namespace())
                .setName(pod.name())));
        p.uidMappings().forEach(m -> b.addUidMappings(mapping(m)));
        p.gidMappings().forEach(m -> b.addGidMappings(mapping(m)));
        for (Preparation.BindSource m : p.bindMounts()) {
            b.addBindMounts(BindMount.newBuilder().setIndex(m.index()).setSource(m.source().toString())
                    .setDestination(m.destination()).addAllOptions(m.options()));
        }
        return b.build();
    }

    public static Prepared prepared(PrepareResponse r) {
        Map<Integer, String> sources = new HashMap<>();
        for (PreparedMount m : r.getMountsList()) {
            if (!m.getSource().isEmpty()) sources.put(m.getIndex(), m.getSource());
        }
        Map<String, String> special = new HashMap<>();
        for (SpecialMount m : r.getSpecialMountsList()) special.put(m.getDestination(), m.getSource());
        return new Prepared(mapping(r.getUidMapping()), mapping(r.getGidMapping()), r.getRootfs(), sources, special,
                r.getConfig().getHonorCaps(), r.getConfig().getSyscontMode());
    }

    private static io.sysbox.common.proto.IdMapping mapping(IdMapping m) {
        return io.sysbox.common.proto.IdMapping.newBuilder().setContainerId((int) m.containerId())
                .setHostId((int) m.hostId()).setSize((int) m.size()).build();
    }

    // uint32 on the wire: a host id above 2^31 stays positive.
    private static IdMapping mapping(io.sysbox.common.proto.IdMapping m) {
        return new IdMapping(Integer.toUnsignedLong(m.getContainerId()), Integer.toUnsignedLong(m.getHostId()),
                Integer.toUnsignedLong(m.getSize()));
    }
}
