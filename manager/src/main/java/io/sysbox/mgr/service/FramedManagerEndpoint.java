package io.sysbox.mgr.service;

import com.google.protobuf.InvalidProtocolBufferException;
import io.sysbox.common.channel.FramedServer;
import io.sysbox.common.channel.ManagerMethod;
import io.sysbox.common.proto.CreateRequest;
import io.sysbox.common.proto.PrepareRequest;
import io.sysbox.common.proto.ReleaseRequest;
import org.apache.logging.log4j.Logger;

/** The framed-channel face of {@link ManagerService}, for the short-lived sysbox-runc. */
public final class FramedManagerEndpoint implements FramedServer.Handler {
    private final ManagerService service;
    private final ContainerCreation creation;
    private final Logger log;

    public FramedManagerEndpoint(ManagerService service, Logger log) {
        this.service = service;
        this.creation = new ContainerCreation(service, log);
        this.log = log;
    }

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
            };
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidRequestException("malformed " + which + " request: " + e.getMessage());
        } catch (RuntimeException e) {
            log.error("{} failed", which, e);
            throw e;
        }
    }
}
