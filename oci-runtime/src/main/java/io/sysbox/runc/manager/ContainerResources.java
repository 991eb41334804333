package io.sysbox.runc.manager;

import io.sysbox.common.proto.PrepareRequest;
import io.sysbox.common.proto.PrepareResponse;

import java.io.IOException;

/**
 * Who allocates a container's ids and shifts its files: sysbox-mgr (called in-process when the
 * manager runs the setup, through its channel otherwise), or nobody (--no-sysbox-mgr).
 */
public interface ContainerResources {
    PrepareResponse prepare(PrepareRequest request) throws IOException;

    void release(String id) throws IOException;

    /** Whether delete must call release (recorded at create). */
    boolean managed();
}
