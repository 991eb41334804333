package io.sysbox.cri.pods;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.sysbox.common.proto.ListPodRangesRequest;
import io.sysbox.common.proto.ManagerGrpc;
import io.sysbox.common.proto.PodRange;
import io.sysbox.common.proto.PodRef;
import io.sysbox.common.proto.ReleasePodRangeRequest;
import io.sysbox.common.proto.ReservePodRangeRequest;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** The manager's pod-range calls (manager.proto), on its gRPC socket. */
public final class PodRangeClient {
    private final ManagedChannel manager;

    public PodRangeClient(ManagedChannel manager) {
        this.manager = manager;
    }

    private ManagerGrpc.ManagerBlockingStub stub() {
        return ManagerGrpc.newBlockingStub(manager).withDeadlineAfter(30, TimeUnit.SECONDS);
    }

    public PodRange reserve(String uid, String namespace, String name) throws StatusRuntimeException {
        return stub().reservePodRange(ReservePodRangeRequest.newBuilder()
                .setPod(PodRef.newBuilder().setUid(uid).setNamespace(namespace).setName(name)).build());
    }

    public boolean release(String uid) throws StatusRuntimeException {
        return stub().releasePodRange(ReleasePodRangeRequest.newBuilder().setPodUid(uid).build()).getExisted();
    }

    public List<PodRange> list() throws StatusRuntimeException {
        return stub().listPodRanges(ListPodRangesRequest.getDefaultInstance()).getRangesList();
    }
}
