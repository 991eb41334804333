package io.sysbox.mgr.service;

import io.sysbox.common.proto.EngineOutcome;
import io.sysbox.common.proto.LauncherAnswer;
import io.sysbox.common.proto.LauncherRequest;
import io.sysbox.setup.launcher.ForwardedCalls;
import io.sysbox.setup.launcher.LauncherLink;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.util.concurrent.SynchronousQueue;

/**
 * One launcher connection's call: LAUNCH starts the Java CLI on a thread of its own; each time it
 * needs the engine run, its RUN answer goes back to the launcher and the thread waits until the
 * launcher's ENGINE_OUTCOME resumes it (the CLI's code stays straight-line, as in its own JVM). The
 * connection's end (the launcher gone mid-call) interrupts it: the engine run fails with an
 * IOException and the command unwinds as for any failed run.
 */
final class LauncherConversation implements LauncherLink, AutoCloseable {
    private final ForwardedCalls call;
    private final Logger log;
    private final SynchronousQueue<LauncherAnswer> answers = new SynchronousQueue<>();
    private final SynchronousQueue<EngineOutcome> outcomes = new SynchronousQueue<>();
    private Thread cli;
    private boolean finished;

    LauncherConversation(ForwardedCalls call, Logger log) {
        this.call = call;
        this.log = log;
    }

    /** Starts the call; returns its first answer. */
    LauncherAnswer launch(LauncherRequest request) throws InterruptedException, InvalidRequestException {
        if (cli != null) throw new InvalidRequestException("LAUNCH twice on one connection");
        cli = Thread.ofVirtual().name("launcher-call").start(() -> {
            LauncherAnswer last;
            try {
                last = call.run(request, this);
            } catch (RuntimeException e) {
                log.error("launcher call {} failed", request.getArgvList(), e);
                last = LauncherAnswer.newBuilder().setAction(LauncherAnswer.Action.EXIT).setStatus(1)
                        .setStderr(com.google.protobuf.ByteString.copyFromUtf8("sysbox-runc: sysbox-mgr: " + e + "\n"))
                        .build();
            }
            try {
                answers.put(last);
            } catch (InterruptedException gone) {
                // the launcher left; nobody waits for the answer
            }
        });
        return next();
    }

    /** The launcher ran the engine: resumes the call; returns its next answer. */
    LauncherAnswer resume(EngineOutcome outcome) throws InterruptedException, InvalidRequestException {
        if (cli == null || finished) throw new InvalidRequestException("ENGINE_OUTCOME without a RUN to answer");
        outcomes.put(outcome);
        return next();
    }

    private LauncherAnswer next() throws InterruptedException {
        LauncherAnswer answer = answers.take();
        finished = answer.getAction() != LauncherAnswer.Action.RUN;
        return answer;
    }

    /** On the call's thread: hands a RUN answer to the connection and waits for the launcher's outcome. */
    @Override
    public EngineOutcome run(LauncherAnswer runAnswer) throws IOException {
        try {
            answers.put(runAnswer);
            return outcomes.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("the launcher went away while it ran " + runAnswer.getArgv(0));
        }
    }

    @Override
    public void close() {
        if (cli != null && !finished) cli.interrupt();
    }
}
