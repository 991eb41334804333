package io.sysbox.runc.engine;

import com.google.protobuf.ByteString;
import io.sysbox.common.proto.EngineOutcome;
import io.sysbox.common.proto.LauncherAnswer;
import io.sysbox.setup.launcher.LauncherLink;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/**
 * The compiled launcher's process runs the engine, while its call is parsed and run in the
 * manager: every run is a RUN answer to the launcher and the outcome it reports back; becoming
 * the engine is the call's last answer (EXEC). What the command printed so far goes with each
 * answer, so the caller sees it in order.
 */
public final class InLauncher implements EngineProcess {
    private final LauncherLink link;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(stdout, true, java.nio.charset.StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(stderr, true, java.nio.charset.StandardCharsets.UTF_8);
    private LauncherAnswer exec;

    public InLauncher(LauncherLink link) {
        this.link = link;
    }

    /** The command's stdout, as the launcher will write it. */
    public PrintStream out() {
        return out;
    }

    public PrintStream err() {
        return err;
    }

    @Override
    public void become(List<String> argv, Optional<MemoryFileArg> file) {
        if (exec != null) throw new IllegalStateException("the call already became " + exec.getArgv(0));
        LauncherAnswer.Builder b = LauncherAnswer.newBuilder().setAction(LauncherAnswer.Action.EXEC).addAllArgv(argv);
        file.ifPresent(f -> b.setMemoryFile(ByteString.copyFrom(f.content())).setMemoryFileArg(f.index()));
        exec = b.build();
    }

    @Override
    public int run(List<String> argv) throws IOException {
        return runInLauncher(argv, false).getStatus();
    }

    @Override
    public Captured capture(List<String> argv) throws IOException {
        EngineOutcome outcome = runInLauncher(argv, true);
        return new Captured(outcome.getStatus(), outcome.getStdout().toByteArray());
    }

    private EngineOutcome runInLauncher(List<String> argv, boolean captureStdout) throws IOException {
        if (exec != null) throw new IllegalStateException("the call already became " + exec.getArgv(0));
        return link.run(withOutput(LauncherAnswer.newBuilder().setAction(LauncherAnswer.Action.RUN)
                .addAllArgv(argv).setCaptureStdout(captureStdout)));
    }

    /** The call's last answer: become the engine if the command asked to, else exit with STATUS. */
    public LauncherAnswer finalAnswer(int status) {
        LauncherAnswer.Builder b = exec != null ? exec.toBuilder()
                : LauncherAnswer.newBuilder().setAction(LauncherAnswer.Action.EXIT).setStatus(status);
        return withOutput(b);
    }

    private LauncherAnswer withOutput(LauncherAnswer.Builder b) {
        out.flush();
        err.flush();
        b.setStdout(ByteString.copyFrom(stdout.toByteArray())).setStderr(ByteString.copyFrom(stderr.toByteArray()));
        stdout.reset();
        stderr.reset();
        return b.build();
    }
}
