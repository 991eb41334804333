package io.sysbox.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Everything a private sysbox-mgr reads and writes: its run dir, data root, its own copies of
 * the subordinate-id files (never the host's /etc/subuid) and its log.
 */
public record ManagerDirs(Path runDir, Path dataRoot, Path subuidFile, Path subgidFile, Path logFile, Path consoleFile) {

    /** Creates the layout under WORK, with empty subuid/subgid files for the manager to fill. */
    public static ManagerDirs under(Path work) throws IOException {
        Path base = Files.createDirectories(work.resolve("manager"));
        ManagerDirs dirs = new ManagerDirs(base.resolve("run"), base.resolve("data"), base.resolve("subuid"),
                base.resolve("subgid"), base.resolve("sysbox-mgr.log"), base.resolve("sysbox-mgr.console"));
        Files.createDirectories(dirs.runDir);
        Files.createDirectories(dirs.dataRoot);
        Files.writeString(dirs.subuidFile, "");
        Files.writeString(dirs.subgidFile, "");
        return dirs;
    }

    public Path grpcSocket() {
        return runDir.resolve("sysmgr.sock");
    }

    public Path cliSocket() {
        return runDir.resolve("sysmgr-cli.sock");
    }

    public Path pidFile() {
        return runDir.resolve("sysmgr.pid");
    }

    /** Where the manager records each container's id range durably. */
    public Path idRanges() {
        return dataRoot.resolve("idranges");
    }
}
