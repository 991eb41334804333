/*
 * sysbox-hook-state: runs one of the spec's own OCI hooks with the caller's bundle in its state.
 *
 * Usage: sysbox-hook-state BUNDLE PATH [ARG0 ARGS...]   with the OCI state on stdin
 *
 * The low-level runtime is handed sysbox-runc's private bundle (the converted config.json), so
 * the state it writes to every hook's stdin names that directory. A hook of the caller's spec
 * must see the bundle the caller created the container from, as `sysbox-runc state` shows it:
 * the setup wraps each such hook in this helper, which replaces the value of the state's first
 * "bundle" member (the top-level one: runc writes ociVersion, id, status, pid, bundle, then the
 * annotations) with BUNDLE, given as the JSON string's content (already escaped), and execs
 * PATH with ARG0 ARGS..., the environment unchanged, and the new state on its stdin. State without
 * a "bundle" member is passed on as it came.
 *
 * Any failure: a message on stderr and exit status 1 (the runtime fails the hook as it would).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PROG "sysbox-hook-state"
#define MAX_STATE (1024 * 1024)

static void fail(const char *what)
{
	fprintf(stderr, PROG ": %s: %s\n", what, strerror(errno));
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: " PROG " BUNDLE PATH [ARG0 ARGS...] < OCI-STATE\n");
		return 1;
	}
	const char *bundle = argv[1], *path = argv[2];
	char *state = malloc(MAX_STATE + 1);
	if (!state)
		fail("out of memory");
	size_t len = 0;
	for (ssize_t n; (n = read(0, state + len, MAX_STATE - len)) != 0;) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail("cannot read the state on stdin");
		len += (size_t)n;
		if (len == MAX_STATE) {
			errno = EFBIG;
			fail("the state on stdin is larger than 1 MiB");
		}
	}
	state[len] = 0;

	/* [start, end) is the old value, quotes excluded. */
	size_t start = 0, end = 0;
	char *key = memmem(state, len, "\"bundle\"", 8);
	if (key) {
		size_t i = (size_t)(key - state) + 8;
		while (i < len && (state[i] == ' ' || state[i] == ':' || state[i] == '\n' || state[i] == '\t'))
			i++;
		if (i < len && state[i] == '"') {
			start = ++i;
			while (i < len && state[i] != '"')
				i += state[i] == '\\' ? 2 : 1;
			if (i < len)
				end = i;
		}
	}

	int fd = (int)syscall(SYS_memfd_create, "oci-state", 0);
	if (fd < 0)
		fail("cannot make a memory file for the state");
	size_t parts_len[3] = {end ? start : len, end ? strlen(bundle) : 0, end ? len - end : 0};
	const char *parts[3] = {state, bundle, state + end};
	for (int p = 0; p < 3; p++)
		for (size_t off = 0; off < parts_len[p];) {
			ssize_t w = write(fd, parts[p] + off, parts_len[p] - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				fail("cannot write the state");
			off += (size_t)w;
		}
	if (lseek(fd, 0, SEEK_SET) < 0 || dup2(fd, 0) < 0)
		fail("cannot put the state on stdin");
	close(fd);
	char *fallback[] = {(char *)path, NULL};
	execv(path, argc > 3 ? argv + 3 : fallback);
	fprintf(stderr, PROG ": cannot exec the hook %s: %s\n", path, strerror(errno));
	return 1;
}
