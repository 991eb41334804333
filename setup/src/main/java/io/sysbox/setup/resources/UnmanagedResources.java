package io.sysbox.setup.resources;

import io.sysbox.common.proto.ConfigResponse;
import io.sysbox.common.proto.PrepareRequest;
import io.sysbox.common.proto.PrepareResponse;

import java.io.IOException;

/**
 * --no-sysbox-mgr, for testing the runtime alone: nothing is allocated or shifted. The spec must
 * carry its own mappings (`sysbox-runc spec --id-map`), and the rootfs is used as it is, so it
 * must already be owned by the mapped root.
 */
public record UnmanagedResources() implements ContainerResources {
    @Override
    public PrepareResponse prepare(PrepareRequest request) throws IOException {
        if (request.getUidMappingsCount() == 0 || request.getGidMappingsCount() == 0) {
            throw new IOException("--no-sysbox-mgr: nothing allocates an id range, so the spec needs "
                    + "linux.uidMappings and gidMappings (create it with `sysbox-runc spec --id-map \"UID GID SIZE\"`)");
        }
        return PrepareResponse.newBuilder()
                .setUidMapping(request.getUidMappings(0))
                .setGidMapping(request.getGidMappings(0))
                .setRootfs(request.getRootfs())
                .setConfig(ConfigResponse.newBuilder().setSyscontMode(true))
                .build();
    }

    @Override
    public void release(String id) {
        // nothing was allocated
    }

    @Override
    public boolean managed() {
        return false;
    }
}
