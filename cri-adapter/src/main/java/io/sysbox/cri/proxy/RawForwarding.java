package io.sysbox.cri.proxy;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;

/**
 * Relays one call of any kind (unary, server-streaming as GetContainerEvents, or a method this
 * proxy never heard of) to the upstream as bytes: messages, headers, status and trailers go
 * through unchanged, one message at a time in each direction (flow control follows the slower side).
 */
public final class RawForwarding implements ServerCallHandler<byte[], byte[]> {
    private final Channel upstream;

    public RawForwarding(Channel upstream) {
        this.upstream = upstream;
    }

    /** The descriptor of fullMethodName as bytes; UNKNOWN lets either side stream. */
    public static MethodDescriptor<byte[], byte[]> method(String fullMethodName) {
        return MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNKNOWN)
                .setFullMethodName(fullMethodName)
                .setRequestMarshaller(RawMarshaller.INSTANCE)
                .setResponseMarshaller(RawMarshaller.INSTANCE)
                .build();
    }

    @Override
    public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> call, Metadata headers) {
        ClientCall<byte[], byte[]> out = upstream.newCall(method(call.getMethodDescriptor().getFullMethodName()),
                CallOptions.DEFAULT);
        out.start(new ClientCall.Listener<>() {
            @Override
            public void onHeaders(Metadata upstreamHeaders) {
                call.sendHeaders(upstreamHeaders);
            }

            @Override
            public void onMessage(byte[] message) {
                call.sendMessage(message);
                out.request(1);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                call.close(status, trailers);
            }
        }, headers);
        out.request(1);
        call.request(1);
        return new ServerCall.Listener<>() {
            @Override
            public void onMessage(byte[] message) {
                out.sendMessage(message);
                call.request(1);
            }

            @Override
            public void onHalfClose() {
                out.halfClose();
            }

            @Override
            public void onCancel() {
                out.cancel("the kubelet cancelled the call", null);
            }
        };
    }
}
