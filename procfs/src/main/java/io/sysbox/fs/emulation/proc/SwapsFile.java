package io.sysbox.fs.emulation.proc;

import io.sysbox.fs.emulation.file.EmulatedFile;
import io.sysbox.fs.emulation.registry.ContainerState;
import java.nio.charset.StandardCharsets;

/** proc/swaps: the header alone. A container has no swap devices of its own, and the host's are not its business. */
public final class SwapsFile implements EmulatedFile {
    /** The kernel's header, tabs included (mm/swapfile.c). */
    public static final String HEADER = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
    private static final byte[] CONTENT = HEADER.getBytes(StandardCharsets.US_ASCII);

    @Override
    public String name() {
        return "swaps";
    }

    @Override
    public int permissions() {
        return 0444;
    }

    @Override
    public byte[] render(ContainerState container) {
        return CONTENT.clone();
    }
}
