/* libuv.c -- library-managed reactor with async writes: libuv's loop, as in Node.js (Reactor). */
#include "conn.h"
#include "net.h"
#include "server.h"

#include <uv.h>

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct luv_conn {
	uv_tcp_t tcp;           /* the client's socket */
	uv_timer_t timer;       /* idle deadline, then the linger deadline */
	uv_write_t write_req;   /* the one send in flight */
	uv_shutdown_t shut_req; /* the write-side shutdown before lingering */
	size_t writing;         /* bytes of out[] in flight; 0: no send pending */
	uint64_t last_request;  /* loop time of the last complete request (ms) */
	int reading;            /* uv_read_start is in effect */
	int closing;            /* uv_close was called */
	int lingering;          /* write side shut down: only draining input now */
	int eof;                /* the client shut down its side: answer what came, then close */
	int handles;            /* handles still open; freed when it reaches 0 */
	struct conn_buf buf;    /* last: its buffers need no clearing */
};

static uint64_t idle_ms; /* --timeout */

static void luv_conn_advance(struct luv_conn *c);
static int luv_conn_want_read(struct luv_conn *c, int want);

/* --- connections ------------------------------------------------------- */

static void handle_closed_cb(uv_handle_t *h)
{
	struct luv_conn *c = h->data;

	if (--c->handles == 0)
		free(c);
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

/* libuv asks where to read: into the connection's own buffer, never a fresh one. */
static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
	struct luv_conn *c = h->data;

	(void)hint;
	if (c->lingering) /* the input is dropped: reuse the whole buffer as scratch */
		*b = uv_buf_init(c->buf.in, sizeof(c->buf.in));
	else
		*b = uv_buf_init(c->buf.in + c->buf.in_len, (unsigned)conn_in_room(&c->buf));
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
	struct luv_conn *c = s->data;

	(void)b;
	if (n == 0)
		return;        /* EAGAIN */
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
	c->buf.in_len += (size_t)n;
	luv_conn_advance(c);
}

static void write_cb(uv_write_t *req, int status)
{
	struct luv_conn *c = req->data;

	if (status < 0) {
		luv_conn_close(c); /* also UV_ECANCELED after luv_conn_close: a no-op then */
		return;
	}
	c->buf.out_sent += c->writing;
	c->writing = 0;
	luv_conn_advance(c); /* the reply queue drained: answer what waited behind it */
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

/*
 * Answer what has arrived and hand the batch of replies to uv_write, which
 * tries the send at once: one send per batch. Nothing is read while a send
 * is in flight (as evconn does), so a client that does not read cannot make
 * us hold more than the two fixed buffers. Once a closing reply is out, or
 * the client has shut down its side and every reply it can get is out:
 * close, or linger after an error so the client reads it instead of a reset.
 */
static void luv_conn_advance(struct luv_conn *c)
{
	size_t pending;

	if (c->closing)
		return;
	if (conn_process(&c->buf) > 0)
		c->last_request = uv_now(c->tcp.loop);
	pending = conn_out_pending(&c->buf);
	if (pending > 0 && c->writing == 0) {
		uv_buf_t b = uv_buf_init(c->buf.out + c->buf.out_sent, (unsigned)pending);

		if (uv_write(&c->write_req, (uv_stream_t *)&c->tcp, &b, 1, write_cb) < 0)
			goto fail;
		c->writing = pending;
	}
	if (luv_conn_want_read(c, !c->eof && c->writing == 0 && conn_in_room(&c->buf) > 0) < 0)
		goto fail;
	if (c->writing > 0 || (!c->buf.close && !c->eof))
		return;
	if (!c->buf.linger || c->eof)
		goto fail; /* a clean close, or nothing left to answer a half-closed client */
	c->lingering = 1;
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
	memset(c, 0, offsetof(struct luv_conn, buf.in));
	conn_reset(&c->buf);
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

/* Close every handle still open: the listener, the signals and each connection's. */
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

static void signal_cb(uv_signal_t *s, int signum)
{
	(void)signum;
	uv_walk(s->loop, close_walk_cb, NULL);
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
	uv_signal_t sigterm, sigint;
	struct opts o;
	int lfd, r, rc = 1;

	/* libuv's signal handles own SIGTERM/SIGINT; sig_init() would block them */
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
	/* The order: loop -> listener -> signal handles -> run; loop_finish closes them all. */
	if ((r = uv_tcp_init(&loop, &server)) < 0 || (r = uv_tcp_open(&server, lfd)) < 0) {
		close(lfd); /* not yet the handle's */
		goto out;
	}
	server.data = NULL; /* not a connection (see close_walk_cb) */
	if ((r = uv_listen((uv_stream_t *)&server, SOMAXCONN, connection_cb)) < 0 ||
	    (r = uv_signal_init(&loop, &sigterm)) < 0 ||
	    (r = uv_signal_start(&sigterm, signal_cb, SIGTERM)) < 0 ||
	    (r = uv_signal_init(&loop, &sigint)) < 0 ||
	    (r = uv_signal_start(&sigint, signal_cb, SIGINT)) < 0)
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
	return rc;
}
