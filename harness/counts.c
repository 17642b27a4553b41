/* counts.c -- perf stat attached to a server tree over the load window (counts.h). */
#include "counts.h"

#include "proctree.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The totals: event names as perf prints them, in struct counts' order. */
static const char *const total_events[] = { "raw_syscalls:sys_enter", "context-switches",
	                                    "cpu-migrations", "instructions" };
#define NTOTALS (sizeof(total_events) / sizeof(total_events[0]))

#define BREAKDOWN_PREFIX "syscalls:sys_enter_"

/* How long perf may take to attach (1,000+ counters for a pool of 256) and to answer. */
#define COUNTS_ACK_MS  10000
#define COUNTS_EXIT_MS 5000

/*
 * What a request's system calls are made of in one design or another: reading and
 * writing, waiting, accepting and closing, and what a process or thread per connection
 * or a pool adds (clone, futex, wait4, flock). Anything else shows as "other". Each is a
 * counter per task: 51 calls x 257 tasks of a pool of 256 is 13,000 descriptors for perf,
 * within the 20,000 a process may hold here; a bigger tree leaves the counts unknown.
 */
const char *const counts_breakdown_calls[] = {
	"accept", "accept4", "read", "write", "readv", "writev", "recvfrom", "sendto", "recvmsg",
	"sendmsg", "sendfile64", "epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl", "poll",
	"ppoll", "select", "pselect6", "io_uring_enter", "shutdown", "close", "setsockopt", "fcntl",
	"futex", "clone", "clone3", "exit", "exit_group", "wait4", "flock", "kill",
	"rt_sigprocmask", "rt_sigtimedwait", "rt_sigreturn", "clock_nanosleep", "mmap", "munmap",
	"mprotect", "madvise", "sched_yield",
	/* what a child forked per connection adds (measured on fork in close mode) */
	"rt_sigaction", "set_robust_list", "prctl", "getpid", "getppid", "openat", "newfstatat",
	"lseek", "dup2", "getsockopt", NULL
};

static double *total_field(struct counts *c, size_t i)
{
	double *f[NTOTALS] = { &c->syscalls, &c->ctx_switches, &c->migrations, &c->instructions };

	return f[i];
}

void counts_clear(struct counts *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < NTOTALS; i++)
		*total_field(c, i) = -1;
	c->recv_sqes = -1;
}

/* Does perf's event name ev (len bytes) name want, allowing a ":u"-style modifier? */
static int event_is(const char *ev, size_t len, const char *want)
{
	size_t n = strlen(want);

	if (len < n || strncmp(ev, want, n) != 0)
		return 0;
	return len == n || (ev[n] == ':' && !strchr(want, ':'));
}

static int by_count_desc(const void *a, const void *b)
{
	const struct counts_syscall *x = a, *y = b;

	return (x->n < y->n) - (x->n > y->n);
}

/* One `value,unit,event,...` line into c: 1 if it named a known event, else 0. */
static int parse_line(const char *line, size_t len, struct counts *c)
{
	const char *unit = memchr(line, ',', len), *ev, *end;
	char *stop;
	double v;
	size_t i, elen;

	if (!unit || !(ev = memchr(unit + 1, ',', len - (unit + 1 - line))))
		return 0;
	ev++;
	end = memchr(ev, ',', len - (ev - line));
	elen = end ? (size_t)(end - ev) : len - (ev - line);
	v = strtod(line, &stop);
	if (stop == line || stop != unit)
		v = -1; /* <not supported>, <not counted> */
	for (i = 0; i < NTOTALS; i++)
		if (event_is(ev, elen, total_events[i])) {
			*total_field(c, i) = v;
			return 1;
		}
	if (event_is(ev, elen, COUNTS_RECV_EVENT)) {
		c->recv_sqes = v;
		return 1;
	}
	if (elen > strlen(BREAKDOWN_PREFIX) &&
	    !strncmp(ev, BREAKDOWN_PREFIX, strlen(BREAKDOWN_PREFIX))) {
		struct counts_syscall *s;
		size_t nlen = elen - strlen(BREAKDOWN_PREFIX);

		if (c->nsys == COUNTS_MAX_SYSCALLS || nlen >= sizeof(s->name) || v < 0)
			return 1;
		s = &c->sys[c->nsys++];
		memcpy(s->name, ev + strlen(BREAKDOWN_PREFIX), nlen);
		s->name[nlen] = '\0';
		s->n = v;
		return 1;
	}
	return 0;
}

int counts_parse(const char *text, struct counts *c)
{
	const char *line = text, *nl;
	int known = 0;

	counts_clear(c);
	for (; *line; line = nl ? nl + 1 : line + strlen(line)) {
		size_t len;

		nl = strchr(line, '\n');
		len = nl ? (size_t)(nl - line) : strlen(line);
		if (len && line[0] != '#')
			known += parse_line(line, len, c);
	}
	qsort(c->sys, c->nsys, sizeof(c->sys[0]), by_count_desc);
	return known ? 0 : -1;
}

/*
 * Fork and exec perf with argv; its control pipe's read end on fd 3 and the
 * acknowledgement pipe's write end on fd 4 when ctl is given, stderr to errpath.
 * perf's pid, or -1.
 */
static pid_t perf_spawn(char *const argv[], const int ctl[2], const int ack[2], const char *errpath)
{
	pid_t parent = getpid(), pid = fork();
	sigset_t none;
	int null, err, ctl_fd, ack_fd;

	if (pid != 0)
		return pid;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
	null = open("/dev/null", O_RDWR);
	err = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (null < 0 || err < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	/* via fds above 4, so that neither pipe end is overwritten or keeps O_CLOEXEC */
	if (ctl && ((ctl_fd = fcntl(ctl[0], F_DUPFD, 10)) < 0 ||
	            (ack_fd = fcntl(ack[1], F_DUPFD, 10)) < 0 || dup2(ctl_fd, 3) < 0 ||
	            dup2(ack_fd, 4) < 0))
		_exit(127);
	execvp(argv[0], argv);
	dprintf(2, "perf: %s\n", strerror(errno));
	_exit(127);
}

/* Wait for pid to exit within ms, then SIGKILL it: its wait status, or -1. */
static int reap(pid_t pid, int ms)
{
	int status;
	pid_t r;

	for (; ms > 0; ms -= 10) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR)
			return -1;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	while ((r = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	return r == pid ? status : -1;
}

/* The first line of path into why (perf's own words), or fallback. */
static void first_line(const char *path, const char *fallback, char *why, size_t whylen)
{
	char *text = util_read_file(path, NULL), *p = text;

	while (p && (*p == '\n' || *p == ' '))
		p++;
	if (p && *p)
		snprintf(why, whylen, "%.*s", (int)strcspn(p, "\n"), p);
	else
		snprintf(why, whylen, "%s", fallback);
	free(text);
}

/* The four totals as one -e list. */
static void totals_list(char *buf, size_t len)
{
	size_t i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < NTOTALS && at < len; i++)
		at += snprintf(buf + at, len - at, "%s%s", i ? "," : "", total_events[i]);
}

int counts_probe(int *have_pmu, char *why, size_t whylen)
{
	char events[256], out[] = "/tmp/harness-counts-XXXXXX", err[sizeof(out) + 4];
	char *argv[] = { "perf", "stat", "-x,", "-o", out, "-e", events, "--", "true", NULL };
	struct counts c;
	char *text;
	int fd, status, r = -1;

	*have_pmu = 0;
	if ((fd = mkstemp(out)) < 0) {
		snprintf(why, whylen, "cannot make a temporary file: %s", strerror(errno));
		return -1;
	}
	close(fd);
	snprintf(err, sizeof(err), "%s.err", out);
	totals_list(events, sizeof(events));
	status = reap(perf_spawn(argv, NULL, NULL, err), COUNTS_EXIT_MS);
	text = util_read_file(out, NULL);
	if (status == 0 && text && counts_parse(text, &c) == 0 && c.syscalls >= 0) {
		*have_pmu = c.instructions >= 0;
		r = 0;
	} else {
		first_line(err, "perf counted nothing", why, whylen);
	}
	free(text);
	unlink(out);
	unlink(err);
	return r;
}

/* "-p" list: every process of root's tree, comma-separated, malloc'ed; NULL if root is gone. */
static char *tree_list(pid_t root)
{
	pid_t *pids;
	int n = proctree_pids(root, &pids), i;
	size_t cap, at = 0;
	char *list;

	if (n < 0)
		return NULL;
	cap = (size_t)n * 12 + 1;
	if ((list = malloc(cap)))
		for (i = 0; i < n; i++)
			at += snprintf(list + at, cap - at, "%s%d", i ? "," : "", (int)pids[i]);
	free(pids);
	return list;
}

/* The -e list: the totals, and with breakdown each call this kernel has a tracepoint for. */
static char *event_list(int breakdown)
{
	size_t cap = 256, at, i;
	char *list, path[256];
	struct stat st;

	for (i = 0; breakdown && counts_breakdown_calls[i]; i++)
		cap += strlen(BREAKDOWN_PREFIX) + strlen(counts_breakdown_calls[i]) + 1;
	if (!(list = malloc(cap)))
		return NULL;
	totals_list(list, cap);
	at = strlen(list);
	for (i = 0; breakdown && counts_breakdown_calls[i]; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/tracing/events/syscalls/sys_enter_%s",
		         counts_breakdown_calls[i]);
		if (stat(path, &st) == 0)
			at += snprintf(list + at, cap - at, ",%s%s", BREAKDOWN_PREFIX,
			               counts_breakdown_calls[i]);
	}
	return list;
}

/*
 * perf with argv (its -o names r->out, its -p the tree, its counters disabled) and the
 * control pipes on its fds 3 and 4: 0, or -1 (nothing left running).
 */
static int attach(struct counts_run *r, char *const argv[])
{
	char err[sizeof(r->out) + 4];
	int ctl[2] = { -1, -1 }, ack[2] = { -1, -1 }, ret = -1, i;

	r->ctl = r->ack = -1;
	snprintf(err, sizeof(err), "%s.err", r->out);
	/* the control channel a socket, so that a perf gone already is EPIPE, not SIGPIPE */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ctl) < 0 ||
	    pipe2(ack, O_CLOEXEC) < 0)
		goto out;
	r->pid = perf_spawn(argv, ctl, ack, err);
	if (r->pid < 0) {
		r->pid = 0;
		goto out;
	}
	r->ctl = ctl[1];
	r->ack = ack[0];
	ctl[1] = ack[0] = -1;
	ret = 0;
out:
	for (i = 0; i < 2; i++) {
		if (ctl[i] >= 0)
			close(ctl[i]);
		if (ack[i] >= 0)
			close(ack[i]);
	}
	return ret;
}

int counts_start(struct counts_run *r, pid_t root, const char *out_path, int breakdown)
{
	char *pids = tree_list(root), *events = event_list(breakdown);
	char *argv[] = { "perf", "stat", "-x,", "-o", r->out, "-D", "-1", "--control", "fd:3,4",
		         "-e",   events, "-p",  pids, NULL,   NULL, NULL, NULL,        NULL };
	struct stat st;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	/* the filter follows its event: perf applies --filter to the -e before it */
	if (breakdown &&
	    stat("/sys/kernel/tracing/events/io_uring/io_uring_submit_req", &st) == 0) {
		argv[13] = "-e";
		argv[14] = COUNTS_RECV_EVENT;
		argv[15] = "--filter";
		argv[16] = COUNTS_RECV_FILTER;
	}
	snprintf(r->out, sizeof(r->out), "%s", out_path);
	if (pids && events)
		ret = attach(r, argv);
	free(pids);
	free(events);
	return ret;
}

int counts_record_start(struct counts_run *r, pid_t root, const char *data_path)
{
	char *pids = tree_list(root);
	char *argv[] = { "perf", "record",    "-q",     "-g", "-o", r->out, "-D",
		         "-1",   "--control", "fd:3,4", "-p", pids, NULL };
	int ret = -1;

	memset(r, 0, sizeof(*r));
	snprintf(r->out, sizeof(r->out), "%s", data_path);
	if (pids)
		ret = attach(r, argv);
	free(pids);
	return ret;
}

/* Send perf one control command and wait for its "ack": 0 or -1. */
static int command(struct counts_run *r, const char *cmd)
{
	struct pollfd p = { .fd = r->ack, .events = POLLIN };
	long long deadline = util_now_ms() + COUNTS_ACK_MS;
	char buf[64];
	ssize_t n;
	int ready;

	if (r->pid <= 0 || send(r->ctl, cmd, strlen(cmd), MSG_NOSIGNAL) != (ssize_t)strlen(cmd))
		return -1;
	do {
		long long left = deadline - util_now_ms();

		ready = poll(&p, 1, left > 0 ? (int)left : 0);
	} while (ready < 0 && errno == EINTR);
	if (ready <= 0 || (n = read(r->ack, buf, sizeof(buf) - 1)) <= 0)
		return -1; /* no answer in time, or perf exited: it could not attach */
	buf[n] = '\0';
	return strstr(buf, "ack") ? 0 : -1;
}

int counts_enable(struct counts_run *r)
{
	return command(r, "enable\n");
}

int counts_stop(struct counts_run *r)
{
	int ok;

	if (r->pid <= 0)
		return -1;
	ok = command(r, "disable\n") == 0;
	kill(r->pid, SIGINT); /* perf prints its counts (or writes its data) and exits */
	reap(r->pid, COUNTS_EXIT_MS);
	close(r->ctl);
	close(r->ack);
	r->pid = 0;
	return ok ? 0 : -1;
}

int counts_finish(struct counts_run *r, struct counts *c)
{
	char *text;
	int ok;

	counts_clear(c);
	ok = counts_stop(r) == 0;
	text = ok ? util_read_file(r->out, NULL) : NULL;
	ok = text && counts_parse(text, c) == 0;
	free(text);
	if (!ok)
		counts_clear(c);
	return ok ? 0 : -1;
}
