package io.sysbox.conformance.reliability;

/** A system container one of the reliability suites started, by the way it was started. */
sealed interface SystemContainer {
    String id();

    /** `sysbox-runc run --detach` of a busybox bundle. */
    record Bundle(String id) implements SystemContainer {}

    /** `docker run -d --runtime=sysbox-runc` on the suite's private dockerd. */
    record Docker(String id) implements SystemContainer {}
}
