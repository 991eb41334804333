package io.sysbox.setup.container;

import io.sysbox.common.oci.IdMapping;
import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.oci.Mount;
import io.sysbox.common.oci.Namespace;
import io.sysbox.common.oci.Spec;
import io.sysbox.common.sys.ErrnoException;
import io.sysbox.common.sys.MountFlags;
import io.sysbox.setup.Libexec;
import io.sysbox.setup.cgroup.CgroupDelegation;
import io.sysbox.setup.cgroup.CreatedCgroups;
import io.sysbox.setup.resources.ContainerResources;
import io.sysbox.setup.resources.EmulatedTree;
import io.sysbox.setup.resources.Preparation;
import io.sysbox.setup.resources.Prepared;
import io.sysbox.setup.spec.ConversionInputs;
import io.sysbox.setup.spec.HostNamespaces;
import io.sysbox.setup.spec.LockedBindFlags;
import io.sysbox.setup.spec.ProcSysDestinations;
import io.sysbox.setup.spec.RuntimeCapabilities;
import io.sysbox.setup.spec.SeccompNotifyFilter;
import io.sysbox.setup.spec.SpecConverter;
import io.sysbox.setup.spec.SpecValidator;
import io.sysbox.setup.spec.SysboxKnobs;
import io.sysbox.setup.state.ContainerRecord;
import io.sysbox.setup.state.EnteredNetwork;
import io.sysbox.setup.state.PrivateDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the caller's bundle into a system container's bundle for the low-level runtime:
 * validate, let the manager allocate ids and shift the rootfs and mounts, convert the spec,
 * delegate the cgroup. Whatever it made is undone if a later step fails.
 */
public final class ContainerSetup {
    private static final Pattern PROC_NS = Pattern.compile("/proc/(\\d+)/ns/net");
    /** The kinds of namespace a CRI runtime makes for a pod before the sandbox exists (containerd: network; CRI-O: all three). */
    private static final List<String> HANDED_OVER = List.of("network", "ipc", "uts");

    /**
     * One container to set up: where the engine and sysbox-runc keep it, and the sysbox-runc
     * process asking, which becomes the engine (its cgroups, capabilities and namespaces are
     * the engine's, whichever process runs this setup).
     */
    public record Target(String id, Path bundle, Path engineRoot, Path privateDir, long callerPid,
                         boolean systemdCgroup, boolean emulation) {
        String pid() {
            return Long.toString(callerPid);
        }
    }

    private final ContainerResources resources;
    private final Libexec libexec;
    private final Consumer<String> debug;

    /** @param libexec where the hooks it puts in the spec are installed */
    public ContainerSetup(ContainerResources resources, Libexec libexec, Consumer<String> debug) {
        this.resources = resources;
        this.libexec = libexec;
        this.debug = debug;
    }

    /** Returns the private bundle directory to hand to the engine. */
    public Path prepare(Target target) throws IOException, InvalidSpecException {
        String id = target.id();
        Path bundle = target.bundle();
        ContainerId.check(id);
        if (Files.exists(target.engineRoot().resolve(id))) {
            throw new InvalidSpecException("container with id \"" + id + "\" already exists");
        }
        Spec spec = Spec.read(bundle.resolve("config.json"));
        SysboxKnobs knobs = SysboxKnobs.parse(spec);
        HostNamespaces host = HostNamespaces.ofProcess(target.pid());
        SpecValidator.validate(spec, host);
        Path rootfs = RootfsLocation.check(bundle, spec.rootPath().orElseThrow(), bundle.resolve("config.json"));
        ProcSysDestinations.check(spec, rootfs);
        String callerRootfs = ContainerRecord.callerRootfs(bundle, spec.rootPath().orElseThrow());
        Path dir = target.privateDir();
        removeStale(id, dir);

        Optional<PodOwner> owner = PodOwner.of(spec, target.engineRoot(), id);
        Optional<String> ownerPid = owner.isPresent()
                ? owner.map(o -> Long.toString(o.initPid()))
                : joinedNetworkOwner(spec, host);
        Prepared prepared = resources.prepare(request(target, spec, knobs, rootfs, ownerPid));
        debug.accept("prepared " + id + ": uid " + prepared.uid().hostId() + " rootfs " + prepared.rootfs());
        List<Path> createdCgroups = List.of();
        try {
            boolean honorCaps = knobs.honorCaps().orElse(prepared.honorCaps());
            boolean syscontMode = knobs.syscontMode().orElse(prepared.syscontMode());
            String cgroupsPath = spec.linux().path("cgroupsPath").asText("");
            if (cgroupsPath.isEmpty()) cgroupsPath = id; // runc's own default, made explicit
            IdMapping uid = prepared.uid();
            IdMapping gid = prepared.gid();
            CgroupDelegation cgroups = CgroupDelegation.ofProcess(target.pid());
            if (!target.systemdCgroup()) {
                createdCgroups = cgroups.delegate(cgroupsPath, (int) uid.hostId(), (int) gid.hostId());
            }
            Map<String, String> binds = new HashMap<>(prepared.specialMounts());
            Optional<EmulatedTree> emulated = Optional.empty();
            if (syscontMode && target.emulation()) {
                emulated = resources.emulate(id, cgroups.directories(cgroupsPath), (int) uid.hostId(), (int) gid.hostId(),
                        owner.map(PodOwner::id));
            }
            emulated.ifPresent(tree -> EmulatedFiles.addTo(binds, tree));
            Optional<Path> joinedNetwork = joinedNetworkPath(spec);
            Optional<String> usernsPath = ownerPid.map(pid -> "/proc/" + pid + "/ns/user");
            Optional<Path> joinedUserns = usernsPath.map(Path::of);
            // A new user namespace owns no existing network namespace; a joined one may (--net=container:X).
            boolean foreignNetwork = joinedNetwork.isPresent()
                    && (joinedUserns.isEmpty() || !NetworkOwnership.ownedBy(joinedNetwork.get(), joinedUserns.get()));
            Map<String, Path> runtimeNamespaces = joinedByPath(spec, HANDED_OVER);
            if (joinedUserns.isEmpty() && CriSandbox.is(spec) && !runtimeNamespaces.isEmpty()) {
                // A pod's sandbox: the namespaces the CRI runtime made for the pod are replaced by ones the pod owns (see ContainerResources).
                Optional<ContainerResources.PodNamespaces> handed = resources.handOverPodNamespaces(id, runtimeNamespaces);
                if (handed.isPresent()) {
                    usernsPath = Optional.of(handed.get().userns().toString());
                    handed.get().namespaces().forEach((type, file) -> setNamespacePath(spec, type, file.toString()));
                    if (handed.get().namespaces().containsKey("network")) foreignNetwork = false;
                }
            }
            Optional<String> networkSysfs = Optional.empty();
            // A network namespace the container's user namespace owns (a pod's after the handover,
            // --net=container:X in one user namespace) needs nothing from the host: runc mounts its sysfs.
            if (foreignNetwork) {
                Map<String, String> sysctls = ForeignNetworkSysctls.of(spec, joinedUserns.isEmpty());
                networkSysfs = resources.foreignNetwork(id, joinedNetwork.get(), sysctls).map(Path::toString);
                if (networkSysfs.isPresent()) ForeignNetworkSysctls.removeFrom(spec, sysctls);
            }
            SpecConverter.convert(spec, new ConversionInputs(uid, gid, prepared.rootfs(), prepared.mountSources(),
                    RuntimeCapabilities.ofProcess(target.pid()), honorCaps, syscontMode, cgroupsPath,
                    usernsPath, libModules(), binds, networkSysfs));
            emulated.flatMap(EmulatedTree::seccompListener)
                    .ifPresent(listener -> SeccompNotifyFilter.apply(spec, listener.toString()));
            JoinedNamespaces.checkOwned(spec, host);
            CallerBundleHooks.wrap(spec, bundle, libexec);
            LockedBindFlags.apply(spec.mounts(), ContainerSetup::mountFlags);
            Optional<String> enteredNetwork = Optional.empty();
            if (foreignNetwork) {
                // The engine starts inside the network namespace instead of joining it. A pod's container
                // could not join it at create (runc joins the user namespace first); no container could
                // at exec, which joins the init's user namespace before the others.
                removeNamespace(spec, "network");
                enteredNetwork = Optional.of(joinedNetwork.get().toString());
            }
            if (emulated.isPresent()) {
                Map<String, String> hookBinds = EmulatedFiles.hookBinds(emulated.get());
                if (!hookBinds.isEmpty()) ProcSysHook.installed(libexec).addTo(spec, hookBinds);
            }
            Files.createDirectories(dir);
            CreatedCgroups.remember(dir, createdCgroups, (int) uid.hostId());
            if (enteredNetwork.isPresent()) EnteredNetwork.remember(dir, enteredNetwork.get());
            spec.write(dir.resolve("config.json"));
            new ContainerRecord(bundle.toString(), callerRootfs, honorCaps, syscontMode, resources.managed(),
                    knobs.toJson()).write(dir);
            return dir;
        } catch (IOException | InvalidSpecException | RuntimeException e) {
            CgroupDelegation.removeCreated(createdCgroups);
            undo(id, dir);
            throw e;
        }
    }

    private static Preparation request(Target target, Spec spec, SysboxKnobs knobs, Path rootfs,
                                       Optional<String> ownerPid) throws IOException {
        Path bundle = target.bundle();
        List<IdMapping> uids = spec.uidMappings();
        List<IdMapping> gids = spec.gidMappings();
        if (ownerPid.isPresent()) {
            // --net=container:X and pod members share the owner's user namespace and mapping.
            uids = readMap(Path.of("/proc", ownerPid.get(), "uid_map"));
            gids = readMap(Path.of("/proc", ownerPid.get(), "gid_map"));
        }
        return new Preparation(target.id(), rootfs, uids, gids, bindSources(spec, bundle), knobs.skipUidShift(),
                target.callerPid(),
                target.engineRoot().resolve(target.id()), target.privateDir(), PodReservation.of(spec), false,
                ownerPid.map(Long::parseLong).orElse(0L));
    }

    /** The spec's bind mounts whose sources the manager may idmap (cgroup binds never), sources resolved against the bundle. */
    static List<Preparation.BindSource> bindSources(Spec spec, Path bundle) {
        List<Preparation.BindSource> binds = new ArrayList<>();
        List<Mount> mounts = spec.mountList();
        for (int i = 0; i < mounts.size(); i++) {
            Mount m = mounts.get(i);
            if (!m.isBind() || m.destination().startsWith("/sys/fs/cgroup")) continue;
            binds.add(new Preparation.BindSource(i, bundle.resolve(m.source()).normalize(), m.destination(), m.options()));
        }
        return binds;
    }

    private static void setNamespacePath(Spec spec, String type, String path) {
        for (com.fasterxml.jackson.databind.JsonNode ns : Spec.arrayIn(spec.linux(), "namespaces")) {
            if (type.equals(ns.path("type").asText())) ((com.fasterxml.jackson.databind.node.ObjectNode) ns).put("path", path);
        }
    }

    private static void removeNamespace(Spec spec, String type) {
        com.fasterxml.jackson.databind.node.ArrayNode namespaces = Spec.arrayIn(spec.linux(), "namespaces");
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            if (type.equals(namespaces.get(i).path("type").asText())) namespaces.remove(i);
        }
    }

    /**
     * The namespaces of TYPES the spec joins by path, by type. A sandbox's user namespace is new
     * (or handed over), so none of them is its own: the CRI runtime made them for the pod.
     */
    private static Map<String, Path> joinedByPath(Spec spec, List<String> types) {
        Map<String, Path> joined = new HashMap<>();
        for (Namespace ns : spec.namespaces()) {
            if (types.contains(ns.type()) && ns.joinsExisting()) joined.put(ns.type(), Path.of(ns.path()));
        }
        return joined;
    }

    /**
     * The network namespace the spec joins by path, if any: a pod's (made by CNI, owned by the
     * host's user namespace) or another container's. The container's root does not own it.
     */
    private static Optional<Path> joinedNetworkPath(Spec spec) {
        return spec.namespaces().stream().filter(ns -> ns.type().equals("network") && ns.joinsExisting())
                .map(ns -> Path.of(ns.path())).findFirst();
    }

    /**
     * The pid whose network namespace the spec joins when it is another container's (its user
     * namespace is then shared), if any. A process in the host's user namespace is none: its
     * mapping is the host's own, and its network namespace is one the container does not own.
     */
    private static Optional<String> joinedNetworkOwner(Spec spec, HostNamespaces host) throws IOException {
        for (Namespace ns : spec.namespaces()) {
            if (ns.type().equals("network") && ns.joinsExisting()) {
                Matcher m = PROC_NS.matcher(ns.path());
                if (!m.matches()) continue;
                if (host.isHost("user", Path.of("/proc", m.group(1), "ns", "user"))) return Optional.empty();
                return Optional.of(m.group(1));
            }
        }
        return Optional.empty();
    }

    private static List<IdMapping> readMap(Path file) throws IOException {
        return Files.readAllLines(file).stream().map(String::trim).filter(l -> !l.isEmpty())
                .map(l -> l.split("\\s+"))
                .map(f -> new IdMapping(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])))
                .toList();
    }

    private static Optional<MountFlags> mountFlags(String path) {
        try {
            return Optional.of(MountFlags.of(path));
        } catch (ErrnoException e) {
            return Optional.empty(); // the engine reports a source it cannot reach
        }
    }

    private static Optional<String> libModules() {
        try {
            // Files.readString reads procfs sysctl files short (they report size 0).
            String release = Files.readAllLines(Path.of("/proc/sys/kernel/osrelease")).getFirst().trim();
            Path dir = Path.of("/lib/modules", release);
            return Files.isDirectory(dir) ? Optional.of(dir.toString()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A private dir without engine state is what a failed earlier attempt left. */
    private void removeStale(String id, Path dir) {
        if (Files.exists(dir)) {
            debug.accept("removing stale state of " + id + " left by a failed create");
            try {
                CreatedCgroups.removeRemembered(dir);
            } catch (IOException e) {
                debug.accept("removing the cgroups of " + id + "'s failed create: " + e.getMessage());
            }
            undo(id, dir);
        }
    }

    private void undo(String id, Path dir) {
        try {
            resources.release(id);
        } catch (IOException e) {
            debug.accept("releasing " + id + " after a failed create: " + e.getMessage());
        }
        try {
            PrivateDir.remove(dir);
        } catch (IOException e) {
            debug.accept("removing the private directory of " + id + " after a failed create: " + e.getMessage());
        }
    }
}
