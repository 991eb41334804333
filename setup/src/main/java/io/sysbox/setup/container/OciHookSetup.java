package io.sysbox.setup.container;

import io.sysbox.common.oci.IdMapping;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Mount;
import io.sysbox.common.oci.Spec;
import io.sysbox.setup.Libexec;
import io.sysbox.setup.cgroup.CgroupDelegation;
import io.sysbox.setup.resources.ContainerResources;
import io.sysbox.setup.resources.EmulatedTree;
import io.sysbox.setup.resources.Preparation;
import io.sysbox.setup.resources.Prepared;
import io.sysbox.setup.spec.ExplicitMappings;
import io.sysbox.setup.spec.HostNamespaces;
import io.sysbox.setup.spec.SysboxKnobs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The OCI hooks mode: a system container run by an unmodified runtime (plain runc under Podman or
 * CRI-O), which runs sysbox-oci-hook at createRuntime and poststop for containers annotated
 * {@value #ANNOTATION}{@code =true} (hooks.d). Nothing converts the spec, so what sysbox-runc
 * would have put in it happens here, at createRuntime, while runc waits (its namespaces made, the
 * container's /proc, /sys and binds mounted, before pivot_root): the spec is checked
 * ({@link OciHookSpec}), its mapping recorded with the manager so no other container gets those
 * ids, its bind mounts idmapped (SPEC §4), the container registered with sysbox-fs; the binds
 * themselves, in the container's mount namespace, are the procsys hook's, whose command line
 * this answers. At poststop everything is released; the manager also releases it once the
 * container's init exits, should poststop never come (a create that failed after this hook).
 */
public final class OciHookSetup {
    public static final String ANNOTATION = "io.sysbox.syscont";

    private final ContainerResources resources;
    private final Libexec libexec;
    private final Consumer<String> debug;

    public OciHookSetup(ContainerResources resources, Libexec libexec, Consumer<String> debug) {
        this.resources = resources;
        this.libexec = libexec;
        this.debug = debug;
    }

    /**
     * Handles one hook call: STATE as the runtime wrote it, HOOK_PID the hook's process (in the
     * runtime's, i.e. the host's, namespaces). Returns the command the hook execs next with the same
     * state on stdin, empty when nothing is left to do.
     */
    public List<String> handle(byte[] stateJson, long hookPid) throws IOException, InvalidSpecException {
        OciState state = OciState.parse(stateJson);
        if (!"true".equals(state.annotations().get(ANNOTATION))) {
            debug.accept("OCI hook for " + state.id() + ": not annotated " + ANNOTATION + "=true, left alone");
            return List.of();
        }
        ContainerId.check(state.id());
        return switch (state.status()) {
            case "creating" -> create(state, hookPid);
            case "stopped" -> {
                resources.release(state.id());
                debug.accept("OCI hook for " + state.id() + ": poststop, released");
                yield List.of();
            }
            default -> throw new InvalidSpecException("container " + state.id() + ": sysbox-oci-hook runs at"
                    + " createRuntime (state \"creating\") and poststop (\"stopped\"), not in state \"" + state.status()
                    + "\"; check the stages of the hooks.d file");
        };
    }

    private List<String> create(OciState state, long hookPid) throws IOException, InvalidSpecException {
        String id = state.id();
        if (state.pid() <= 0) throw new InvalidSpecException("container " + id + ": the OCI state has no \"pid\"");
        Path bundle = Path.of(state.bundle());
        if (!bundle.isAbsolute()) {
            throw new InvalidSpecException("container " + id + ": the OCI state's bundle \"" + state.bundle()
                    + "\" is not an absolute path");
        }
        Spec spec = Spec.read(bundle.resolve("config.json"));
        ExplicitMappings mapping;
        try {
            mapping = OciHookSpec.check(spec, HostNamespaces.ofProcess(Long.toString(hookPid)));
        } catch (InvalidSpecException e) {
            throw new InvalidSpecException("container " + id + ": " + e.getMessage());
        }
        SysboxKnobs knobs = SysboxKnobs.parse(spec);
        Path rootfs = bundle.resolve(spec.rootPath().orElseThrow()).normalize();
        if (!Files.isDirectory(rootfs)) {
            throw new InvalidSpecException("container " + id + ": rootfs " + rootfs + " (root.path of "
                    + bundle.resolve("config.json") + ") is not a directory");
        }
        // As runc mounted it (it resolves links in the path first): the binds' destinations are below it.
        rootfs = rootfs.toRealPath();
        // No runtime state dir to wait for: the init's exit alone releases, if poststop does not first.
        Prepared prepared = resources.prepare(new Preparation(id, rootfs, List.of(mapping.uid()), List.of(mapping.gid()),
                ContainerSetup.bindSources(spec, bundle), knobs.skipUidShift(), state.pid(), Path.of(""), Path.of(""),
                Optional.empty(), true, 0));
        try {
            List<ProcSysHook.Rebind> rebinds = rebinds(spec, prepared.mountSources());
            Map<String, String> emulated = Map.of();
            if (knobs.syscontMode().orElse(prepared.syscontMode())) {
                IdMapping uid = prepared.uid();
                Map<String, Path> cgroups = CgroupDelegation.inCgroupsOf(Long.toString(state.pid())).directories("");
                Optional<EmulatedTree> tree = resources.emulate(id, cgroups, (int) uid.hostId(),
                        (int) prepared.gid().hostId(), Optional.empty());
                if (tree.isPresent()) emulated = EmulatedFiles.all(tree.get());
            }
            debug.accept("OCI hook for " + id + ": " + rebinds.size() + " idmapped binds, " + emulated.size()
                    + " emulated files");
            if (rebinds.isEmpty() && emulated.isEmpty()) return List.of();
            // The clones and sysbox-fs's files are mounted where this process (the manager) runs.
            Path sourcesIn = Path.of("/proc", Long.toString(ProcessHandle.current().pid()), "ns", "mnt");
            return ProcSysHook.installed(libexec).command(rootfs.toString(), sourcesIn, rebinds, emulated);
        } catch (IOException | RuntimeException e) {
            try {
                resources.release(id);
            } catch (IOException notReleased) {
                e.addSuppressed(notReleased);
            }
            throw e;
        }
    }

    /**
     * The idmapped clones to put over the runtime's binds, in the spec's order. A bind with a later
     * mount at or below its destination is left as the runtime made it: the clone would cover that
     * mount, which runc made on top of the original bind.
     */
    static List<ProcSysHook.Rebind> rebinds(Spec spec, Map<Integer, String> clones) {
        List<Mount> mounts = spec.mountList();
        List<ProcSysHook.Rebind> rebinds = new ArrayList<>();
        for (int i = 0; i < mounts.size(); i++) {
            String clone = clones.get(i);
            if (clone == null) continue;
            String destination = Path.of("/").resolve(mounts.get(i).destination()).normalize().toString();
            boolean covered = false;
            for (Mount later : mounts.subList(i + 1, mounts.size())) {
                Path at = Path.of("/").resolve(later.destination()).normalize();
                covered |= at.startsWith(destination);
            }
            if (!covered) rebinds.add(new ProcSysHook.Rebind(clone, destination));
        }
        return rebinds;
    }
}
