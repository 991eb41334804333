package io.sysbox.install.node;

import io.sysbox.install.containerd.ContainerdBinary;
import io.sysbox.install.containerd.ContainerdHandlerInstall;
import io.sysbox.install.crio.CrioHandlerInstall;
import io.sysbox.install.host.HostRoot;
import io.sysbox.install.host.Service;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The CRI runtimes the installer configures, and how it finds them on a host root. */
public enum CriRuntime {
    CONTAINERD(Service.CONTAINERD, List.of(ContainerdHandlerInstall.DEFAULT_CONFIG), ContainerdBinary.LOCATIONS),
    CRIO(Service.CRIO, List.of(CrioHandlerInstall.MAIN_CONFIG, CrioHandlerInstall.DROP_IN_DIR),
            List.of(Path.of("/usr/bin/crio"), Path.of("/usr/local/bin/crio")));

    private final Service service;
    private final List<Path> configs;
    private final List<Path> binaries;

    CriRuntime(Service service, List<Path> configs, List<Path> binaries) {
        this.service = service;
        this.configs = configs;
        this.binaries = binaries;
    }

    public Service service() {
        return service;
    }

    /** Installed on HOST: its config or its binary is there. */
    public boolean isOn(HostRoot host) {
        for (Path p : configs) if (Files.exists(host.resolve(p))) return true;
        for (Path p : binaries) if (Files.isRegularFile(host.resolve(p))) return true;
        return false;
    }

    /** Every runtime on HOST (both where both are installed: the kubelet may use either). */
    public static List<CriRuntime> on(HostRoot host) {
        List<CriRuntime> found = new ArrayList<>();
        for (CriRuntime r : values()) if (r.isOn(host)) found.add(r);
        return found;
    }

    /** Where the installer looked, for the message of a node with neither. */
    public static String whereLooked() {
        List<String> paths = new ArrayList<>();
        for (CriRuntime r : values()) {
            r.configs.forEach(p -> paths.add(p.toString()));
            r.binaries.forEach(p -> paths.add(p.toString()));
        }
        return String.join(", ", paths);
    }
}
