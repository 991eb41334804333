package io.sysbox.mgr.service;

/** The request is well-formed but the host's state forbids it: gRPC FAILED_PRECONDITION. */
public final class PreconditionFailedException extends ServiceException {
    public PreconditionFailedException(String message) {
        super(message, null);
    }

    public PreconditionFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
