package io.sysbox.runc.cli;

import io.sysbox.setup.Libexec;
import io.sysbox.setup.launcher.ForwardedCalls;
import io.sysbox.setup.resources.UnmanagedResources;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class LauncherCallProviderTest {
    @Test
    void theManagerFindsTheCliOnItsClassPath() {
        // What sysbox-mgr does at start, with sysbox-runc.jar on its class path (its manifest names it).
        ForwardedCalls calls = ForwardedCalls.load(new UnmanagedResources(), new Libexec(Optional.empty())).orElseThrow();
        assertInstanceOf(LauncherCall.class, calls);
    }
}
