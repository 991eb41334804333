/*
 * sysbox-oci-hook: the OCI hook an unmodified runtime (runc under Podman or CRI-O, through the hooks.d
 * file dist/share/containers/oci/hooks.d/sysbox.json) runs for a container annotated
 * io.sysbox.syscont=true, at createRuntime and at poststop.
 *
 * Usage: sysbox-oci-hook [--run-dir DIR] < OCI-STATE      (DIR: sysbox-mgr's, default /run/sysbox)
 *
 * It decides nothing: it forwards the OCI state to the warm sysbox-mgr (one OciHookRequest, method
 * OCI_HOOK, on the framed channel DIR/sysmgr-cli.sock: [u32 length][u8 method][protobuf], answered
 * by [u32 length][u8 status][protobuf or error text]; common/src/main/proto/manager.proto), where
 * Java checks the spec, records the container's id range, idmaps its bind mounts, registers it with
 * sysbox-fs, and at poststop releases it all. An OciHookAnswer without argv means done; with argv,
 * this process execs it with the same state on stdin: sysbox-procsys-hook, which makes the binds in
 * the container's namespaces (what a JVM cannot: joining a mount namespace takes a single thread).
 *
 * A refusal or failure: the manager's message (or ours) on stderr, exit status 1, and the runtime
 * fails the create (at poststop it only logs it).
 */
#define _GNU_SOURCE
#include <err.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define PROG "sysbox-oci-hook"
/* ManagerMethod.OCI_HOOK's ordinal + 1 (common/src/main/java/io/sysbox/common/channel/ManagerMethod.java). */
#define METHOD_OCI_HOOK 8
#define MAX_STATE (1024 * 1024)
#define MAX_ANSWER (1024 * 1024)

/* Messages go out as "sysbox-oci-hook: ...", whatever argv[0] the hooks file gave (see main). */
#define fail(...) errx(1, __VA_ARGS__)

/* Reads exactly n bytes; -1 at an early end of stream. */
static int read_exactly(int fd, unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r, n -= (size_t)r;
	}
	return 0;
}

static void write_exactly(int fd, const unsigned char *p, size_t n, const char *what)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			fail("cannot write %s: %s", what, strerror(errno));
		p += w, n -= (size_t)w;
	}
}

/* A protobuf varint at p; returns its length. */
static size_t varint(unsigned char *p, uint64_t v)
{
	size_t n = 0;
	for (; v >= 0x80; v >>= 7)
		p[n++] = (unsigned char)(v | 0x80);
	p[n++] = (unsigned char)v;
	return n;
}

/*
 * The answer's argv (OciHookAnswer field 1, repeated string), NULL-terminated; other fields are
 * skipped as protobuf parsers skip unknown ones. NULL if the bytes are no such message.
 */
static char **answer_argv(const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len;
	char **argv = calloc(1, sizeof *argv);
	size_t argc = 0;
	while (argv && p < end) {
		uint64_t key = 0, n = 0;
		for (int shift = 0; p < end; shift += 7) {
			key |= (uint64_t)(*p & 0x7f) << shift;
			if (!(*p++ & 0x80) || shift > 56)
				break;
		}
		if ((key & 7) == 0) {
			while (p < end && (*p++ & 0x80))
				;
			continue;
		}
		if ((key & 7) != 2)
			return NULL;
		for (int shift = 0; p < end; shift += 7) {
			n |= (uint64_t)(*p & 0x7f) << shift;
			if (!(*p++ & 0x80) || shift > 56)
				break;
		}
		if (n > (uint64_t)(end - p))
			return NULL;
		if (key >> 3 == 1) {
			if (memchr(p, 0, n))
				return NULL;
			argv = realloc(argv, sizeof *argv * (argc + 2));
			if (!argv)
				break;
			argv[argc] = strndup((const char *)p, n);
			argv[++argc] = NULL;
		}
		p += n;
	}
	if (!argv)
		fail("out of memory");
	if (argc > 0 && argv[0][0] != '/')
		return NULL;
	return argv;
}

int main(int argc, char **argv)
{
	program_invocation_short_name = PROG;
	const char *run_dir = "/run/sysbox";
	if (argc == 3 && strcmp(argv[1], "--run-dir") == 0)
		run_dir = argv[2];
	else if (argc != 1)
		fail("usage: " PROG " [--run-dir DIR] < OCI-STATE (DIR: sysbox-mgr's run directory, default /run/sysbox)");

	/* The request is built in one buffer: frame header, then OciHookRequest{state = 1, pid = 2}. */
	size_t head = 5 + 1 + 10, cap = head + MAX_STATE + 1 + 10;
	unsigned char *frame = malloc(cap);
	if (!frame)
		fail("out of memory");
	unsigned char *state = frame + head;
	size_t state_len = 0;
	for (ssize_t r; (r = read(0, state + state_len, MAX_STATE + 1 - state_len)) != 0;) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			fail("cannot read the OCI state on stdin: %s", strerror(errno));
		state_len += (size_t)r;
		if (state_len > MAX_STATE)
			fail("the OCI state on stdin is larger than %d bytes", MAX_STATE);
	}
	unsigned char field[11];
	size_t field_len = 1 + varint(field + 1, state_len);
	field[0] = 1 << 3 | 2;
	unsigned char *start = state - field_len;
	memcpy(start, field, field_len);
	size_t len = field_len + state_len;
	start[len++] = 2 << 3 | 0;
	len += varint(start + len, (uint64_t)getpid());
	start -= 5;
	uint32_t frame_len = (uint32_t)len + 1;
	start[0] = frame_len >> 24, start[1] = frame_len >> 16, start[2] = frame_len >> 8, start[3] = (unsigned char)frame_len;
	start[4] = METHOD_OCI_HOOK;

	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if ((size_t)snprintf(addr.sun_path, sizeof addr.sun_path, "%s/sysmgr-cli.sock", run_dir) >= sizeof addr.sun_path)
		fail("the run directory %s is too long for a Unix socket path", run_dir);
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		fail("cannot open a Unix socket: %s", strerror(errno));
	if (connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0)
		fail("cannot reach sysbox-mgr on %s: %s (is sysboxd running?)", addr.sun_path, strerror(errno));
	write_exactly(sock, start, len + 5, "the OCI state to sysbox-mgr");

	unsigned char header[4];
	if (read_exactly(sock, header, 4) < 0)
		fail("sysbox-mgr closed the connection on %s without answering (see its log)", addr.sun_path);
	uint32_t answer_len = (uint32_t)header[0] << 24 | (uint32_t)header[1] << 16 | (uint32_t)header[2] << 8 | header[3];
	if (answer_len < 1 || answer_len > MAX_ANSWER)
		fail("sysbox-mgr's answer on %s was not understood (frame length %u)", addr.sun_path, answer_len);
	unsigned char *answer = malloc(answer_len + 1);
	if (!answer)
		fail("out of memory");
	if (read_exactly(sock, answer, answer_len) < 0)
		fail("sysbox-mgr closed the connection on %s mid-answer", addr.sun_path);
	close(sock);
	answer[answer_len] = 0;
	if (answer[0] != 0)
		fail("%s", (char *)answer + 1);
	char **next = answer_argv(answer + 1, answer_len - 1);
	if (!next)
		fail("sysbox-mgr's answer on %s was not understood (%u bytes)", addr.sun_path, answer_len - 1);
	if (!next[0])
		return 0;

	int fd = (int)syscall(SYS_memfd_create, "oci-state", 0);
	if (fd < 0)
		fail("cannot make a memory file for the state: %s", strerror(errno));
	write_exactly(fd, state, state_len, "the state");
	if (lseek(fd, 0, SEEK_SET) < 0 || dup2(fd, 0) < 0)
		fail("cannot put the state on stdin: %s", strerror(errno));
	close(fd);
	execv(next[0], next);
	fail("cannot exec %s: %s", next[0], strerror(errno));
}
