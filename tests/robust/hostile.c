/* hostile.c -- hostile HTTP clients and /proc probes for the robustness suite.
 *
 * Each subcommand plays one kind of bad client against a server on
 * 127.0.0.1:PORT (or measures a server's process tree), prints one line --
 * the measured figure, or why the check failed -- and exits 0 (pass), 1
 * (fail) or 2 (bad usage, or the tool itself could not run). Every loop is
 * bounded in count and time. tests/robust/run.sh drives it; see usage().
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define PASS 0
#define FAIL 1
#define TOOL 2

#define REQ_KEEP    "GET / HTTP/1.1\r\nHost: robust\r\n\r\n"
#define REQ_CLOSE   "GET / HTTP/1.1\r\nHost: robust\r\nConnection: close\r\n\r\n"
#define MAX_CLIENTS 1024
#define MAX_PROCS   4096

static int port;

/* ---- time, errors ---------------------------------------------------- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Print the result line and return rc, so a check ends with `return verdict(...)`. */
static int verdict(int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return rc;
}

/* The tool needs more descriptors than the usual 1024 soft limit may give. */
static void raise_nofile(rlim_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		perror("hostile: setrlimit");
}

/* ---- sockets ----------------------------------------------------------- */

/* A non-blocking socket connecting to 127.0.0.1:port (connect may still be in progress), or -1. */
static int tcp_open(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

/* poll() one fd until deadline: its revents, 0 on timeout, -1 on error. */
static int wait_fd(int fd, short events, long deadline)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = events };
		long left = deadline - now_ms();
		int r;

		if (left < 0)
			left = 0;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r;
		return p.revents;
	}
}

/* Wait for a non-blocking connect: 0 connected, -1 failed or timed out (errno says which). */
static int tcp_connected(int fd, long deadline)
{
	int err = 0;
	socklen_t len = sizeof(err);
	int r = wait_fd(fd, POLLOUT, deadline);

	if (r == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -1;
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* Send as much of buf as the socket takes before deadline: bytes sent, -1 on error. */
static ssize_t send_until(int fd, const char *buf, size_t len, long deadline)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL);

		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			int r = wait_fd(fd, POLLOUT, deadline);

			if (r == 0)
				break;
			if (r < 0)
				return -1;
			continue;
		}
		return -1;
	}
	return (ssize_t)off;
}

/* ---- one HTTP client as a state machine (so many run in one poll loop) --- */

enum cstate { C_SEND, C_RECV, C_EOF, C_DONE };

struct client {
	int fd;
	enum cstate state;
	const char *req;
	size_t req_len, sent;
	int want_eof;    /* after the reply, wait for the server to close */
	int hold;        /* after the reply, keep the connection open (caller closes fd) */
	long t0, t_done; /* when started, when finished */
	int status;      /* the reply's status code, 0 if none */
	int complete;    /* head and Content-Length body received */
	int eof;         /* 1 EOF, -1 reset/error, 0 not seen */
	int err;         /* errno of the failure, if any */
	size_t head_len, body_len, got;
	char buf[2048];
};

/* Parse the head once it is all in buf: status and Content-Length. */
static void client_parse(struct client *c)
{
	char *end, *p;

	if (c->head_len == 0) {
		c->buf[c->got < sizeof(c->buf) ? c->got : sizeof(c->buf) - 1] = '\0';
		end = strstr(c->buf, "\r\n\r\n");
		if (!end)
			return;
		c->head_len = (size_t)(end - c->buf) + 4;
		if (strncmp(c->buf, "HTTP/1.", 7) == 0 && c->buf[8] == ' ')
			c->status = atoi(c->buf + 9);
		for (p = c->buf; p && p < end; p = strstr(p, "\r\n")) {
			p += 2;
			if (strncasecmp(p, "Content-Length:", 15) == 0)
				c->body_len = strtoul(p + 15, NULL, 10);
		}
	}
	if (c->got >= c->head_len + c->body_len)
		c->complete = 1;
}

static void client_finish(struct client *c, int err)
{
	c->err = err;
	c->state = C_DONE;
	c->t_done = now_ms();
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Start c: connect and queue req. Returns 0, or -1 (c is then done, with err set). */
static int client_start(struct client *c, const char *req, int want_eof)
{
	memset(c, 0, sizeof(*c));
	c->req = req;
	c->req_len = strlen(req);
	c->want_eof = want_eof;
	c->t0 = now_ms();
	c->state = C_SEND;
	c->fd = tcp_open();
	if (c->fd < 0) {
		client_finish(c, errno);
		return -1;
	}
	return 0;
}

static short client_events(const struct client *c)
{
	return c->state == C_SEND ? POLLOUT : c->state == C_DONE ? 0 : POLLIN;
}

/* Move c's bytes as far as the socket allows now (call when poll says so). */
static void client_step(struct client *c)
{
	while (c->state == C_SEND) {
		ssize_t n = send(c->fd, c->req + c->sent, c->req_len - c->sent, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOTCONN))
			return;
		if (n < 0) {
			client_finish(c, errno);
			return;
		}
		c->sent += (size_t)n;
		if (c->sent == c->req_len)
			c->state = C_RECV;
	}
	while (c->state == C_RECV || c->state == C_EOF) {
		char scratch[512];
		int in_reply = c->state == C_RECV && c->got < sizeof(c->buf) - 1;
		char *dst = in_reply ? c->buf + c->got : scratch;
		size_t room = in_reply ? sizeof(c->buf) - 1 - c->got : sizeof(scratch);
		ssize_t n = recv(c->fd, dst, room, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			c->eof = n == 0 ? 1 : -1;
			client_finish(c, n == 0 ? 0 : errno);
			return;
		}
		if (c->state == C_EOF) {
			client_finish(c, EPROTO); /* bytes after the reply: not a close */
			return;
		}
		c->got += (size_t)n;
		client_parse(c);
		if (c->complete) {
			if (c->hold) { /* done, but the connection stays open */
				c->state = C_DONE;
				c->t_done = now_ms();
				return;
			}
			if (!c->want_eof) {
				client_finish(c, 0);
				return;
			}
			c->state = C_EOF;
		}
	}
}

/*
 * One poll of clients cl[0..n) (at most until deadline), stepping those that
 * are ready. 0, or -1 when poll itself failed.
 */
static int clients_poll_one(struct client *cl, int n, long deadline)
{
	static struct pollfd pf[MAX_CLIENTS];
	static int idx[MAX_CLIENTS];
	int k = 0, r;
	long left = deadline - now_ms();

	for (int i = 0; i < n; i++) {
		if (cl[i].state == C_DONE)
			continue;
		pf[k].fd = cl[i].fd;
		pf[k].events = client_events(&cl[i]);
		idx[k++] = i;
	}
	if (k == 0 || left <= 0)
		return 0;
	r = poll(pf, (nfds_t)k, (int)left);
	if (r < 0 && errno != EINTR)
		return -1;
	for (int i = 0; r > 0 && i < k; i++)
		if (pf[i].revents)
			client_step(&cl[idx[i]]);
	return 0;
}

/* Run clients cl[0..n) in one poll loop until all are done or deadline; the rest carry on. */
static void clients_poll(struct client *cl, int n, long deadline)
{
	for (;;) {
		int waiting = 0;

		for (int i = 0; i < n; i++)
			waiting += cl[i].state != C_DONE;
		if (waiting == 0 || now_ms() >= deadline || clients_poll_one(cl, n, deadline) < 0)
			return;
	}
}

/*
 * Run clients cl[0..n) until all are done or deadline. Unfinished clients
 * end with err ETIMEDOUT: closed, or kept open if they hold.
 */
static void clients_run(struct client *cl, int n, long deadline)
{
	clients_poll(cl, n, deadline);
	for (int i = 0; i < n; i++) {
		if (cl[i].state == C_DONE)
			continue;
		if (cl[i].hold) { /* unanswered, but it must stay open */
			cl[i].state = C_DONE;
			cl[i].err = ETIMEDOUT;
			cl[i].t_done = now_ms();
		} else {
			client_finish(&cl[i], ETIMEDOUT);
		}
	}
}

/* One fresh client (GET, Connection: close) within timeout_ms: its status (0: none), *ms taken. */
static int probe(long timeout_ms, long *ms)
{
	static struct client c;

	client_start(&c, REQ_CLOSE, 0);
	clients_run(&c, 1, now_ms() + timeout_ms);
	*ms = c.t_done - c.t0;
	return c.complete ? c.status : 0;
}

/* Why a client did not get a complete reply, for a result line. */
static const char *client_why(const struct client *c)
{
	static char why[128];

	if (c->err == ETIMEDOUT)
		snprintf(why, sizeof(why), "no reply within %ld ms (%zu bytes)", c->t_done - c->t0,
		         c->got);
	else if (c->err)
		snprintf(why, sizeof(why), "%s after %zu bytes", strerror(c->err), c->got);
	else
		snprintf(why, sizeof(why), "closed after %zu bytes, reply incomplete", c->got);
	return why;
}

/* ---- /proc: a server's process tree ------------------------------------ */

/* Read /proc/pid/stat fields: ppid, utime + stime (ticks). 0, or -1 if pid is gone. */
static int proc_stat(pid_t pid, pid_t *ppid, long *ticks)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	int ppid_i = 0, fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
	if (!p || sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ppid_i, &ut,
	                 &st) != 3)
		return -1;
	*ppid = ppid_i;
	*ticks = (long)(ut + st);
	return 0;
}

/* PIDs of root and all its descendants into out[0..cap): their count (0 if root is gone). */
static int proc_tree(pid_t root, pid_t *out, int cap)
{
	static pid_t pids[MAX_PROCS], parents[MAX_PROCS];
	int n = 0, found = 0, i, j;
	long ticks;
	DIR *d = opendir("/proc");
	struct dirent *e;

	if (!d)
		return 0;
	while ((e = readdir(d)) && n < MAX_PROCS) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		pids[n] = (pid_t)atoi(e->d_name);
		if (proc_stat(pids[n], &parents[n], &ticks) == 0)
			n++;
	}
	closedir(d);
	for (i = 0; i < n; i++)
		if (pids[i] == root)
			out[found++] = root;
	for (i = 0; i < found && found < cap; i++) /* breadth-first over out[] */
		for (j = 0; j < n && found < cap; j++)
			if (parents[j] == out[i])
				out[found++] = pids[j];
	return found;
}

/* One kB figure ("Name:   123 kB") from a /proc file, or -1. */
static long proc_kb(const char *path, const char *name)
{
	char line[256];
	size_t len = strlen(name);
	long kb = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, name, len) == 0) {
			kb = strtol(line + len, NULL, 10);
			break;
		}
	fclose(f);
	return kb;
}

/*
 * Memory of root's process tree in kB: *rss sums VmRSS, *pss sums Pss. Pss
 * splits each shared page between the processes that map it, so the sum
 * over a forking server counts a copy-on-write page once (VmRSS counts it
 * in every child); the bound is checked on Pss. Returns the process count.
 */
static int tree_mem(pid_t root, long *rss, long *pss)
{
	static pid_t tree[MAX_PROCS];
	int n = proc_tree(root, tree, MAX_PROCS);
	char path[64];

	*rss = *pss = 0;
	for (int i = 0; i < n; i++) {
		long r, p;

		snprintf(path, sizeof(path), "/proc/%d/status", (int)tree[i]);
		r = proc_kb(path, "VmRSS:");
		snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)tree[i]);
		p = proc_kb(path, "Pss:");
		*rss += r > 0 ? r : 0;
		*pss += p > 0 ? p : r > 0 ? r : 0;
	}
	return n;
}

/* CPU ticks (utime + stime, all threads) of root's process tree. */
static long tree_ticks(pid_t root)
{
	static pid_t tree[MAX_PROCS];
	int n = proc_tree(root, tree, MAX_PROCS);
	long sum = 0;

	for (int i = 0; i < n; i++) {
		pid_t pp;
		long t;

		if (proc_stat(tree[i], &pp, &t) == 0)
			sum += t;
	}
	return sum;
}

/* ---- the checks ---------------------------------------------------------- */

/* Send byte b on every slow connection still open; close those the server closed. */
static void trickle_tick(int *fds, int n, char b)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0 && send(fds[i], &b, 1, MSG_NOSIGNAL) < 0 && errno != EAGAIN &&
		    errno != EINTR) {
			close(fds[i]);
			fds[i] = -1;
		}
}

/* How many of fds[0..n) the server has not closed. */
static int still_open(const int *fds, int n)
{
	int open_now = 0;

	for (int i = 0; i < n; i++) {
		char b;

		if (fds[i] >= 0 && recv(fds[i], &b, 1, MSG_PEEK | MSG_DONTWAIT) < 0 &&
		    errno == EAGAIN)
			open_now++;
	}
	return open_now;
}

/*
 * slowloris N WARMUP_MS LIMIT_MS: N connections each send one header byte
 * a second; after WARMUP_MS a new client must get 200 within LIMIT_MS.
 */
static int check_slowloris(int n, long warmup_ms, long limit_ms)
{
	static const char trickle[] = "GET / HTTP/1.1\r\nHost: robust\r\nX-Slow: aaaaaaaaaaaaaaaa";
	static int fds[MAX_CLIENTS];
	static struct client c;
	long t_start, next_tick, deadline;
	int i, opened = 0, open_now = 0, tick = 0, probing = 0;

	if (n > MAX_CLIENTS)
		return verdict(TOOL, "at most %d connections", MAX_CLIENTS);
	for (i = 0; i < n; i++) {
		if ((fds[i] = tcp_open()) < 0)
			return verdict(TOOL, "socket: %s", strerror(errno));
	}
	deadline = now_ms() + 2000;
	for (i = 0; i < n; i++)
		opened += tcp_connected(fds[i], deadline) == 0;
	t_start = next_tick = now_ms();
	deadline = t_start + warmup_ms + limit_ms + 1000;
	/* Bounded: at most (warmup + limit + 1 s) of ticks, one byte per connection per tick. */
	while (now_ms() < deadline) {
		long wake;

		if (now_ms() >= next_tick) {
			trickle_tick(fds, n, trickle[(size_t)tick % (sizeof(trickle) - 1)]);
			tick++;
			next_tick += 1000;
		}
		if (!probing && now_ms() - t_start >= warmup_ms) {
			open_now = still_open(fds, n);
			client_start(&c, REQ_CLOSE, 0);
			probing = 1;
		}
		wake = next_tick;
		if (probing) {
			long probe_end = c.t0 + limit_ms;

			clients_poll(&c, 1, probe_end < wake ? probe_end : wake);
			if (c.state == C_DONE || now_ms() >= probe_end)
				break;
		} else {
			if (t_start + warmup_ms < wake)
				wake = t_start + warmup_ms;
			nap_ms(wake > now_ms() ? wake - now_ms() : 1);
		}
	}
	if (probing && c.state != C_DONE)
		client_finish(&c, ETIMEDOUT);
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (!probing)
		return verdict(TOOL, "the probe never started");
	if (opened < n)
		return verdict(FAIL, "only %d of %d slow connections connected", opened, n);
	if (!c.complete || c.status != 200)
		return verdict(FAIL, "new client after %ld ms of slowloris (%d/%d slow open): %s",
		               warmup_ms, open_now, n,
		               c.complete ? "not a 200 reply" : client_why(&c));
	if (c.t_done - c.t0 > limit_ms)
		return verdict(FAIL, "new client answered in %ld ms, limit %ld ms", c.t_done - c.t0,
		               limit_ms);
	return verdict(PASS, "new client 200 in %ld ms (limit %ld), %d/%d slow connections open",
	               c.t_done - c.t0, limit_ms, open_now, n);
}

/* idle MIN_MS MAX_MS: an idle connection is closed between MIN_MS and MAX_MS after connecting. */
static int check_idle(long min_ms, long max_ms)
{
	int fd = tcp_open();
	long t0 = now_ms(), t;
	char b;
	ssize_t n = -1;
	int r, err = 0;

	if (fd < 0 || tcp_connected(fd, t0 + 2000) < 0)
		return verdict(FAIL, "connect: %s", strerror(errno));
	r = wait_fd(fd, POLLIN, t0 + max_ms + 2000);
	t = now_ms() - t0;
	if (r > 0) {
		n = recv(fd, &b, 1, MSG_DONTWAIT);
		err = errno;
	}
	close(fd);
	if (r == 0)
		return verdict(FAIL, "still open after %ld ms (limit %ld)", t, max_ms);
	if (n > 0)
		return verdict(FAIL, "unexpected bytes from an idle connection");
	if (n < 0)
		return verdict(FAIL, "%s after %ld ms instead of a close", strerror(err), t);
	if (t < min_ms || t > max_ms)
		return verdict(FAIL, "closed after %ld ms, expected %ld..%ld", t, min_ms, max_ms);
	return verdict(PASS, "EOF after %ld ms, expected %ld..%ld", t, min_ms, max_ms);
}

/*
 * reset COUNT: COUNT clients each send a request and reset the connection
 * (SO_LINGER {1, 0} + close), at varied moments; then a new client must get 200.
 */
static int check_reset(int count)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	long ms;
	int i, status, done = 0;

	for (i = 0; i < count; i++) {
		int fd = tcp_open();

		if (fd < 0 || tcp_connected(fd, now_ms() + 2000) < 0) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		/* Odd ones pipeline many requests, so the reset lands while replies are queued. */
		for (int k = 0; k < (i % 2 ? 50 : 1); k++)
			send_until(fd, REQ_KEEP, strlen(REQ_KEEP), now_ms() + 200);
		if (i % 3 == 2)
			nap_ms(5); /* let the server be mid-reply */
		if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0)
			return verdict(TOOL, "SO_LINGER: %s", strerror(errno));
		close(fd);
		done++;
	}
	nap_ms(50);
	status = probe(2000, &ms);
	if (status != 200)
		return verdict(FAIL, "after %d resets the next client got %s", done,
		               status ? "a non-200 reply" : "no reply within 2 s");
	return verdict(PASS, "%d resets, next client 200 in %ld ms", done, ms);
}

/*
 * Start c on req and send all of it now (the connect and the send each within
 * 2 s), leaving c waiting for the reply. 0, or -1 with c done and c->err set.
 */
static int client_sent(struct client *c, const char *req, int want_eof)
{
	if (client_start(c, req, want_eof) < 0)
		return -1;
	if (tcp_connected(c->fd, now_ms() + 2000) < 0 ||
	    send_until(c->fd, c->req, c->req_len, now_ms() + 2000) != (ssize_t)c->req_len) {
		client_finish(c, errno ? errno : EIO);
		return -1;
	}
	c->sent = c->req_len;
	c->state = C_RECV;
	return 0;
}

/* halfclose: a request, then shutdown(SHUT_WR); the full reply must still arrive. */
static int check_halfclose(void)
{
	static struct client c;

	if (client_sent(&c, REQ_KEEP, 1) < 0)
		return verdict(FAIL, "connect and send: %s", strerror(c.err));
	if (shutdown(c.fd, SHUT_WR) < 0)
		return verdict(TOOL, "shutdown: %s", strerror(errno));
	clients_run(&c, 1, now_ms() + 3000);
	if (!c.complete)
		return verdict(FAIL, "reply lost after SHUT_WR: %s", client_why(&c));
	if (c.status != 200)
		return verdict(FAIL, "reply status %d, expected 200", c.status);
	return verdict(PASS, "full 200 reply (%zu bytes) in %ld ms, then %s", c.got,
	               c.t_done - c.t0,
	               c.eof == 1 ? "EOF"
	               : c.eof    ? "reset"
	                          : "no close");
}

#define HALFSTORM_REQ      "GET /sleep/0 HTTP/1.1\r\nHost: robust\r\n\r\n"
#define HALFSTORM_DELAY_US 300 /* between the last request sent and the SHUT_WRs */

/*
 * halfstorm N DURATION_MS [WAIT_MS]: rounds of N clients, each sending GET
 * /sleep/0 and shutting its write side down HALFSTORM_DELAY_US later, until
 * DURATION_MS pass; each round's replies are waited for at most WAIT_MS
 * (default 3000; longer beside other load, as in the soak). A loop that answers deferred work
 * between two events of a batch (offload) then closes connections that later events of the same
 * batch still name (issue 19). Every client must get its 200 and then EOF.
 */
static int check_halfstorm(int n, long duration_ms, long wait_ms)
{
	static struct client cl[MAX_CLIENTS];
	struct timespec gap = { 0, HALFSTORM_DELAY_US * 1000L };
	long t0 = now_ms();
	int rounds = 0, ok = 0;

	if (n > MAX_CLIENTS)
		return verdict(TOOL, "at most %d clients", MAX_CLIENTS);
	while (now_ms() - t0 < duration_ms) {
		for (int i = 0; i < n; i++)
			client_sent(&cl[i], HALFSTORM_REQ, 1);
		nanosleep(&gap, NULL);
		for (int i = 0; i < n; i++)
			if (cl[i].state != C_DONE)
				shutdown(cl[i].fd, SHUT_WR);
		clients_run(cl, n, now_ms() + wait_ms);
		for (int i = 0; i < n; i++) {
			if (!cl[i].complete || cl[i].status != 200 || cl[i].eof != 1)
				return verdict(
				    FAIL, "round %d, client %d: %s%s", rounds + 1, i,
				    cl[i].complete ? "status " : "",
				    cl[i].complete
				        ? (cl[i].status == 200 ? "200 but no EOF" : "not 200")
				        : client_why(&cl[i]));
			ok++;
		}
		rounds++;
	}
	return verdict(PASS, "%d rounds of %d: %d replies 200, each then EOF", rounds, n, ok);
}

/* A reset instead of a FIN: close with unread input and replies in flight. 0 or -1. */
static int reset_close(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int r = setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));

	close(fd);
	return r;
}

/* A connected socket with req[0..len) sent (each within 2 s), or -1. */
static int sent_fd(const char *req, size_t len)
{
	int fd = tcp_open();

	if (fd < 0)
		return -1;
	if (tcp_connected(fd, now_ms() + 2000) < 0 ||
	    send_until(fd, req, len, now_ms() + 2000) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return fd;
}

#define BATCH_PIPE_REQ "GET /bytes/262144 HTTP/1.1\r\nHost: robust\r\n\r\n"
#define BATCH_PIPE_N   16 /* 4 MiB of replies never read: the server's send stalls */
#define BATCH_SLEEP    "GET /sleep/5 HTTP/1.1\r\nHost: robust\r\n\r\n"
#define BATCH_KINDS    4

/*
 * batchclose N DURATION_MS TIMEOUT_MS: rounds of N clients, a quarter of each
 * kind, that make a server close connections in the same wake-up as other
 * events still naming them, until DURATION_MS pass (at least one round).
 * For a server started with --timeout TIMEOUT_MS/1000:
 *  - stalled: BATCH_PIPE_N pipelined GET /bytes/262144, never read, reset
 *    20 ms later: its send is stalled, so the send and the receive fail
 *    together (io_uring: two completions of one connection in one batch;
 *    libuv: a write cancelled by the close; libevent: the write event's
 *    connection freed);
 *  - working: GET /sleep/5 and a reset at once, landing while the work
 *    waits or runs (io_uring's job queue, offload's helpers);
 *  - late: a keep-alive request answered, then the next one sent and the
 *    connection reset within 20 ms either side of its idle deadline, so the
 *    timer and the read can fire in one wake-up (libevent's timer and I/O
 *    events of one connection, libuv's sweep beside its read);
 *  - half: GET /sleep/0 and SHUT_WR (as halfstorm); it must get its 200, then EOF.
 * After each round a fresh client must get 200 within 2 s. A crash shows as
 * a dead server (run.sh checks it after every check), a freed connection
 * touched again under a sanitizer (make test-san) as its report.
 */
static int check_batchclose(int n, long duration_ms, long timeout_ms)
{
	static struct client late[MAX_CLIENTS], half[MAX_CLIENTS];
	static int fds[MAX_CLIENTS];
	char pipeline[BATCH_PIPE_N * sizeof(BATCH_PIPE_REQ)];
	long t0 = now_ms(), ms = 0;
	int q = n / BATCH_KINDS, rounds = 0, status;

	if (q < 1 || q > MAX_CLIENTS)
		return verdict(TOOL, "%d to %d clients", BATCH_KINDS, BATCH_KINDS * MAX_CLIENTS);
	pipeline[0] = '\0';
	for (int k = 0; k < BATCH_PIPE_N; k++)
		strcat(pipeline, BATCH_PIPE_REQ);
	do {
		long answered;

		for (int i = 0; i < q; i++) { /* late: their first request answered now */
			client_sent(&late[i], REQ_KEEP, 0);
			late[i].hold = 1;
		}
		clients_run(late, q, now_ms() + 2000);
		answered = now_ms();
		for (int i = 0; i < q; i++)
			if (!late[i].complete || late[i].status != 200)
				return verdict(FAIL, "round %d: keep-alive client %d: %s",
				               rounds + 1, i,
				               late[i].complete ? "not 200" : client_why(&late[i]));
		for (int i = 0; i < q; i++) /* stalled */
			fds[i] = sent_fd(pipeline, strlen(pipeline));
		for (int i = 0; i < q; i++) { /* working */
			int fd = sent_fd(BATCH_SLEEP, strlen(BATCH_SLEEP));

			if (fd >= 0)
				reset_close(fd);
		}
		for (int i = 0; i < q; i++)
			client_sent(&half[i], HALFSTORM_REQ, 1);
		nap_ms(20);
		for (int i = 0; i < q; i++) {
			if (half[i].state != C_DONE)
				shutdown(half[i].fd, SHUT_WR);
			if (fds[i] >= 0)
				reset_close(fds[i]);
		}
		clients_run(half, q, now_ms() + 3000);
		for (int i = 0; i < q; i++)
			if (!half[i].complete || half[i].status != 200 || half[i].eof != 1)
				return verdict(
				    FAIL, "round %d: half-closed client %d: %s", rounds + 1, i,
				    half[i].complete ? "no 200 then EOF" : client_why(&half[i]));
		for (int i = 0; i < q; i++) { /* late: spread over its deadline -20 .. +20 ms */
			long at = answered + timeout_ms - 20 + (q > 1 ? 40L * i / (q - 1) : 0);

			if (at > now_ms())
				nap_ms(at - now_ms());
			if (late[i].fd >= 0) {
				send(late[i].fd, REQ_KEEP, strlen(REQ_KEEP), MSG_NOSIGNAL);
				reset_close(late[i].fd);
				late[i].fd = -1;
			}
		}
		rounds++;
		if ((status = probe(2000, &ms)) != 200)
			return verdict(FAIL, "after round %d the next client got %s", rounds,
			               status ? "a non-200 reply" : "no reply within 2 s");
	} while (now_ms() - t0 < duration_ms);
	return verdict(PASS,
	               "%d rounds of %d stalled, %d working, %d late and %d half-closed clients; "
	               "then 200 in %ld ms",
	               rounds, q, q, q, q, ms);
}

/*
 * sequential COUNT STREAMS: STREAMS clients side by side, each opening COUNT
 * connections one after another: GET / with Connection: close, and the next
 * one only after the server has closed the last (EOF). With STREAMS no more
 * than the model admits at once (--max-conns, plus --workers being served
 * for a queue), none may be refused: a 503 means the model freed a slot only
 * after the close the client already saw (issue 19).
 */
static int check_sequential(int count, int streams)
{
	static struct client cl[MAX_CLIENTS];
	int left[MAX_CLIENTS], ok = 0, refused = 0, other = 0;
	long t0 = now_ms(), deadline = t0 + 60000;

	if (streams > MAX_CLIENTS || streams < 1)
		return verdict(TOOL, "1 to %d streams", MAX_CLIENTS);
	for (int i = 0; i < streams; i++) {
		left[i] = count - 1;
		client_start(&cl[i], REQ_CLOSE, 1);
	}
	for (;;) {
		int active = 0;

		if (clients_poll_one(cl, streams, deadline) < 0)
			return verdict(TOOL, "poll: %s", strerror(errno));
		for (int i = 0; i < streams; i++) {
			if (cl[i].state != C_DONE) {
				active++;
				continue;
			}
			if (cl[i].t0 == 0) /* finished and counted */
				continue;
			if (cl[i].complete && cl[i].status == 200 && cl[i].eof == 1)
				ok++;
			else if (cl[i].complete && cl[i].status == 503)
				refused++;
			else
				other++;
			cl[i].t0 = 0;
			if (left[i]-- > 0) {
				client_start(&cl[i], REQ_CLOSE, 1);
				active++;
			}
		}
		if (active == 0 || now_ms() >= deadline)
			break;
	}
	for (int i = 0; i < streams; i++)
		if (cl[i].state != C_DONE)
			client_finish(&cl[i], ETIMEDOUT);
	if (refused || other || ok != count * streams)
		return verdict(
		    FAIL,
		    "%d x %d sequential connections: %d answered 200, %d refused 503, %d other",
		    streams, count, ok, refused, other);
	return verdict(PASS,
	               "%d x %d sequential connections, all 200 then EOF, none refused in %ld ms",
	               streams, count, now_ms() - t0);
}

/* The flood's request bytes: count pipelined keep-alive requests. */
static char *flood_bytes(int count, size_t *len)
{
	size_t one = strlen(REQ_KEEP);
	char *buf = malloc(one * (size_t)count);

	if (!buf)
		return NULL;
	for (int i = 0; i < count; i++)
		memcpy(buf + one * (size_t)i, REQ_KEEP, one);
	*len = one * (size_t)count;
	return buf;
}

/*
 * flood PID COUNT DURATION_MS LIMIT_MS BOUND_KB: one client pipelines
 * requests, COUNT to a batch, batch after batch, and reads nothing: it writes
 * until the socket takes no more for 300 ms (or DURATION_MS pass). Meanwhile a
 * new client every 250 ms must get 200 within LIMIT_MS, and the Pss of PID's
 * process tree must grow by less than BOUND_KB. A server that buffered
 * without bound would keep reading, so the writes would never stall.
 */
static int check_flood(pid_t pid, int count, long duration_ms, long limit_ms, long bound_kb)
{
	long rss0, pss0, rss, pss, max_rss = 0, max_pss = 0, worst = 0, end, next_probe, progress;
	size_t len, off = 0, total = 0;
	int fd, probes = 0, served = 0;
	char *buf = flood_bytes(count, &len);
	const char *how = "still writable at the time limit";

	if (!buf)
		return verdict(TOOL, "out of memory");
	if (tree_mem(pid, &rss0, &pss0) == 0) {
		free(buf);
		return verdict(FAIL, "server process %d not found", (int)pid);
	}
	fd = tcp_open();
	if (fd < 0 || tcp_connected(fd, now_ms() + 2000) < 0) {
		free(buf);
		return verdict(FAIL, "flood connect: %s", strerror(errno));
	}
	end = now_ms() + duration_ms;
	next_probe = progress = now_ms();
	next_probe += 250;
	while (now_ms() < end) {
		if (fd >= 0) {
			ssize_t n = send_until(fd, buf + off, len - off, now_ms() + 50);

			if (n < 0) {
				how = "the server closed the flood";
				close(fd);
				fd = -1;
			} else if (n > 0) {
				off = (off + (size_t)n) % len;
				total += (size_t)n;
				progress = now_ms();
			} else if (now_ms() - progress >= 300) {
				how = "the socket stalled"; /* keep it open and unread */
			}
		} else {
			nap_ms(50);
		}
		if (tree_mem(pid, &rss, &pss) == 0)
			break;
		max_rss = rss > max_rss ? rss : max_rss;
		max_pss = pss > max_pss ? pss : max_pss;
		if (now_ms() >= next_probe) {
			long ms;

			probes++;
			served += probe(limit_ms, &ms) == 200 && ms <= limit_ms;
			worst = ms > worst ? ms : worst;
			next_probe = now_ms() + 250;
		}
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	if (tree_mem(pid, &rss, &pss) == 0)
		return verdict(FAIL, "the server died during the flood");
	if (served < probes || probes == 0)
		return verdict(FAIL, "%d/%d clients served in %ld ms during the flood (worst %ld)",
		               served, probes, limit_ms, worst);
	if (max_pss - pss0 >= bound_kb)
		return verdict(FAIL,
		               "memory grew by %ld KiB Pss (VmRSS %ld->%ld KiB), bound %ld KiB, "
		               "after %zu pipelined requests",
		               max_pss - pss0, rss0, max_rss, bound_kb, total / strlen(REQ_KEEP));
	return verdict(PASS,
	               "%zu requests pipelined unread (%zu KiB), %s; %d/%d clients served, worst "
	               "%ld ms; Pss +%ld KiB (bound %ld), VmRSS %ld->%ld KiB",
	               total / strlen(REQ_KEEP), total / 1024, how, served, probes, worst,
	               max_pss - pss0, bound_kb, rss0, max_rss);
}

/* A bad request and what must come back. */
struct bad_head {
	const char *name;
	const char *head; /* printf format; %s is a long run of 'a' */
	int status, alt;  /* expected status; alt: also acceptable (0: none; -1: a plain close) */
};

static const struct bad_head bad_heads[] = {
	{ "oversized", "GET / HTTP/1.1\r\nHost: robust\r\nX-Big: %s\r\n\r\n", 431, 0 },
	{ "long-target", "GET /%.5000s HTTP/1.1\r\nHost: robust\r\n\r\n", 414, 0 },
	{ "garbage", "\x01\x02\x7f garbage %.40s\r\n\r\n", 400, -1 },
	{ "cl-te",
	  "POST / HTTP/1.1\r\nHost: robust\r\nContent-Length: 5\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n%.0s",
	  400, 0 },
	{ "chunk",
	  "POST / HTTP/1.1\r\nHost: robust\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "zz\r\nhello\r\n0\r\n\r\n%.0s",
	  400, 0 },
};

/*
 * badhead KIND: send a bad request followed by 64 KiB more than the server
 * will read, shut down the write side, and expect the complete error reply
 * followed by EOF (a reset would mean the server closed with input unread
 * and the reply may be lost).
 */
static int check_badhead(const char *kind)
{
	static char run[20001], req[32768], extra[65536];
	const struct bad_head *b = NULL;
	static struct client c;
	ssize_t n;
	int len;

	for (size_t i = 0; i < sizeof(bad_heads) / sizeof(bad_heads[0]); i++)
		if (strcmp(kind, bad_heads[i].name) == 0)
			b = &bad_heads[i];
	if (!b)
		return verdict(TOOL, "unknown bad head '%s'", kind);
	memset(run, 'a', sizeof(run) - 1);
	memset(extra, 'z', sizeof(extra));
	len = snprintf(req, sizeof(req), b->head, run);
	if (client_start(&c, "", 1) < 0 || tcp_connected(c.fd, now_ms() + 2000) < 0)
		return verdict(FAIL, "connect: %s", strerror(c.err ? c.err : errno));
	n = send_until(c.fd, req, (size_t)len, now_ms() + 1000);
	if (n == len)
		n += send_until(c.fd, extra, sizeof(extra), now_ms() + 1000);
	shutdown(c.fd, SHUT_WR); /* may fail if the server reset us: the reply check says so */
	c.state = C_RECV;
	clients_run(&c, 1, now_ms() + 3000);
	if (b->alt == -1 && c.got == 0 && c.eof == 1)
		return verdict(PASS, "closed without a reply (EOF) after %zd bytes sent", n);
	if (!c.complete)
		return verdict(FAIL, "sent %zd bytes; %s", n, client_why(&c));
	if (c.status != b->status && (b->alt <= 0 || c.status != b->alt))
		return verdict(FAIL, "status %d, expected %d", c.status, b->status);
	if (c.eof != 1)
		return verdict(FAIL, "%d reply complete, then %s, not a graceful close", c.status,
		               c.eof             ? "a reset"
		               : c.err == EPROTO ? "more bytes"
		                                 : "no close");
	return verdict(PASS, "%d, full reply (%zu bytes) then EOF after %zd bytes sent", c.status,
	               c.got, n);
}

/*
 * storm N DURATION_MS: N clients at once, each sends one keep-alive request
 * and holds its connection open until all are answered or DURATION_MS pass,
 * so a server with few descriptors must run out of them. Reports what they
 * got; passes unless the tool itself fails (run.sh judges the server after).
 */
static int check_storm(int n, long duration_ms)
{
	static struct client cl[MAX_CLIENTS];
	int ok = 0, other = 0, reset = 0, waiting = 0;
	long t0 = now_ms();

	if (n > MAX_CLIENTS)
		return verdict(TOOL, "at most %d clients", MAX_CLIENTS);
	for (int i = 0; i < n; i++) {
		client_start(&cl[i], REQ_KEEP, 0);
		cl[i].hold = 1;
	}
	clients_run(cl, n, t0 + duration_ms);
	for (int i = 0; i < n; i++) {
		if (cl[i].complete && cl[i].status == 200)
			ok++;
		else if (cl[i].complete)
			other++;
		else if (cl[i].err == ETIMEDOUT)
			waiting++;
		else
			reset++;
		if (cl[i].fd >= 0)
			close(cl[i].fd);
	}
	return verdict(PASS,
	               "%d/%d answered 200 in %ld ms, %d other status, %d closed/reset, "
	               "%d still waiting",
	               ok, n, now_ms() - t0, other, reset, waiting);
}

/*
 * maxconns HELD ANSWERED [half]: HELD clients connect and send a keep-alive
 * request; the first ANSWERED must get a 200 and all must stay open (the rest
 * are queued behind a pool, unanswered). Then one more must get 503 and a
 * close; with `half`, MAXCONNS_HALF_TRIES such clients one after another,
 * each shutting its write side down after its request and still waiting for
 * the answer (issue 19: conn_reject took their EOF for a client that had
 * left, about half the time).
 */
#define MAXCONNS_HALF_TRIES 20
static int check_maxconns(int n, int answered_min, int half)
{
	static struct client held[MAX_CLIENTS];
	static struct client extra;
	static char whybuf[64];
	const char *why = NULL;
	int answered = 0, open_now = 0, tries = 0;

	if (n >= MAX_CLIENTS || answered_min > n)
		return verdict(TOOL, "bad counts %d %d", n, answered_min);
	for (int i = 0; i < n; i++) {
		client_start(&held[i], REQ_KEEP, 0);
		held[i].hold = 1;
		/* Answered ones first, so a pool has taken them before the rest queue up. */
		if (i + 1 == answered_min)
			clients_run(held, i + 1, now_ms() + 2000);
	}
	clients_run(held, n, now_ms() + 300);
	nap_ms(100); /* let the server accept the queued ones before the extra client */
	for (int i = 0; i < n; i++) {
		answered += held[i].complete && held[i].status == 200 && held[i].fd >= 0;
		open_now += held[i].fd >= 0;
	}
	/* the extra clients one after another, each refused while the server stays full */
	for (int k = 0; k < (half ? MAXCONNS_HALF_TRIES : 1) && !why; k++) {
		if (client_sent(&extra, REQ_KEEP, 1) == 0 && half)
			shutdown(extra.fd, SHUT_WR);
		clients_run(&extra, 1, now_ms() + 3000);
		if (!extra.complete)
			why = client_why(&extra);
		else if (extra.status != 503) {
			snprintf(whybuf, sizeof(whybuf), "got %d, expected 503", extra.status);
			why = whybuf;
		} else if (extra.eof != 1)
			why = "got 503 but no graceful close";
		tries = k + 1;
	}
	for (int i = 0; i < n; i++)
		if (held[i].fd >= 0)
			close(held[i].fd);
	if (answered < answered_min || open_now < n)
		return verdict(FAIL, "held connections: %d answered (need %d), %d of %d open",
		               answered, answered_min, open_now, n);
	if (why)
		return verdict(FAIL, "client %d%s (try %d): %s", n + 1,
		               half ? " (half-closed)" : "", tries, why);
	return verdict(
	    PASS, "%d held (%d answered), client %d%s: 503 then EOF (%d time%s), last in %ld ms", n,
	    answered, n + 1, half ? " (half-closed)" : "", tries, tries > 1 ? "s" : "",
	    extra.t_done - extra.t0);
}

/* ---- edge-trigger torture: splits, deep pipelines, a FIN with the data ---- */

/*
 * What an edge-triggered loop gets wrong shows up here (evconn.h): a
 * request whose bytes arrive in two pieces, each its own edge; a pipeline
 * deeper than one read, answered while the client does not read; a FIN that
 * arrives in the same segment as the last request, so no edge follows it.
 */
struct torture {
	const char *name;
	int pipeline; /* requests sent back to back on one connection */
	int split;    /* 1: once per offset, the bytes sent in two pieces cut there */
	int fin;      /* 1: the FIN leaves in the same segment as the last bytes (TCP_CORK) */
	long late_ms; /* the client reads nothing for this long, with a 32 KiB receive buffer */
};

static const struct torture tortures[] = {
	{ .name = "split", .pipeline = 1, .split = 1 },
	{ .name = "split-fin", .pipeline = 1, .split = 1, .fin = 1 },
	{ .name = "split-pipe-3", .pipeline = 3, .split = 1 },
	{ .name = "pipe-100", .pipeline = 100 },
	{ .name = "pipe-2000-late", .pipeline = 2000, .late_ms = 300 },
	{ .name = "fin-1", .pipeline = 1, .fin = 1 },
	{ .name = "fin-50", .pipeline = 50, .fin = 1 },
	{ .name = "fin-2000-late", .pipeline = 2000, .fin = 1, .late_ms = 300 },
};

/* Replies read from one connection, parsed as they arrive (a head, then Content-Length bytes). */
struct reply_stream {
	char buf[65536];
	size_t len;
	int replies, bad; /* complete replies; those not 200 */
};

/* Take every complete reply off the front of r->buf. */
static void stream_parse(struct reply_stream *r)
{
	for (;;) {
		char *end, *cl;
		size_t head, body = 0;

		r->buf[r->len] = '\0';
		if (!(end = strstr(r->buf, "\r\n\r\n")))
			return;
		head = (size_t)(end - r->buf) + 4;
		*end = '\0';
		if ((cl = strcasestr(r->buf, "\r\nContent-Length:")))
			body = strtoul(cl + 17, NULL, 10);
		r->bad += strncmp(r->buf, "HTTP/1.1 200 ", 13) != 0;
		*end = '\r';
		if (r->len < head + body)
			return;
		memmove(r->buf, r->buf + head + body, r->len - head - body);
		r->len -= head + body;
		r->replies++;
	}
}

/*
 * One connection: send len bytes (cut at split when > 0, with a pause
 * between the pieces so they arrive apart), the FIN with the last piece if
 * fin, and read until expect replies (and EOF if need_eof), or EOF, or 5 s pass.
 * Returns the replies read; *eof says whether EOF came, r->bad the non-200.
 */
static int torture_once(const char *bytes, size_t len, size_t split, int fin, long late_ms,
                        struct reply_stream *r, int expect, int need_eof, int *eof)
{
	long t0 = now_ms(), deadline = t0 + 5000;
	size_t off = 0, stop = split ? split : len;
	int one = 1, zero = 0, small = 32768, fd = tcp_open();

	r->len = 0;
	r->replies = r->bad = 0;
	*eof = 0;
	if (fd < 0 || tcp_connected(fd, now_ms() + 2000) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (late_ms) /* the replies back up into the server's buffers, as far as they go */
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	while (now_ms() < deadline && !*eof) {
		int reading = now_ms() - t0 >= late_ms;
		short ev = (off < len ? POLLOUT : 0) | (reading ? POLLIN : 0);
		int re = wait_fd(fd, ev, reading ? deadline : t0 + late_ms);
		ssize_t n;

		if (re < 0)
			break;
		if (off < len && (re & POLLOUT)) {
			if (fin && stop == len)
				setsockopt(fd, IPPROTO_TCP, TCP_CORK, &one, sizeof(one));
			n = send(fd, bytes + off, stop - off, MSG_NOSIGNAL | MSG_DONTWAIT);
			off += n > 0 ? (size_t)n : 0;
			if (off == stop &&
			    stop < len) { /* the first piece is out: let it land alone */
				nap_ms(2);
				stop = len;
			} else if (off == len && fin) {
				shutdown(fd,
				         SHUT_WR); /* corked: the FIN rides on the last segment */
				setsockopt(fd, IPPROTO_TCP, TCP_CORK, &zero, sizeof(zero));
			}
		}
		if (reading && (re & (POLLIN | POLLHUP | POLLERR))) {
			n = recv(fd, r->buf + r->len, sizeof(r->buf) - 1 - r->len, MSG_DONTWAIT);
			if (n > 0) {
				r->len += (size_t)n;
				stream_parse(r);
			} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
				*eof = 1;
			}
		}
		if (r->replies >= expect && !need_eof)
			break; /* a kept-alive connection: no EOF to wait for */
	}
	close(fd);
	return r->replies;
}

/*
 * Run torture case t against the server: 0 when every connection got what
 * it should, else 1 with why in why[]. one: the model answers one request
 * per connection (every reply closes: exactly one reply, then EOF); else
 * every request is answered, and EOF follows them when the FIN was sent.
 */
static int torture_case(const struct torture *t, int one, char *why, size_t whylen)
{
	static struct reply_stream r;
	size_t len;
	char *bytes = flood_bytes(t->pipeline, &len);
	int want = one ? 1 : t->pipeline, need_eof = one || t->fin;

	if (!bytes) {
		snprintf(why, whylen, "out of memory");
		return 1;
	}
	/* split: every offset 1 .. len-1 in turn; else one run, uncut */
	for (size_t cut = t->split ? 1 : 0; cut < (t->split ? len : 1); cut++) {
		int eof, got = torture_once(bytes, len, cut, t->fin, t->late_ms, &r, want, need_eof,
		                            &eof);

		if (got != want || r.bad || (need_eof && !eof)) {
			snprintf(
			    why, whylen,
			    "%s: %d requests%s%s, cut at byte %zu: %d of %d replies (%d not 200), "
			    "%s",
			    t->name, t->pipeline, t->fin ? " + FIN" : "",
			    t->late_ms ? ", late reader" : "", cut, got < 0 ? 0 : got, want, r.bad,
			    eof ? "then EOF" : "no EOF");
			free(bytes);
			return 1;
		}
	}
	free(bytes);
	return 0;
}

/* torture NAME ONE: case NAME of tortures[], or all of them in turn (NAME "all"). */
static int check_torture(const char *name, int one)
{
	char why[256];
	int ran = 0;

	for (size_t i = 0; i < sizeof(tortures) / sizeof(tortures[0]); i++) {
		if (strcmp(name, "all") != 0 && strcmp(name, tortures[i].name) != 0)
			continue;
		if (torture_case(&tortures[i], one, why, sizeof(why)))
			return verdict(FAIL, "%s", why);
		ran++;
	}
	if (ran == 0)
		return verdict(TOOL, "unknown torture '%s'", name);
	return verdict(PASS,
	               "%d case(s): each request cut at every offset, pipelines of up to 2000 "
	               "with a late reader, the FIN with the data; all answered%s",
	               ran, one ? " (one request per connection)" : "");
}

/* cpu PID MS MAX_PCT: PID's tree uses at most MAX_PCT % of one CPU over MS ms. */
static int check_cpu(pid_t pid, long ms, double max_pct)
{
	long hz = sysconf(_SC_CLK_TCK), t0 = now_ms(), a, b, el;
	double pct;

	if (proc_tree(pid, &(pid_t){ 0 }, 1) == 0)
		return verdict(FAIL, "server process %d not found", (int)pid);
	a = tree_ticks(pid);
	nap_ms(ms);
	b = tree_ticks(pid);
	el = now_ms() - t0;
	pct = 100.0 * (double)(b - a) / (double)hz / ((double)el / 1000.0);
	if (pct > max_pct)
		return verdict(FAIL, "%.1f %% CPU over %ld ms (limit %.0f %%)", pct, el, max_pct);
	return verdict(PASS, "%.1f %% CPU over %ld ms (limit %.0f %%)", pct, el, max_pct);
}

/* mem PID: print the tree's VmRSS and Pss sums (kB), for the runner's reports. */
static int show_mem(pid_t pid)
{
	long rss, pss;
	int n = tree_mem(pid, &rss, &pss);

	if (n == 0)
		return verdict(FAIL, "server process %d not found", (int)pid);
	return verdict(PASS, "%d processes, VmRSS %ld KiB, Pss %ld KiB", n, rss, pss);
}

/* ---- half-close behind a pipeline (issue 15 item 2) ---------------------- */

/* Bytes of "\r\n\r\n" matched so far, carried across reads: a reply head ends at 4. */
struct head_count {
	int matched;
	long heads;
};

/* Count the reply heads that end in buf[0..n) (no body holds "\r\n\r\n": GET / says Hello world).
 */
static void head_count_feed(struct head_count *h, const char *buf, size_t n)
{
	static const char end[] = "\r\n\r\n";

	for (size_t i = 0; i < n; i++) {
		if (buf[i] == end[h->matched])
			h->matched++;
		else
			h->matched = buf[i] == '\r';
		if (h->matched == 4) {
			h->heads++;
			h->matched = 0;
		}
	}
}

/* A non-blocking socket with a rcvbuf-byte receive buffer (set before the handshake). */
static int tcp_open_rcvbuf(int rcvbuf)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0 ||
	    (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

#define HALFPIPE_SLOW 32768 /* the reader pauses 1 ms per this many bytes */

/*
 * halfpipe COUNT EXPECT: a client with a 4 KiB receive buffer pipelines COUNT
 * keep-alive requests, reading the replies (1 KiB at a time, 1 ms pause per
 * 32 KiB) only while the server takes no more, shuts down its write side
 * once all are sent and reads on to EOF. It must get EXPECT
 * replies (COUNT, or 1 from a model that closes after every reply) and then
 * EOF. A server that closes on the client's FIN while replies are still
 * queued or being sent loses them: libuv did (issue 15 item 2).
 */
static int check_halfpipe(int count, long expect)
{
	struct head_count h = { 0 };
	size_t len, off = 0, got = 0;
	char *req = flood_bytes(count, &len), in[1024];
	long t0 = now_ms(), deadline = t0 + 10000;
	int fd, eof = 0, err = 0;

	if (!req)
		return verdict(TOOL, "out of memory");
	fd = tcp_open_rcvbuf(4096);
	if (fd < 0 || tcp_connected(fd, now_ms() + 2000) < 0) {
		free(req);
		return verdict(FAIL, "connect: %s", strerror(errno));
	}
	while (!eof && !err) {
		short ev = POLLIN | (off < len ? POLLOUT : 0);
		int r = wait_fd(fd, ev, deadline);
		ssize_t n;

		if (r <= 0) {
			err = r == 0 ? ETIMEDOUT : errno;
			break;
		}
		if ((r & POLLOUT) && off < len) { /* read only when the server takes no more */
			n = send(fd, req + off, len - off, MSG_NOSIGNAL);
			if (n > 0 && (off += (size_t)n) == len) {
				if (shutdown(fd, SHUT_WR) < 0)
					err = errno;
				nap_ms(100); /* let the server reach the FIN before we read on */
			} else if (n < 0 && errno != EAGAIN && errno != EINTR)
				err = errno;
			continue;
		}
		n = recv(fd, in, sizeof(in), 0);
		if (n > 0) {
			if (got / HALFPIPE_SLOW != (got + (size_t)n) / HALFPIPE_SLOW)
				nap_ms(1); /* the slow reader: the server's send stays pending */
			got += (size_t)n;
			head_count_feed(&h, in, (size_t)n);
		} else if (n == 0) {
			eof = 1;
		} else if (errno != EAGAIN && errno != EINTR) {
			err = errno;
		}
	}
	close(fd);
	free(req);
	if (h.heads != expect || !eof)
		return verdict(FAIL,
		               "%ld of %ld replies (%zu bytes) to %d pipelined requests, %zu KiB "
		               "sent, then %s after %ld ms",
		               h.heads, expect, got, count, off / 1024, eof ? "EOF" : strerror(err),
		               now_ms() - t0);
	return verdict(PASS,
	               "%ld replies to %d pipelined requests after SHUT_WR, then EOF in %ld ms",
	               h.heads, count, now_ms() - t0);
}

static int usage(void)
{
	fprintf(
	    stderr,
	    "usage: hostile PORT CHECK [ARGS]\n"
	    "  slowloris N WARMUP_MS LIMIT_MS   N slow connections, then a new client\n"
	    "  idle MIN_MS MAX_MS               an idle connection is closed in that window\n"
	    "  reset COUNT                      COUNT request+RST clients; then a new client\n"
	    "  halfclose                        request + SHUT_WR still gets the reply\n"
	    "  flood PID COUNT DUR_MS LIMIT_MS BOUND_KB\n"
	    "                                   pipeline flood; others served; memory bound\n"
	    "  badhead KIND                     oversized|long-target|garbage|cl-te|chunk\n"
	    "  storm N DURATION_MS              N clients at once, holding their connections\n"
	    "  maxconns HELD ANSWERED [half]    HELD open (ANSWERED got 200); next gets 503\n"
	    "                                   (half: it shuts its write side after the request)\n"
	    "  halfstorm N DUR_MS [WAIT_MS]     rounds of N GET /sleep/0 + SHUT_WR: all 200, EOF\n"
	    "  batchclose N DUR_MS TIMEOUT_MS   rounds of N clients closed mid-batch (reset\n"
	    "                                   mid-send, mid-work, at the idle deadline;\n"
	    "                                   half-closed): these 200 + EOF, the server serves\n"
	    "  sequential COUNT STREAMS         STREAMS x COUNT one-after-another: none refused\n"
	    "  torture NAME|all ONE             edge-trigger torture (split*, pipe-*, fin-*);\n"
	    "                                   ONE=1: every reply closes the connection\n"
	    "  halfpipe COUNT EXPECT            pipeline, SHUT_WR, slow reads: EXPECT replies, "
	    "EOF\n"
	    "  cpu PID MS MAX_PCT               (PORT ignored) CPU of PID's tree\n"
	    "  mem PID                          (PORT ignored) VmRSS and Pss of PID's tree\n"
	    "Prints one line; exit 0 pass, 1 fail, 2 usage or tool error.\n");
	return TOOL;
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 3)
		return usage();
	port = atoi(argv[1]);
	cmd = argv[2];
	argv += 3;
	argc -= 3;
	raise_nofile(4 * MAX_CLIENTS);
	if (strcmp(cmd, "slowloris") == 0 && argc == 3)
		return check_slowloris(atoi(argv[0]), atol(argv[1]), atol(argv[2]));
	if (strcmp(cmd, "idle") == 0 && argc == 2)
		return check_idle(atol(argv[0]), atol(argv[1]));
	if (strcmp(cmd, "reset") == 0 && argc == 1)
		return check_reset(atoi(argv[0]));
	if (strcmp(cmd, "halfclose") == 0 && argc == 0)
		return check_halfclose();
	if (strcmp(cmd, "flood") == 0 && argc == 5)
		return check_flood((pid_t)atoi(argv[0]), atoi(argv[1]), atol(argv[2]),
		                   atol(argv[3]), atol(argv[4]));
	if (strcmp(cmd, "badhead") == 0 && argc == 1)
		return check_badhead(argv[0]);
	if (strcmp(cmd, "storm") == 0 && argc == 2)
		return check_storm(atoi(argv[0]), atol(argv[1]));
	if (strcmp(cmd, "maxconns") == 0 && (argc == 2 || (argc == 3 && !strcmp(argv[2], "half"))))
		return check_maxconns(atoi(argv[0]), atoi(argv[1]), argc == 3);
	if (strcmp(cmd, "halfstorm") == 0 && (argc == 2 || argc == 3))
		return check_halfstorm(atoi(argv[0]), atol(argv[1]),
		                       argc == 3 ? atol(argv[2]) : 3000);
	if (strcmp(cmd, "batchclose") == 0 && argc == 3)
		return check_batchclose(atoi(argv[0]), atol(argv[1]), atol(argv[2]));
	if (strcmp(cmd, "sequential") == 0 && argc == 2)
		return check_sequential(atoi(argv[0]), atoi(argv[1]));
	if (strcmp(cmd, "torture") == 0 && argc == 2)
		return check_torture(argv[0], atoi(argv[1]));
	if (strcmp(cmd, "cpu") == 0 && argc == 3)
		return check_cpu((pid_t)atoi(argv[0]), atol(argv[1]), atof(argv[2]));
	if (strcmp(cmd, "mem") == 0 && argc == 1)
		return show_mem((pid_t)atoi(argv[0]));
	if (strcmp(cmd, "halfpipe") == 0 && argc == 2)
		return check_halfpipe(atoi(argv[0]), atol(argv[1]));
	return usage();
}
