package io.sysbox.fs.service;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.sysbox.common.proto.RegisterRequest;
import io.sysbox.common.proto.RegisterResponse;
import io.sysbox.common.proto.ServedEntry;
import io.sysbox.common.proto.SysFsGrpc;
import io.sysbox.common.proto.UnregisterRequest;
import io.sysbox.common.proto.UnregisterResponse;
import io.sysbox.common.sys.BootClock;
import io.sysbox.fs.SysboxFsMount;
import io.sysbox.fs.emulation.registry.AlreadyRegisteredException;
import io.sysbox.fs.emulation.registry.Container;
import io.sysbox.fs.emulation.registry.EmulationState;
import io.sysbox.fs.emulation.registry.ProcessStartTime;
import io.sysbox.fs.emulation.tree.ContainerLayout;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The SysFs gRPC service: registration of containers by the runtime. */
public final class GrpcSysFsService extends SysFsGrpc.SysFsImplBase {
    private final SysboxFsMount mount;
    private final Optional<Path> seccompListener;
    private final Logger log;

    /** @param seccompListener where engines hand over containers' seccomp listeners, answered at Register */
    public GrpcSysFsService(SysboxFsMount mount, Optional<Path> seccompListener, Logger log) {
        this.mount = mount;
        this.seccompListener = seccompListener;
        this.log = log;
    }

    /** Without seccomp interception: Register names no listener, so no filter notifies. */
    public GrpcSysFsService(SysboxFsMount mount, Logger log) {
        this(mount, Optional.empty(), log);
    }

    @Override
    public void register(RegisterRequest request, StreamObserver<RegisterResponse> response) {
        try {
            Container container = container(request);
            Optional<String> shareWith = request.getShareStateWith().isEmpty() ? Optional.empty()
                    : Optional.of(request.getShareStateWith());
            EmulationState state = mount.registry().register(container, shareWith);
            String sharing = state.ownerId().equals(container.id()) ? ""
                    : ", sharing the emulation state of " + state.ownerId() + "'s pod";
            if (shareWith.isPresent() && sharing.isEmpty()) {
                log.info("container {} joins the network namespace of {}, which is not registered here: it gets an"
                        + " emulation state of its own", container.id(), shareWith.get());
            }
            log.info("registered container {}: pid {}, cgroups {}, root {}:{}{}", container.id(), container.pid(),
                    container.cgroups(), container.rootUid(), container.rootGid(), sharing);
            RegisterResponse.Builder answer = RegisterResponse.newBuilder()
                    .setPath(mount.containerDirectory(container.id()).toString())
                    .setReadOnlyPath(mount.readOnlyContainerDirectory(container.id()).toString());
            seccompListener.ifPresent(path -> answer.setSeccompListener(path.toString()));
            for (ContainerLayout.Served served : mount.layout().served()) {
                answer.addServed(ServedEntry.newBuilder().setPath(served.path()).setDirectory(served.directory())
                        .setReadOnly(served.readOnly()));
            }
            response.onNext(answer.build());
            response.onCompleted();
        } catch (IllegalArgumentException e) {
            response.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        } catch (AlreadyRegisteredException e) {
            response.onError(Status.ALREADY_EXISTS.withDescription(e.getMessage()).asRuntimeException());
        } catch (IOException e) {
            response.onError(Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException());
        }
    }

    @Override
    public void unregister(UnregisterRequest request, StreamObserver<UnregisterResponse> response) {
        boolean existed = mount.registry().unregister(request.getId());
        if (existed) log.info("unregistered container {}", request.getId());
        response.onNext(UnregisterResponse.newBuilder().setExisted(existed).build());
        response.onCompleted();
    }

    private static Container container(RegisterRequest request) throws IOException {
        Map<String, Path> cgroups = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : request.getCgroupPathsMap().entrySet()) {
            Path path = Path.of(e.getValue());
            if (!path.isAbsolute()) {
                throw new IllegalArgumentException("cgroup path '" + e.getValue() + "' of controller " + e.getKey()
                        + " is not absolute: give the cgroup's directory on the host, e.g. /sys/fs/cgroup/memory/...");
            }
            cgroups.put(e.getKey(), path);
        }
        long start = request.getStartBoottimeNs();
        if (start == 0) {
            try {
                start = request.getPid() > 0 ? ProcessStartTime.bootNanos(request.getPid()) : BootClock.nanos();
            } catch (IOException e) {
                throw new IOException("cannot take the start time of container " + request.getId() + "'s process "
                        + request.getPid() + ": " + e.getMessage() + "; is it running?", e);
            }
        }
        return new Container(request.getId(), start, cgroups, request.getPid(), request.getRootUid(), request.getRootGid());
    }
}
