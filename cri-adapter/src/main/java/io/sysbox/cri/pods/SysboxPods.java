package io.sysbox.cri.pods;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Channel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.sysbox.common.proto.PodRange;
import io.sysbox.cri.api.IDMapping;
import io.sysbox.cri.api.ListPodSandboxRequest;
import io.sysbox.cri.api.NamespaceMode;
import io.sysbox.cri.api.PodSandbox;
import io.sysbox.cri.api.PodSandboxConfig;
import io.sysbox.cri.api.PodSandboxMetadata;
import io.sysbox.cri.api.PodSandboxStatusRequest;
import io.sysbox.cri.api.PodSandboxStatusResponse;
import io.sysbox.cri.api.RemovePodSandboxRequest;
import io.sysbox.cri.api.RunPodSandboxRequest;
import io.sysbox.cri.api.RunPodSandboxResponse;
import io.sysbox.cri.api.RuntimeServiceGrpc;
import io.sysbox.cri.api.UserNamespace;
import org.apache.logging.log4j.Logger;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * RunPodSandbox and RemovePodSandbox for pods of the sysbox-runc handler: refuse host
 * namespaces, reserve the pod's range in the manager before the upstream makes the sandbox, put
 * it into the request where the upstream can read it, and release it when the pod's last
 * sandbox is removed (whatever the upstream answered). Other handlers pass through untouched.
 */
public final class SysboxPods {
    public static final String HANDLER = "sysbox-runc";
    /** CRI-O's user-namespace annotation (allowed_annotations of its sysbox-runc handler). */
    static final String CRIO_USERNS = "io.kubernetes.cri-o.userns-mode";
    /** sysbox's own: the range as sysbox-cri reserved it, for people and for runtimes that pass annotations on. */
    static final String SYSBOX_RANGE = "io.sysbox.pod-range";

    private final Channel upstream;
    private final PodRangeClient ranges;
    private final Logger log;

    public SysboxPods(Channel upstream, PodRangeClient ranges, Logger log) {
        this.upstream = upstream;
        this.ranges = ranges;
        this.log = log;
    }

    private RuntimeServiceGrpc.RuntimeServiceBlockingStub upstream() {
        return RuntimeServiceGrpc.newBlockingStub(upstream).withDeadlineAfter(4, TimeUnit.MINUTES);
    }

    public byte[] runPodSandbox(byte[] raw, Metadata headers) throws InvalidProtocolBufferException {
        RunPodSandboxRequest request = RunPodSandboxRequest.parseFrom(raw);
        if (!HANDLER.equals(request.getRuntimeHandler())) return upstream().runPodSandbox(request).toByteArray();
        PodSandboxMetadata pod = request.getConfig().getMetadata();
        String name = pod.getNamespace() + "/" + pod.getName();
        HostNamespaces.refuse(name, request.getConfig().getLinux().getSecurityContext().getNamespaceOptions());
        PodRange range;
        try {
            range = ranges.reserve(pod.getUid(), pod.getNamespace(), pod.getName());
        } catch (StatusRuntimeException e) {
            throw new StatusRuntimeException(managerStatus(e).augmentDescription(
                    "sysbox-cri cannot reserve an id range for pod " + name));
        }
        log.info("pod {} (uid {}): range {}:{}, forwarding RunPodSandbox", name, pod.getUid(),
                range.getUidMapping().getHostId(), range.getUidMapping().getSize());
        RunPodSandboxRequest forwarded = withRange(request, range);
        try {
            RunPodSandboxResponse response = upstream().runPodSandbox(forwarded);
            return response.toByteArray();
        } catch (StatusRuntimeException e) {
            // The upstream made no sandbox for this attempt: the range goes unless another attempt of the pod stands.
            releaseUnlessSandboxesRemain(pod.getUid(), Optional.empty());
            throw e;
        }
    }

    /** The request with the pod's range: CRI userns_options (POD mode), CRI-O's annotation, sysbox's. */
    static RunPodSandboxRequest withRange(RunPodSandboxRequest request, PodRange range) {
        long host = Integer.toUnsignedLong(range.getUidMapping().getHostId());
        long gidHost = Integer.toUnsignedLong(range.getGidMapping().getHostId());
        long size = Integer.toUnsignedLong(range.getUidMapping().getSize());
        IDMapping uids = IDMapping.newBuilder().setContainerId(0).setHostId((int) host).setLength((int) size).build();
        IDMapping gids = IDMapping.newBuilder().setContainerId(0).setHostId((int) gidHost).setLength((int) size).build();
        RunPodSandboxRequest.Builder b = request.toBuilder();
        PodSandboxConfig.Builder config = b.getConfigBuilder();
        config.getLinuxBuilder().getSecurityContextBuilder().getNamespaceOptionsBuilder()
                .setUsernsOptions(UserNamespace.newBuilder().setMode(NamespaceMode.POD).addUids(uids).addGids(gids));
        config.putAnnotations(CRIO_USERNS, "private:uidmapping=0:" + host + ":" + size + ";gidmapping=0:" + gidHost
                + ":" + size);
        config.putAnnotations(SYSBOX_RANGE, "uid=0:" + host + ":" + size + ";gid=0:" + gidHost + ":" + size);
        return b.build();
    }

    public byte[] removePodSandbox(byte[] raw, Metadata headers) throws InvalidProtocolBufferException {
        RemovePodSandboxRequest request = RemovePodSandboxRequest.parseFrom(raw);
        String id = request.getPodSandboxId();
        Optional<String> podUid = sysboxPodOf(id);
        try {
            return upstream().removePodSandbox(request).toByteArray();
        } finally {
            podUid.ifPresent(uid -> releaseUnlessSandboxesRemain(uid, Optional.of(id)));
        }
    }

    /** The pod uid of sandbox id when it is a sysbox-runc sandbox the upstream still knows. */
    private Optional<String> sysboxPodOf(String id) {
        try {
            PodSandboxStatusResponse status = upstream().podSandboxStatus(
                    PodSandboxStatusRequest.newBuilder().setPodSandboxId(id).build());
            if (!HANDLER.equals(status.getStatus().getRuntimeHandler())) return Optional.empty();
            return Optional.of(status.getStatus().getMetadata().getUid());
        } catch (StatusRuntimeException e) {
            // Already gone upstream: a reservation left behind is released by the next reconcile.
            log.debug("sandbox {}: no status upstream ({}); its range, if any, waits for the reconcile", id,
                    e.getStatus());
            return Optional.empty();
        }
    }

    /** Releases the pod's range unless the upstream still has a sandbox of the pod other than {@code removed}. */
    private void releaseUnlessSandboxesRemain(String podUid, Optional<String> removed) {
        try {
            for (PodSandbox sandbox : listUpstream()) {
                if (sandbox.getMetadata().getUid().equals(podUid) && !removed.equals(Optional.of(sandbox.getId()))) {
                    log.info("pod uid {}: sandbox {} remains, its range stays reserved", podUid, sandbox.getId());
                    return;
                }
            }
            if (ranges.release(podUid)) log.info("pod uid {}: range released", podUid);
        } catch (StatusRuntimeException e) {
            log.warn("pod uid {}: cannot release its range now ({}); the next start of sysbox-cri reconciles it",
                    podUid, e.getStatus());
        }
    }

    private List<PodSandbox> listUpstream() {
        return upstream().listPodSandbox(ListPodSandboxRequest.getDefaultInstance()).getItemsList();
    }

    /**
     * At start: reservations whose pod has no sandbox upstream any more (removed while sysbox-cri
     * was down, or a RunPodSandbox that died with it) are released.
     */
    public int reconcile() {
        Set<String> pods = new HashSet<>();
        for (PodSandbox sandbox : listUpstream()) pods.add(sandbox.getMetadata().getUid());
        int released = 0;
        for (PodRange range : ranges.list()) {
            String uid = range.getPod().getUid();
            if (pods.contains(uid)) continue;
            if (ranges.release(uid)) {
                released++;
                log.info("reconcile: pod {}/{} (uid {}) has no sandbox upstream; released its range",
                        range.getPod().getNamespace(), range.getPod().getName(), uid);
            }
        }
        return released;
    }

    /** A manager that cannot be reached is UNAVAILABLE to the kubelet (it retries); its own refusals keep their code. */
    private static Status managerStatus(StatusRuntimeException e) {
        return e.getStatus().getCode() == Status.Code.UNAVAILABLE
                ? Status.UNAVAILABLE.withDescription("sysbox-mgr is not reachable: " + e.getStatus().getDescription())
                : e.getStatus();
    }
}
