package io.sysbox.cri.proxy;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A unary CRI method sysbox-cri acts on: the request's bytes in, the answer's bytes out. A
 * StatusRuntimeException (the upstream's, or sysbox-cri's own refusal) becomes the call's status
 * and trailers as they are.
 */
public final class UnaryHandler implements ServerCallHandler<byte[], byte[]> {
    /** The method's work on the raw request. */
    @FunctionalInterface
    public interface Body {
        byte[] answer(byte[] request, Metadata headers) throws InvalidProtocolBufferException;
    }

    private final Body body;

    public UnaryHandler(Body body) {
        this.body = body;
    }

    @Override
    public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> call, Metadata headers) {
        call.request(2);
        return new ServerCall.Listener<>() {
            private byte[] request;

            @Override
            public void onMessage(byte[] message) {
                request = message;
            }

            @Override
            public void onHalfClose() {
                if (request == null) {
                    call.close(Status.INTERNAL.withDescription("no request message"), new Metadata());
                    return;
                }
                try {
                    byte[] answer = body.answer(request, headers);
                    call.sendHeaders(new Metadata());
                    call.sendMessage(answer);
                    call.close(Status.OK, new Metadata());
                } catch (StatusRuntimeException e) {
                    Metadata trailers = e.getTrailers();
                    call.close(e.getStatus(), trailers == null ? new Metadata() : trailers);
                } catch (InvalidProtocolBufferException e) {
                    call.close(Status.INVALID_ARGUMENT.withDescription("malformed request: " + e.getMessage()),
                            new Metadata());
                } catch (RuntimeException e) {
                    call.close(Status.INTERNAL.withDescription("sysbox-cri: " + e), new Metadata());
                }
            }
        };
    }
}
