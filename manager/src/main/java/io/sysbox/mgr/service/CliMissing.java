package io.sysbox.mgr.service;

import com.google.protobuf.ByteString;
import io.sysbox.common.proto.LauncherAnswer;
import io.sysbox.common.proto.LauncherRequest;
import io.sysbox.setup.launcher.ForwardedCalls;
import io.sysbox.setup.launcher.LauncherLink;

/**
 * The launcher's calls when the CLI's jar is not on the manager's class path (an incomplete
 * installation): each one fails, saying so, instead of the manager refusing to start, since its
 * other clients (sysbox-fs, sysbox-cri) do not need the CLI.
 */
record CliMissing() implements ForwardedCalls {
    @Override
    public LauncherAnswer run(LauncherRequest request, LauncherLink link) {
        return LauncherAnswer.newBuilder().setAction(LauncherAnswer.Action.EXIT).setStatus(1)
                .setStderr(ByteString.copyFromUtf8("sysbox-runc: sysbox-mgr cannot run the call: sysbox-runc.jar is"
                        + " not on its class path (beside sysbox-mgr.jar; reinstall with deploy/host/install.sh)\n"))
                .build();
    }
}
