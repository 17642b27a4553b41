/* conn.c -- the shared request handler: parse, answer, and move bytes. */
#include "conn.h"
#include "resp.h"
#include "sig.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

void conn_reset(struct conn_buf *c)
{
	int nk = c->no_keepalive;

	c->in_len = c->out_len = c->out_sent = 0;
	c->close = c->error = c->linger = 0;
	c->requests = 0;
	c->no_keepalive = nk;
}

int conn_process(struct conn_buf *c)
{
	size_t off = 0;
	int answered = 0;

	if (c->out_sent == c->out_len)
		c->out_sent = c->out_len = 0;
	while (!c->close && off < c->in_len && CONN_OUT_CAP - c->out_len >= RESP_MAX) {
		struct http_request req;
		ssize_t n = http_parse_request(c->in + off, c->in_len - off, &req);
		char *o = c->out + c->out_len;
		size_t room = CONN_OUT_CAP - c->out_len;

		if (n == HTTP_NEED_MORE)
			break;
		if (n == HTTP_MALFORMED) {
			c->out_len += resp_error(o, room, req.status);
			c->error = req.status;
			c->close = 1;
			break;
		}
		c->out_len += resp_ok(o, room, req.keep_alive && !c->no_keepalive);
		c->close = !req.keep_alive || c->no_keepalive;
		c->requests++;
		answered++;
		off += (size_t)n;
	}
	if (c->close) {
		/* sticky: a later call (after the reply is sent) finds in[] already dropped */
		c->linger = c->linger || c->error || off < c->in_len;
		off = c->in_len; /* nothing after a closing request is answered */
	}
	if (off > 0) {
		memmove(c->in, c->in + off, c->in_len - off);
		c->in_len -= off;
	}
	return answered;
}

size_t conn_in_room(const struct conn_buf *c)
{
	return c->close ? 0 : CONN_IN_CAP - c->in_len;
}

size_t conn_out_pending(const struct conn_buf *c)
{
	return c->out_len - c->out_sent;
}

ssize_t conn_read(int fd, struct conn_buf *c)
{
	size_t room = conn_in_room(c);
	ssize_t n;

	if (room == 0)
		return -2;
	do
		n = recv(fd, c->in + c->in_len, room, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -2 : -1;
	c->in_len += (size_t)n;
	return n;
}

int conn_write(int fd, struct conn_buf *c)
{
	while (c->out_sent < c->out_len) {
		ssize_t n = send(fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		c->out_sent += (size_t)n;
	}
	c->out_sent = c->out_len = 0;
	return 1;
}

int conn_drain(int fd)
{
	char scratch[4096];

	/* A bounded amount per call: a client that keeps sending cannot hold the loop. */
	for (int i = 0; i < 16; i++) {
		ssize_t n = recv(fd, scratch, sizeof(scratch), 0);

		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return 1;
	}
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * Wait for fd to become readable until the deadline: 1 ready, 0 timed out,
 * -1 error or (with stop_on_signal) SIGTERM/SIGINT, which are let in only
 * during the wait (sig.h).
 */
static int wait_readable_sig(int fd, long deadline, int stop_on_signal)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = deadline - now_ms();
		struct timespec ts = { left / 1000, (left % 1000) * 1000000L };
		int r;

		if (left <= 0)
			return 0;
		if (stop_on_signal)
			r = ppoll(&p, 1, &ts, &sig_waitmask);
		else
			r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR && !(stop_on_signal && sig_stop))
			continue;
		return r < 0 ? -1 : r;
	}
}

static int wait_readable(int fd, long deadline)
{
	return wait_readable_sig(fd, deadline, 0);
}

void conn_close_graceful(int fd, int linger_ms)
{
	long deadline = now_ms() + linger_ms;
	char scratch[4096];

	shutdown(fd, SHUT_WR);
	while (wait_readable(fd, deadline) > 0) {
		ssize_t n = recv(fd, scratch, sizeof(scratch), 0);

		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	close(fd);
}

/* Send all of out[]; the socket's send timeout bounds a client that reads nothing. */
static int send_all(int fd, struct conn_buf *c)
{
	while (c->out_sent < c->out_len) {
		ssize_t n = send(fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		c->out_sent += (size_t)n;
	}
	c->out_sent = c->out_len = 0;
	return 0;
}

unsigned long conn_serve_blocking(int fd, int timeout_s, int flags)
{
	/* static per thread: keeps 24 KiB off small thread stacks and off the heap */
	static __thread struct conn_buf c;
	struct timeval tv = { .tv_sec = timeout_s };
	long deadline = now_ms() + timeout_s * 1000L;
	int graceful = 1;

	c.no_keepalive = (flags & CONN_NO_KEEPALIVE) != 0;
	conn_reset(&c);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	while (!c.close) {
		ssize_t n;

		if (wait_readable_sig(fd, deadline, flags & CONN_STOP_ON_SIGNAL) <= 0)
			break; /* idle timeout, error or stop */
		n = conn_read(fd, &c);
		if (n == 0 || n == -1) {
			graceful = 0; /* the client is gone: nothing to linger for */
			break;
		}
		if (n == -2)
			continue;
		for (;;) { /* answer all that arrived, a reply queue at a time */
			int answered = conn_process(&c);

			if (answered > 0)
				deadline = now_ms() + timeout_s * 1000L;
			if (send_all(fd, &c) < 0) {
				graceful = 0;
				goto out;
			}
			if (answered == 0 || c.close || c.in_len == 0)
				break;
		}
	}
out:
	if (graceful && c.linger)
		conn_close_graceful(fd, CONN_LINGER_MS);
	else
		close(fd);
	return c.requests;
}

/* Drop whatever input has already arrived: 1 when the client has closed or failed, else 0. */
static int drop_pending(int fd)
{
	char scratch[4096];

	for (;;) {
		ssize_t n = recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT);

		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
	}
}

void conn_reject(int fd, int status)
{
	char out[RESP_MAX];
	size_t len = resp_error(out, sizeof(out), status);
	ssize_t n;

	/* a fresh connection: the request is usually in flight or already here */
	if (wait_readable(fd, now_ms() + CONN_REJECT_WAIT_MS) > 0 && drop_pending(fd))
		goto out; /* the client is already gone */
	do                /* a fresh socket's send buffer always holds one short reply */
		n = send(fd, out, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	shutdown(fd, SHUT_WR);
	drop_pending(fd);
out:
	close(fd);
}
