package io.sysbox.conformance.cri;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.sysbox.cri.api.ContainerConfig;
import io.sysbox.cri.api.ContainerMetadata;
import io.sysbox.cri.api.CreateContainerRequest;
import io.sysbox.cri.api.ExecSyncRequest;
import io.sysbox.cri.api.ExecSyncResponse;
import io.sysbox.cri.api.ImageSpec;
import io.sysbox.cri.api.LinuxContainerConfig;
import io.sysbox.cri.api.LinuxContainerSecurityContext;
import io.sysbox.cri.api.LinuxPodSandboxConfig;
import io.sysbox.cri.api.NamespaceMode;
import io.sysbox.cri.api.NamespaceOption;
import io.sysbox.cri.api.ListPodSandboxRequest;
import io.sysbox.cri.api.PodSandbox;
import io.sysbox.cri.api.PodSandboxConfig;
import io.sysbox.cri.api.PodSandboxMetadata;
import io.sysbox.cri.api.PodSandboxStatusRequest;
import io.sysbox.cri.api.PodSandboxStatusResponse;
import io.sysbox.cri.api.RemovePodSandboxRequest;
import io.sysbox.cri.api.RunPodSandboxRequest;
import io.sysbox.cri.api.RuntimeServiceGrpc;
import io.sysbox.cri.api.StartContainerRequest;
import io.sysbox.cri.api.StatusRequest;
import io.sysbox.cri.api.StatusResponse;
import io.sysbox.cri.api.StopPodSandboxRequest;
import io.sysbox.cri.proxy.UnixChannels;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The kubelet's side of the CRI, as much of it as the pod suite needs: pods with a cgroup
 * parent under the suite's prefix, containers of the pod image, ExecSync, and removal of
 * every pod it made. Talks to whatever socket it is given (sysbox-cri or containerd itself).
 */
public final class CriKubelet implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DEADLINE_SECONDS = 120;

    private final UnixChannels channels = new UnixChannels();
    private final ManagedChannel channel;
    private final String cgroupParent;
    private final Path logDirectory;
    private final String image;
    private final List<String> pods = new ArrayList<>();

    /** A pod as the kubelet keeps it: its id and the config every CreateContainer repeats. */
    public record Pod(String id, PodSandboxConfig config) {}

    public CriKubelet(Path socket, String cgroupParent, Path logDirectory, String image) {
        this.channel = channels.open(socket);
        this.cgroupParent = cgroupParent;
        this.logDirectory = logDirectory;
        this.image = image;
    }

    private RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime() {
        return RuntimeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS);
    }

    /** RunPodSandbox of a pod called NAME with runtime HANDLER ("" is the upstream's default). */
    public Pod runPod(String name, String handler) throws IOException {
        // The kubelet makes the pod's log directory; containerd only opens files in it.
        java.nio.file.Files.createDirectories(logDirectory.resolve(name));
        PodSandboxConfig config = PodSandboxConfig.newBuilder()
                .setMetadata(PodSandboxMetadata.newBuilder().setName(name).setNamespace("default")
                        .setUid(UUID.randomUUID().toString()))
                .setHostname(name)
                .setLogDirectory(logDirectory.resolve(name).toString())
                .setLinux(LinuxPodSandboxConfig.newBuilder().setCgroupParent(cgroupParent))
                .build();
        String id = runtime().runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config)
                .setRuntimeHandler(handler).build()).getPodSandboxId();
        pods.add(id);
        return new Pod(id, config);
    }

    /** CreateContainer + StartContainer of a container of the kubelet's image that sleeps; returns its id. */
    public String startContainer(Pod pod, String name) {
        return start(pod, ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage(image))
                .addCommand("/bin/sleep").addArgs("2147483647")
                .setLogPath(name + ".log")
                .build());
    }

    /**
     * CreateContainer + StartContainer of IMAGE running COMMAND (its first word, then its
     * arguments) in a pid namespace of its own, as the kubelet runs a pod's containers when the
     * pod does not share its process namespace (an init such as systemd must be pid 1); returns its id.
     */
    public String startInit(Pod pod, String name, String image, List<String> command) {
        return start(pod, ContainerConfig.newBuilder()
                .setMetadata(ContainerMetadata.newBuilder().setName(name))
                .setImage(ImageSpec.newBuilder().setImage(image))
                .addCommand(command.getFirst()).addAllArgs(command.subList(1, command.size()))
                .setLogPath(name + ".log")
                .setLinux(LinuxContainerConfig.newBuilder().setSecurityContext(LinuxContainerSecurityContext.newBuilder()
                        .setNamespaceOptions(NamespaceOption.newBuilder().setPid(NamespaceMode.CONTAINER))))
                .build());
    }

    private String start(Pod pod, ContainerConfig config) {
        String id = runtime().createContainer(CreateContainerRequest.newBuilder().setPodSandboxId(pod.id())
                .setConfig(config).setSandboxConfig(pod.config()).build()).getContainerId();
        runtime().startContainer(StartContainerRequest.newBuilder().setContainerId(id).build());
        return id;
    }

    /** ExecSync of CMD in CONTAINER (30 s timeout). */
    public ExecSyncResponse exec(String container, String... cmd) {
        return runtime().execSync(ExecSyncRequest.newBuilder().setContainerId(container).addAllCmd(List.of(cmd))
                .setTimeout(30).build());
    }

    /** The stdout of CMD in CONTAINER, which must exit 0; otherwise an AssertionError with both outputs. */
    public String output(String container, String... cmd) {
        ExecSyncResponse r = exec(container, cmd);
        String out = r.getStdout().toString(StandardCharsets.UTF_8);
        if (r.getExitCode() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " in " + container + " exited " + r.getExitCode()
                    + "\n  stdout: " + out + "\n  stderr: " + r.getStderr().toString(StandardCharsets.UTF_8));
        }
        return out.strip();
    }

    /** What container NAME of POD wrote to its log (the CRI log file under the pod's log directory), for diagnosis. */
    public String containerLog(Pod pod, String name) {
        Path file = Path.of(pod.config().getLogDirectory()).resolve(name + ".log");
        try {
            return java.nio.file.Files.readString(file);
        } catch (IOException e) {
            return "(no log at " + file + ": " + e.getMessage() + ")";
        }
    }

    public PodSandboxStatusResponse status(Pod pod) {
        return runtime().podSandboxStatus(PodSandboxStatusRequest.newBuilder().setPodSandboxId(pod.id())
                .setVerbose(true).build());
    }

    /** The host pid of the pod's sandbox (pause) process, from containerd's verbose status. */
    public long sandboxPid(Pod pod) throws IOException {
        String info = status(pod).getInfoOrThrow("info");
        long pid = JSON.readTree(info).path("pid").asLong(0);
        if (pid <= 0) throw new AssertionError("no sandbox pid in the verbose status of " + pod.id() + ": " + info);
        return pid;
    }

    public StatusResponse runtimeStatus() {
        return runtime().status(StatusRequest.newBuilder().build());
    }

    public List<PodSandbox> listPods() {
        return runtime().listPodSandbox(ListPodSandboxRequest.newBuilder().build()).getItemsList();
    }

    /** StopPodSandbox then RemovePodSandbox, as the kubelet does when a pod goes. */
    public void removePod(Pod pod) {
        runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(pod.id()).build());
        runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(pod.id()).build());
        pods.remove(pod.id());
    }

    /** Stops and removes every pod this kubelet started and has not removed; returns the failures. */
    public List<String> removeAllPods() {
        List<String> failures = new ArrayList<>();
        for (String id : List.copyOf(pods)) {
            try {
                runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(id).build());
                runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(id).build());
            } catch (RuntimeException e) {
                failures.add("removing pod " + id + ": " + e);
            }
            pods.remove(id);
        }
        return failures;
    }

    @Override
    public void close() throws InterruptedException {
        channels.close();
    }
}
