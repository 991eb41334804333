package io.sysbox.cri.health;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.sysbox.cri.api.RuntimeServiceGrpc;
import io.sysbox.cri.api.StatusRequest;
import io.sysbox.cri.api.StatusResponse;

import java.util.concurrent.TimeUnit;

/** Status: the upstream's answer (its status code when it fails) plus the sysbox conditions. */
public final class StatusWithSysbox {
    private final Channel upstream;
    private final SysboxHealth health;

    public StatusWithSysbox(Channel upstream, SysboxHealth health) {
        this.upstream = upstream;
        this.health = health;
    }

    public byte[] status(byte[] raw, Metadata headers) throws InvalidProtocolBufferException {
        StatusResponse upstreamStatus = RuntimeServiceGrpc.newBlockingStub(upstream)
                .withDeadlineAfter(1, TimeUnit.MINUTES).status(StatusRequest.parseFrom(raw));
        StatusResponse.Builder b = upstreamStatus.toBuilder();
        b.getStatusBuilder().addAllConditions(health.conditions());
        return b.build().toByteArray();
    }
}
