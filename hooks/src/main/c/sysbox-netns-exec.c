/*
 * sysbox-netns-exec NETNS PROGRAM [ARG...]: joins the network namespace NETNS (a namespace file:
 * /proc/PID/ns/net, or a bind of one such as CNI's /run/netns/...) and execs PROGRAM with ARGs.
 *
 * Why: a pod's containers join the sandbox's user namespace and the pod's network namespace,
 * which CNI made and the host's user namespace owns. runc joins the user namespace first, and
 * from inside it the kernel refuses setns() into a namespace owned by the host's (EPERM). So the
 * converted spec names no network namespace, and sysbox-runc execs the engine (runc create, runc
 * exec) through this helper: the engine, and the container it starts, then begin life in the
 * pod's network namespace, joined here as host root. A JVM could do the setns, but not cheaply
 * exec afterwards; a few lines of C start like runc.
 *
 * Exit status: PROGRAM's; 1 when NETNS cannot be joined, 127 when PROGRAM cannot be executed,
 * 2 on a usage error, each with a message on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 3 || argv[1][0] != '/' || argv[2][0] != '/') {
		fprintf(stderr, "usage: sysbox-netns-exec /NETNS-FILE /PROGRAM [ARG...]\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "sysbox-netns-exec: cannot open network namespace %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "sysbox-netns-exec: cannot join network namespace %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	close(fd);
	execv(argv[2], argv + 2);
	fprintf(stderr, "sysbox-netns-exec: cannot execute %s: %s\n", argv[2], strerror(errno));
	return 127;
}
