package io.sysbox.mgr.specialdirs;

import java.util.List;

/**
 * What a tree copy did.
 *
 * @param filesCopied regular files whose content was written
 * @param bytesCopied their size
 * @param unchanged   regular files left as they were (same size and modification time)
 * @param created     directories, symlinks, hard links and special files made
 * @param removed     entries of the target that the source no longer has (each a whole tree)
 * @param problems    what could not be reproduced (an xattr the filesystem refuses, a special
 *                    file that cannot be made); the first few, in order
 * @param problemCount how many there were in all
 */
record CopyReport(long filesCopied, long bytesCopied, long unchanged, long created, long removed,
                  List<String> problems, long problemCount) {
    @Override
    public String toString() {
        return filesCopied + " files (" + bytesCopied + " bytes) copied, " + unchanged + " unchanged, " + created
                + " other entries made, " + removed + " removed"
                + (problemCount == 0 ? "" : ", " + problemCount + " not reproduced (first: " + problems.getFirst() + ")");
    }
}
