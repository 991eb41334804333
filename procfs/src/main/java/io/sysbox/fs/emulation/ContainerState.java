package io.sysbox.fs.emulation;

import java.io.IOException;
import java.util.Optional;

/**
 * A registered container and the host files its emulated values come from, opened once at
 * registration (so a wrong cgroup path fails the registration, not a read inside the
 * container) and closed when it is unregistered.
 */
public final class ContainerState implements AutoCloseable {
    private final Container container;
    private final MemoryCgroupReader memory;

    private ContainerState(Container container, MemoryCgroupReader memory) {
        this.container = container;
        this.memory = memory;
    }

    public static ContainerState open(Container container) throws IOException {
        MemoryCgroupReader memory = null;
        if (container.memoryCgroup().isPresent()) {
            try {
                memory = new MemoryCgroupReader(container.memoryCgroup().get());
            } catch (IOException e) {
                throw new IOException("container " + container.id() + ": " + e.getMessage(), e);
            }
        }
        return new ContainerState(container, memory);
    }

    public Container container() {
        return container;
    }

    public String id() {
        return container.id();
    }

    /** Its memory cgroup, if it was registered with one. */
    public Optional<MemoryCgroupReader> memory() {
        return Optional.ofNullable(memory);
    }

    @Override
    public void close() throws IOException {
        if (memory != null) memory.close();
    }
}
