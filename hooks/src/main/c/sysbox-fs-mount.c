/*
 * sysbox-fs-mount: performs, for sysbox-fs, a mount a process inside a system container asked for
 * and sysbox-fs decided to carry out on its behalf (its seccomp notification). sysbox-fs decides
 * what is mounted; this program only does it, in the caller's namespaces and as the caller sees
 * paths (its root and working directory).
 *
 * Usage: sysbox-fs-mount CALLER_PID SOURCE_PID JOB ARGS...
 *   replica FSTYPE SOURCE FLAGS DATA TARGET DIR [SUB]...
 *       mount(SOURCE, TARGET, FSTYPE, FLAGS, DATA) in CALLER_PID's mount, pid and network
 *       namespaces (a proc or sysfs instance is the mounter's pid or network namespace's), then
 *       for each SUB (relative to DIR, "/proc" or "/sys") clone SOURCE_PID's DIR/SUB with its
 *       submounts, in SOURCE_PID's mount namespace, and attach the clone at TARGET/SUB: the
 *       replica carries the container's emulated files and masks. MS_RDONLY in FLAGS makes the
 *       whole replica read-only, clones included.
 *   rbind SOURCE TARGET FLAGS
 *       a recursive bind of SOURCE at TARGET (a bind of /proc or /sys carries their submounts);
 *       MS_RDONLY in FLAGS makes all of it read-only.
 *   readonly TARGET
 *       makes the mount at TARGET and every mount below it read-only.
 *   detach TARGET
 *       unmounts the mount at TARGET with everything standing on it (MNT_DETACH): a replica of
 *       /proc or /sys goes as a whole, as the one mount its maker sees.
 *   cover TARGET
 *       binds TARGET over itself, read-only: a mount point stands there, showing what was there
 *       (sysbox-fs's empty directory), in place of a file system of the host's.
 *   DATA "-" is no data. FLAGS is decimal.
 *
 * C, not Java: only a single-threaded process may join a mount namespace, and a JVM has threads.
 * Exit status: 0 done; the errno of the failing mount call (1 to 125) so sysbox-fs answers the
 * caller with it; 126 on a usage error; 127 when a namespace cannot be joined.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif

#define EXIT_USAGE 126
#define EXIT_NAMESPACE 127
#define MAX_SUBS 256

struct attr { uint64_t set, clr, propagation, userns_fd; };

static int fail(const char *what, const char *subject, int err) {
    fprintf(stderr, "sysbox-fs-mount: %s %s: %s\n", what, subject, strerror(err));
    return err > 0 && err < EXIT_USAGE ? err : EPERM;
}

static int open_proc(const char *pid, const char *name) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "/proc/%s/%s", pid, name);
    return open(path, O_RDONLY | O_CLOEXEC);
}

/* Joins NSFD (open /proc/PID/ns/X), or exits: acting in the wrong namespace would act on the host. */
static void join(int nsfd, int type, const char *what) {
    if (nsfd < 0 || setns(nsfd, type) < 0) {
        fprintf(stderr, "sysbox-fs-mount: cannot join the %s namespace: %s\n", what, strerror(errno));
        exit(EXIT_NAMESPACE);
    }
}

/* Root and working directory become those of the process whose /proc/PID/root and cwd are open at ROOT, CWD. */
static void enter_view(int root, int cwd) {
    if (root < 0 || fchdir(root) < 0 || chroot(".") < 0 || (cwd >= 0 ? fchdir(cwd) : chdir("/")) < 0) {
        fprintf(stderr, "sysbox-fs-mount: cannot take the caller's root and working directory: %s\n", strerror(errno));
        exit(EXIT_NAMESPACE);
    }
}

static int readonly_tree(const char *target) {
    struct attr a = { .set = MOUNT_ATTR_RDONLY };
    if (syscall(SYS_mount_setattr, AT_FDCWD, target, AT_RECURSIVE, &a, sizeof a) < 0) {
        return fail("mount_setattr read-only", target, errno);
    }
    return 0;
}

/*
 * A target /proc/self/fd/N is a descriptor of the caller's (systemd mounts a unit's private /proc
 * through an O_PATH descriptor of the directory). The mounting child below resolves /proc/self as
 * itself: it gets the caller's descriptor under the same number, opened here from the host.
 */
static int adopt_caller_fd(const char *caller, const char *target) {
    const char *prefix = "/proc/self/fd/";
    if (strncmp(target, prefix, strlen(prefix)) != 0) return 0;
    char *end;
    long n = strtol(target + strlen(prefix), &end, 10);
    if (end == target + strlen(prefix) || (*end != '\0' && *end != '/') || n < 3 || n > 65535) return 0;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "/proc/%s/fd/%ld", caller, n);
    int fd = open(path, O_PATH);
    if (fd < 0) return fail("open", path, errno);
    if (fd != n && (dup2(fd, (int) n) < 0 || close(fd) < 0)) return fail("dup2", path, errno);
    return 0;
}

static int replica(const char *caller, const char *source_pid, int argc, char **argv) {
    if (argc < 6) return EXIT_USAGE;
    const char *fstype = argv[0], *source = argv[1], *data = strcmp(argv[3], "-") == 0 ? NULL : argv[3];
    unsigned long flags = strtoul(argv[2], NULL, 10);
    const char *target = argv[4], *dir = argv[5];
    int subs = argc - 6;
    if (subs > MAX_SUBS) return EXIT_USAGE;
    int clones[MAX_SUBS];
    int adopted = adopt_caller_fd(caller, target);
    if (adopted != 0) return adopted;

    int caller_mnt = open_proc(caller, "ns/mnt"), caller_pid = open_proc(caller, "ns/pid");
    int caller_net = open_proc(caller, "ns/net"), caller_root = open_proc(caller, "root");
    int caller_cwd = open_proc(caller, "cwd");
    int source_mnt = open_proc(source_pid, "ns/mnt"), source_root = open_proc(source_pid, "root");
    if (subs > 0) {
        join(source_mnt, CLONE_NEWNS, "source's mount");
        enter_view(source_root, -1);
        for (int i = 0; i < subs; i++) {
            char path[PATH_MAX];
            snprintf(path, sizeof path, "%s/%s", dir, argv[6 + i]);
            clones[i] = (int) syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
            if (clones[i] < 0) return fail("open_tree", path, errno);
        }
    }
    join(caller_pid, CLONE_NEWPID, "caller's pid");
    join(caller_net, CLONE_NEWNET, "caller's network");
    join(caller_mnt, CLONE_NEWNS, "caller's mount");
    enter_view(caller_root, caller_cwd);
    /* The pid namespace applies to children only, and proc takes the mounter's. */
    pid_t child = fork();
    if (child < 0) return fail("fork", "", errno);
    if (child > 0) {
        int status;
        if (waitpid(child, &status, 0) < 0) return fail("waitpid", "", errno);
        return WIFEXITED(status) ? WEXITSTATUS(status) : EPERM;
    }
    if (mount(source, target, fstype, flags, data) < 0) _exit(fail("mount", target, errno));
    for (int i = 0; i < subs; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", target, argv[6 + i]);
        if (syscall(SYS_move_mount, clones[i], "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
            /* A node the new instance lacks (another pid namespace's /proc) has nothing to carry. */
            if (errno == ENOENT) continue;
            int err = fail("move_mount", path, errno);
            umount2(target, MNT_DETACH);
            _exit(err);
        }
    }
    if ((flags & MS_RDONLY) != 0) {
        int err = readonly_tree(target);
        if (err != 0) {
            umount2(target, MNT_DETACH);
            _exit(err);
        }
    }
    _exit(0);
}

/* Joins CALLER's mount namespace and takes its view of paths. */
static void enter_caller(const char *caller) {
    int mnt = open_proc(caller, "ns/mnt"), root = open_proc(caller, "root"), cwd = open_proc(caller, "cwd");
    join(mnt, CLONE_NEWNS, "caller's mount");
    enter_view(root, cwd);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: sysbox-fs-mount CALLER_PID SOURCE_PID replica|rbind|readonly|detach|cover ARGS...\n");
        return EXIT_USAGE;
    }
    const char *caller = argv[1], *source_pid = argv[2], *job = argv[3];
    if (strcmp(job, "replica") == 0) return replica(caller, source_pid, argc - 4, argv + 4);
    if (strcmp(job, "rbind") == 0 && argc == 7) {
        unsigned long flags = strtoul(argv[6], NULL, 10);
        enter_caller(caller);
        if (mount(argv[4], argv[5], NULL, MS_BIND | MS_REC, NULL) < 0) return fail("rbind", argv[5], errno);
        if ((flags & MS_RDONLY) != 0) {
            int err = readonly_tree(argv[5]);
            if (err != 0) umount2(argv[5], MNT_DETACH);
            return err;
        }
        return 0;
    }
    if (strcmp(job, "readonly") == 0 && argc == 5) {
        enter_caller(caller);
        return readonly_tree(argv[4]);
    }
    if (strcmp(job, "detach") == 0 && argc == 5) {
        enter_caller(caller);
        if (umount2(argv[4], MNT_DETACH) < 0) return fail("umount2", argv[4], errno);
        return 0;
    }
    if (strcmp(job, "cover") == 0 && argc == 5) {
        enter_caller(caller);
        if (mount(argv[4], argv[4], NULL, MS_BIND, NULL) < 0) return fail("bind", argv[4], errno);
        if (mount(NULL, argv[4], NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
            int err = fail("remount read-only", argv[4], errno);
            umount2(argv[4], MNT_DETACH);
            return err;
        }
        return 0;
    }
    fprintf(stderr, "sysbox-fs-mount: unknown job or wrong arguments: %s\n", job);
    return EXIT_USAGE;
}
