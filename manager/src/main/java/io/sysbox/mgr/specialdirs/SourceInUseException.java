package io.sysbox.mgr.specialdirs;

/**
 * A user volume or bind source already serves as the inner Docker image cache of another
 * running container. Docker does not support two daemons sharing one image cache.
 */
public final class SourceInUseException extends Exception {
    private final String owner;

    public SourceInUseException(String message, String owner) {
        super(message);
        this.owner = owner;
    }

    /** The container that uses the source. */
    public String owner() {
        return owner;
    }
}
