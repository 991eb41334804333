package io.sysbox.common.channel;

/** The manager's methods on the framed channel: one byte each, same messages as the gRPC service. */
public enum ManagerMethod {
    PREPARE, RELEASE, LIST, CONFIG, CREATE,
    /** The compiled launcher's call (LauncherRequest), and its report after running the engine (EngineOutcome). */
    LAUNCH, ENGINE_OUTCOME,
    /** sysbox-oci-hook's call (OciHookRequest): an OCI hook of a container an unmodified runtime runs. */
    OCI_HOOK;

    public byte code() {
        return (byte) (ordinal() + 1);
    }

    public static ManagerMethod of(byte code) {
        ManagerMethod[] all = values();
        if (code < 1 || code > all.length) throw new IllegalArgumentException("unknown method " + code);
        return all[code - 1];
    }
}
