package io.sysbox.mgr.durable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordDirectoryTest {
    /** A record as the stores keep them: a key, and a field without which it is incomplete. */
    record Note(String id, String text) {}

    private static final RecordDirectory.Refusal<Note> REFUSAL = new RecordDirectory.Refusal<>("note", "writer",
            note -> " (" + note.id() + ")");

    @TempDir
    Path dataRoot;

    private RecordDirectory<Note> notes() throws IOException {
        return new RecordDirectory<>(dataRoot.resolve("notes"), Note.class, Note::id, note -> note.text() != null);
    }

    private static List<RecordDirectory.Entry<Note>> byKey(List<RecordDirectory.Entry<Note>> entries) {
        return entries.stream().sorted(Comparator.comparing(RecordDirectory.Entry::key)).toList();
    }

    @Test
    void savedRecordsReadBackAndDeletedOnesAreGone() throws Exception {
        RecordDirectory<Note> notes = notes();
        notes.save(new Note("a", "first"));
        notes.save(new Note("b", "second"));
        notes.save(new Note("a", "replaced"));
        notes.delete("b");
        notes.delete("b");

        assertEquals(List.of(new Note("a", "replaced")), notes().loadAll(REFUSAL));
        assertTrue(notes.exists("a"));
        assertFalse(notes.exists("b"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(notes.dir())));
    }

    @Test
    void theOnDiskFormatIsPrettyPrintedJsonNamedByTheKey() throws Exception {
        RecordDirectory<Note> notes = notes();
        notes.save(new Note("a", "first"));
        assertEquals("{\n  \"id\" : \"a\",\n  \"text\" : \"first\"\n}",
                Files.readString(notes.dir().resolve("a.json")));
    }

    @Test
    void everyFileIsAnsweredAsWhatItHoldsAndLeftoverTempFilesGo() throws Exception {
        RecordDirectory<Note> notes = notes();
        notes.save(new Note("good", "kept"));
        Path dir = notes.dir();
        Files.writeString(dir.resolve("broken.json"), "not json");
        Files.writeString(dir.resolve("empty.json"), "null");
        Files.writeString(dir.resolve("other.json"), "{\"id\":\"someone-else\",\"text\":\"x\"}");
        Files.writeString(dir.resolve("short.json"), "{\"id\":\"short\",\"later\":\"a newer manager's field\"}");
        Files.writeString(dir.resolve("good.json.tmp"), "{\"id\":\"go");
        Files.writeString(dir.resolve("README"), "not a record");

        List<RecordDirectory.Entry<Note>> entries = byKey(notes.entries());

        assertEquals(List.of("broken", "empty", "good", "other", "short"),
                entries.stream().map(RecordDirectory.Entry::key).toList());
        assertInstanceOf(RecordDirectory.Unreadable.class, entries.get(0));
        assertInstanceOf(RecordDirectory.Unreadable.class, entries.get(1));
        assertEquals(new RecordDirectory.Read<>(dir.resolve("good.json"), "good", new Note("good", "kept")),
                entries.get(2));
        assertEquals(new RecordDirectory.Invalid<>(dir.resolve("other.json"), "other", new Note("someone-else", "x")),
                entries.get(3));
        assertEquals(new RecordDirectory.Invalid<>(dir.resolve("short.json"), "short", new Note("short", null)),
                entries.get(4));
        assertFalse(Files.exists(dir.resolve("good.json.tmp")), "the interrupted write is cleared, its record stands");
    }

    /** What loadAll says of a directory holding only name, written with content. */
    private IOException refusalOf(String name, String content) throws IOException {
        RecordDirectory<Note> notes = notes();
        Files.writeString(notes.dir().resolve(name), content);
        return assertThrows(IOException.class, () -> notes.loadAll(REFUSAL));
    }

    @Test
    void anUnreadableFileStopsTheLoadNamingItAndHowToGoOn() throws Exception {
        IOException e = refusalOf("broken.json", "not json");

        Path file = dataRoot.resolve("notes").resolve("broken.json");
        assertTrue(e.getMessage().startsWith("cannot read the note " + file + ": Unrecognized token 'not'"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("; if its writer no longer exists, delete the file and start sysbox-mgr"
                + " again"), e.getMessage());
        assertInstanceOf(IOException.class, e.getCause());
    }

    @Test
    void anInvalidRecordStopsTheLoadNamingItAndWhatItNames() throws Exception {
        IOException e = refusalOf("mine.json", "{\"id\":\"theirs\",\"text\":\"x\"}");

        assertEquals("note " + dataRoot.resolve("notes").resolve("mine.json") + " is incomplete or names another"
                + " writer (theirs); if its writer no longer exists, delete the file and start sysbox-mgr again",
                e.getMessage());
    }

    @Test
    void aRefusalKeepsTheCauseOfAnUnreadableFile() throws Exception {
        RecordDirectory<Note> notes = notes();
        Files.writeString(notes.dir().resolve("broken.json"), "{");
        RecordDirectory.Unusable<Note> unusable = (RecordDirectory.Unusable<Note>) notes.entries().getFirst();
        IOException e = REFUSAL.of(unusable);
        assertSame(((RecordDirectory.Unreadable<Note>) unusable).cause(), e.getCause());
    }
}
