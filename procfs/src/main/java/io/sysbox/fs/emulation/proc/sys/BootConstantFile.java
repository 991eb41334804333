package io.sysbox.fs.emulation.proc.sys;

import io.sysbox.fs.emulation.file.EmulatedFile;
import io.sysbox.fs.emulation.file.Modes;
import io.sysbox.fs.emulation.registry.ContainerState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A read-only host file whose value the kernel fixes at boot (kernel/cap_last_cap,
 * kernel/ngroups_max): read once, served to every container as the host shows it.
 */
public final class BootConstantFile implements EmulatedFile {
    private final String name;
    private final byte[] content;
    private final int permissions;

    public BootConstantFile(Path host) throws IOException {
        this.name = host.getFileName().toString();
        this.content = HostSysctlFile.readText(host).getBytes(StandardCharsets.ISO_8859_1);
        this.permissions = Modes.of(host);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int permissions() {
        return permissions;
    }

    @Override
    public byte[] render(ContainerState container) {
        return content.clone();
    }
}
