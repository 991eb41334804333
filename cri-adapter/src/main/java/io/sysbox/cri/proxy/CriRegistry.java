package io.sysbox.cri.proxy;

import io.grpc.HandlerRegistry;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;

import java.util.Map;

/**
 * Every method of runtime.v1.RuntimeService and runtime.v1.ImageService, known or not: the
 * few sysbox-cri acts on go to their handler, all others to the upstream unchanged. Methods of
 * other services are unknown here (UNIMPLEMENTED), as they would be at the upstream's CRI socket
 * for any service it does not serve.
 */
public final class CriRegistry extends HandlerRegistry {
    static final String RUNTIME = "runtime.v1.RuntimeService/";
    static final String IMAGE = "runtime.v1.ImageService/";

    private final Map<String, ServerCallHandler<byte[], byte[]>> handled;
    private final RawForwarding forwarding;

    /** @param handled handlers by full method name ("runtime.v1.RuntimeService/RunPodSandbox") */
    public CriRegistry(Map<String, ServerCallHandler<byte[], byte[]>> handled, RawForwarding forwarding) {
        this.handled = Map.copyOf(handled);
        this.forwarding = forwarding;
    }

    @Override
    public ServerMethodDefinition<?, ?> lookupMethod(String methodName, String authority) {
        if (!methodName.startsWith(RUNTIME) && !methodName.startsWith(IMAGE)) return null;
        ServerCallHandler<byte[], byte[]> handler = handled.getOrDefault(methodName, forwarding);
        return ServerMethodDefinition.create(RawForwarding.method(methodName), handler);
    }
}
