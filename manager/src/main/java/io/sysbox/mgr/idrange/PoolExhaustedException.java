package io.sysbox.mgr.idrange;

/** Every range of the sysbox pool is in use. */
public final class PoolExhaustedException extends Exception {
    public PoolExhaustedException(String message) {
        super(message);
    }
}
