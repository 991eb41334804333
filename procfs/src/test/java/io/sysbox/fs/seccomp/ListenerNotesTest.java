package io.sysbox.fs.seccomp;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ListenerNotesTest {
    @Test
    void aSessionsNotesComeBackWithTheContainersInitialMounts() throws Exception {
        ProcessState process = new ProcessState("c1", 4242, 4300, 0);
        InitialMounts initial = new InitialMounts(MountTable.parse(MountPolicyTest.INITIAL));
        ListenerNotes notes = ListenerNotes.of(process, Optional.of(initial));
        byte[] encoded = notes.encode();
        ListenerNotes back = ListenerNotes.decode(encoded);
        assertEquals(notes, back);
        assertEquals(process, back.process());
        assertEquals(initial, back.initial().orElseThrow());
        assertEquals("seccomp/c1/4300", ListenerKeeping.slot(back));
    }

    @Test
    void anUnregisteredContainersNotesHaveNoMountsAndALargeTableStaysWithinTheKeepersBound() throws Exception {
        ListenerNotes unknown = ListenerNotes.of(new ProcessState("plain", 10, 10, 0), Optional.empty());
        ListenerNotes back = ListenerNotes.decode(unknown.encode());
        assertTrue(back.initial().isEmpty());
        assertTrue(back.process().isInit());
        // A system container running Docker has a few hundred mounts at start: they compress well.
        StringBuilder table = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            table.append(1000 + i).append(" 100 0:60 /c1/proc/sys/net/ipv4/conf/eth").append(i)
                    .append(" /proc/sys/net/ipv4/conf/eth").append(i)
                    .append(" rw,nosuid,nodev,relatime shared:7 - fuse.sysbox-fs sysboxfs rw\n");
        }
        ListenerNotes large = ListenerNotes.of(new ProcessState("big", 1, 1, 0),
                Optional.of(new InitialMounts(MountTable.parse(table.toString()))));
        assertTrue(large.encode().length <= ListenerNotes.MAX_SIZE);
        assertEquals(2000, ListenerNotes.decode(large.encode()).initialMounts().size());
        assertEquals(List.of(), unknown.initialMounts());
    }
}
