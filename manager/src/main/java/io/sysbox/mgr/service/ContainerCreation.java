package io.sysbox.mgr.service;

import io.sysbox.common.oci.InvalidSpecException;
import io.sysbox.common.proto.CreateRequest;
import io.sysbox.common.proto.CreateResponse;
import io.sysbox.common.proto.OciHookAnswer;
import io.sysbox.common.proto.OciHookRequest;
import io.sysbox.mgr.idmap.OwnedNamespace;
import io.sysbox.setup.Libexec;
import io.sysbox.setup.container.ContainerSetup;
import io.sysbox.setup.container.OciHookSetup;
import io.sysbox.setup.resources.ContainerResources;
import io.sysbox.setup.resources.EmulatedTree;
import io.sysbox.setup.resources.ContainerResources.PodNamespaces;
import io.sysbox.setup.resources.PrepareMessages;
import io.sysbox.setup.resources.Preparation;
import io.sysbox.setup.resources.Prepared;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The Create call: the container setup of the setup library (ContainerSetup), run here where the
 * JVM is warm; and the OCI hooks mode's calls (OciHookSetup), likewise. The manager only lends it its process and serves its Prepare/Release calls
 * in-process ({@link InProcess}, also the resources of the launcher's forwarded calls).
 */
public final class ContainerCreation {
    private final ManagerService service;
    private final Libexec libexec;
    private final Logger log;

    public ContainerCreation(ManagerService service, Libexec libexec, Logger log) {
        this.service = service;
        this.libexec = libexec;
        this.log = log;
    }

    public CreateResponse create(CreateRequest request) throws ServiceException {
        if (request.getCallerPid() <= 0) throw new InvalidRequestException("Create needs the caller's pid");
        for (String path : new String[] {request.getBundle(), request.getEngineRoot(), request.getPrivateDir()}) {
            if (!Path.of(path).isAbsolute()) {
                throw new InvalidRequestException("Create needs absolute paths; got \"" + path + "\"");
            }
        }
        ContainerSetup.Target target = new ContainerSetup.Target(request.getId(), Path.of(request.getBundle()),
                Path.of(request.getEngineRoot()), Path.of(request.getPrivateDir()), request.getCallerPid(),
                request.getSystemdCgroup(), !request.getNoEmulation());
        try {
            Path bundle = new ContainerSetup(new InProcess(service), libexec, log::debug).prepare(target);
            return CreateResponse.newBuilder().setBundleDir(bundle.toString()).build();
        } catch (InvalidSpecException e) {
            throw new InvalidRequestException(e.getMessage());
        } catch (IOException e) {
            throw new PreconditionFailedException(e.getMessage());
        }
    }

    /**
     * An OCI hook of a container an unmodified runtime runs (sysbox-oci-hook): the setup library's
     * OCI hooks mode decides; a refusal's message goes back to the hook, which prints it.
     */
    public OciHookAnswer ociHook(OciHookRequest request) throws ServiceException {
        if (request.getPid() <= 0) throw new InvalidRequestException("OCI_HOOK needs the hook's pid");
        try {
            return OciHookAnswer.newBuilder().addAllArgv(new OciHookSetup(new InProcess(service), libexec, log::debug)
                    .handle(request.getState().toByteArray(), request.getPid())).build();
        } catch (InvalidSpecException e) {
            log.info("OCI hook refused: {}", e.getMessage());
            throw new InvalidRequestException(e.getMessage());
        } catch (IOException e) {
            log.warn("OCI hook: {}", e.getMessage());
            throw new PreconditionFailedException(e.getMessage());
        }
    }

    /** The manager's own service as the setup's resources (also those of the launcher's calls). */
    record InProcess(ManagerService service) implements ContainerResources {
        @Override
        public Prepared prepare(Preparation request) throws IOException {
            try {
                return PrepareMessages.prepared(service.prepare(PrepareMessages.request(request)));
            } catch (ServiceException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public void release(String id) throws IOException {
            try {
                service.release(id);
            } catch (ServiceException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public boolean managed() {
            return true;
        }

        @Override
        public Optional<Path> foreignNetwork(String id, Path netns, Map<String, String> sysctls) throws IOException {
            try {
                return Optional.of(service.prepareForeignNetwork(id, netns, sysctls));
            } catch (ServiceException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public Optional<PodNamespaces> handOverPodNamespaces(String id, Map<String, Path> joined) throws IOException {
            Map<OwnedNamespace, Path> runtimeFiles = new EnumMap<>(OwnedNamespace.class);
            for (Map.Entry<String, Path> file : joined.entrySet()) {
                OwnedNamespace kind = OwnedNamespace.ofOciType(file.getKey()).orElseThrow(() ->
                        new IllegalArgumentException("no handover for a " + file.getKey() + " namespace"));
                runtimeFiles.put(kind, file.getValue());
            }
            try {
                var handed = service.handOverPodNamespaces(id, runtimeFiles);
                Map<String, Path> files = new HashMap<>();
                handed.namespaces().forEach((kind, path) -> files.put(kind.ociType(), path));
                return Optional.of(new PodNamespaces(handed.userns(), files));
            } catch (ServiceException e) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public Optional<EmulatedTree> emulate(String id, Map<String, Path> cgroupDirs, int rootUid, int rootGid,
                                      Optional<String> shareStateWith) throws IOException {
            return service.emulate(id, cgroupDirs, rootUid, rootGid, shareStateWith);
        }
    }
}
