package io.sysbox.setup.resources;

import java.io.IOException;
import java.util.Map;

/**
 * --no-sysbox-mgr, for testing the runtime alone: nothing is allocated or shifted. The spec must
 * carry its own mappings (`sysbox-runc spec --id-map`), and the rootfs is used as it is, so it
 * must already be owned by the mapped root.
 */
public record UnmanagedResources() implements ContainerResources {
    @Override
    public Prepared prepare(Preparation request) throws IOException {
        if (request.uidMappings().isEmpty() || request.gidMappings().isEmpty()) {
            throw new IOException("--no-sysbox-mgr: nothing allocates an id range, so the spec needs "
                    + "linux.uidMappings and gidMappings (create it with `sysbox-runc spec --id-map \"UID GID SIZE\"`)");
        }
        return new Prepared(request.uidMappings().getFirst(), request.gidMappings().getFirst(),
                request.rootfs().toString(), Map.of(), Map.of(), false, true);
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
