package io.sysbox.mgr.service;

/** A request the manager cannot serve; the message is meant for the user and says what to do. */
public sealed abstract class ServiceException extends Exception
        permits InvalidRequestException, PreconditionFailedException {
    protected ServiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
