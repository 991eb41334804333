package io.sysbox.mgr.service;

/** The request itself is wrong (bad id, bad mappings): gRPC INVALID_ARGUMENT. */
public final class InvalidRequestException extends ServiceException {
    public InvalidRequestException(String message) {
        super(message, null);
    }
}
