/* idlehold.c -- open N keep-alive connections, one request each, then hold them silent. */
#include "idlehold.h"

#include "util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define WINDOW    256 /* connections in flight at once: far below any listen backlog */
#define REPLY_MAX 1024

static const char request[] = "GET / HTTP/1.1\r\nHost: idle\r\nConnection: keep-alive\r\n\r\n";

enum phase { FREE, FAILED, CONNECTING, READING }; /* FAILED: refused at connect */

/* One connection on its way to being held. */
struct slot {
	int fd;
	enum phase phase;
	size_t got;
	char buf[REPLY_MAX + 1];
};

/* The descriptors open now, or -1 if /proc/self/fd cannot be read. */
static long open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	long n = -1; /* the directory's own descriptor */

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

int idlehold_reserve(long need, char *why, size_t len)
{
	struct rlimit rl;
	long now = open_fds();

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		snprintf(why, len, "getrlimit: %s", strerror(errno));
		return -1;
	}
	need += (now < 0 ? 0 : now) + IDLEHOLD_MARGIN;
	if (rl.rlim_max != RLIM_INFINITY && (rlim_t)need > rl.rlim_max) {
		snprintf(why, len, "RLIMIT_NOFILE hard limit %llu",
		         (unsigned long long)rl.rlim_max);
		return -1;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)need) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
			snprintf(why, len, "setrlimit: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* addr ("127.0.0.1", "::1", "[::1]") and port into ss: its length, or 0 if not numeric. */
static socklen_t parse_addr(const char *addr, int port, struct sockaddr_storage *ss)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	char host[64];
	size_t n = strlen(addr);

	if (n >= 2 && addr[0] == '[' && addr[n - 1] == ']')
		snprintf(host, sizeof(host), "%.*s", (int)(n - 2), addr + 1);
	else
		snprintf(host, sizeof(host), "%s", addr);
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		return sizeof(*v4);
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(port);
		return sizeof(*v6);
	}
	return 0;
}

/* Start a non-blocking connect in sl: 0, or -1 when no socket can be had (errno set). */
static int slot_start(struct slot *sl, const struct sockaddr_storage *ss, socklen_t sslen)
{
	sl->fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (sl->fd < 0)
		return -1;
	sl->got = 0;
	sl->phase = CONNECTING;
	if (connect(sl->fd, (const struct sockaddr *)ss, sslen) < 0 && errno != EINPROGRESS) {
		close(sl->fd);
		sl->phase = FAILED;
	}
	return 0;
}

/*
 * Is buf (got bytes) one whole 200 reply? 1 complete, 0 not yet, -1 not a
 * 200 or malformed. Only the reply to GET / arrives: a head and a
 * Content-Length body.
 */
static int reply_complete(const char *buf, size_t got)
{
	const char *end = strstr(buf, "\r\n\r\n"), *cl;
	long body;

	if (got >= 12 && strncmp(buf + 9, "200", 3) != 0)
		return -1;
	if (!end)
		return got >= REPLY_MAX ? -1 : 0;
	cl = strcasestr(buf, "\r\nContent-Length:");
	body = cl && cl < end ? strtol(cl + 17, NULL, 10) : 0;
	return (long)got >= end + 4 - buf + body ? 1 : 0;
}

/* Advance sl on its poll events: 1 held, 0 still on its way, -1 failed (fd closed). */
static int slot_step(struct slot *sl, short revents)
{
	int err = 0, r;
	socklen_t elen = sizeof(err);
	ssize_t n;

	if (sl->phase == CONNECTING) {
		if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
			return 0;
		if (getsockopt(sl->fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0 || err)
			goto fail;
		if (send(sl->fd, request, sizeof(request) - 1, MSG_NOSIGNAL) !=
		    (ssize_t)sizeof(request) - 1)
			goto fail;
		sl->phase = READING;
		return 0;
	}
	if (!(revents & (POLLIN | POLLERR | POLLHUP)))
		return 0;
	n = recv(sl->fd, sl->buf + sl->got, REPLY_MAX - sl->got, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		goto fail;
	sl->got += n;
	sl->buf[sl->got] = '\0';
	if ((r = reply_complete(sl->buf, sl->got)) < 0)
		goto fail;
	return r;
fail:
	close(sl->fd);
	return -1;
}

/* The signal mask to wait with: ours without SIGINT, SIGTERM and SIGHUP. */
static void wait_mask(sigset_t *m)
{
	sigprocmask(SIG_BLOCK, NULL, m);
	sigdelset(m, SIGINT);
	sigdelset(m, SIGTERM);
	sigdelset(m, SIGHUP);
}

/* Close every slot still in flight. */
static void slots_abort(struct slot *w)
{
	int i;

	for (i = 0; i < WINDOW; i++)
		if (w[i].phase >= CONNECTING)
			close(w[i].fd);
}

/*
 * The window's slots in flight into p (idx[k]: p[k]'s slot), a connecting one
 * waiting to write, the others to read; a FAILED slot is freed and counted in
 * *finished. Returns how many.
 */
static int window_pollset(struct slot *w, struct pollfd *p, int *idx, int *finished)
{
	int i, np;

	for (i = np = 0; i < WINDOW; i++) {
		if (w[i].phase == FAILED) {
			w[i].phase = FREE;
			(*finished)++;
		}
		if (w[i].phase == FREE)
			continue;
		p[np] = (struct pollfd){ .fd = w[i].fd,
			                 .events = w[i].phase == CONNECTING ? POLLOUT : POLLIN };
		idx[np++] = i;
	}
	return np;
}

int idlehold_open(struct idlehold *h, const char *addr, int port, int want, int limit_ms,
                  volatile sig_atomic_t *stop, char *why, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sslen = parse_addr(addr, port, &ss);
	struct slot *w = NULL;
	struct pollfd p[WINDOW];
	int idx[WINDOW], started = 0, finished = 0, np, i, r;
	long long deadline = util_now_ms() + limit_ms, left;
	sigset_t mask;

	memset(h, 0, sizeof(*h));
	h->want = want;
	if (!sslen) {
		snprintf(why, len, "idle connections: not a numeric address: %s", addr);
		return -1;
	}
	h->fds = malloc((want > 0 ? want : 1) * sizeof(*h->fds));
	w = calloc(WINDOW, sizeof(*w));
	if (!h->fds || !w) {
		snprintf(why, len, "idle connections: out of memory");
		goto fail;
	}
	wait_mask(&mask);
	while (finished < want) {
		for (i = 0; i < WINDOW && started < want; i++) {
			if (w[i].phase != FREE)
				continue;
			if (slot_start(&w[i], &ss, sslen) < 0) {
				snprintf(why, len, "idle connections: socket: %s", strerror(errno));
				goto fail;
			}
			started++;
		}
		np = window_pollset(w, p, idx, &finished);
		if (*stop) {
			snprintf(why, len, "idle connections: stopped");
			goto fail;
		}
		left = deadline - util_now_ms();
		if (left <= 0)
			break; /* what is in flight or never started counts as refused */
		if (!np)
			continue;
		r = ppoll(p, np, &(struct timespec){ left / 1000, left % 1000 * 1000000 }, &mask);
		if (r < 0 && errno != EINTR) {
			snprintf(why, len, "idle connections: poll: %s", strerror(errno));
			goto fail;
		}
		for (i = 0; r > 0 && i < np; i++) {
			struct slot *sl = &w[idx[i]];
			int fd = sl->fd, step;

			if (!p[i].revents || (step = slot_step(sl, p[i].revents)) == 0)
				continue;
			if (step > 0)
				h->fds[h->nheld++] = fd;
			sl->phase = FREE;
			finished++;
		}
	}
	slots_abort(w);
	free(w);
	h->refused = want - h->nheld;
	return 0;
fail:
	if (w)
		slots_abort(w);
	free(w);
	idlehold_close(h);
	return -1;
}

int idlehold_check(struct idlehold *h)
{
	char c;
	int i;

	h->dropped = 0;
	for (i = 0; i < h->nheld; i++) {
		ssize_t n = recv(h->fds[i], &c, 1, MSG_PEEK | MSG_DONTWAIT);

		if (!(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)))
			h->dropped++; /* EOF, reset, or the server spoke unasked */
	}
	return h->dropped;
}

int idlehold_status(const struct idlehold *h, char *buf, size_t len)
{
	buf[0] = '\0';
	if (h->refused > 0)
		snprintf(buf, len, "refused: %d of %d idle connections", h->refused, h->want);
	else if (h->dropped > 0)
		snprintf(buf, len, "dropped: %d of %d idle connections", h->dropped, h->want);
	return buf[0] != '\0';
}

void idlehold_close(struct idlehold *h)
{
	int i;

	for (i = 0; h->fds && i < h->nheld; i++)
		close(h->fds[i]);
	free(h->fds);
	h->fds = NULL;
	h->nheld = 0;
}
