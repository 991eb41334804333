package io.sysbox.mgr.service;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sysbox.common.channel.FramedServer;
import io.sysbox.common.channel.ManagerMethod;
import io.sysbox.common.proto.CreateRequest;
import io.sysbox.common.proto.EngineOutcome;
import io.sysbox.common.proto.LauncherRequest;
import io.sysbox.common.proto.OciHookRequest;
import io.sysbox.common.proto.PrepareRequest;
import io.sysbox.common.proto.ReleaseRequest;
import io.sysbox.setup.Libexec;
import io.sysbox.setup.launcher.ForwardedCalls;
import org.apache.logging.log4j.Logger;

/**
 * The framed-channel face of {@link ManagerService}, for sysbox-runc: its compiled launcher's calls
 * (LAUNCH, ENGINE_OUTCOME: a conversation per connection), the single calls of the Java CLI, and
 * sysbox-oci-hook's (OCI_HOOK).
 */
public final class FramedManagerEndpoint {
    private final ManagerService service;
    private final ContainerCreation creation;
    private final ForwardedCalls launcherCalls;
    private final Logger log;

    public FramedManagerEndpoint(ManagerService service, Libexec libexec, Logger log) {
        this.service = service;
        this.creation = new ContainerCreation(service, libexec, log);
        this.launcherCalls = ForwardedCalls.load(new ContainerCreation.InProcess(service), libexec).orElseGet(() -> {
            log.warn("sysbox-runc's Java CLI (sysbox-runc.jar) is not on the class path: the launcher's"
                    + " create, run, exec, delete and state calls will fail");
            return new CliMissing();
        });
        this.log = log;
    }

    /** The handler of one connection. */
    public FramedServer.Handler newConnection() {
        return new Connection();
    }

    private final class Connection implements FramedServer.Handler {
        private final LauncherConversation conversation = new LauncherConversation(launcherCalls, log);

        @Override
        public byte[] handle(byte method, byte[] request) throws Exception {
            ManagerMethod which = ManagerMethod.of(method);
            try {
                return switch (which) {
                    case PREPARE -> service.prepare(PrepareRequest.parseFrom(request)).toByteArray();
                    case RELEASE -> service.release(ReleaseRequest.parseFrom(request).getId()).toByteArray();
                    case LIST -> service.list().toByteArray();
                    case CONFIG -> service.config().toByteArray();
                    case CREATE -> creation.create(CreateRequest.parseFrom(request)).toByteArray();
                    case LAUNCH -> conversation.launch(LauncherRequest.parseFrom(request)).toByteArray();
                    case ENGINE_OUTCOME -> conversation.resume(EngineOutcome.parseFrom(request)).toByteArray();
                    case OCI_HOOK -> creation.ociHook(OciHookRequest.parseFrom(request)).toByteArray();
                };
            } catch (InvalidProtocolBufferException e) {
                throw new InvalidRequestException("malformed " + which + " request: " + e.getMessage());
            } catch (RuntimeException e) {
                log.error("{} failed", which, e);
                throw e;
            }
        }

        @Override
        public void close() {
            conversation.close();
        }
    }
}
