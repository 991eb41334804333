package io.sysbox.runc.manager;

import io.sysbox.common.channel.FramedClient;
import io.sysbox.common.channel.ManagerMethod;
import io.sysbox.common.proto.PrepareResponse;
import io.sysbox.setup.resources.ContainerResources;
import io.sysbox.setup.resources.PrepareMessages;
import io.sysbox.setup.resources.Preparation;
import io.sysbox.setup.resources.Prepared;

import java.io.IOException;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;

/** sysbox-runc's side of the manager: the framed channel (see FramedClient for why not gRPC). */
public final class ManagerClient implements ContainerResources {
    public static final String SOCKET_NAME = "sysmgr-cli.sock";

    private final FramedClient client;
    private final Path runDir;

    public ManagerClient(Path runDir) {
        this.runDir = runDir;
        this.client = new FramedClient(runDir.resolve(SOCKET_NAME));
    }

    @Override
    public Prepared prepare(Preparation request) throws IOException {
        byte[] answer = call(ManagerMethod.PREPARE, PrepareMessages.request(request).toByteArray());
        return PrepareMessages.prepared(PrepareResponse.parseFrom(answer));
    }

    @Override
    public void release(String id) throws IOException {
        call(ManagerMethod.RELEASE, ReleaseCall.encode(id));
    }

    @Override
    public boolean managed() {
        return true;
    }

    private byte[] call(ManagerMethod method, byte[] request) throws IOException {
        try {
            return client.call(method.code(), request);
        } catch (FramedClient.RemoteException e) {
            throw new IOException("sysbox-mgr: " + e.getMessage());
        } catch (SocketException | java.nio.file.NoSuchFileException e) {
            throw notRunning();
        } catch (IOException e) {
            if (!Files.exists(client.socket())) throw notRunning();
            throw e;
        }
    }

    private IOException notRunning() {
        return new IOException("sysbox-mgr is not running (no manager listening on " + client.socket()
                + "): start it with `sysboxd` (or `systemctl start sysboxd`)"
                + (runDir.toString().equals("/run/sysbox") ? "" : ", with --run-dir " + runDir));
    }
}
