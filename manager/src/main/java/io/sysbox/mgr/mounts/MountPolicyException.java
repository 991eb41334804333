package io.sysbox.mgr.mounts;

/** A bind mount the runtime must refuse: the message names the path and the rule it breaks. */
public final class MountPolicyException extends Exception {
    public MountPolicyException(String message) {
        super(message);
    }
}
