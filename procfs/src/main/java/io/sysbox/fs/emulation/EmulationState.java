package io.sysbox.fs.emulation;

import java.util.Map;
import java.util.function.Consumer;

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
    /** A state whose sysctl changes are reported to {@code changed} (to be saved). */
    static EmulationState of(long nonce, String ownerId, long startBoottimeNanos, Map<String, SysctlValue> sysctls,
                             Consumer<EmulationState> changed) {
        EmulationState[] self = new EmulationState[1];
        SysctlStore store = new SysctlStore(sysctls, () -> changed.accept(self[0]));
        self[0] = new EmulationState(nonce, ownerId, startBoottimeNanos, store);
        return self[0];
    }

    /** A container's own state, saved nowhere (tests, benchmarks, the files' unit tests). */
    public static EmulationState own(Container container) {
        return new EmulationState(0, container.id(), container.startBoottimeNanos(), new SysctlStore(Map.of(), () -> {}));
    }
}
