package io.sysbox.fs.emulation.tree;

import io.sysbox.fs.emulation.file.EmulatedFile;
import io.sysbox.fs.emulation.registry.ContainerState;
import io.sysbox.fs.fuse.Attributes;

/**
 * An emulated file of one container. Its content exists only when read; the file system reports
 * a size from it (see EmulationFileSystem.attributesOf), this record only the rest.
 */
public record FileNode(long id, ContainerState container, EmulatedFile file, long timeSeconds) implements Node {
    @Override
    public String name() {
        return file.name();
    }

    @Override
    public Attributes attributes() {
        return new Attributes(id, 0, Attributes.S_IFREG | file.permissions(), 1, container.container().rootUid(),
                container.container().rootGid(), timeSeconds);
    }
}
