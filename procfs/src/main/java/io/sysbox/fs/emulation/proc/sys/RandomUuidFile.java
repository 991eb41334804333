package io.sysbox.fs.emulation.proc.sys;

import io.sysbox.fs.emulation.file.EmulatedFile;
import io.sysbox.fs.emulation.registry.ContainerState;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** proc/sys/kernel/random/uuid: a fresh random (version 4) UUID on every read, as the kernel gives. */
public final class RandomUuidFile implements EmulatedFile {
    private final int permissions;

    /** @param permissions the host's file's (0444) */
    public RandomUuidFile(int permissions) {
        this.permissions = permissions;
    }

    @Override
    public String name() {
        return "uuid";
    }

    @Override
    public int permissions() {
        return permissions;
    }

    @Override
    public byte[] render(ContainerState container) {
        return (UUID.randomUUID() + "\n").getBytes(StandardCharsets.US_ASCII);
    }
}
