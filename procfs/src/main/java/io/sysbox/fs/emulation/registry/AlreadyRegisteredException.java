package io.sysbox.fs.emulation.registry;

/** A container id that is registered already. */
public final class AlreadyRegisteredException extends Exception {
    public AlreadyRegisteredException(String id) {
        super("container " + id + " is already registered with sysbox-fs; unregister it first");
    }
}
