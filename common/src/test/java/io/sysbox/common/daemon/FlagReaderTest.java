package io.sysbox.common.daemon;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlagReaderTest {
    /** A daemon's own usage exception, as FlagReader's callers pass it. */
    static final class BadFlag extends Exception {
        BadFlag(String message) {
            super(message);
        }
    }

    private static FlagReader<BadFlag> reader(String... args) {
        return new FlagReader<>(args, BadFlag::new);
    }

    @Test
    void readsBothSpellingsOfAValue() throws BadFlag {
        FlagReader<BadFlag> in = reader("--dir=/a", "--dir", "/b", "--unit", "seconds");
        assertEquals("--dir", in.nextFlag());
        assertEquals(Path.of("/a"), in.path("--dir"));
        assertEquals("--dir", in.nextFlag());
        assertEquals(Path.of("/b"), in.path("--dir"));
        assertEquals("--unit", in.nextFlag());
        assertEquals(TimeUnit.SECONDS, in.choice("--unit", TimeUnit.class));
        assertFalse(in.hasNext());
    }

    @Test
    void boolTakesAnOptionalValue() throws BadFlag {
        FlagReader<BadFlag> in = reader("--on", "--off", "false", "--set=TRUE", "--last");
        in.nextFlag();
        assertTrue(in.bool("--on"));
        in.nextFlag();
        assertFalse(in.bool("--off"));
        in.nextFlag();
        assertTrue(in.bool("--set"));
        in.nextFlag();
        assertTrue(in.bool("--last"));
        assertFalse(in.hasNext());
    }

    @Test
    void errorsAreTheCallersExceptionAndNameTheFlag() {
        FlagReader<BadFlag> missing = reader("--dir");
        missing.nextFlag();
        assertEquals("--dir needs a value", assertThrows(BadFlag.class, () -> missing.value("--dir")).getMessage());
        FlagReader<BadFlag> empty = reader("--dir=");
        empty.nextFlag();
        assertEquals("--dir needs a non-empty path", assertThrows(BadFlag.class, () -> empty.path("--dir")).getMessage());
        FlagReader<BadFlag> choice = reader("--unit=weeks");
        choice.nextFlag();
        String message = assertThrows(BadFlag.class, () -> choice.choice("--unit", TimeUnit.class)).getMessage();
        assertTrue(message.startsWith("--unit 'weeks' is not one of nanoseconds, microseconds"), message);
        FlagReader<BadFlag> bool = reader("--on=maybe");
        bool.nextFlag();
        assertEquals("--on 'maybe' is not true or false", assertThrows(BadFlag.class, () -> bool.bool("--on")).getMessage());
    }
}
