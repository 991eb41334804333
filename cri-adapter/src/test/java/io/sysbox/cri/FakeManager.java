package io.sysbox.cri;

import io.grpc.stub.StreamObserver;
import io.sysbox.common.proto.ConfigRequest;
import io.sysbox.common.proto.ConfigResponse;
import io.sysbox.common.proto.IdMapping;
import io.sysbox.common.proto.ListPodRangesRequest;
import io.sysbox.common.proto.ListPodRangesResponse;
import io.sysbox.common.proto.ManagerGrpc;
import io.sysbox.common.proto.PodRange;
import io.sysbox.common.proto.PodRef;
import io.sysbox.common.proto.ReleasePodRangeRequest;
import io.sysbox.common.proto.ReleasePodRangeResponse;
import io.sysbox.common.proto.ReservePodRangeRequest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** sysbox-mgr's pod-range calls and Config (what SysboxHealth asks), with the reservations in memory. */
final class FakeManager extends ManagerGrpc.ManagerImplBase {
    /** By pod uid. */
    final Map<String, PodRange> reserved = new ConcurrentHashMap<>();

    /** Reserves (or answers the existing reservation), as ReservePodRange does. */
    PodRange reserve(PodRef pod) {
        IdMapping m = IdMapping.newBuilder().setHostId(165536 + 65536 * reserved.size()).setSize(65536).build();
        return reserved.computeIfAbsent(pod.getUid(),
                uid -> PodRange.newBuilder().setPod(pod).setUidMapping(m).setGidMapping(m).build());
    }

    /** A reservation made before this sysbox-cri started. */
    void reserve(String uid) {
        reserve(PodRef.newBuilder().setUid(uid).setNamespace("default").setName("p-" + uid).build());
    }

    @Override
    public void config(ConfigRequest request, StreamObserver<ConfigResponse> response) {
        response.onNext(ConfigResponse.getDefaultInstance());
        response.onCompleted();
    }

    @Override
    public void reservePodRange(ReservePodRangeRequest request, StreamObserver<PodRange> response) {
        response.onNext(reserve(request.getPod()));
        response.onCompleted();
    }

    @Override
    public void releasePodRange(ReleasePodRangeRequest request, StreamObserver<ReleasePodRangeResponse> response) {
        boolean existed = reserved.remove(request.getPodUid()) != null;
        response.onNext(ReleasePodRangeResponse.newBuilder().setExisted(existed).build());
        response.onCompleted();
    }

    @Override
    public void listPodRanges(ListPodRangesRequest request, StreamObserver<ListPodRangesResponse> response) {
        response.onNext(ListPodRangesResponse.newBuilder().addAllRanges(reserved.values()).build());
        response.onCompleted();
    }
}
