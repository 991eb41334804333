package io.sysbox.runc.manager;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.sysbox.common.proto.CreateRequest;
import io.sysbox.common.proto.CreateResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The Create message pair in protobuf wire format, written and read with protobuf's codec
 * directly. Why not the generated classes: the first use of any of them builds the descriptors
 * of all of manager.proto, about 10 ms of a `sysbox-runc run` whose whole budget is a few tens of
 * milliseconds. The field numbers are the generated constants (inlined by javac), and the
 * manager parses these bytes with the generated CreateRequest, so the two cannot drift apart
 * silently: CreateCallTest checks the round trip.
 */
public final class CreateCall {
    private CreateCall() {}

    public record Request(String id, String bundle, String engineRoot, String privateDir, int callerPid,
                          boolean systemdCgroup, boolean noEmulation) {}

    public static byte[] encode(Request r) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeString(CreateRequest.ID_FIELD_NUMBER, r.id());
        out.writeString(CreateRequest.BUNDLE_FIELD_NUMBER, r.bundle());
        out.writeString(CreateRequest.ENGINE_ROOT_FIELD_NUMBER, r.engineRoot());
        out.writeString(CreateRequest.PRIVATE_DIR_FIELD_NUMBER, r.privateDir());
        out.writeInt32(CreateRequest.CALLER_PID_FIELD_NUMBER, r.callerPid());
        if (r.systemdCgroup()) out.writeBool(CreateRequest.SYSTEMD_CGROUP_FIELD_NUMBER, true);
        if (r.noEmulation()) out.writeBool(CreateRequest.NO_EMULATION_FIELD_NUMBER, true);
        out.flush();
        return bytes.toByteArray();
    }

    /** CreateResponse.bundle_dir; unknown fields are skipped as protobuf parsers do. */
    public static String decodeBundleDir(byte[] response) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(response);
        String bundleDir = "";
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag >>> 3 == CreateResponse.BUNDLE_DIR_FIELD_NUMBER && (tag & 7) == 2) {
                bundleDir = in.readString();
            } else if (!in.skipField(tag)) {
                break;
            }
        }
        return bundleDir;
    }
}
