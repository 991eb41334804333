package io.sysbox.setup.state;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What delete asks of a container's private directory, by file presence alone: the record's
 * class refers to Jackson, and verifying it would load ~40 Jackson classes into every delete
 * (and into the AOT cache that start, delete, state and kill share).
 */
public final class ContainerRecordFiles {
    /** The record ContainerRecord writes. */
    public static final String RECORD = "sysbox.json";
    /** Present when the container's ids and mounts did not come from sysbox-mgr. */
    static final String UNMANAGED_MARKER = "unmanaged";

    private ContainerRecordFiles() {}

    /** This directory holds a container set up by sysbox-runc. */
    public static boolean exists(Path containerDir) {
        return Files.exists(containerDir.resolve(RECORD));
    }

    /** Its ids and mounts came from sysbox-mgr, which must release them at delete. */
    public static boolean managedIn(Path containerDir) {
        return !Files.exists(containerDir.resolve(UNMANAGED_MARKER));
    }
}
