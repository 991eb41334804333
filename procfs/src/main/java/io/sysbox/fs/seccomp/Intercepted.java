package io.sysbox.fs.seccomp;

/** An intercepted system call, its arguments read from the caller's memory. */
public sealed interface Intercepted {
    long MS_RDONLY = 1, MS_REMOUNT = 32, MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384;
    /** MS_UNBINDABLE, MS_PRIVATE, MS_SLAVE, MS_SHARED: a change of propagation only. */
    long PROPAGATION = (1 << 17) | (1 << 18) | (1 << 19) | (1 << 20);
    int UMOUNT_NOFOLLOW = 8;

    /** The path the call acts on, as the caller wrote it. */
    String target();

    /** mount(2); a null pointer argument is an empty string (or null data). */
    record Mount(String source, String target, String fsType, long flags, String data) implements Intercepted {
        public boolean has(long flag) {
            return (flags & flag) != 0;
        }
    }

    /** umount2(2). */
    record Umount(String target, int flags) implements Intercepted {}
}
