package io.sysbox.fs.emulation;

import java.io.IOException;
import java.util.Optional;

/**
 * A registered container: the host files its emulated values come from, opened once at
 * registration (so a wrong cgroup path fails the registration, not a read inside the
 * container) and closed when it is unregistered, and its own sysctl values.
 */
public final class ContainerState implements AutoCloseable {
    private final Container container;
    private final MemoryCgroupReader memory;
    private final CpuCgroupReader cpu;
    private final SysctlStore sysctls = new SysctlStore();

    private ContainerState(Container container, MemoryCgroupReader memory, CpuCgroupReader cpu) {
        this.container = container;
        this.memory = memory;
        this.cpu = cpu;
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
        CpuCgroupReader cpu;
        try {
            cpu = CpuCgroupReader.open(container).orElse(null);
        } catch (IOException e) {
            if (memory != null) memory.close();
            throw new IOException("container " + container.id() + ": " + e.getMessage(), e);
        }
        return new ContainerState(container, memory, cpu);
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

    /** Its cpuset and CPU quota, if it was registered with cgroups that hold either. */
    public Optional<CpuCgroupReader> cpu() {
        return Optional.ofNullable(cpu);
    }

    /** Its own values of the sysctls it may change. */
    public SysctlStore sysctls() {
        return sysctls;
    }

    @Override
    public void close() throws IOException {
        try {
            if (memory != null) memory.close();
        } finally {
            if (cpu != null) cpu.close();
        }
    }
}
