package io.sysbox.install.node;

import java.util.List;

/** What installing on (or cleaning up) a node came to; each line is for the operator's log. */
public sealed interface NodeOutcome {
    List<String> lines();

    /** Installed: CHANGED is false when everything was in place already (nothing written, nothing restarted). */
    record Installed(List<CriRuntime> runtimes, boolean changed, List<String> lines) implements NodeOutcome {
        public Installed {
            runtimes = List.copyOf(runtimes);
            lines = List.copyOf(lines);
        }
    }

    /** The node cannot run the runtime: nothing was changed. REASON says why, in a sentence. */
    record Unsupported(String reason) implements NodeOutcome {
        @Override
        public List<String> lines() {
            return List.of("not installed: " + reason);
        }
    }

    /** Everything the installer had changed is back as it was. */
    record Uninstalled(boolean changed, List<String> lines) implements NodeOutcome {
        public Uninstalled {
            lines = List.copyOf(lines);
        }
    }
}
