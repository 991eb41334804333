/*
 * sysbox-runc: what the engines (containerd's shim, dockerd, CRI-O's conmon, a user) exec for every
 * runtime call. It starts like runc because it is no JVM: all of sysbox-runc's logic is the Java
 * CLI (oci-runtime/src/main/java), which runs warm inside sysbox-mgr. This launcher only routes:
 *
 *  - start, kill, pause, resume, ps, events, update, list need nothing of ours: it execs the engine
 *    at once, with the global flags translated as the Java CLI translates them
 *    (io.sysbox.runc.engine.LowLevelRuntime; LauncherTest checks both give the same line);
 *  - create, run, exec, delete, state go to the manager over its framed channel
 *    (RUN_DIR/sysmgr-cli.sock: [u32 length][u8 method][protobuf], answered by [u32 length][u8 status]
 *    [protobuf or error text]): a LauncherRequest with the raw argv, cwd, environment and pid; each
 *    LauncherAnswer (common/src/main/proto/manager.proto) says what to do next: exit, run the engine
 *    as a child and report its outcome (delete, state), or exec the engine line the Java CLI built
 *    (create, run, exec: the engine then owns this pid, the terminal, the signals, the exit status);
 *  - everything else, and whatever it does not understand (unknown or malformed global flags,
 *    --help, a missing container id, not root), execs the Java CLI (libexec/sysbox-runc-java),
 *    which answers as it always did; so does exec, delete and state while the manager is not
 *    running. create and run then fail at once, naming the socket.
 *
 * It parses only the global flags (to find the command and the engine's line), never a command's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ManagerMethod ordinals + 1 (common/src/main/java/io/sysbox/common/channel/ManagerMethod.java). */
enum { METHOD_LAUNCH = 6, METHOD_ENGINE_OUTCOME = 7 };
enum { STATUS_OK = 0 };
enum { ACTION_EXIT = 0, ACTION_EXEC = 1, ACTION_RUN = 2 };
#define MAX_FRAME (16u << 20)

/* The global flags, as GlobalOptions.FLAGS declares them. */
struct flag {
	const char *name, *alias;
	int takes_value;
	const char *value; /* last one given; NULL if absent */
};
enum { F_ROOT, F_LOG, F_LOG_FORMAT, F_DEBUG, F_SYSTEMD_CGROUP, F_LOW_LEVEL_RUNTIME, F_NO_SYSBOX_MGR,
       F_NO_SYSBOX_FS, F_RUN_DIR, F_CRIU, F_ROOTLESS, F_VERSION, F_HELP, F_COUNT };
static struct flag flags[F_COUNT] = {
	{"root", NULL, 1, NULL}, {"log", NULL, 1, NULL}, {"log-format", NULL, 1, NULL},
	{"debug", NULL, 0, NULL}, {"systemd-cgroup", NULL, 0, NULL}, {"low-level-runtime", NULL, 1, NULL},
	{"no-sysbox-mgr", NULL, 0, NULL}, {"no-sysbox-fs", NULL, 0, NULL}, {"run-dir", NULL, 1, NULL},
	{"criu", NULL, 1, NULL}, {"rootless", NULL, 1, NULL}, {"version", "v", 0, NULL}, {"help", "h", 0, NULL},
};

static char **args;       /* our argv */
static int nargs;
static char cwd[PATH_MAX];

static void java_cli(void) __attribute__((noreturn));

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void log_error(const char *message);

static void die(const char *fmt, ...)
{
	char message[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	fprintf(stderr, "sysbox-runc: %s\n", message);
	log_error(message);
	exit(1);
}

static void *grow(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die("out of memory");
	return q;
}

/* ---- paths, as java.nio's UnixPath writes them ---- */

/* Path.of(p): repeated and trailing slashes dropped. */
static char *normalized(const char *p)
{
	char *out = grow(NULL, strlen(p) + 1), *o = out;
	for (const char *s = p; *s; s++)
		if (!(*s == '/' && o > out && o[-1] == '/'))
			*o++ = *s;
	if (o > out + 1 && o[-1] == '/')
		o--;
	*o = 0;
	return out;
}

/* Path.of(base).resolve(p) */
static char *resolved(const char *base, const char *p)
{
	char *n = normalized(p);
	if (n[0] == '/')
		return n;
	char *b = normalized(base);
	if (!*n)
		return free(n), b;
	char *out = grow(NULL, strlen(b) + strlen(n) + 2);
	sprintf(out, strcmp(b, "/") == 0 ? "%s%s" : "%s/%s", b, n);
	free(b);
	free(n);
	return out;
}

static int flag_true(int f)
{
	return flags[f].value && strcmp(flags[f].value, "true") == 0;
}

static char *run_dir(void)
{
	const char *d = flags[F_RUN_DIR].value;
	if (!d)
		d = getenv("SYSBOX_RUN_DIR");
	return resolved(cwd, d ? d : "/run/sysbox");
}

/* The --log file (absolute), for errors said before any Java runs. */
static void log_error(const char *message)
{
	if (!flags[F_LOG].value || !*cwd)
		return;
	char *file = resolved(cwd, flags[F_LOG].value);
	FILE *f = fopen(file, "ae");
	free(file);
	if (!f)
		return;
	struct timespec now;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &now);
	localtime_r(&now.tv_sec, &tm);
	char time[64], zone[24] = "Z";
	size_t n = strftime(time, sizeof time, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(time + n, sizeof time - n, ".%03ld", now.tv_nsec / 1000000);
	if (tm.tm_gmtoff)
		snprintf(zone, sizeof zone, "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+',
			 labs(tm.tm_gmtoff) / 3600, labs(tm.tm_gmtoff) % 3600 / 60);
	int json = flags[F_LOG_FORMAT].value && strcmp(flags[F_LOG_FORMAT].value, "json") == 0;
	fprintf(f, json ? "{\"level\":\"error\",\"msg\":\"" : "time=\"%s%s\" level=error msg=\"", time, zone);
	for (const unsigned char *c = (const unsigned char *)message; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c < 0x20)
			fprintf(f, "\\u%04x", *c);
		else
			fputc(*c, f);
	}
	if (json)
		fprintf(f, "\",\"time\":\"%s%s\"}\n", time, zone);
	else
		fputs("\"\n", f);
	fclose(f);
}

/*
 * Reads the global flags as FlagSet does (--name value, --name=value, -name, aliases, "--" ends
 * them); returns the index of the command, or -1 when the Java CLI must answer (an unknown or
 * malformed flag: it says what is wrong).
 */
static int parse_globals(void)
{
	int i = 1;
	while (i < nargs) {
		const char *arg = args[i];
		if (strcmp(arg, "--") == 0)
			return i + 1;
		if (arg[0] != '-' || strcmp(arg, "-") == 0)
			return i;
		const char *body = arg + (arg[1] == '-' ? 2 : 1);
		const char *eq = strchr(body, '=');
		size_t len = eq ? (size_t)(eq - body) : strlen(body);
		int f = 0;
		while (f < F_COUNT && !((strlen(flags[f].name) == len && strncmp(flags[f].name, body, len) == 0) ||
					(flags[f].alias && strlen(flags[f].alias) == len && strncmp(flags[f].alias, body, len) == 0)))
			f++;
		if (f == F_COUNT)
			return -1;
		if (flags[f].takes_value) {
			if (eq)
				flags[f].value = eq + 1;
			else if (i + 1 < nargs)
				flags[f].value = args[++i];
			else
				return -1;
		} else {
			flags[f].value = eq ? eq + 1 : "true";
			if (strcmp(flags[f].value, "true") != 0 && strcmp(flags[f].value, "false") != 0)
				return -1;
		}
		i++;
	}
	return i;
}

/* ---- the Java CLI and the engine ---- */

static void java_cli(void)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n < 0)
		die("cannot read /proc/self/exe to find the Java CLI: %s", strerror(errno));
	self[n] = 0;
	char *bin = strrchr(self, '/');
	*bin = 0;
	char java[PATH_MAX + 64];
	snprintf(java, sizeof java, "%s/../libexec/sysbox-runc-java", self);
	args[0] = java;
	execv(java, args);
	die("cannot exec the Java CLI %s: %s", java, strerror(errno));
}

/* The engine's path as LowLevelRuntime.resolve finds it; NULL when not found (Java says why). */
static char *engine_binary(void)
{
	const char *name = flags[F_LOW_LEVEL_RUNTIME].value;
	if (!name)
		name = getenv("SYSBOX_LOW_LEVEL_RUNTIME");
	if (!name)
		name = "runc";
	if (strchr(name, '/')) {
		char *p = resolved(cwd, name);
		return access(p, X_OK) == 0 ? p : (free(p), NULL);
	}
	const char *path = getenv("PATH");
	char *dirs = strdup(path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	for (char *save, *dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *in_dir = resolved(dir, name), *p = resolved(cwd, in_dir);
		free(in_dir);
		if (access(p, X_OK) == 0)
			return free(dirs), p;
		free(p);
	}
	free(dirs);
	return NULL;
}

/* exec of a pass-through command: the engine's global flags, then the caller's words unchanged. */
static void exec_engine_directly(int command)
{
	char *binary = engine_binary();
	if (!binary)
		java_cli();
	char **argv = grow(NULL, sizeof *argv * (size_t)(nargs + 12));
	int n = 0;
	argv[n++] = binary;
	argv[n++] = "--root";
	char *root = resolved(cwd, flags[F_ROOT].value ? flags[F_ROOT].value : "/run/sysbox-runc");
	argv[n++] = resolved(root, "runc");
	if (flags[F_LOG].value) {
		argv[n++] = "--log";
		argv[n++] = (char *)flags[F_LOG].value;
		argv[n++] = "--log-format";
		argv[n++] = (char *)(flags[F_LOG_FORMAT].value ? flags[F_LOG_FORMAT].value : "text");
	}
	if (flag_true(F_DEBUG))
		argv[n++] = "--debug";
	if (flag_true(F_SYSTEMD_CGROUP))
		argv[n++] = "--systemd-cgroup";
	if (flags[F_ROOTLESS].value) {
		argv[n] = grow(NULL, strlen(flags[F_ROOTLESS].value) + 12);
		sprintf(argv[n++], "--rootless=%s", flags[F_ROOTLESS].value);
	}
	for (int i = command; i < nargs; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	execv(binary, argv);
	die("cannot exec the low-level runtime %s: %s", binary, strerror(errno));
}

/* ---- protobuf, the few fields of LauncherRequest, EngineOutcome and LauncherAnswer ---- */

struct buf {
	unsigned char *data;
	size_t len, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->data = grow(b->data, b->cap);
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_varint(struct buf *b, uint64_t v)
{
	unsigned char c;
	for (; v >= 0x80; v >>= 7) {
		c = (unsigned char)(v | 0x80);
		put(b, &c, 1);
	}
	c = (unsigned char)v;
	put(b, &c, 1);
}

static void put_bytes(struct buf *b, int field, const void *p, size_t n)
{
	put_varint(b, (uint64_t)field << 3 | 2);
	put_varint(b, n);
	put(b, p, n);
}

struct answer {
	int action, status, capture_stdout, memory_file_arg;
	char **argv;
	int argc;
	const unsigned char *out, *err, *memory_file;
	size_t out_len, err_len, memory_file_len;
};

static int get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		unsigned char c = *(*p)++;
		*v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return 0;
	}
	return -1;
}

/* Decodes a LauncherAnswer (unknown fields skipped, as protobuf parsers do); -1 if malformed. */
static int decode_answer(const unsigned char *p, size_t len, struct answer *a)
{
	const unsigned char *end = p + len;
	memset(a, 0, sizeof *a);
	a->memory_file_arg = -1;
	while (p < end) {
		uint64_t key, v;
		if (get_varint(&p, end, &key) < 0)
			return -1;
		int field = (int)(key >> 3), type = (int)(key & 7);
		if (type == 0) {
			if (get_varint(&p, end, &v) < 0)
				return -1;
			if (field == 1)
				a->action = (int)v;
			else if (field == 5)
				a->status = (int)(int32_t)v;
			else if (field == 6)
				a->capture_stdout = v != 0;
			else if (field == 8)
				a->memory_file_arg = (int)v;
		} else if (type == 2) {
			if (get_varint(&p, end, &v) < 0 || v > (uint64_t)(end - p))
				return -1;
			const unsigned char *s = p;
			p += v;
			if (field == 2) {
				if (memchr(s, 0, v))
					return -1;
				a->argv = grow(a->argv, sizeof *a->argv * (size_t)(a->argc + 2));
				a->argv[a->argc] = strndup((const char *)s, v);
				a->argv[++a->argc] = NULL;
			} else if (field == 3) {
				a->out = s, a->out_len = v;
			} else if (field == 4) {
				a->err = s, a->err_len = v;
			} else if (field == 7) {
				a->memory_file = s, a->memory_file_len = v;
			}
		} else if (type == 1 || type == 5) {
			size_t skip = type == 1 ? 8 : 4;
			if ((size_t)(end - p) < skip)
				return -1;
			p += skip;
		} else {
			return -1;
		}
	}
	if (a->action != ACTION_EXIT && a->action != ACTION_EXEC && a->action != ACTION_RUN)
		return -1;
	if (a->action != ACTION_EXIT && (a->argc == 0 || a->argv[0][0] != '/'))
		return -1;
	if (a->memory_file && (a->memory_file_arg < 0 || a->memory_file_arg >= a->argc))
		return -1;
	return 0;
}

/* ---- the framed channel ---- */

static const char *socket_path;

/* Writes all of P; 0, or the errno of the write that failed. */
static int try_write_all(int fd, const void *p, size_t n)
{
	for (const char *c = p; n > 0;) {
		ssize_t w = write(fd, c, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno;
		c += w, n -= (size_t)w;
	}
	return 0;
}

static void write_all(int fd, const void *p, size_t n, const char *what)
{
	int err = try_write_all(fd, p, n);
	if (err)
		die("cannot write %s: %s", what, strerror(err));
}

/*
 * The manager's output for the caller. A CRI shim runs the runtime for a pod sandbox with stderr
 * closed or not writable (EBADF): the message is then only in the --log file (the CLI logged it),
 * and failing here would replace it there with ours.
 */
static void write_stdio(int fd, const void *p, size_t n, const char *what)
{
	int err = try_write_all(fd, p, n);
	if (err && err != EBADF)
		die("cannot write %s: %s", what, strerror(err));
}

static int read_all(int fd, void *p, size_t n)
{
	for (char *c = p; n > 0;) {
		ssize_t r = read(fd, c, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r, n -= (size_t)r;
	}
	return 0;
}

static void send_frame(int sock, int method, const struct buf *payload)
{
	unsigned char header[5];
	uint32_t len = (uint32_t)payload->len + 1;
	header[0] = len >> 24, header[1] = len >> 16, header[2] = len >> 8, header[3] = (unsigned char)len;
	header[4] = (unsigned char)method;
	write_all(sock, header, sizeof header, "to sysbox-mgr");
	write_all(sock, payload->data, payload->len, "to sysbox-mgr");
}

/* The next answer; an error answer (the service's message, for the user) ends the call. */
static unsigned char *receive_answer(int sock, struct answer *a)
{
	unsigned char header[4];
	if (read_all(sock, header, 4) < 0)
		die("sysbox-mgr closed the connection on %s without answering (see its log)", socket_path);
	uint32_t len = (uint32_t)header[0] << 24 | (uint32_t)header[1] << 16 | (uint32_t)header[2] << 8 | header[3];
	if (len < 1 || len > MAX_FRAME)
		die("sysbox-mgr's answer on %s was not understood (frame length %u): is it the same version as "
		    "this sysbox-runc?", socket_path, len);
	unsigned char *frame = grow(NULL, len + 1);
	if (read_all(sock, frame, len) < 0)
		die("sysbox-mgr closed the connection on %s mid-answer", socket_path);
	if (frame[0] != STATUS_OK) {
		frame[len] = 0;
		die("%s", (char *)frame + 1);
	}
	if (decode_answer(frame + 1, len - 1, a) < 0)
		die("sysbox-mgr's answer on %s was not understood (%u bytes): is it the same version as this "
		    "sysbox-runc?", socket_path, len - 1);
	return frame;
}

/* Connects to the manager; -1 when nobody listens there. */
static int connect_manager(void)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(socket_path) >= sizeof addr.sun_path)
		die("the manager's socket path %s is too long for a Unix socket", socket_path);
	strcpy(addr.sun_path, socket_path);
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		die("cannot open a Unix socket: %s", strerror(errno));
	if (connect(sock, (struct sockaddr *)&addr, sizeof addr) == 0)
		return sock;
	if (errno != ENOENT && errno != ECONNREFUSED)
		die("cannot connect to sysbox-mgr on %s: %s", socket_path, strerror(errno));
	close(sock);
	return -1;
}

/* Runs argv as a child with our stdio (its stdout into *out when capturing); returns its status. */
static int run_child(char **argv, int capture, struct buf *out)
{
	int pipefd[2] = {-1, -1};
	if (capture && pipe2(pipefd, O_CLOEXEC) < 0)
		die("cannot make a pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t child = fork();
	if (child < 0)
		die("cannot fork: %s", strerror(errno));
	if (child == 0) {
		if (capture && dup2(pipefd[1], 1) < 0)
			_exit(127);
		execv(argv[0], argv);
		fprintf(stderr, "sysbox-runc: cannot exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (capture) {
		close(pipefd[1]);
		unsigned char chunk[8192];
		ssize_t r;
		while ((r = read(pipefd[0], chunk, sizeof chunk)) != 0) {
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				die("cannot read the output of %s: %s", argv[0], strerror(errno));
			put(out, chunk, (size_t)r);
		}
		close(pipefd[0]);
	}
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			die("cannot wait for %s: %s", argv[0], strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The call in the manager: send it, then do what each answer says. */
static void call_manager(int sock)
{
	struct buf request = {0};
	for (int i = 1; i < nargs; i++)
		put_bytes(&request, 1, args[i], strlen(args[i]));
	put_bytes(&request, 2, cwd, strlen(cwd));
	for (char **e = environ; *e; e++)
		put_bytes(&request, 3, *e, strlen(*e));
	put_varint(&request, 4 << 3 | 0);
	put_varint(&request, (uint64_t)getpid());
	send_frame(sock, METHOD_LAUNCH, &request);
	for (;;) {
		struct answer a;
		receive_answer(sock, &a);
		write_stdio(1, a.out, a.out_len, "stdout");
		write_stdio(2, a.err, a.err_len, "stderr");
		if (a.action == ACTION_EXIT)
			exit(a.status);
		if (a.action == ACTION_EXEC) {
			close(sock);
			if (a.memory_file) {
				int fd = (int)syscall(SYS_memfd_create, "process.json", 0);
				if (fd < 0)
					die("cannot make a memory file: %s", strerror(errno));
				write_all(fd, a.memory_file, a.memory_file_len, "the memory file");
				a.argv[a.memory_file_arg] = grow(NULL, 32);
				snprintf(a.argv[a.memory_file_arg], 32, "/proc/self/fd/%d", fd);
			}
			execv(a.argv[0], a.argv);
			die("cannot exec the low-level runtime %s: %s", a.argv[0], strerror(errno));
		}
		struct buf out = {0}, outcome = {0};
		int status = run_child(a.argv, a.capture_stdout, &out);
		put_varint(&outcome, 1 << 3 | 0);
		put_varint(&outcome, (uint64_t)status);
		if (out.len)
			put_bytes(&outcome, 2, out.data, out.len);
		send_frame(sock, METHOD_ENGINE_OUTCOME, &outcome);
	}
}

static int any_of(const char *word, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(word, *list) == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	args = argv;
	nargs = argc;
	if (!getcwd(cwd, sizeof cwd))
		java_cli();
	int command = parse_globals();
	if (command < 0 || command >= argc || flag_true(F_HELP) || flag_true(F_VERSION) || flag_true(F_NO_SYSBOX_MGR) ||
	    (flags[F_LOG_FORMAT].value && strcmp(flags[F_LOG_FORMAT].value, "text") != 0 &&
	     strcmp(flags[F_LOG_FORMAT].value, "json") != 0) ||
	    geteuid() != 0)
		java_cli();
	const char *name = argv[command];

	static const char *const engine_only[] = {"start", "kill", "pause", "resume", "ps", "events", "update", "list", NULL};
	if (any_of(name, engine_only)) {
		/* PassThroughCommand's checks: --help, or too few positionals, is the Java CLI's to answer. */
		int positional = 0;
		for (int i = command + 1; i < argc; i++) {
			if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
				java_cli();
			positional += argv[i][0] != '-';
		}
		if (positional < (strcmp(name, "list") == 0 ? 0 : 1))
			java_cli();
		exec_engine_directly(command);
	}

	static const char *const managed[] = {"create", "run", "exec", "delete", "state", NULL};
	if (!any_of(name, managed))
		java_cli();
	char *dir = run_dir();
	char *sock_path = grow(NULL, strlen(dir) + 32);
	sprintf(sock_path, "%s/sysmgr-cli.sock", dir);
	socket_path = sock_path;
	int sock = connect_manager();
	if (sock >= 0)
		call_manager(sock);
	if (strcmp(name, "create") != 0 && strcmp(name, "run") != 0)
		java_cli(); /* exec, delete and state of what exists work without the manager */
	die("sysbox-mgr is not running (no manager listening on %s): start it with `sysboxd` (or `systemctl start "
	    "sysboxd`)%s%s", socket_path, strcmp(dir, "/run/sysbox") == 0 ? "" : ", with --run-dir ",
	    strcmp(dir, "/run/sysbox") == 0 ? "" : dir);
}
