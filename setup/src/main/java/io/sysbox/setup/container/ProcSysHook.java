package io.sysbox.setup.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sysbox.common.oci.Spec;
import io.sysbox.setup.Libexec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The OCI createRuntime hook that binds sysbox-fs's per-container sysctl files over the
 * container's /proc/sys (runc refuses such mounts in the spec, see {@link EmulatedFiles}) and its
 * /sys/devices/virtual over the container's. runc runs it as host root after it has mounted the
 * container's /proc and /sys and before pivot_root, so each destination is the rootfs's absolute
 * path plus /proc/sys/... or /sys/devices/virtual; the hook (C, hooks/ module) joins the
 * container's network and mount namespaces to make the binds. Under /sys/devices/virtual, net is
 * kept the container's own (--keep): its sysfs lists there the devices of the container's network
 * namespace (inner Docker's bridges and veths), which a spec bind made by runc would have hidden.
 *
 * @param helper the installed sysbox-procsys-hook
 */
record ProcSysHook(Path helper) {
    static final String NAME = "sysbox-procsys-hook";
    /** A FUSE lookup is all it waits for; runc kills a hook that outlives this and fails create. */
    private static final int TIMEOUT_SECONDS = 30;

    /** The helper of this installation. */
    static ProcSysHook installed(Libexec libexec) throws IOException {
        return new ProcSysHook(libexec.find(NAME, "to bind sysbox-fs's /proc/sys files"));
    }

    /**
     * Adds the hook to the converted spec for {@code binds} (path inside the container, as
     * /proc/sys/... or /sys/devices/virtual, to its source on the host); nothing when there are none.
     */
    void addTo(Spec spec, Map<String, String> binds) {
        if (binds.isEmpty()) return;
        String rootfs = spec.rootPath().orElseThrow(() -> new IllegalArgumentException("the spec has no root.path"));
        if (!rootfs.startsWith("/")) {
            throw new IllegalArgumentException("root.path must be absolute after conversion, got " + rootfs);
        }
        for (String destination : binds.keySet()) {
            if (!destination.startsWith("/proc/sys/") && !destination.equals(EmulatedFiles.DEVICES_VIRTUAL)) {
                throw new IllegalArgumentException("the hook binds over /proc/sys and " + EmulatedFiles.DEVICES_VIRTUAL
                        + " only, not " + destination);
            }
        }
        ObjectNode hook = Spec.arrayIn(Spec.objectIn(spec.json(), "hooks"), "createRuntime").addObject();
        hook.put("path", helper.toString());
        ArrayNode args = hook.putArray("args").add(NAME);
        arguments(rootfs, List.of(), binds).forEach(args::add);
        hook.put("timeout", TIMEOUT_SECONDS);
    }

    /**
     * A bind mount of the spec that an unmodified runtime made from its original source (OCI hooks
     * mode), to be covered by SOURCE, the manager's idmapped clone of it; DESTINATION as in the spec.
     */
    record Rebind(String source, String destination) {}

    /**
     * The helper's command line, argv[0] its path, as an OCI hook of an unmodified runtime execs it:
     * each rebind (in the order given), then {@code binds} (destinations anywhere on the container's
     * /proc or /sys: the helper refuses others). ROOTFS is absolute, as the runtime mounted it.
     * SOURCES_IN is the mount namespace the sources are mounted in (the manager's): the engine may
     * run the runtime in one of its own, copied before the sources were made (Podman's conmon).
     */
    List<String> command(String rootfs, Path sourcesIn, List<Rebind> rebinds, Map<String, String> binds) {
        List<String> argv = new ArrayList<>();
        argv.add(helper.toString());
        argv.addAll(List.of("--sources-in", sourcesIn.toString()));
        argv.addAll(arguments(rootfs, rebinds, binds));
        return argv;
    }

    private static List<String> arguments(String rootfs, List<Rebind> rebinds, Map<String, String> binds) {
        List<String> args = new ArrayList<>();
        if (binds.containsKey(EmulatedFiles.DEVICES_VIRTUAL)) {
            args.addAll(List.of("--keep", rootfs + EmulatedFiles.DEVICES_VIRTUAL + "/net"));
        }
        for (Rebind rebind : rebinds) args.addAll(List.of("--rebind", rootfs, rebind.source(), rebind.destination()));
        new TreeMap<>(binds).forEach((destination, source) -> args.addAll(List.of(source, rootfs + destination)));
        return args;
    }
}
