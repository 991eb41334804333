package io.sysbox.mgr.service;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.sysbox.common.proto.ConfigRequest;
import io.sysbox.common.proto.ConfigResponse;
import io.sysbox.common.proto.ListRequest;
import io.sysbox.common.proto.ListResponse;
import io.sysbox.common.proto.ListPodRangesRequest;
import io.sysbox.common.proto.ListPodRangesResponse;
import io.sysbox.common.proto.PodRange;
import io.sysbox.common.proto.ReleasePodRangeRequest;
import io.sysbox.common.proto.ReleasePodRangeResponse;
import io.sysbox.common.proto.ReservePodRangeRequest;
import io.sysbox.common.proto.ManagerGrpc;
import io.sysbox.common.proto.CreateRequest;
import io.sysbox.common.proto.CreateResponse;
import io.sysbox.common.proto.PrepareRequest;
import io.sysbox.common.proto.PrepareResponse;
import io.sysbox.common.proto.ReleaseRequest;
import io.sysbox.common.proto.ReleaseResponse;
import io.sysbox.setup.Libexec;
import org.apache.logging.log4j.Logger;

/** The gRPC face of {@link ManagerService}, for the daemons (sysbox-fs, sysbox-cri). */
public final class GrpcManagerService extends ManagerGrpc.ManagerImplBase {
    private final ManagerService service;
    private final ContainerCreation creation;
    private final Logger log;

    public GrpcManagerService(ManagerService service, Libexec libexec, Logger log) {
        this.service = service;
        this.creation = new ContainerCreation(service, libexec, log);
        this.log = log;
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws ServiceException;
    }

    @Override
    public void create(CreateRequest request, StreamObserver<CreateResponse> response) {
        answer("Create", response, () -> creation.create(request));
    }

    @Override
    public void prepare(PrepareRequest request, StreamObserver<PrepareResponse> response) {
        answer("Prepare", response, () -> service.prepare(request));
    }

    @Override
    public void release(ReleaseRequest request, StreamObserver<ReleaseResponse> response) {
        answer("Release", response, () -> service.release(request.getId()));
    }

    @Override
    public void list(ListRequest request, StreamObserver<ListResponse> response) {
        answer("List", response, service::list);
    }

    @Override
    public void config(ConfigRequest request, StreamObserver<ConfigResponse> response) {
        answer("Config", response, service::config);
    }

    @Override
    public void reservePodRange(ReservePodRangeRequest request, StreamObserver<PodRange> response) {
        answer("ReservePodRange", response, () -> service.reservePodRange(request.getPod()));
    }

    @Override
    public void releasePodRange(ReleasePodRangeRequest request, StreamObserver<ReleasePodRangeResponse> response) {
        answer("ReleasePodRange", response, () -> service.releasePodRange(request.getPodUid()));
    }

    @Override
    public void listPodRanges(ListPodRangesRequest request, StreamObserver<ListPodRangesResponse> response) {
        answer("ListPodRanges", response, service::listPodRanges);
    }

    private <T> void answer(String method, StreamObserver<T> response, Call<T> call) {
        T result;
        try {
            result = call.run();
        } catch (ServiceException e) {
            Status status = switch (e) {
                case InvalidRequestException invalid -> Status.INVALID_ARGUMENT;
                case PreconditionFailedException failed -> Status.FAILED_PRECONDITION;
            };
            response.onError(status.withDescription(e.getMessage()).asRuntimeException());
            return;
        } catch (RuntimeException e) {
            log.error("{} failed", method, e);
            response.onError(Status.INTERNAL.withDescription(method + " failed: " + e).asRuntimeException());
            return;
        }
        response.onNext(result);
        response.onCompleted();
    }
}
