/*
 * escape-probe: one escape attempt per call, run inside a system container by EscapesIT.
 * Exit 0: the attempt SUCCEEDED (an escape); exit 1: refused (the reason on stdout);
 * exit 2: the probe itself was misused. Nothing is ever written to what an attempt opens:
 * success is shown by the open, the attach or the mount alone, then undone.
 *
 *   open-write PATH            open(2) PATH for writing (no O_TRUNC)
 *   write PATH TEXT            write TEXT into PATH
 *   read PATH                  read PATH, success if it gives at least one byte
 *   syslog                     klogctl(SYSLOG_ACTION_READ_ALL)
 *   ptrace PID                 PTRACE_SEIZE of PID, detached again at once
 *   mknod-mount MAJ MIN FSTYPE mknod a block node and mount it read-only
 *   mount PATH FSTYPE          mount PATH read-only on a fresh directory
 *   exe-race SECONDS           open every /proc/PID/exe for writing, over and over, for SECONDS
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

static int refused(const char *what) {
    printf("refused: %s: %s\n", what, strerror(errno));
    return 1;
}

static int open_write(const char *path) {
    int fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return refused(path);
    close(fd);
    printf("opened %s for writing\n", path);
    return 0;
}

static int write_text(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) return refused(path);
    ssize_t n = write(fd, text, strlen(text));
    int saved = errno;
    close(fd);
    errno = saved;
    if (n < 0) return refused(path);
    printf("wrote %zd bytes into %s\n", n, path);
    return 0;
}

static int read_some(const char *path) {
    int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return refused(path);
    char buf[512];
    ssize_t n = read(fd, buf, sizeof buf);
    int saved = errno;
    close(fd);
    errno = saved;
    if (n <= 0) {
        if (n == 0) errno = ENODATA;
        return refused(path);
    }
    printf("read %zd bytes of %s\n", n, path);
    return 0;
}

static int read_syslog(void) {
    char buf[512];
    int n = klogctl(3, buf, sizeof buf);
    if (n < 0) return refused("syslog(2)");
    if (n == 0) {
        errno = ENODATA;
        return refused("syslog(2)");
    }
    printf("syslog(2) gave %d bytes\n", n);
    return 0;
}

static int attach(const char *pid_text) {
    pid_t pid = (pid_t) atoi(pid_text);
    if (ptrace(PTRACE_SEIZE, pid, 0, 0) < 0) return refused("ptrace");
    ptrace(PTRACE_DETACH, pid, 0, 0);
    printf("attached to %d\n", pid);
    return 0;
}

static int mount_ro(const char *source, const char *fstype) {
    char dir[] = "/tmp/escape-probe-XXXXXX";
    if (!mkdtemp(dir)) return refused("mkdtemp");
    int rc;
    if (mount(source, dir, fstype, MS_RDONLY, NULL) < 0) {
        rc = refused("mount");
    } else {
        printf("mounted %s on %s\n", source, dir);
        umount2(dir, MNT_DETACH);
        rc = 0;
    }
    rmdir(dir);
    return rc;
}

static int mknod_mount(const char *maj, const char *min, const char *fstype) {
    const char *node = "/tmp/escape-probe-blk";
    unlink(node);
    if (mknod(node, S_IFBLK | 0600, makedev(atoi(maj), atoi(min))) < 0) return refused("mknod");
    int rc = mount_ro(node, fstype);
    unlink(node);
    return rc;
}

static int exe_race(const char *seconds) {
    time_t end = time(NULL) + atoi(seconds);
    pid_t self = getpid();
    long tries = 0;
    while (time(NULL) < end) {
        DIR *proc = opendir("/proc");
        if (!proc) return refused("/proc");
        struct dirent *e;
        while ((e = readdir(proc)) != NULL) {
            pid_t pid = (pid_t) atoi(e->d_name);
            if (pid <= 0 || pid == self) continue;
            char path[64];
            snprintf(path, sizeof path, "/proc/%d/exe", pid);
            int fd = open(path, O_WRONLY | O_CLOEXEC | O_NONBLOCK);
            tries++;
            if (fd >= 0) {
                char target[256] = "";
                ssize_t n = readlink(path, target, sizeof target - 1);
                if (n > 0) target[n] = 0;
                close(fd);
                printf("opened %s (%s) for writing\n", path, target);
                closedir(proc);
                return 0;
            }
        }
        closedir(proc);
    }
    printf("refused: %ld opens of /proc/*/exe for writing all failed\n", tries);
    return 1;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc == 3 && !strcmp(argv[1], "open-write")) return open_write(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "write")) return write_text(argv[2], argv[3]);
    if (argc == 3 && !strcmp(argv[1], "read")) return read_some(argv[2]);
    if (argc == 2 && !strcmp(argv[1], "syslog")) return read_syslog();
    if (argc == 3 && !strcmp(argv[1], "ptrace")) return attach(argv[2]);
    if (argc == 5 && !strcmp(argv[1], "mknod-mount")) return mknod_mount(argv[2], argv[3], argv[4]);
    if (argc == 4 && !strcmp(argv[1], "mount")) return mount_ro(argv[2], argv[3]);
    if (argc == 3 && !strcmp(argv[1], "exe-race")) return exe_race(argv[2]);
    fprintf(stderr, "usage: escape-probe open-write|write|read|syslog|ptrace|mknod-mount|mount|exe-race ...\n");
    return 2;
}
