package io.sysbox.fs.seccomp;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * What a restarted sysbox-fs needs to serve a listener the descriptor keeper held for it: the
 * session's container and process (from the engine's handover) and the container's initial
 * mounts as they were fixed when its init started (they cannot be read again later: by then
 * the container may have changed its mounts). Kept beside the listener in the keeper's slot,
 * as gzipped JSON (a mount table is a few KiB of very repetitive text).
 *
 * @param containerId   the container's id
 * @param initPid       its init on the host
 * @param pid           the process the filter was installed in
 * @param initialMounts the container's initial mount table; none when the container is not registered
 */
record ListenerNotes(String containerId, long initPid, long pid, List<MountEntry> initialMounts) {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a slot's notes may be: the keeper's messages are bounded. */
    static final int MAX_SIZE = 60 * 1024;

    ListenerNotes {
        initialMounts = List.copyOf(initialMounts);
    }

    static ListenerNotes of(ProcessState process, Optional<InitialMounts> initial) {
        return new ListenerNotes(process.containerId(), process.initPid(), process.pid(),
                initial.map(mounts -> mounts.table().entries()).orElse(List.of()));
    }

    ProcessState process() {
        return new ProcessState(containerId, initPid, pid, 0);
    }

    Optional<InitialMounts> initial() {
        return initialMounts.isEmpty() ? Optional.empty() : Optional.of(new InitialMounts(new MountTable(initialMounts)));
    }

    byte[] encode() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream gzip = new GZIPOutputStream(bytes)) {
            JSON.writeValue(gzip, this);
        }
        if (bytes.size() > MAX_SIZE) {
            throw new IOException("the notes of container " + containerId + "'s listener take " + bytes.size()
                    + " bytes, more than the keeper's " + MAX_SIZE);
        }
        return bytes.toByteArray();
    }

    static ListenerNotes decode(byte[] notes) throws IOException {
        try (InputStream gzip = new GZIPInputStream(new ByteArrayInputStream(notes))) {
            return JSON.readValue(gzip, ListenerNotes.class);
        }
    }
}
