package io.sysbox.fs.fuse;

/**
 * Whom a READ request is for. A file opened with {@link Opened#DIRECT_IO} is read for its
 * callers (read(2), pread(2), readv), straight into their buffers. The kernel may still read it
 * into the inode's page cache, which every open of the inode shares, bounded by the one size it
 * holds for the inode: on Linux 6.5 to at least 6.18 splice(2) and sendfile(2) do
 * (fuse_splice_read calls filemap_splice_read whatever the open's flags), and so does a
 * private mmap(2).
 */
public enum ReadKind {
    /** For one caller's buffer (the request names its lock owner). */
    CALLER,
    /** To fill the page cache: readahead or a folio read (no lock owner). */
    PAGE_CACHE
}
