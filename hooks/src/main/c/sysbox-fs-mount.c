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
 *   A TARGET of the form /proc/self/fd/N or /proc/thread-self/fd/N (inner runc names every target
 *   so: an O_PATH descriptor of its own) means the caller's descriptor N: it is opened through the
 *   host's /proc before the caller's view is taken, and the job then names the file by its name in
 *   its parent directory, so that its lookup steps onto what is mounted there (as a lookup through
 *   the descriptor or of "." would not: the replica's submounts would go under the new instance).
 *
 * C, not Java: only a single-threaded process may join a mount namespace, and a JVM has threads.
 * Exit status: 0 done; the errno of the failing mount call (1 to 125) so sysbox-fs answers the
 * caller with it; 126 on a usage error; 127 when a namespace cannot be joined.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <dirent.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
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

/* The caller's descriptor TARGET names (/proc/self/fd/N, /proc/thread-self/fd/N), opened O_PATH; -1 for another path. */
static int caller_descriptor(const char *caller, const char *target) {
    const char *rest = NULL;
    if (strncmp(target, "/proc/self/fd/", 14) == 0) rest = target + 14;
    else if (strncmp(target, "/proc/thread-self/fd/", 21) == 0) rest = target + 21;
    if (rest == NULL || *rest == '\0' || strspn(rest, "0123456789") != strlen(rest)) return -1;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "/proc/%s/fd/%s", caller, rest);
    int fd = open(path, O_PATH | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "sysbox-fs-mount: the caller's descriptor %s: %s\n", rest, strerror(errno));
        exit(errno == ENOENT ? EBADF : EPERM);
    }
    return fd;
}

/*
 * In the caller's view: the working directory becomes the parent of the directory open at FD and
 * the name of that directory there is returned (NAME, NAME_SIZE), a path whose lookup steps onto
 * the mounts standing on it. "." (the directory itself) when it has no name there (the root).
 */
static const char *name_in_parent(int fd, char *name, size_t name_size) {
    struct stat want, st;
    if (fstat(fd, &want) < 0 || !S_ISDIR(want.st_mode)) {
        fprintf(stderr, "sysbox-fs-mount: the caller's descriptor is not a directory\n");
        exit(ENOTDIR);
    }
    if (fchdir(fd) < 0 || chdir("..") < 0) exit(fail("chdir", "..", errno));
    DIR *parent = opendir(".");
    if (parent != NULL) {
        struct dirent *e;
        while ((e = readdir(parent)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            if (fstatat(dirfd(parent), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_dev == want.st_dev
                    && st.st_ino == want.st_ino && strlen(e->d_name) < name_size) {
                strcpy(name, e->d_name);
                closedir(parent);
                return name;
            }
        }
        closedir(parent);
    }
    if (fchdir(fd) < 0) exit(fail("fchdir", "the caller's descriptor", errno));
    return ".";
}

/* TARGET as the job names it, in the caller's view (taken already); FD from caller_descriptor. */
static const char *job_target(int fd, const char *target, char *name, size_t name_size) {
    return fd < 0 ? target : name_in_parent(fd, name, name_size);
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
    char name[NAME_MAX + 1];
    int target_fd = caller_descriptor(caller, target);
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
    target = job_target(target_fd, target, name, sizeof name);
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

/* Joins CALLER's mount namespace and takes its view of paths; TARGET as the job then names it. */
static const char *enter_caller(const char *caller, const char *target, char *name, size_t name_size) {
    int fd = caller_descriptor(caller, target);
    int mnt = open_proc(caller, "ns/mnt"), root = open_proc(caller, "root"), cwd = open_proc(caller, "cwd");
    join(mnt, CLONE_NEWNS, "caller's mount");
    enter_view(root, cwd);
    return job_target(fd, target, name, name_size);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: sysbox-fs-mount CALLER_PID SOURCE_PID replica|rbind|readonly|detach|cover ARGS...\n");
        return EXIT_USAGE;
    }
    const char *caller = argv[1], *source_pid = argv[2], *job = argv[3];
    if (strcmp(job, "replica") == 0) return replica(caller, source_pid, argc - 4, argv + 4);
    char name[NAME_MAX + 1];
    if (strcmp(job, "rbind") == 0 && argc == 7) {
        unsigned long flags = strtoul(argv[6], NULL, 10);
        /* The source is looked up before the working directory moves to the target's parent. */
        int source = caller_descriptor(caller, argv[4]);
        int mnt = open_proc(caller, "ns/mnt"), root = open_proc(caller, "root"), cwd = open_proc(caller, "cwd");
        int target_fd = caller_descriptor(caller, argv[5]);
        join(mnt, CLONE_NEWNS, "caller's mount");
        enter_view(root, cwd);
        const char *target;
        if (source >= 0) {
            /* The caller's descriptor: its tree cloned (what a recursive bind makes) and attached. */
            int tree = (int) syscall(SYS_open_tree, source, "",
                    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE | AT_EMPTY_PATH);
            if (tree < 0) return fail("open_tree", argv[4], errno);
            target = job_target(target_fd, argv[5], name, sizeof name);
            if (syscall(SYS_move_mount, tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
                return fail("rbind", argv[5], errno);
            }
        } else {
            /* A relative source names a path from the caller's working directory: resolved before it moves. */
            int tree = argv[4][0] == '/' ? -1 : (int) syscall(SYS_open_tree, AT_FDCWD, argv[4],
                    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
            if (argv[4][0] != '/' && tree < 0) return fail("open_tree", argv[4], errno);
            target = job_target(target_fd, argv[5], name, sizeof name);
            if (tree >= 0) {
                if (syscall(SYS_move_mount, tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
                    return fail("rbind", argv[5], errno);
                }
            } else if (mount(argv[4], target, NULL, MS_BIND | MS_REC, NULL) < 0) {
                return fail("rbind", argv[5], errno);
            }
        }
        if ((flags & MS_RDONLY) != 0) {
            int err = readonly_tree(target);
            if (err != 0) umount2(target, MNT_DETACH);
            return err;
        }
        return 0;
    }
    if (strcmp(job, "readonly") == 0 && argc == 5) {
        return readonly_tree(enter_caller(caller, argv[4], name, sizeof name));
    }
    if (strcmp(job, "detach") == 0 && argc == 5) {
        const char *target = enter_caller(caller, argv[4], name, sizeof name);
        if (umount2(target, MNT_DETACH) < 0) return fail("umount2", argv[4], errno);
        return 0;
    }
    if (strcmp(job, "cover") == 0 && argc == 5) {
        const char *target = enter_caller(caller, argv[4], name, sizeof name);
        if (mount(target, target, NULL, MS_BIND, NULL) < 0) return fail("bind", argv[4], errno);
        if (mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) {
            int err = fail("remount read-only", argv[4], errno);
            umount2(target, MNT_DETACH);
            return err;
        }
        return 0;
    }
    fprintf(stderr, "sysbox-fs-mount: unknown job or wrong arguments: %s\n", job);
    return EXIT_USAGE;
}
