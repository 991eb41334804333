package io.sysbox.fs.emulation;

import io.sysbox.fs.fuse.Attributes;

/**
 * An emulated file of one container. Its size shows as 0, as /proc's files do: the content
 * exists only when read, and readers read until end of file.
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
