/* libevent.c -- library-managed reactor: libevent's loop calls us back (Reactor pattern). */
#include "bufpool.h"
#include "conn.h"
#include "net.h"
#include "server.h"
#include "sig.h"

#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/listener.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct server {
	struct event_base *base;
	struct evconnlistener *listener;
	struct event *pause;             /* re-enables accepting after running out of fds */
	const struct timeval *idle_tv;   /* --timeout, as a libevent common timeout */
	const struct timeval *linger_tv; /* CONN_LINGER_MS, likewise */
	struct lev_conn *conns;          /* every open connection, freed on exit */
	struct bufpool pool;             /* spare buffers: an idle connection holds none */
};

/*
 * One allocation per connection: its two events live inside it (event_assign)
 * rather than behind pointers (event_new). A connection never waits to read
 * and to write at once, so one persistent I/O event serves both, reassigned
 * when the direction changes: an idle connection costs this struct, its
 * socket and libevent's slot for the fd, and no buffer.
 */
struct lev_conn {
	evutil_socket_t fd;
	struct server *srv;
	struct event io;    /* persistent: readable (read_cb) or writable (write_cb) */
	struct event timer; /* idle deadline, then the linger deadline */
	short waiting;      /* what io waits for: EV_READ or EV_WRITE; 0 before the first wait */
	int lingering;      /* write side shut down: only draining input now */
	struct lev_conn *prev, *next;
	struct conn_buf *buf; /* from srv->pool while bytes are in it; NULL while idle */
};

static void lev_conn_advance(struct lev_conn *c);

/* --- connections ------------------------------------------------------- */

/* Give the buffer back to the pool once nothing is in it (or the input is only drained now). */
static void lev_conn_release(struct lev_conn *c)
{
	if (c->buf && (c->lingering || (c->buf->in_len == 0 && conn_out_pending(c->buf) == 0))) {
		bufpool_put(&c->srv->pool, c->buf);
		c->buf = NULL;
	}
}

static void lev_conn_free(struct lev_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		c->srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	if (event_initialized(&c->io))
		event_del(&c->io);
	if (event_initialized(&c->timer))
		event_del(&c->timer);
	if (c->buf)
		bufpool_put(&c->srv->pool, c->buf);
	close(c->fd);
	free(c);
}

/* Idle with no complete request for --timeout, or done lingering: close. */
static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	lev_conn_free(arg);
}

static void read_cb(evutil_socket_t fd, short what, void *arg);
static void write_cb(evutil_socket_t fd, short what, void *arg);

/* Wait for readability (EV_READ) or writability (EV_WRITE): reassign io if the direction changes.
 */
static int lev_conn_wait(struct lev_conn *c, short what)
{
	if (c->waiting == what)
		return 0; /* already pending: adding it again would change nothing */
	if (c->waiting && event_del(&c->io) < 0)
		return -1;
	c->waiting = what;
	if (event_assign(&c->io, c->srv->base, c->fd, what | EV_PERSIST,
	                 what == EV_READ ? read_cb : write_cb, c) < 0)
		return -1;
	return event_add(&c->io, NULL);
}

static void read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lev_conn *c = arg;
	ssize_t n;

	(void)what;
	if (c->lingering) {
		if (conn_drain(fd))
			lev_conn_free(c);
		return;
	}
	if (!c->buf && !(c->buf = bufpool_get(&c->srv->pool, 0))) {
		lev_conn_free(c); /* no memory for its buffer */
		return;
	}
	n = conn_read(fd, c->buf);
	if (n == 0 || n == -1) {
		lev_conn_free(c); /* the client is gone */
		return;
	}
	if (n > 0)
		lev_conn_advance(c);
	else
		lev_conn_release(c); /* nothing came after all */
}

static void write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct lev_conn *c = arg;
	int w = conn_write(fd, c->buf);

	(void)what;
	if (w < 0) {
		lev_conn_free(c);
		return;
	}
	if (w > 0)
		lev_conn_advance(c); /* the reply queue drained: answer what waited behind it */
}

/* A request was answered: restart the idle deadline from now (/sleep or /cpu may have held the
 * loop). */
static int lev_conn_touch(struct lev_conn *c)
{
	event_base_update_cache_time(c->srv->base);
	return evtimer_add(&c->timer, c->srv->idle_tv);
}

/*
 * What next, decided by conn_next: answer what has arrived and send each batch
 * of replies (the /bytes body straight from the shared buffer, by sendmsg) as
 * long as the socket takes them; then tell libevent what to wait for next:
 * writability while a send is short (and no reads, so a client that does not
 * read cannot make us queue without bound), else readability; or, once a
 * closing reply is out, close or linger. (CONN_DEFER never comes: the loop
 * runs /sleep and /cpu itself, inside conn_process.)
 */
static void lev_conn_advance(struct lev_conn *c)
{
	int answered, next, w;

	while ((next = conn_next(c->buf, &answered)) == CONN_SEND) {
		if (answered > 0 && lev_conn_touch(c) < 0)
			goto fail;
		if ((w = conn_write(c->fd, c->buf)) < 0)
			goto fail;
		if (w == 0) {
			if (lev_conn_wait(c, EV_WRITE) < 0)
				goto fail;
			return;
		}
	}
	if (answered > 0 && lev_conn_touch(c) < 0)
		goto fail;
	if (next == CONN_READ) {
		lev_conn_release(c); /* all answered: an idle connection holds no buffer */
		if (lev_conn_wait(c, EV_READ) < 0)
			goto fail;
		return;
	}
	if (next != CONN_LINGER)
		goto fail; /* a clean close: nothing left to read */
	/* after an error: let the client read the reply instead of a reset */
	c->lingering = 1;
	lev_conn_release(c);
	if (shutdown(c->fd, SHUT_WR) < 0 || lev_conn_wait(c, EV_READ) < 0 ||
	    evtimer_add(&c->timer, c->srv->linger_tv) < 0)
		goto fail;
	return;
fail:
	lev_conn_free(c);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
                      void *arg)
{
	struct server *srv = arg;
	struct lev_conn *c = malloc(sizeof(*c));

	(void)l;
	(void)sa;
	(void)salen;
	if (!c) {
		close(fd);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->srv = srv;
	c->next = srv->conns;
	if (c->next)
		c->next->prev = c;
	srv->conns = c;
	if (evtimer_assign(&c->timer, srv->base, timer_cb, c) < 0 ||
	    lev_conn_wait(c, EV_READ) < 0 || evtimer_add(&c->timer, srv->idle_tv) < 0)
		lev_conn_free(c);
}

/* --- the listener and shutdown -------------------------------------------- */

static void resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;

	(void)fd;
	(void)what;
	evconnlistener_enable(srv->listener);
}

/*
 * accept() failed with more than EAGAIN/EINTR/ECONNABORTED. Out of
 * descriptors, the listener would stay readable and spin: stop accepting for
 * 100 ms instead. A failure of one connection is not worth a line.
 */
static void accept_error_cb(struct evconnlistener *l, void *arg)
{
	struct server *srv = arg;
	const struct timeval pause = { 0, 100000 };
	int err = EVUTIL_SOCKET_ERROR();

	if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
		evconnlistener_disable(l);
		if (event_add(srv->pause, &pause) < 0)
			evconnlistener_enable(l);
		return;
	}
	if (!net_accept_transient(err))
		fprintf(stderr, "libevent: accept: %s\n", evutil_socket_error_to_string(err));
}

/*
 * SIGTERM or SIGINT: the signalfd (sig_fd) is readable. A signalfd rather
 * than evsignal, whose handler takes the signal at once: blocked, it stays
 * pending, so a /sleep running in the loop sees it and ends early (work.h).
 */
static void signal_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

int main(int argc, char **argv)
{
	struct server srv = { 0 };
	struct event *sigev = NULL;
	struct timeval idle, linger = { CONN_LINGER_MS / 1000, (CONN_LINGER_MS % 1000) * 1000 };
	struct opts o;
	int lfd, sfd = -1, rc = 1;

	/* SIGTERM/SIGINT come from a signalfd the loop watches (sig_fd), not sig_init */
	server_init(argc, argv, "libevent",
	            "libevent reactor: one loop, evconnlistener + events, --workers ignored.",
	            SERVER_OWN_SIGNALS, &o);
	idle = (struct timeval){ o.timeout, 0 };
	lfd = server_listen(&o, "libevent", NET_NONBLOCK);

	/* The canonical order: base -> listener -> signal event -> dispatch; freed in reverse. */
	if (!(srv.base = event_base_new())) {
		fprintf(stderr, "libevent: event_base_new failed\n");
		close(lfd);
		return 1;
	}
	/*
	 * Common timeouts: every idle deadline has the same length, so libevent
	 * keeps them in a FIFO queue instead of its heap and re-arming on each
	 * request is O(1).
	 */
	srv.idle_tv = event_base_init_common_timeout(srv.base, &idle);
	srv.linger_tv = event_base_init_common_timeout(srv.base, &linger);
	if (!srv.idle_tv || !srv.linger_tv) {
		fprintf(stderr, "libevent: common timeouts failed\n");
		close(lfd);
		goto out;
	}
	/* backlog 0: the socket already listens */
	srv.listener = evconnlistener_new(srv.base, accept_cb, &srv,
	                                  LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, lfd);
	if (!srv.listener) {
		fprintf(stderr, "libevent: evconnlistener_new failed\n");
		close(lfd);
		goto out;
	}
	evconnlistener_set_error_cb(srv.listener, accept_error_cb);
	if (!(srv.pause = evtimer_new(srv.base, resume_cb, &srv))) {
		fprintf(stderr, "libevent: evtimer_new failed\n");
		goto out;
	}
	if ((sfd = sig_fd()) < 0 ||
	    !(sigev = event_new(srv.base, sfd, EV_READ, signal_cb, srv.base)) ||
	    event_add(sigev, NULL) < 0) {
		fprintf(stderr, "libevent: signal event failed\n");
		goto out;
	}
	if (net_announce(lfd) < 0)
		goto out;

	if (event_base_dispatch(srv.base) < 0) {
		fprintf(stderr, "libevent: event_base_dispatch failed\n");
		goto out;
	}
	rc = 0;
out:
	while (srv.conns)
		lev_conn_free(srv.conns);
	bufpool_free(&srv.pool);
	if (sigev)
		event_free(sigev);
	if (sfd >= 0)
		close(sfd);
	if (srv.pause)
		event_free(srv.pause);
	if (srv.listener)
		evconnlistener_free(srv.listener);
	event_base_free(srv.base);
	libevent_global_shutdown();
	return rc;
}
