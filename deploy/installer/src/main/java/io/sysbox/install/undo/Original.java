package io.sysbox.install.undo;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a host path was before the installer first touched it, recorded before the change.
 *
 * @param owner  the part of the installation that changed it ("containerd", "binaries", ...), so
 *               one part can be undone alone
 * @param path   the host path
 * @param kind   what was there
 * @param saved  for a FILE, the name of the copy of its bytes in the journal's directory
 * @param mode   for a FILE or DIRECTORY that existed, its permission bits
 * @param uid    its owner
 * @param gid    its group
 * @param target for a SYMLINK, where it pointed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Original(String owner, String path, Kind kind, String saved, Integer mode, Integer uid, Integer gid,
                       String target) {
    public enum Kind {
        /** Nothing was there: undo removes what the installer put. */
        ABSENT,
        /** A regular file: undo writes its saved bytes back, with its mode and owner. */
        FILE,
        /** A symbolic link: undo points it where it pointed. */
        SYMLINK
    }
}
