/* libuv.c -- library-managed reactor with async writes: libuv's loop, as in Node.js (Reactor). */
#include "bufpool.h"
#include "conn.h"
#include "idle.h"
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

/*
 * What an idle connection costs: this struct (its one handle and a place in
 * a deadline list), its socket and libuv's slot for the fd. No buffer, no
 * timer handle (one loop-wide timer sweeps the lists, idle.h), and no request
 * struct: uv_try_write sends a reply that fits at once, and only the rest of
 * a short send, or the shutdown before lingering, gets a request, allocated
 * for it and freed in its callback.
 */
struct luv_conn {
	uv_tcp_t tcp;            /* the client's socket */
	struct idle_node expiry; /* in the idle list, then in the linger list */
	size_t writing;          /* bytes in flight with uv_write; 0: no send pending */
	int reading;             /* uv_read_start is in effect */
	int closing;             /* uv_close was called */
	int lingering;           /* write side shut down: only draining input now */
	int eof;                 /* the client shut down its side: answer what came, then close */
	struct conn_buf *buf;    /* from the pool while bytes are in it; NULL while idle */
};

#define EXPIRY_OWNER(n) ((struct luv_conn *)((char *)(n)-offsetof(struct luv_conn, expiry)))

/*
 * The loop's whole state, one struct. libuv's own loop is in it, and its
 * data pointer points back here, so a callback reaches the state from the
 * handle it is given (h->loop->data) and passes it on; a connection's
 * handle's data is the connection itself.
 */
struct loop {
	uv_loop_t uv;
	struct idle_list idle;     /* --timeout after the last complete request */
	struct idle_list linger;   /* CONN_LINGER_MS after the shutdown */
	uv_timer_t sweeper;        /* fires at the earliest deadline of the two lists */
	uint64_t sweep_due;        /* when it fires (loop time, ms); 0: not armed */
	struct bufpool pool;       /* spare buffers: an idle connection holds none */
	char scratch[CONN_IN_CAP]; /* where a lingering connection's dropped input goes */
	uv_tcp_t spare;            /* shed(): a client we cannot serve, accepted and closed */
	int spare_busy;            /* the spare is closing */
	uv_stream_t *shed_waiting; /* the listener whose client waits for the spare */
};

static void luv_conn_advance(struct loop *lp, struct luv_conn *c);
static int luv_conn_want_read(struct luv_conn *c, int want);

/* --- connections ------------------------------------------------------- */

static void handle_closed_cb(uv_handle_t *h)
{
	struct loop *lp = h->loop->data;
	struct luv_conn *c = h->data;

	if (c->buf)
		bufpool_put(&lp->pool, c->buf);
	free(c);
}

/* Give the buffer back to the pool once nothing is in it (or the input is only drained now). */
static void luv_conn_release(struct loop *lp, struct luv_conn *c)
{
	if (c->buf && c->writing == 0 &&
	    (c->lingering || (c->buf->in_len == 0 && conn_out_pending(c->buf) == 0))) {
		bufpool_put(&lp->pool, c->buf);
		c->buf = NULL;
	}
}

/* Close the handle; libuv cancels a pending write or shutdown (status UV_ECANCELED). */
static void luv_conn_close(struct luv_conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	idle_remove(&c->expiry);
	uv_close((uv_handle_t *)&c->tcp, handle_closed_cb);
}

/* --- deadlines: one timer for every connection ------------------------------ */

static void sweep_cb(uv_timer_t *t);

/* Make the sweeper fire by the earliest deadline of the two lists (a no-op if it already does). */
static int sweep_arm(struct loop *lp)
{
	long now = (long)uv_now(&lp->uv);
	long a = idle_wait_ms(&lp->idle, now), b = idle_wait_ms(&lp->linger, now);
	long wait = a < 0 ? b : b < 0 || a < b ? a : b;

	if (wait < 0 || (lp->sweep_due && lp->sweep_due <= (uint64_t)(now + wait)))
		return 0;
	lp->sweep_due = (uint64_t)(now + wait);
	return uv_timer_start(&lp->sweeper, sweep_cb, (uint64_t)wait, 0);
}

/* Close every connection whose deadline has passed: idle too long, or done lingering. */
static void sweep_cb(uv_timer_t *t)
{
	struct loop *lp = t->loop->data;
	long now = (long)uv_now(&lp->uv);
	struct idle_node *n;

	lp->sweep_due = 0;
	while ((n = idle_expired(&lp->linger, now)) || (n = idle_expired(&lp->idle, now)))
		luv_conn_close(EXPIRY_OWNER(n)); /* takes it out of its list */
	sweep_arm(lp);
}

/* Restart c's deadline in l (lp->idle or lp->linger) from now: a list's head expires first. */
static int luv_conn_expire_in(struct loop *lp, struct luv_conn *c, struct idle_list *l)
{
	idle_touch(l, &c->expiry, (long)uv_now(&lp->uv));
	return sweep_arm(lp);
}

/*
 * libuv asks where to read (the socket is readable): into the free part of
 * the connection's buffer, taken from the pool if it holds none. A size of 0
 * (no memory) comes back to read_cb as UV_ENOBUFS.
 */
static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct loop *lp = h->loop->data;
	struct luv_conn *c = h->data;

	(void)hint;
	if (c->lingering) /* the input is dropped */
		*b = uv_buf_init(lp->scratch, sizeof(lp->scratch));
	else if (!c->buf && !(c->buf = bufpool_get(&lp->pool, 0)))
		*b = uv_buf_init(NULL, 0);
	else
		*b = uv_buf_init(c->buf->in + c->buf->in_len, (unsigned)conn_in_room(c->buf));
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct loop *lp = s->loop->data;
	struct luv_conn *c = s->data;

	(void)b;
	if (n == 0) { /* EAGAIN */
		luv_conn_release(lp, c);
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
		luv_conn_advance(lp, c);
		return;
	}
	if (n < 0) { /* an error, or EOF while lingering: the client is gone */
		luv_conn_close(c);
		return;
	}
	if (c->lingering)
		return; /* dropped */
	c->buf->in_len += (size_t)n;
	luv_conn_advance(lp, c);
}

static void write_cb(uv_write_t *req, int status)
{
	struct luv_conn *c = req->data;
	struct loop *lp = c->tcp.loop->data;

	free(req);
	if (status < 0) {
		luv_conn_close(c); /* also UV_ECANCELED after luv_conn_close: a no-op then */
		return;
	}
	conn_out_advance(c->buf, c->writing);
	c->writing = 0;
	luv_conn_advance(lp, c); /* the send is done: send on, or answer what waited behind it */
}

static void shutdown_cb(uv_shutdown_t *req, int status)
{
	struct luv_conn *c = req->data;

	free(req);
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

/* What is left of the replies, as libuv buffers: out[] and a slice of the shared body, by
 * reference. Returns how many, and their bytes in *len. */
static int luv_conn_bufs(struct luv_conn *c, uv_buf_t *b, size_t *len)
{
	struct iovec iov[CONN_IOV];
	int n = conn_out_iov(c->buf, iov);

	*len = 0;
	for (int i = 0; i < n; i++) {
		b[i] = uv_buf_init(iov[i].iov_base, (unsigned)iov[i].iov_len);
		*len += iov[i].iov_len;
	}
	return n;
}

/*
 * Send the replies. uv_try_write first: when the socket has room (the usual
 * case) the batch goes out at once, with no request struct and no wait for
 * writability, so reading goes on untouched. What it could not send goes to
 * uv_write, which waits for writability, with a request allocated for that
 * send alone. Returns 1 all sent, 0 the rest is in flight (write_cb follows),
 * -1 error.
 */
static int luv_conn_send(struct luv_conn *c)
{
	uv_buf_t b[CONN_IOV];
	uv_write_t *req;
	size_t len;
	int n = luv_conn_bufs(c, b, &len), w;

	/* a file that broke mid-body (conn_out_iov): the reply ends short, conn_next closes */
	if (n == 0)
		return 1;
	w = uv_try_write((uv_stream_t *)&c->tcp, b, (unsigned)n);
	if (w < 0 && w != UV_EAGAIN)
		return -1;
	if (w > 0)
		conn_out_advance(c->buf, (size_t)w);
	if (w > 0 && (size_t)w == len)
		return 1;
	if (!(req = malloc(sizeof(*req))))
		return -1;
	req->data = c;
	n = luv_conn_bufs(c, b, &c->writing);
	if (uv_write(req, (uv_stream_t *)&c->tcp, b, (unsigned)n, write_cb) < 0) {
		free(req);
		c->writing = 0;
		return -1;
	}
	return 0;
}

/*
 * What next, decided by conn_next: send the replies, read, or close. Each
 * batch of replies is one send (luv_conn_send), the /bytes body by reference
 * from the shared buffer. Nothing is read or answered while a send is in
 * flight (its bytes must stay put), so a client that does not read holds
 * nothing beyond the two fixed buffers and its socket. Once a closing reply is out, or the client
 * has shut down its side and every reply it can get is out: close, or linger after an error so the
 * client reads it instead of a reset. (CONN_DEFER never comes: the loop runs /sleep and /cpu
 * itself, inside conn_process.)
 */
static void luv_conn_advance(struct loop *lp, struct luv_conn *c)
{
	uv_shutdown_t *shut;
	int answered, next, sent;

	if (c->closing || c->writing > 0)
		return;
	if (!c->buf) { /* nothing buffered (EOF on an idle connection): nothing to answer */
		if (c->eof)
			luv_conn_close(c);
		return;
	}
	for (;;) {
		next = conn_next(c->buf, &answered);
		if (answered > 0) { /* /sleep or /cpu may have held the loop: the clock moved */
			uv_update_time(&lp->uv);
			if (luv_conn_expire_in(lp, c, &lp->idle) < 0)
				goto fail;
		}
		if (next != CONN_SEND)
			break;
		if ((sent = luv_conn_send(c)) < 0)
			goto fail;
		if (sent == 0) { /* the rest is with uv_write: read nothing meanwhile */
			luv_conn_want_read(c, 0);
			return;
		}
	}
	if (luv_conn_want_read(c, next == CONN_READ && !c->eof && conn_in_room(c->buf) > 0) < 0)
		goto fail;
	if (next == CONN_READ && !c->eof) {
		luv_conn_release(lp, c); /* all answered: an idle connection holds no buffer */
		return;
	}
	if (next != CONN_LINGER || c->eof)
		goto fail; /* a clean close, or nothing left to answer a half-closed client */
	c->lingering = 1;
	luv_conn_release(lp, c);
	if (!(shut = malloc(sizeof(*shut))))
		goto fail;
	shut->data = c;
	if (uv_shutdown(shut, (uv_stream_t *)&c->tcp, shutdown_cb) < 0) {
		free(shut);
		goto fail;
	}
	if (luv_conn_want_read(c, 1) < 0 || luv_conn_expire_in(lp, c, &lp->linger) < 0)
		goto fail;
	return;
fail:
	luv_conn_close(c);
}

/*
 * A client we cannot serve (no memory for its state) must still be taken off
 * the listener: until uv_accept is called, libuv stops watching the listener.
 * shed() accepts it into the loop's spare handle and closes it at once. The
 * spare is busy until its close callback runs; a shed meanwhile (a second
 * failure in the same accept pass) is remembered and done there, so the
 * listener is always watched again.
 */
static void shed(struct loop *lp, uv_stream_t *server);

static void spare_closed_cb(uv_handle_t *h)
{
	struct loop *lp = h->loop->data;
	uv_stream_t *server = lp->shed_waiting;

	lp->spare_busy = 0;
	lp->shed_waiting = NULL;
	if (server)
		shed(lp, server);
}

static void shed(struct loop *lp, uv_stream_t *server)
{
	if (uv_is_closing((uv_handle_t *)server))
		return; /* shutting down: the listener's pending client goes with it */
	if (lp->spare_busy) {
		lp->shed_waiting = server;
		return;
	}
	if (uv_tcp_init(&lp->uv, &lp->spare) < 0)
		return;
	lp->spare_busy = 1;
	lp->spare.data = NULL; /* not a connection (see close_walk_cb) */
	uv_accept(server, (uv_stream_t *)&lp->spare);
	uv_close((uv_handle_t *)&lp->spare, spare_closed_cb);
}

static void connection_cb(uv_stream_t *server, int status)
{
	struct loop *lp = server->loop->data;
	struct luv_conn *c;

	if (status < 0) { /* on Unix a libuv error is a negated errno */
		if (!net_accept_transient(-status))
			fprintf(stderr, "libuv: accept: %s\n", uv_strerror(status));
		return;
	}
	if (!(c = malloc(sizeof(*c)))) {
		shed(lp, server);
		return;
	}
	memset(c, 0, sizeof(*c));
	idle_node_init(&c->expiry);
	if (uv_tcp_init(&lp->uv, &c->tcp) < 0) {
		free(c);
		shed(lp, server);
		return;
	}
	c->tcp.data = c;
	if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0 ||
	    luv_conn_expire_in(lp, c, &lp->idle) < 0 || luv_conn_want_read(c, 1) < 0)
		luv_conn_close(c);
}

/* --- shutdown -------------------------------------------------------------- */

/* Close every handle still open: the listener, the signal watcher, the sweeper and each
 * connection's. */
static void close_walk_cb(uv_handle_t *h, void *arg)
{
	(void)arg;
	if (uv_is_closing(h))
		return;
	if (h->type == UV_TCP && h->data) /* a connection */
		luv_conn_close(h->data);
	else
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
	struct loop loop = { .sweep_due = 0 }, *lp = &loop; /* all zero: pool empty, spare free */
	uv_tcp_t server;
	uv_poll_t sigpoll;
	struct opts o;
	int lfd, sfd = -1, r, rc = 1;

	/* SIGTERM/SIGINT come from a signalfd the loop watches (sig_fd), not sig_init */
	server_init(argc, argv, "libuv",
	            "libuv reactor: one loop, uv_tcp + uv_write, --workers ignored.",
	            SERVER_OWN_SIGNALS, &o);
	idle_init(&lp->idle, (long)o.timeout * 1000);
	idle_init(&lp->linger, CONN_LINGER_MS);
	lfd = server_listen(&o, "libuv", NET_NONBLOCK);
	if ((r = uv_loop_init(&lp->uv)) < 0) {
		fprintf(stderr, "libuv: uv_loop_init: %s\n", uv_strerror(r));
		close(lfd);
		return 1;
	}
	lp->uv.data = lp; /* how every callback reaches the state */
	/* The order: loop -> listener -> sweeper -> signal watcher -> run; loop_finish closes them.
	 */
	if ((r = uv_tcp_init(&lp->uv, &server)) < 0 || (r = uv_tcp_open(&server, lfd)) < 0) {
		close(lfd); /* not yet the handle's */
		goto out;
	}
	server.data = NULL; /* not a connection (see close_walk_cb) */
	if ((r = uv_timer_init(&lp->uv, &lp->sweeper)) < 0)
		goto out;
	if ((r = uv_listen((uv_stream_t *)&server, SOMAXCONN, connection_cb)) < 0 ||
	    (r = (sfd = sig_fd()) < 0 ? -errno : 0) < 0 ||
	    (r = uv_poll_init(&lp->uv, &sigpoll, sfd)) < 0 ||
	    (r = uv_poll_start(&sigpoll, UV_READABLE, signal_cb)) < 0)
		goto out;
	if (net_announce(lfd) < 0)
		goto out;

	/* Runs until a signal closes every handle: then nothing is left and it returns. */
	uv_run(&lp->uv, UV_RUN_DEFAULT);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "libuv: setup: %s\n", r < 0 ? uv_strerror(r) : "cannot announce");
	if (loop_finish(&lp->uv) < 0)
		rc = 1;
	bufpool_free(&lp->pool); /* the close callbacks have given every buffer back */
	if (sfd >= 0)
		close(sfd);
	return rc;
}
