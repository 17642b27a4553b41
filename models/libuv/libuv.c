/* libuv.c -- library-managed reactor with async writes: libuv's loop, as in Node.js (Reactor). */
#include "bufpool.h"
#include "conn.h"
#include "net.h"
#include "server.h"
#include "sig.h"

#include <uv.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

struct luv_conn {
	uv_tcp_t tcp;           /* the client's socket */
	uv_timer_t timer;       /* idle deadline, then the linger deadline */
	uv_write_t write_req;   /* the one send in flight */
	uv_shutdown_t shut_req; /* the write-side shutdown before lingering */
	size_t writing;         /* bytes in flight (out[] and body); 0: no send pending */
	uint64_t last_request;  /* loop time of the last complete request (ms) */
	int reading;            /* uv_read_start is in effect */
	int closing;            /* uv_close was called */
	int lingering;          /* write side shut down: only draining input now */
	int eof;                /* the client shut down its side: answer what came, then close */
	int handles;            /* handles still open; freed when it reaches 0 */
	struct conn_buf *buf;   /* from the pool while bytes are in it; NULL while idle */
};

static uint64_t idle_ms;          /* --timeout */
static struct bufpool pool;       /* spare buffers: an idle connection holds none */
static char scratch[CONN_IN_CAP]; /* where a lingering connection's dropped input goes */

static void luv_conn_advance(struct luv_conn *c);
static int luv_conn_want_read(struct luv_conn *c, int want);

/* --- connections ------------------------------------------------------- */

static void handle_closed_cb(uv_handle_t *h)
{
	struct luv_conn *c = h->data;

	if (--c->handles == 0) {
		if (c->buf)
			bufpool_put(&pool, c->buf);
		free(c);
	}
}

/* Give the buffer back to the pool once nothing is in it (or the input is only drained now). */
static void luv_conn_release(struct luv_conn *c)
{
	if (c->buf && c->writing == 0 &&
	    (c->lingering || (c->buf->in_len == 0 && conn_out_pending(c->buf) == 0))) {
		bufpool_put(&pool, c->buf);
		c->buf = NULL;
	}
}

/* Close both handles; libuv cancels a pending write or shutdown (status UV_ECANCELED). */
static void luv_conn_close(struct luv_conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	uv_close((uv_handle_t *)&c->tcp, handle_closed_cb);
	uv_close((uv_handle_t *)&c->timer, handle_closed_cb);
}

/*
 * The idle deadline is checked rather than re-armed on every request: the
 * timer fires at last_request + --timeout and, if a request came since, is
 * set again for the time left. While lingering it simply ends the wait.
 */
static void timer_cb(uv_timer_t *t)
{
	struct luv_conn *c = t->data;
	uint64_t idle = uv_now(t->loop) - c->last_request;

	if (!c->lingering && idle < idle_ms && uv_timer_start(t, timer_cb, idle_ms - idle, 0) == 0)
		return;
	luv_conn_close(c);
}

/*
 * libuv asks where to read (the socket is readable): into the free part of
 * the connection's buffer, taken from the pool if it holds none. A size of 0
 * (no memory) comes back to read_cb as UV_ENOBUFS.
 */
static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct luv_conn *c = h->data;

	(void)hint;
	if (c->lingering) /* the input is dropped */
		*b = uv_buf_init(scratch, sizeof(scratch));
	else if (!c->buf && !(c->buf = bufpool_get(&pool)))
		*b = uv_buf_init(NULL, 0);
	else
		*b = uv_buf_init(c->buf->in + c->buf->in_len, (unsigned)conn_in_room(c->buf));
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct luv_conn *c = s->data;

	(void)b;
	if (n == 0) { /* EAGAIN */
		luv_conn_release(c);
		return;
	}
	if (n == UV_ENOBUFS && !c->buf) { /* no memory for a buffer */
		luv_conn_close(c);
		return;
	}
	if (n == UV_ENOBUFS) { /* no room: luv_conn_advance resumes reading once there is */
		luv_conn_want_read(c, 0);
		return;
	}
	if (n == UV_EOF && !c->lingering) {
		/*
		 * A half-close: the client may still read. libuv has stopped
		 * reading; answer what is buffered and close once it is sent
		 * (closing now would cancel the replies in flight).
		 */
		c->reading = 0;
		c->eof = 1;
		luv_conn_advance(c);
		return;
	}
	if (n < 0) { /* an error, or EOF while lingering: the client is gone */
		luv_conn_close(c);
		return;
	}
	if (c->lingering)
		return; /* dropped */
	c->buf->in_len += (size_t)n;
	luv_conn_advance(c);
}

static void write_cb(uv_write_t *req, int status)
{
	struct luv_conn *c = req->data;

	if (status < 0) {
		luv_conn_close(c); /* also UV_ECANCELED after luv_conn_close: a no-op then */
		return;
	}
	conn_out_advance(c->buf, c->writing);
	c->writing = 0;
	luv_conn_advance(c); /* the send is done: send on, or answer what waited behind it */
}

static void shutdown_cb(uv_shutdown_t *req, int status)
{
	struct luv_conn *c = req->data;

	if (status < 0)
		luv_conn_close(c);
}

/* Read only while there is room and the connection is not closing. */
static int luv_conn_want_read(struct luv_conn *c, int want)
{
	if (want && !c->reading) {
		if (uv_read_start((uv_stream_t *)&c->tcp, alloc_cb, read_cb) < 0)
			return -1;
		c->reading = 1;
	} else if (!want && c->reading) {
		uv_read_stop((uv_stream_t *)&c->tcp);
		c->reading = 0;
	}
	return 0;
}

/* Hand what is left of the replies to uv_write: out[] and a slice of the shared body, by reference.
 */
static int luv_conn_send(struct luv_conn *c)
{
	struct iovec iov[CONN_IOV];
	uv_buf_t b[CONN_IOV];
	int n = conn_out_iov(c->buf, iov);

	c->writing = 0;
	for (int i = 0; i < n; i++) {
		b[i] = uv_buf_init(iov[i].iov_base, (unsigned)iov[i].iov_len);
		c->writing += iov[i].iov_len;
	}
	return uv_write(&c->write_req, (uv_stream_t *)&c->tcp, b, (unsigned)n, write_cb);
}

/*
 * What next, decided by conn_next: send the replies, read, or close. The
 * batch of replies goes to uv_write, which tries the send at once: one send
 * per batch, the /bytes body by reference from the shared buffer. Nothing is
 * read or answered while a send is in flight (its bytes must stay put), so a
 * client that does not read holds nothing beyond the two fixed buffers and
 * its socket. Once a closing reply is out, or the client has shut down its
 * side and every reply it can get is out: close, or linger after an error so
 * the client reads it instead of a reset. (CONN_DEFER never comes: the loop
 * runs /sleep and /cpu itself, inside conn_process.)
 */
static void luv_conn_advance(struct luv_conn *c)
{
	int answered, next;

	if (c->closing || c->writing > 0)
		return;
	if (!c->buf) { /* nothing buffered (EOF on an idle connection): nothing to answer */
		if (c->eof)
			luv_conn_close(c);
		return;
	}
	next = conn_next(c->buf, &answered);
	if (answered > 0) { /* /sleep or /cpu may have held the loop: the clock moved */
		uv_update_time(c->tcp.loop);
		c->last_request = uv_now(c->tcp.loop);
	}
	if (luv_conn_want_read(c, next == CONN_READ && !c->eof && conn_in_room(c->buf) > 0) < 0)
		goto fail;
	if (next == CONN_SEND) {
		if (luv_conn_send(c) < 0)
			goto fail;
		return;
	}
	if (next == CONN_READ && !c->eof) {
		luv_conn_release(c); /* all answered: an idle connection holds no buffer */
		return;
	}
	if (next != CONN_LINGER || c->eof)
		goto fail; /* a clean close, or nothing left to answer a half-closed client */
	c->lingering = 1;
	luv_conn_release(c);
	if (uv_shutdown(&c->shut_req, (uv_stream_t *)&c->tcp, shutdown_cb) < 0 ||
	    luv_conn_want_read(c, 1) < 0 ||
	    uv_timer_start(&c->timer, timer_cb, CONN_LINGER_MS, 0) < 0)
		goto fail;
	return;
fail:
	luv_conn_close(c);
}

/*
 * A client we cannot serve (no memory for its state) must still be taken off
 * the listener: until uv_accept is called, libuv stops watching the listener.
 * shed() accepts it into the spare handle and closes it at once. The spare is
 * busy until its close callback runs; a shed meanwhile (a second failure in
 * the same accept pass) is remembered and done there, so the listener is
 * always watched again.
 */
static uv_tcp_t spare;
static int spare_busy;
static uv_stream_t *shed_waiting; /* the listener whose client waits for the spare */

static void shed(uv_stream_t *server);

static void spare_closed_cb(uv_handle_t *h)
{
	uv_stream_t *server = shed_waiting;

	(void)h;
	spare_busy = 0;
	shed_waiting = NULL;
	if (server)
		shed(server);
}

static void shed(uv_stream_t *server)
{
	if (uv_is_closing((uv_handle_t *)server))
		return; /* shutting down: the listener's pending client goes with it */
	if (spare_busy) {
		shed_waiting = server;
		return;
	}
	if (uv_tcp_init(server->loop, &spare) < 0)
		return;
	spare_busy = 1;
	spare.data = NULL; /* not a connection (see close_walk_cb) */
	uv_accept(server, (uv_stream_t *)&spare);
	uv_close((uv_handle_t *)&spare, spare_closed_cb);
}

static void connection_cb(uv_stream_t *server, int status)
{
	struct luv_conn *c;

	if (status < 0) { /* on Unix a libuv error is a negated errno */
		if (!net_accept_transient(-status))
			fprintf(stderr, "libuv: accept: %s\n", uv_strerror(status));
		return;
	}
	if (!(c = malloc(sizeof(*c)))) {
		shed(server);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->write_req.data = c->shut_req.data = c;
	if (uv_tcp_init(server->loop, &c->tcp) < 0) {
		free(c);
		shed(server);
		return;
	}
	c->tcp.data = c;
	c->handles = 1;
	if (uv_timer_init(server->loop, &c->timer) < 0) {
		c->closing = 1;
		uv_close((uv_handle_t *)&c->tcp, handle_closed_cb);
		shed(server);
		return;
	}
	c->timer.data = c;
	c->handles = 2;
	c->last_request = uv_now(server->loop);
	if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0 ||
	    uv_timer_start(&c->timer, timer_cb, idle_ms, 0) < 0 || luv_conn_want_read(c, 1) < 0)
		luv_conn_close(c);
}

/* --- shutdown -------------------------------------------------------------- */

/* Close every handle still open: the listener, the signal watcher and each connection's. */
static void close_walk_cb(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (uv_is_closing(h))
		return;
	if (h->type == UV_TCP && h->data) /* a connection: close its pair together */
		luv_conn_close(h->data);
	else if (h->type != UV_TIMER || !h->data)
		uv_close(h, NULL);
}

/*
 * SIGTERM or SIGINT: the signalfd (sig_fd) is readable. A signalfd rather
 * than uv_signal_t, whose handler takes the signal at once: blocked, it stays
 * pending, so a /sleep running in the loop sees it and ends early (work.h).
 */
static void signal_cb(uv_poll_t *p, int status, int events)
{
	(void)status;
	(void)events;
	uv_walk(p->loop, close_walk_cb, NULL);
}

/* Close what is still open and let the loop run the close callbacks, then close the loop. */
static int loop_finish(uv_loop_t *loop)
{
	int r;

	uv_walk(loop, close_walk_cb, NULL);
	uv_run(loop, UV_RUN_DEFAULT);
	if ((r = uv_loop_close(loop)) < 0)
		fprintf(stderr, "libuv: uv_loop_close: %s\n", uv_strerror(r));
	return r;
}

int main(int argc, char **argv)
{
	uv_loop_t loop;
	uv_tcp_t server;
	uv_poll_t sigpoll;
	struct opts o;
	int lfd, sfd = -1, r, rc = 1;

	/* SIGTERM/SIGINT come from a signalfd the loop watches (sig_fd), not sig_init */
	server_init(argc, argv, "libuv",
	            "libuv reactor: one loop, uv_tcp + uv_write, --workers ignored.",
	            SERVER_OWN_SIGNALS, &o);
	idle_ms = (uint64_t)o.timeout * 1000;
	lfd = server_listen(&o, "libuv", NET_NONBLOCK);
	if ((r = uv_loop_init(&loop)) < 0) {
		fprintf(stderr, "libuv: uv_loop_init: %s\n", uv_strerror(r));
		close(lfd);
		return 1;
	}
	/* The order: loop -> listener -> signal watcher -> run; loop_finish closes them all. */
	if ((r = uv_tcp_init(&loop, &server)) < 0 || (r = uv_tcp_open(&server, lfd)) < 0) {
		close(lfd); /* not yet the handle's */
		goto out;
	}
	server.data = NULL; /* not a connection (see close_walk_cb) */
	if ((r = uv_listen((uv_stream_t *)&server, SOMAXCONN, connection_cb)) < 0 ||
	    (r = (sfd = sig_fd()) < 0 ? -errno : 0) < 0 ||
	    (r = uv_poll_init(&loop, &sigpoll, sfd)) < 0 ||
	    (r = uv_poll_start(&sigpoll, UV_READABLE, signal_cb)) < 0)
		goto out;
	if (net_announce(lfd) < 0)
		goto out;

	/* Runs until a signal closes every handle: then nothing is left and it returns. */
	uv_run(&loop, UV_RUN_DEFAULT);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "libuv: setup: %s\n", r < 0 ? uv_strerror(r) : "cannot announce");
	if (loop_finish(&loop) < 0)
		rc = 1;
	if (sfd >= 0)
		close(sfd);
	return rc;
}
