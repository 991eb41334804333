package io.sysbox.fs.emulation.registry;

import io.sysbox.fs.emulation.proc.sys.SysctlStore;
import java.util.Map;

/**
 * What the containers of one pod share (SPEC §6): the uptime base, the values of the sysctls
 * they may change, and the identity product_uuid is derived from. A container of its own has
 * one of its own; a container joining another's network namespace registers with the first
 * one's, and it lives while any of them is registered (see {@link ContainerRegistry}).
 *
 * @param nonce              its identity in sysbox-fs's saved state, never reused
 * @param ownerId            the container that made it: product_uuid comes from its id
 * @param startBoottimeNanos when that container started, on CLOCK_BOOTTIME
 */
public record EmulationState(long nonce, String ownerId, long startBoottimeNanos, SysctlStore sysctls) {
    /** A container's own state, saved nowhere (tests, benchmarks, the files' unit tests). */
    public static EmulationState own(Container container) {
        return new EmulationState(0, container.id(), container.startBoottimeNanos(), new SysctlStore(Map.of(), store -> {}));
    }
}
