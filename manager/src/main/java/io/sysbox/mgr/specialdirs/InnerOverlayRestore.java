package io.sysbox.mgr.specialdirs;

import io.sysbox.common.sys.DeviceNodes;
import io.sysbox.common.sys.ExtendedAttributes;
import io.sysbox.common.sys.FileTimes;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Puts {@link InnerOverlayMetadata} back into a new special dir (not yet mounted anywhere):
 * whiteouts made again, overlayfs xattrs set again. The metadata came from the image, which
 * anyone can write: every path must name an entry inside the dir through real directories (no
 * "..", no symlink), only 0/0 devices are made, only overlayfs xattrs are set, and owners go
 * through the container's id translation. What does not fit the tree (the rootfs changed
 * after the file was written) is reported and skipped.
 */
final class InnerOverlayRestore {
    private static final int KEPT_PROBLEMS = 10;

    private final Path root;
    private final IdTranslation ids;
    private final List<String> problems = new ArrayList<>();
    private long problemCount, whiteouts, xattrs;

    private InnerOverlayRestore(Path root, IdTranslation ids) {
        this.root = root;
        this.ids = ids;
    }

    /** What was restored and the first few problems. */
    record Result(long whiteouts, long xattrs, List<String> problems, long problemCount) {
        @Override
        public String toString() {
            return whiteouts + " whiteouts and " + xattrs + " overlay xattrs restored"
                    + (problemCount == 0 ? "" : ", " + problemCount + " not (first: " + problems.getFirst() + ")");
        }
    }

    /** Restores metadata into root, owners moved along ids. */
    static Result apply(Path root, InnerOverlayMetadata metadata, IdTranslation ids) {
        InnerOverlayRestore restore = new InnerOverlayRestore(root, ids);
        for (InnerOverlayMetadata.Whiteout whiteout : metadata.whiteouts()) {
            try {
                restore.whiteout(whiteout);
            } catch (IOException e) {
                restore.problem("whiteout " + whiteout.path() + ": " + e.getMessage());
            }
        }
        for (InnerOverlayMetadata.Xattr xattr : metadata.xattrs()) {
            try {
                restore.xattr(xattr);
            } catch (IOException e) {
                restore.problem("xattr " + xattr.name() + " of " + xattr.path() + ": " + e.getMessage());
            }
        }
        return new Result(restore.whiteouts, restore.xattrs, List.copyOf(restore.problems), restore.problemCount);
    }

    private void whiteout(InnerOverlayMetadata.Whiteout whiteout) throws IOException {
        Path at = inside(whiteout.path());
        if (at.equals(root)) throw new IOException("names the special dir itself");
        FileStat there = FileStat.ifExists(at);
        if (there != null) {
            if (InnerOverlayMetadata.isWhiteout(there)) return;
            throw new IOException("something else is there");
        }
        // Making an entry changes the directory's times, which the copy had set as the image has them.
        Path parent = at.getParent();
        FileStat parentStat = FileStat.of(parent);
        int permissions = whiteout.mode() & 07777;
        DeviceNodes.mknod(at, FileStat.S_IFCHR | (permissions & 0777), 0);
        Files.setAttribute(at, "unix:uid", (int) ids.uid(whiteout.uid()), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(at, "unix:gid", (int) ids.gid(whiteout.gid()), LinkOption.NOFOLLOW_LINKS);
        // By path: the JDK's no-follow chmod opens the file, which a device refuses. at was just made, not a link.
        Files.setAttribute(at, "unix:mode", permissions);
        FileTimes.set(at, whiteout.mtime(), whiteout.mtime());
        FileTimes.set(parent, parentStat.mtime(), parentStat.atime());
        whiteouts++;
    }

    private void xattr(InnerOverlayMetadata.Xattr xattr) throws IOException {
        if (xattr.name() == null || !InnerOverlayMetadata.carries(xattr.name())) {
            throw new IOException("not an overlayfs xattr; only those are restored");
        }
        if (xattr.value() == null) throw new IOException("no value");
        Path at = inside(xattr.path());
        if (FileStat.ifExists(at) == null) throw new IOException("no such entry");
        ExtendedAttributes.set(at, xattr.name(), xattr.value());
        xattrs++;
    }

    /** root/relative, checked to stay inside root: plain names, every parent a real directory. */
    private Path inside(String relative) throws IOException {
        if (relative == null) throw new IOException("no path");
        if (relative.isEmpty()) return root;
        Path path = Path.of(relative);
        if (path.isAbsolute()) throw new IOException("not relative to the special dir");
        Path at = root;
        for (int i = 0; i < path.getNameCount(); i++) {
            String name = path.getName(i).toString();
            if (name.isEmpty() || name.equals(".") || name.equals("..")) throw new IOException("not a plain path");
            if (i > 0) {
                FileStat parent = FileStat.ifExists(at);
                if (parent == null || !parent.isDirectory()) throw new IOException(root.relativize(at) + " is not a directory");
            }
            at = at.resolve(name);
        }
        return at;
    }

    private void problem(String what) {
        problemCount++;
        if (problems.size() < KEPT_PROBLEMS) problems.add(what);
    }
}
