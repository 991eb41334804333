/*
 * sysbox-procsys-hook: an OCI createRuntime hook that binds the files sysbox-fs serves for a
 * container over the container's own /proc/sys files and /sys/devices/virtual.
 *
 * Usage: sysbox-procsys-hook [--sources-in NSFILE] [--keep PATH]... [--rebind ROOT SOURCE PATH]... [SOURCE DESTINATION ...]
 *        with the OCI state of the container on stdin (its "pid" is the container's init); at least
 *        one SOURCE DESTINATION pair or --rebind.
 *
 * runc refuses spec mounts inside /proc other than its lxcfs list, so these binds are made here,
 * by the runtime's hook, after runc has mounted the container's /proc and /sys and before
 * pivot_root: DESTINATION is the absolute path in the container's mount namespace at that time
 * (<rootfs>/proc/sys/..., <rootfs>/sys/devices/virtual). Each SOURCE is cloned in this process's
 * (the host's) mount namespace first, so sysbox-fs's mount need not be visible in the container's.
 * Then this process joins the container's network and mount namespaces and moves each clone over
 * its DESTINATION, which must be on procfs or sysfs: nothing in the container's own file system
 * is ever mounted over. The network namespace matters because procfs has a dentry per network
 * namespace for one /proc/sys/net path: a bind made on the host's is not on the file the
 * container opens.
 *
 * --keep PATH (on sysfs, in the container's mount namespace) is cloned before any move and put
 * back at PATH after them all, over what the moves put there (a SOURCE, or sysfs if none covered
 * it): the container keeps its own /sys/devices/virtual/net, whose devices are those of the network
 * namespace that mounted its sysfs, under sysbox-fs's /sys/devices/virtual.
 *
 * --sources-in NSFILE: the sources are cloned in that mount namespace (the manager's, where it made
 * them) rather than this process's. An engine may run the runtime, and so its hooks, in a mount
 * namespace of its own that was copied before the manager mounted them (Podman's conmon does,
 * and the host's mounts do not propagate).
 *
 * --rebind ROOT SOURCE PATH (the OCI hooks mode of an unmodified runtime, whose spec binds the original
 * of SOURCE, an idmapped clone the manager made, at PATH): PATH is resolved inside ROOT (the rootfs, as
 * the runtime resolved the spec's destination, symbolic links included) in the container's mount
 * namespace and must show the very file SOURCE shows (same device and inode: the runtime's bind of the
 * original), so nothing else is ever covered. A recursive clone of SOURCE, given the read-only, nosuid,
 * nodev and noexec flags of the mount it covers (what the runtime made of the spec's options), is moved
 * over it. Done before the pairs, in the order given (the spec's).
 *
 * This is C rather than Java because a process can only join a mount namespace while it has a
 * single thread (a JVM never has), and because runc runs it for every container created.
 *
 * Any failure: a message naming what failed on stderr and exit status 1 (runc then fails the
 * create and destroys the container's namespaces, with whatever was mounted in them).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <linux/openat2.h>

/*
 * open_tree and move_mount through syscall(2): glibc has their wrappers (and these constants in
 * <sys/mount.h>) only from 2.36, and hosts with glibc 2.35 (Ubuntu 22.04) lack them. The numbers
 * are those of the table every architecture shares from 424 up.
 */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#define MOVE_MOUNT_F_EMPTY_PATH 0x4
#define MOVE_MOUNT_T_EMPTY_PATH 0x40
#endif

/* mount_setattr (442) likewise, and its attributes where glibc's <sys/mount.h> lacks them. */
#ifndef MOUNT_ATTR_SIZE_VER0
struct mount_attr {
	uint64_t attr_set, attr_clr, propagation, userns_fd;
};
#define MOUNT_ATTR_RDONLY 0x1
#define MOUNT_ATTR_NOSUID 0x2
#define MOUNT_ATTR_NODEV 0x4
#define MOUNT_ATTR_NOEXEC 0x8
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif

static int sys_mount_setattr(int dirfd, const char *path, unsigned int flags, struct mount_attr *attr)
{
	return (int)syscall(442, dirfd, path, flags, attr, sizeof *attr);
}

static int sys_openat2(int dirfd, const char *path, struct open_how *how)
{
	return (int)syscall(437, dirfd, path, how, sizeof *how);
}

static int sys_open_tree(int dirfd, const char *path, unsigned int flags)
{
	return (int)syscall(428, dirfd, path, flags);
}

static int sys_move_mount(int from_dirfd, const char *from, int to_dirfd, const char *to, unsigned int flags)
{
	return (int)syscall(429, from_dirfd, from, to_dirfd, to, flags);
}

#define PROG "sysbox-procsys-hook"
#define USAGE "usage: " PROG " [--sources-in NSFILE] [--keep PATH]... [--rebind ROOT SOURCE PATH]... [SOURCE DESTINATION ...]" \
	" < OCI-STATE"

/* runc's state is a few hundred bytes; annotations can make it larger, never this large. */
#define MAX_STATE (1024 * 1024)

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void fail(const char *fmt, ...)
{
	va_list ap;
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static char *read_stdin(size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap + 1);
	if (!buf)
		fail("out of memory reading the OCI state from stdin");
	for (;;) {
		if (n == cap) {
			if (cap >= MAX_STATE)
				fail("the OCI state on stdin is larger than %d bytes", MAX_STATE);
			cap *= 2;
			char *bigger = realloc(buf, cap + 1);
			if (!bigger)
				fail("out of memory reading the OCI state from stdin");
			buf = bigger;
		}
		ssize_t r = read(STDIN_FILENO, buf + n, cap - n);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fail("reading the OCI state from stdin: %s", strerror(errno));
		}
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Skips a JSON string starting at s[i] == '"'; returns the index after its closing quote. */
static size_t skip_string(const char *s, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	fail("the OCI state on stdin is not JSON: unterminated string");
}

/*
 * The "pid" member of the top-level object of the state (a key of that name inside annotations
 * does not count). Only as much JSON as that needs is understood.
 */
static pid_t state_pid(const char *s, size_t len)
{
	int depth = 0;
	for (size_t i = 0; i < len;) {
		char c = s[i];
		if (c == '{' || c == '[') {
			depth++;
			i++;
		} else if (c == '}' || c == ']') {
			depth--;
			i++;
		} else if (c == '"') {
			size_t end = skip_string(s, len, i);
			size_t j = end;
			while (j < len && strchr(" \t\r\n", s[j]))
				j++;
			if (depth == 1 && j < len && s[j] == ':' && end - i == 5 && memcmp(s + i, "\"pid\"", 5) == 0) {
				for (j++; j < len && strchr(" \t\r\n", s[j]); j++)
					;
				char *num_end;
				errno = 0;
				long pid = (s[j] >= '0' && s[j] <= '9') ? strtol(s + j, &num_end, 10) : -1;
				if (pid <= 0 || errno != 0 || pid > INT_MAX)
					fail("the OCI state on stdin has no valid \"pid\" (a positive integer): %.*s",
					     (int)strcspn(s + j, ",}\r\n"), s + j);
				return (pid_t)pid;
			}
			i = end;
		} else {
			i++;
		}
	}
	fail("the OCI state on stdin has no \"pid\" (is this run as an OCI createRuntime hook?)");
}

/* Opens PATH in the current mount namespace and checks that it is on one of the file systems named. */
static int open_on(const char *what, const char *path, pid_t pid, long type1, long type2, const char *types)
{
	if (path[0] != '/')
		fail("%s %s is not an absolute path", what, path);
	int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		fail("cannot open %s %s in the mount namespace of pid %d: %s", what, path, (int)pid, strerror(errno));
	struct statfs fs;
	if (fstatfs(fd, &fs) < 0)
		fail("cannot stat the file system of %s %s: %s", what, path, strerror(errno));
	if ((long)fs.f_type != type1 && (long)fs.f_type != type2)
		fail("%s %s is not on %s in the mount namespace of pid %d (are the container's /proc and /sys "
		     "mounted there?)", what, path, types, (int)pid);
	return fd;
}

/* One --rebind: the clone of source (made in the host's namespace) and the file it shows. */
struct rebind {
	const char *root, *source, *path;
	int tree;
	struct stat shown;
};

/* Clones r->source, recursively, in the current (the host's) mount namespace. */
static void clone_rebind(struct rebind *r)
{
	r->tree = sys_open_tree(AT_FDCWD, r->source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (r->tree < 0)
		fail("cannot clone source %s (in the host's mount namespace): %s", r->source, strerror(errno));
	if (fstat(r->tree, &r->shown) < 0)
		fail("cannot stat source %s: %s", r->source, strerror(errno));
}

/* In the container's mount namespace: moves the clone over the runtime's bind of the same file. */
static void move_rebind(struct rebind *r, pid_t pid)
{
	int root = open(r->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		fail("cannot open root %s in the mount namespace of pid %d: %s", r->root, (int)pid, strerror(errno));
	struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	int target = sys_openat2(root, r->path, &how);
	if (target < 0)
		fail("cannot open %s inside %s in the mount namespace of pid %d: %s", r->path, r->root, (int)pid,
		     strerror(errno));
	close(root);
	struct stat st;
	struct statvfs vfs;
	if (fstat(target, &st) < 0 || fstatvfs(target, &vfs) < 0)
		fail("cannot stat %s inside %s: %s", r->path, r->root, strerror(errno));
	if (st.st_dev != r->shown.st_dev || st.st_ino != r->shown.st_ino)
		fail("%s inside %s in the mount namespace of pid %d does not show %s (device %u:%u inode %llu there, "
		     "%u:%u inode %llu here): it is not the runtime's bind of that source, so it is left as it is", r->path,
		     r->root, (int)pid, r->source, major(st.st_dev), minor(st.st_dev), (unsigned long long)st.st_ino,
		     major(r->shown.st_dev), minor(r->shown.st_dev), (unsigned long long)r->shown.st_ino);
	struct mount_attr attr = {0};
	if (vfs.f_flag & ST_RDONLY)
		attr.attr_set |= MOUNT_ATTR_RDONLY;
	if (vfs.f_flag & ST_NOSUID)
		attr.attr_set |= MOUNT_ATTR_NOSUID;
	if (vfs.f_flag & ST_NODEV)
		attr.attr_set |= MOUNT_ATTR_NODEV;
	if (vfs.f_flag & ST_NOEXEC)
		attr.attr_set |= MOUNT_ATTR_NOEXEC;
	if (attr.attr_set && sys_mount_setattr(r->tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr) < 0)
		fail("cannot give the clone of %s the flags of the mount at %s: %s", r->source, r->path, strerror(errno));
	if (sys_move_mount(r->tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		fail("cannot mount %s over %s inside %s in the mount namespace of pid %d: %s", r->source, r->path, r->root,
		     (int)pid, strerror(errno));
	close(target);
	close(r->tree);
}

int main(int argc, char **argv)
{
	const char **keep_paths = calloc((size_t)argc, sizeof *keep_paths);
	struct rebind *rebinds = calloc((size_t)argc, sizeof *rebinds);
	if (!keep_paths || !rebinds)
		fail("out of memory");
	int first = 1, keeps = 0, nrebinds = 0;
	const char *sources_in = NULL;
	if (first + 1 < argc && strcmp(argv[first], "--sources-in") == 0) {
		sources_in = argv[first + 1];
		first += 2;
	}
	for (;;) {
		if (first + 1 < argc && strcmp(argv[first], "--keep") == 0) {
			keep_paths[keeps++] = argv[first + 1];
			first += 2;
		} else if (first + 3 < argc && strcmp(argv[first], "--rebind") == 0) {
			rebinds[nrebinds++] = (struct rebind){.root = argv[first + 1], .source = argv[first + 2],
							      .path = argv[first + 3]};
			first += 4;
		} else {
			break;
		}
	}
	int rest = argc - first;
	if ((rest < 2 && nrebinds == 0) || rest % 2 != 0)
		fail("expected SOURCE DESTINATION pairs as arguments (after any --keep PATH and --rebind ROOT SOURCE PATH),"
		     " got %d argument%s\n" USAGE, rest, rest == 1 ? "" : "s");
	int pairs = rest / 2;

	size_t len;
	char *state = read_stdin(&len);
	pid_t pid = state_pid(state, len);
	free(state);

	char mnt_path[64], net_path[64];
	snprintf(mnt_path, sizeof mnt_path, "/proc/%d/ns/mnt", (int)pid);
	snprintf(net_path, sizeof net_path, "/proc/%d/ns/net", (int)pid);
	int mnt_ns = open(mnt_path, O_RDONLY | O_CLOEXEC);
	if (mnt_ns < 0)
		fail("cannot open the container's mount namespace %s: %s", mnt_path, strerror(errno));
	int net_ns = open(net_path, O_RDONLY | O_CLOEXEC);
	if (net_ns < 0)
		fail("cannot open the container's network namespace %s: %s", net_path, strerror(errno));

	int *trees = calloc((size_t)pairs + 1, sizeof *trees);
	int *kept = calloc((size_t)keeps + 1, sizeof *kept);
	if (!trees || !kept)
		fail("out of memory");
	if (sources_in) {
		int sources_ns = open(sources_in, O_RDONLY | O_CLOEXEC);
		if (sources_ns < 0)
			fail("cannot open the sources' mount namespace %s: %s", sources_in, strerror(errno));
		if (setns(sources_ns, CLONE_NEWNS) < 0)
			fail("cannot join the sources' mount namespace %s: %s", sources_in, strerror(errno));
		close(sources_ns);
	}
	for (int r = 0; r < nrebinds; r++)
		clone_rebind(&rebinds[r]);
	for (int p = 0; p < pairs; p++) {
		const char *source = argv[first + 2 * p];
		trees[p] = sys_open_tree(AT_FDCWD, source, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
		if (trees[p] < 0)
			fail("cannot clone source %s (in the host's mount namespace): %s", source, strerror(errno));
	}

	if (setns(net_ns, CLONE_NEWNET) < 0)
		fail("cannot join the network namespace of pid %d (%s): %s", (int)pid, net_path, strerror(errno));
	close(net_ns);
	if (setns(mnt_ns, CLONE_NEWNS) < 0)
		fail("cannot join the mount namespace of pid %d (%s): %s", (int)pid, mnt_path, strerror(errno));
	close(mnt_ns);

	for (int k = 0; k < keeps; k++) {
		const char *path = keep_paths[k];
		int at = open_on("kept path", path, pid, SYSFS_MAGIC, SYSFS_MAGIC, "sysfs");
		kept[k] = sys_open_tree(at, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
		if (kept[k] < 0)
			fail("cannot clone %s in the mount namespace of pid %d: %s", path, (int)pid, strerror(errno));
		close(at);
	}

	for (int r = 0; r < nrebinds; r++)
		move_rebind(&rebinds[r], pid);

	for (int p = 0; p < pairs; p++) {
		const char *source = argv[first + 2 * p];
		const char *destination = argv[first + 1 + 2 * p];
		int target = open_on("destination", destination, pid, PROC_SUPER_MAGIC, SYSFS_MAGIC, "procfs or sysfs");
		if (sys_move_mount(trees[p], "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			fail("cannot mount %s over %s in the mount namespace of pid %d: %s", source, destination, (int)pid,
			     strerror(errno));
		close(target);
		close(trees[p]);
	}

	for (int k = 0; k < keeps; k++) {
		const char *path = keep_paths[k];
		/* Whatever is there now is sysfs or a SOURCE moved over it: never the container's own files. */
		int target = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (target < 0)
			fail("cannot open kept path %s again after the moves: %s", path, strerror(errno));
		if (sys_move_mount(kept[k], "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
			fail("cannot put %s back in the mount namespace of pid %d: %s", path, (int)pid, strerror(errno));
		close(target);
		close(kept[k]);
	}
	free(trees);
	free(kept);
	free(keep_paths);
	free(rebinds);
	return 0;
}
