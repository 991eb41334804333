package io.sysbox.common.oci;

/** The spec (or a knob in it) cannot be run; the message tells what, where and how to fix it. */
public final class InvalidSpecException extends Exception {
    public InvalidSpecException(String message) {
        super(message);
    }
}
