package io.sysbox.cri;

import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.sysbox.cri.api.AttachRequest;
import io.sysbox.cri.api.AttachResponse;
import io.sysbox.cri.api.ExecRequest;
import io.sysbox.cri.api.ExecResponse;
import io.sysbox.cri.api.ListPodSandboxRequest;
import io.sysbox.cri.api.ListPodSandboxResponse;
import io.sysbox.cri.api.PodSandbox;
import io.sysbox.cri.api.PodSandboxMetadata;
import io.sysbox.cri.api.PodSandboxState;
import io.sysbox.cri.api.PodSandboxStatus;
import io.sysbox.cri.api.PodSandboxStatusRequest;
import io.sysbox.cri.api.PodSandboxStatusResponse;
import io.sysbox.cri.api.PortForwardRequest;
import io.sysbox.cri.api.PortForwardResponse;
import io.sysbox.cri.api.RemovePodSandboxRequest;
import io.sysbox.cri.api.RemovePodSandboxResponse;
import io.sysbox.cri.api.RunPodSandboxRequest;
import io.sysbox.cri.api.RunPodSandboxResponse;
import io.sysbox.cri.api.RuntimeCondition;
import io.sysbox.cri.api.RuntimeServiceGrpc;
import io.sysbox.cri.api.RuntimeStatus;
import io.sysbox.cri.api.StatusRequest;
import io.sysbox.cri.api.StatusResponse;
import io.sysbox.cri.api.VersionRequest;
import io.sysbox.cri.api.VersionResponse;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * The upstream CRI runtime (containerd, CRI-O) as sysbox-cri sees it: the sandboxes it lists, what
 * each call received, and per method either an answer, a failure status, or no answer at all.
 */
final class FakeRuntime extends RuntimeServiceGrpc.RuntimeServiceImplBase {
    /** The upstream's own conditions in Status: NetworkReady false, so a test sees it is not overwritten. */
    static final List<RuntimeCondition> CONDITIONS = List.of(
            RuntimeCondition.newBuilder().setType("RuntimeReady").setStatus(true).build(),
            RuntimeCondition.newBuilder().setType("NetworkReady").setStatus(false).setReason("NetworkPluginNotReady")
                    .setMessage("cni config uninitialized").build());
    static final Map<String, String> STATUS_INFO = Map.of("config", "{\"containerd\":{}}");

    final List<RunPodSandboxRequest> runs = new CopyOnWriteArrayList<>();
    final List<String> removals = new CopyOnWriteArrayList<>();
    final List<Object> streamingRequests = new CopyOnWriteArrayList<>();
    /** By sandbox id; a sandbox stays listed until a RemovePodSandbox of it succeeds. */
    final Map<String, PodSandbox> sandboxes = new ConcurrentHashMap<>();
    /** Counted down when a call the fake never answers arrives, and when its caller cancels it. */
    final CountDownLatch unanswered = new CountDownLatch(1);
    final CountDownLatch cancelled = new CountDownLatch(1);
    private final Map<String, Status> failures = new ConcurrentHashMap<>();
    private final Map<String, Metadata> failureTrailers = new ConcurrentHashMap<>();
    private final Set<String> silent = ConcurrentHashMap.newKeySet();

    /** method (as "RemovePodSandbox") fails with status and trailers from now on. */
    void fail(String method, Status status, Metadata trailers) {
        failures.put(method, status);
        failureTrailers.put(method, trailers);
    }

    void fail(String method, Status status) {
        fail(method, status, new Metadata());
    }

    /** method never answers (until its caller gives up). */
    void neverAnswer(String method) {
        silent.add(method);
    }

    void addSandbox(String id, String podUid, String handler, PodSandboxState state) {
        sandboxes.put(id, PodSandbox.newBuilder().setId(id).setState(state).setRuntimeHandler(handler)
                .setMetadata(PodSandboxMetadata.newBuilder().setUid(podUid).setNamespace("default")
                        .setName("p-" + podUid)).build());
    }

    /** Answers value unless the test made method fail or stay silent; a failure changes no state. */
    private <T> void answer(String method, StreamObserver<T> response, Supplier<T> value) {
        if (silent.contains(method)) {
            ((ServerCallStreamObserver<T>) response).setOnCancelHandler(cancelled::countDown);
            unanswered.countDown();
            return;
        }
        Status failure = failures.get(method);
        if (failure != null) {
            response.onError(failure.asRuntimeException(failureTrailers.get(method)));
            return;
        }
        response.onNext(value.get());
        response.onCompleted();
    }

    @Override
    public void version(VersionRequest request, StreamObserver<VersionResponse> response) {
        // Echo the unknown fields back: they must have reached us untouched.
        answer("Version", response, () -> VersionResponse.newBuilder().setRuntimeName("fake")
                .setUnknownFields(request.getUnknownFields()).build());
    }

    @Override
    public void runPodSandbox(RunPodSandboxRequest request, StreamObserver<RunPodSandboxResponse> response) {
        runs.add(request);
        answer("RunPodSandbox", response, () -> {
            String id = "sb-" + runs.size();
            sandboxes.put(id, PodSandbox.newBuilder().setId(id).setMetadata(request.getConfig().getMetadata())
                    .setRuntimeHandler(request.getRuntimeHandler()).build());
            return RunPodSandboxResponse.newBuilder().setPodSandboxId(id).build();
        });
    }

    @Override
    public void removePodSandbox(RemovePodSandboxRequest request, StreamObserver<RemovePodSandboxResponse> response) {
        removals.add(request.getPodSandboxId());
        answer("RemovePodSandbox", response, () -> {
            sandboxes.remove(request.getPodSandboxId());
            return RemovePodSandboxResponse.getDefaultInstance();
        });
    }

    @Override
    public void podSandboxStatus(PodSandboxStatusRequest request, StreamObserver<PodSandboxStatusResponse> response) {
        PodSandbox sandbox = sandboxes.get(request.getPodSandboxId());
        if (sandbox == null) {
            response.onError(Status.NOT_FOUND.withDescription("sandbox " + request.getPodSandboxId() + " not found")
                    .asRuntimeException());
            return;
        }
        answer("PodSandboxStatus", response, () -> PodSandboxStatusResponse.newBuilder()
                .setStatus(PodSandboxStatus.newBuilder().setId(sandbox.getId()).setMetadata(sandbox.getMetadata())
                        .setState(sandbox.getState()).setRuntimeHandler(sandbox.getRuntimeHandler())).build());
    }

    @Override
    public void listPodSandbox(ListPodSandboxRequest request, StreamObserver<ListPodSandboxResponse> response) {
        answer("ListPodSandbox", response, () -> ListPodSandboxResponse.newBuilder()
                .addAllItems(sandboxes.values()).build());
    }

    @Override
    public void status(StatusRequest request, StreamObserver<StatusResponse> response) {
        answer("Status", response, () -> StatusResponse.newBuilder()
                .setStatus(RuntimeStatus.newBuilder().addAllConditions(CONDITIONS)).putAllInfo(STATUS_INFO).build());
    }

    /** The URL of the upstream's own streaming server, as containerd writes it: host, port, one-time token. */
    static String streamingUrl(String kind, String token) {
        return "http://127.0.0.1:10010/" + kind + "/" + token;
    }

    @Override
    public void exec(ExecRequest request, StreamObserver<ExecResponse> response) {
        streamingRequests.add(request);
        answer("Exec", response, () -> ExecResponse.newBuilder()
                .setUrl(streamingUrl("exec", "tok-" + request.getContainerId())).build());
    }

    @Override
    public void attach(AttachRequest request, StreamObserver<AttachResponse> response) {
        streamingRequests.add(request);
        answer("Attach", response, () -> AttachResponse.newBuilder()
                .setUrl(streamingUrl("attach", "tok-" + request.getContainerId())).build());
    }

    @Override
    public void portForward(PortForwardRequest request, StreamObserver<PortForwardResponse> response) {
        streamingRequests.add(request);
        answer("PortForward", response, () -> PortForwardResponse.newBuilder()
                .setUrl(streamingUrl("portforward", "tok-" + request.getPodSandboxId())).build());
    }
}
