package io.sysbox.cri.health;

import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.sysbox.common.proto.ConfigRequest;
import io.sysbox.common.proto.ManagerGrpc;
import io.sysbox.cri.api.RuntimeCondition;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The sysbox daemons' health as CRI runtime conditions, added to the upstream's Status:
 * SysboxManagerReady (a Config call answered) and SysboxFsReady (its socket accepts). The
 * upstream's RuntimeReady and NetworkReady stay as they are, so runc pods are not held up;
 * the kubelet shows the extra conditions, and false ones carry a reason and a message.
 */
public final class SysboxHealth {
    public static final String MANAGER_READY = "SysboxManagerReady";
    public static final String FS_READY = "SysboxFsReady";

    private final Channel manager;
    private final Path sysfsSocket;

    public SysboxHealth(Channel manager, Path sysfsSocket) {
        this.manager = manager;
        this.sysfsSocket = sysfsSocket;
    }

    public List<RuntimeCondition> conditions() {
        return List.of(managerCondition(), fsCondition());
    }

    private RuntimeCondition managerCondition() {
        try {
            ManagerGrpc.newBlockingStub(manager).withDeadlineAfter(2, TimeUnit.SECONDS)
                    .config(ConfigRequest.getDefaultInstance());
            return RuntimeCondition.newBuilder().setType(MANAGER_READY).setStatus(true).build();
        } catch (StatusRuntimeException e) {
            return RuntimeCondition.newBuilder().setType(MANAGER_READY).setStatus(false)
                    .setReason("SysboxManagerUnreachable")
                    .setMessage("sysbox-mgr does not answer: " + e.getStatus()
                            + "; sysbox-runc pods cannot get id ranges").build();
        }
    }

    private RuntimeCondition fsCondition() {
        try (SocketChannel ignored = SocketChannel.open(UnixDomainSocketAddress.of(sysfsSocket))) {
            return RuntimeCondition.newBuilder().setType(FS_READY).setStatus(true).build();
        } catch (IOException e) {
            return RuntimeCondition.newBuilder().setType(FS_READY).setStatus(false).setReason("SysboxFsUnreachable")
                    .setMessage("sysbox-fs does not accept connections on " + sysfsSocket + ": " + e.getMessage()
                            + "; sysbox-runc pods would get no emulated /proc and /sys").build();
        }
    }
}
