/* conn.c -- the shared request handler: parse, answer, and move bytes. */
#include "conn.h"
#include "clock.h"
#include "file.h"
#include "resp.h"
#include "sig.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

void conn_reset(struct conn_buf *c)
{
	int nk = c->no_keepalive, dw = c->defer_work;

	memset(c, 0, offsetof(struct conn_buf, in)); /* the buffers need no clearing */
	c->no_keepalive = nk;
	c->defer_work = dw;
}

/* The file body is all taken (or abandoned): close it, and the body is done. */
static void file_done(struct conn_buf *c)
{
	close(c->body_fd);
	c->body_file = 0;
	c->body_len = c->body_sent = 0;
}

void conn_release(struct conn_buf *c)
{
	if (c->body_file)
		file_done(c);
}

/*
 * The file cannot give the rest of its body (a read error, or it shrank
 * since fstat): the Content-Length already went out, so the only honest end
 * is to close the connection after what was sent; the client sees it short.
 */
static void file_broken(struct conn_buf *c)
{
	file_done(c);
	c->close = 1;
}

/* A reply with out[]'s own error body, or only its head for HEAD. */
static size_t error_reply(char *o, size_t room, int status, int head)
{
	size_t n = resp_error(o, room, status);

	return head ? resp_head_len(o, n) : n;
}

/*
 * The reply to the complete request req, whose work w is done, into o[0..room).
 * A /file/ request comes with its open file fd of size bytes: its body, or
 * closed at once for HEAD and an empty file.
 */
static size_t reply(struct conn_buf *c, char *o, size_t room, const struct http_request *req,
                    const struct work *w, int fd, off_t size, int keep_alive)
{
	size_t n;

	if (w->kind == WORK_FILE) {
		n = resp_bytes_head(o, room, (size_t)size, keep_alive);
		if (req->head || size == 0) {
			close(fd);
			return n;
		}
		c->body_file = 1;
		c->body_fd = fd;
		c->body_len = (size_t)size;
		c->body_sent = 0;
		return n;
	}
	if (w->kind != WORK_BYTES) {
		n = resp_ok(o, room, keep_alive);
		return req->head ? n - RESP_BODY_LEN : n;
	}
	n = resp_bytes_head(o, room, w->arg, keep_alive);
	if (!req->head) {
		c->body_len = w->arg;
		c->body_sent = 0;
	}
	return n;
}

/* Answer the request with the error status and close: returns 0, as nothing was answered. */
static int refuse(struct conn_buf *c, const struct http_request *req, int status)
{
	c->out_len +=
	    error_reply(c->out + c->out_len, CONN_OUT_CAP - c->out_len, status, req->head);
	c->error = status;
	c->close = 1;
	return 0;
}

/*
 * Answer the request at the head of c->in (n bytes, parsed into req): run or
 * defer its work, build its reply. Returns 1 when answered, 0 when deferred.
 */
static int answer(struct conn_buf *c, const struct http_request *req)
{
	char *o = c->out + c->out_len;
	size_t room = CONN_OUT_CAP - c->out_len;
	struct work w;
	off_t size = 0;
	int fd = -1, status;

	if (work_parse(req->target, req->target_len, &w) < 0)
		return refuse(c, req, 400);
	if (w.kind == WORK_FILE && (fd = file_open(w.name, w.arg, &size, &status)) < 0)
		return refuse(c, req, status);
	/* a helper reads a file that is not in memory (offload); the loop opens it again after */
	if (fd >= 0 && !req->head && (c->defer_work & CONN_DEFER_FILE) && !c->work_done &&
	    !file_resident(fd, size)) {
		close(fd);
		c->work = w;
		c->deferred = 1;
		return 0;
	}
	if (work_blocks(&w) && !c->work_done) {
		if (c->defer_work & CONN_DEFER_WORK) {
			c->work = w;
			c->deferred = 1;
			return 0;
		}
		work_run(&w);
	}
	c->work_done = c->continued = 0;
	c->out_len += reply(c, o, room, req, &w, fd, size, req->keep_alive && !c->no_keepalive);
	c->close = !req->keep_alive || c->no_keepalive;
	c->requests++;
	return 1;
}

int conn_process(struct conn_buf *c)
{
	size_t off = 0;
	int answered = 0;

	if (c->out_sent == c->out_len)
		c->out_sent = c->out_len = 0;
	while (!c->close && !c->deferred && c->body_sent == c->body_len && off < c->in_len &&
	       CONN_OUT_CAP - c->out_len >= RESP_MAX) {
		struct http_request req;
		ssize_t n = http_parse_request(c->in + off, c->in_len - off, &req);

		if (n == HTTP_NEED_MORE) {
			if (req.expect_continue && !c->continued) {
				memcpy(c->out + c->out_len, RESP_CONTINUE, RESP_CONTINUE_LEN);
				c->out_len += RESP_CONTINUE_LEN;
				c->continued = 1;
			}
			break;
		}
		if (n == HTTP_MALFORMED) {
			c->out_len += error_reply(c->out + c->out_len, CONN_OUT_CAP - c->out_len,
			                          req.status, req.head);
			c->error = req.status;
			c->close = 1;
			break;
		}
		if (!answer(c, &req))
			break;
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
		/* a deferred /file/ names its file inside in[]: the name moved with its request */
		if (c->deferred && c->work.name)
			c->work.name -= off;
	}
	return answered;
}

int conn_next(struct conn_buf *c, int *answered)
{
	*answered = 0;
	if (conn_out_pending(c) == 0)
		*answered = conn_process(c);
	if (conn_out_pending(c) > 0)
		return CONN_SEND;
	if (c->deferred)
		return CONN_DEFER;
	if (!c->close)
		return CONN_READ;
	return c->linger ? CONN_LINGER : CONN_CLOSE;
}

void conn_resume(struct conn_buf *c)
{
	c->deferred = 0;
	c->work_done = 1;
}

size_t conn_in_room(const struct conn_buf *c)
{
	return c->close ? 0 : CONN_IN_CAP - c->in_len;
}

size_t conn_out_pending(const struct conn_buf *c)
{
	return c->out_len - c->out_sent + (c->body_len - c->body_sent);
}

/*
 * The read path: read the file body's next slice into the free end of out[]
 * (bytes already there stay put: they may be in flight), counting it taken.
 */
static void file_read_slice(struct conn_buf *c)
{
	size_t room = CONN_OUT_CAP - c->out_len, left = c->body_len - c->body_sent;
	ssize_t n;

	if (room == 0 || left == 0)
		return;
	do
		n = pread(c->body_fd, c->out + c->out_len, room < left ? room : left,
		          (off_t)c->body_sent);
	while (n < 0 && errno == EINTR);
	if (n <= 0) {
		file_broken(c);
		return;
	}
	c->out_len += (size_t)n;
	c->body_sent += (size_t)n;
	if (c->body_sent == c->body_len)
		file_done(c);
}

/* out[] and, unless it is a file, a slice of the body: what conn_out_iov fills. */
static int out_iov(const struct conn_buf *c, struct iovec *iov)
{
	int k = 0;

	if (c->out_sent < c->out_len) {
		iov[k].iov_base = (char *)c->out + c->out_sent;
		iov[k++].iov_len = c->out_len - c->out_sent;
	}
	if (!c->body_file && c->body_sent < c->body_len) {
		size_t len = c->body_len - c->body_sent;

		iov[k].iov_base = (char *)work_body(c->body_sent, &len);
		iov[k++].iov_len = len;
	}
	return k;
}

int conn_out_iov(struct conn_buf *c, struct iovec *iov)
{
	if (c->body_file)
		file_read_slice(c);
	return out_iov(c, iov);
}

void conn_out_advance(struct conn_buf *c, size_t n)
{
	size_t head = c->out_len - c->out_sent;

	if (n < head) {
		c->out_sent += n;
		return;
	}
	c->out_sent = c->out_len = 0; /* out[] is all sent: it starts empty again */
	c->body_sent += n - head;
	if (c->body_sent < c->body_len)
		return;
	if (c->body_file) /* a file the model read by itself, all sent */
		file_done(c);
	c->body_sent = c->body_len = 0;
}

ssize_t conn_read(int fd, struct conn_buf *c)
{
	size_t room = conn_in_room(c);
	ssize_t n;

	if (room == 0)
		return CONN_AGAIN;
	do
		n = recv(fd, c->in + c->in_len, room, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? CONN_AGAIN : -1;
	c->in_len += (size_t)n;
	return n;
}

/* sendfile the file body's next bytes to fd: 1 some sent (or the file broke), 0 would block, -1. */
static int file_send(int fd, struct conn_buf *c)
{
	off_t off = (off_t)c->body_sent;
	ssize_t n;

	do
		n = sendfile(fd, c->body_fd, &off, c->body_len - c->body_sent);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	if (n == 0) { /* the file shrank since fstat */
		file_broken(c);
		return 1;
	}
	c->body_sent += (size_t)n;
	if (c->body_sent == c->body_len)
		file_done(c);
	return 1;
}

int conn_write(int fd, struct conn_buf *c)
{
	struct iovec iov[CONN_IOV];
	struct msghdr m = { .msg_iov = iov };

	for (;;) {
		int by_sendfile = c->body_file && file_io() == FILE_IO_SENDFILE;
		ssize_t n;

		if (by_sendfile && c->out_sent == c->out_len) { /* the head is out: the file now */
			int r = file_send(fd, c);

			if (r <= 0)
				return r;
			continue;
		}
		m.msg_iovlen = (size_t)(by_sendfile ? out_iov(c, iov) : conn_out_iov(c, iov));
		if (m.msg_iovlen == 0)
			return 1;
		/*
		 * MSG_MORE while the file has more to come (the head before sendfile, or
		 * a slice read into out[]): the kernel fills whole segments, where 8 KiB
		 * slices would each be a short one on loopback (MSS 64 KiB). MSG_MORE
		 * alone did not keep Nagle from holding a reply's tail until the client's
		 * delayed ACK (~40 ms a reply: 30 req/s at c=1 for 200 KiB): every
		 * socket is TCP_NODELAY too (net_listen).
		 */
		n = sendmsg(fd, &m, MSG_NOSIGNAL | (c->body_file ? MSG_MORE : 0));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		conn_out_advance(c, (size_t)n);
	}
}

int conn_drain(int fd)
{
	char scratch[4096];

	/*
	 * A bounded amount per call (CONN_DRAIN_MAX): a client that keeps sending
	 * cannot hold the loop, nor the accepting thread in conn_reject.
	 */
	for (int i = 0; i < CONN_DRAIN_MAX / (int)sizeof(scratch); i++) {
		ssize_t n = recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT);

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

/*
 * Wait for fd to become readable until the deadline: 1 ready, 0 timed out,
 * -1 error or (with stop_on_signal) SIGTERM/SIGINT, which are let in only
 * during the wait (sig.h).
 */
static int wait_readable_sig(int fd, long deadline, int stop_on_signal)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = deadline - clock_now_ms();
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
	long deadline = clock_now_ms() + linger_ms;
	char scratch[4096];

	shutdown(fd, SHUT_WR);
	while (wait_readable(fd, deadline) > 0) {
		ssize_t n = recv(fd, scratch, sizeof(scratch), 0);

		if (n == 0 || (n < 0 && errno != EINTR))
			break;
	}
	close(fd);
}

/*
 * Send all replies on a blocking socket: 0, or -1 on an error or when the
 * socket's send timeout passes (conn_write's "would block"): that bounds a
 * client that reads nothing.
 */
static int send_all(int fd, struct conn_buf *c)
{
	return conn_write(fd, c) == 1 ? 0 : -1;
}

unsigned long conn_serve_held(int fd, int timeout_s, int flags, int *linger)
{
	/* static per thread: keeps 24 KiB off small thread stacks and off the heap */
	static __thread struct conn_buf c;
	struct timeval tv = { .tv_sec = timeout_s };
	long deadline = clock_now_ms() + timeout_s * 1000L;
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
		if (n == CONN_AGAIN)
			continue;
		for (;;) { /* answer all that arrived, a reply queue at a time */
			int answered = conn_process(&c);

			if (answered > 0)
				deadline = clock_now_ms() + timeout_s * 1000L;
			if (send_all(fd, &c) < 0) {
				graceful = 0;
				goto out;
			}
			if (answered == 0 || c.close || c.in_len == 0)
				break;
		}
	}
out:
	conn_release(&c); /* a reply cut short leaves its file open */
	*linger = graceful && c.linger;
	return c.requests;
}

void conn_finish(int fd, int linger)
{
	if (linger)
		conn_close_graceful(fd, CONN_LINGER_MS);
	else
		close(fd);
}

unsigned long conn_serve_blocking(int fd, int timeout_s, int flags)
{
	int linger;
	unsigned long n = conn_serve_held(fd, timeout_s, flags, &linger);

	conn_finish(fd, linger);
	return n;
}

void conn_reject(int fd, int status)
{
	char out[RESP_MAX];
	size_t len = resp_error(out, sizeof(out), status);
	ssize_t n;

	/*
	 * A fresh connection: the request is usually in flight or already here.
	 * An EOF after it is not a client that left: one that sent its request
	 * and shut its write side down (SHUT_WR) still waits for the answer. A
	 * client that did leave costs one failed send (MSG_NOSIGNAL).
	 */
	if (wait_readable(fd, clock_now_ms() + CONN_REJECT_WAIT_MS) > 0)
		conn_drain(fd);
	do /* a fresh socket's send buffer always holds one short reply */
		n = send(fd, out, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	shutdown(fd, SHUT_WR);
	conn_drain(fd);
	close(fd);
}
