package io.sysbox.runc.engine;

import java.util.List;

/** A command line a POSIX shell can `eval` back into exactly these words. */
final class ShellWords {
    private ShellWords() {}

    /** {@code exec 'w1' 'w2' ...}: single quotes keep every byte but ', written as '\''. */
    static String execLine(List<String> argv) {
        StringBuilder b = new StringBuilder("exec");
        for (String word : argv) {
            if (word.indexOf('\0') >= 0) throw new IllegalArgumentException("argument contains NUL");
            b.append(" '").append(word.replace("'", "'\\''")).append('\'');
        }
        return b.toString();
    }
}
