package io.sysbox.fs.emulation.registry;

import io.sysbox.fs.emulation.cgroup.CpuCgroupReader;
import io.sysbox.fs.emulation.cgroup.MemoryReader;
import io.sysbox.fs.emulation.proc.sys.SysctlStore;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Files;
import java.util.Optional;

/**
 * A registered container: the host files its emulated values come from, opened once at
 * registration (so a wrong cgroup path fails the registration, not a read inside the
 * container) and closed when it is unregistered, and its {@link EmulationState} (uptime base,
 * sysctl values, product_uuid identity), shared with the other containers of its pod.
 */
public final class ContainerState implements AutoCloseable {
    private final Container container;
    private final MemoryReader memory;
    private final CpuCgroupReader cpu;
    private final EmulationState emulation;

    private ContainerState(Container container, MemoryReader memory, CpuCgroupReader cpu,
                           EmulationState emulation) {
        this.container = container;
        this.memory = memory;
        this.cpu = cpu;
        this.emulation = emulation;
    }

    /** A container with an emulation state of its own, saved nowhere. */
    public static ContainerState open(Container container) throws IOException {
        return open(container, EmulationState.own(container));
    }

    /** A container using {@code emulation} (its own, or its pod's). */
    public static ContainerState open(Container container, EmulationState emulation) throws IOException {
        MemoryReader memory = null;
        // cgroup v2: the unified directory, when its memory controller is enabled (a hybrid host's has none).
        Optional<Path> memoryDir = container.memoryCgroup()
                .or(() -> container.cgroup("unified").filter(dir -> Files.exists(dir.resolve("memory.current"))));
        if (memoryDir.isPresent()) {
            try {
                memory = MemoryReader.open(memoryDir.get());
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
        return new ContainerState(container, memory, cpu, emulation);
    }

    public Container container() {
        return container;
    }

    public String id() {
        return container.id();
    }

    /** Its memory cgroup, if it was registered with one. */
    public Optional<MemoryReader> memory() {
        return Optional.ofNullable(memory);
    }

    /** Its cpuset and CPU quota, if it was registered with cgroups that hold either. */
    public Optional<CpuCgroupReader> cpu() {
        return Optional.ofNullable(cpu);
    }

    /** The values of the sysctls it may change: its own, or its pod's. */
    public SysctlStore sysctls() {
        return emulation.sysctls();
    }

    /** What it shares with the other containers of its pod (or has alone). */
    public EmulationState emulation() {
        return emulation;
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
