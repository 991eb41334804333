package io.sysbox.mgr.service;

import io.sysbox.common.proto.IdMapping;
import io.sysbox.mgr.idrange.IdRange;

/** Conversions between the manager's model and the protocol messages. */
final class Protos {
    private Protos() {}

    static IdMapping mapping(IdRange range) {
        return IdMapping.newBuilder().setContainerId(0).setHostId((int) range.hostId()).setSize((int) range.size()).build();
    }
}
