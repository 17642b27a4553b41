/* evconn.c -- the per-connection state machine of the readiness-based loops. */
#include "evconn.h"
#include "clock.h"
#include "net.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define TIMER_OWNER(n) ((struct evconn *)((char *)(n)-offsetof(struct evconn, timer)))

void evconn_set_init(struct evconn_set *s, int timeout_s)
{
	idle_init(&s->idle, timeout_s * 1000L);
	idle_init(&s->linger, CONN_LINGER_MS);
	idle_init(&s->busy, 0); /* never asked what expired: no deadline */
	s->pool.n = 0;
	s->closed = s->spare = NULL;
	s->defer_work = 0;
	evconn_tick(s);
}

void evconn_tick(struct evconn_set *s)
{
	s->now = clock_now_ms();
	while (s->closed) { /* the batch that could name them is over */
		struct evconn *c = s->closed;

		s->closed = c->next;
		c->next = s->spare;
		s->spare = c;
	}
}

int evconn_closed(const struct evconn *c)
{
	return c->fd == EVCONN_CLOSED;
}

struct evconn *evconn_open(struct evconn_set *s, int fd)
{
	struct evconn *c = s->spare;

	if (c)
		s->spare = c->next;
	else if (!(c = malloc(sizeof(*c))))
		return NULL;
	c->fd = fd;
	c->want = EVCONN_READ;
	c->lingering = 0;
	c->slot = -1;
	c->rdhup = 0;
	c->next = NULL;
	c->buf = NULL;
	idle_node_init(&c->timer);
	idle_touch(&s->idle, &c->timer, s->now);
	return c;
}

static int want(struct evconn *c, int w)
{
	return c->want = w;
}

/* Every reply is sent and the last one closes: linger if the client may still be sending. */
static int start_closing(struct evconn_set *s, struct evconn *c)
{
	int linger = c->buf->linger;

	bufpool_put(&s->pool, c->buf);
	c->buf = NULL;
	if (!linger)
		return want(c, EVCONN_CLOSE);
	/*
	 * Closing with unread input would make the kernel send a reset that can
	 * destroy the reply before the client reads it: send FIN, drain instead.
	 */
	shutdown(c->fd, SHUT_WR);
	c->lingering = 1;
	idle_touch(&s->linger, &c->timer, s->now);
	return want(c, conn_drain(c->fd) ? EVCONN_CLOSE : EVCONN_READ);
}

struct evconn *evconn_accept(struct evconn_set *s, int lfd, const char *model)
{
	for (;;) {
		int fd = net_accept(lfd, NET_NONBLOCK);
		struct evconn *c;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (!net_accept_transient(errno))
				fprintf(stderr, "%s: accept: %s\n", model, strerror(errno));
			return NULL;
		}
		if ((c = evconn_open(s, fd)))
			return c;
		close(fd); /* no memory for its state: refuse this client, try the next */
	}
}

int evconn_handle(struct evconn_set *s, struct evconn *c)
{
	struct conn_buf *b;
	int more = 1; /* the socket may hold more input than the last read took */

	if (evconn_closed(c)) /* an event of this batch naming one closed before it */
		return EVCONN_CLOSE;
	if (c->lingering)
		return want(c, conn_drain(c->fd) ? EVCONN_CLOSE : EVCONN_READ);
	if (!c->buf && !(c->buf = bufpool_get(&s->pool, s->defer_work)))
		return want(c, EVCONN_CLOSE);
	b = c->buf;
	if (b->deferred && conn_out_pending(b) == 0) /* a helper has the work: nothing to do */
		return want(c, EVCONN_DEFER);
	for (;;) {
		size_t room;
		ssize_t n;
		int answered, next;

		/* Replies first: nothing is read while any are pending. */
		switch (conn_write(c->fd, b)) {
		case -1: return want(c, EVCONN_CLOSE);
		case 0: return want(c, EVCONN_WRITE);
		}
		/*
		 * Answer what is buffered (pipelined requests: one send per batch).
		 * A request answered restarts the idle timer whatever comes next:
		 * usually replies to send (CONN_SEND), so not after the switch.
		 */
		next = conn_next(b, &answered);
		if (answered > 0) {
			s->now = clock_now_ms(); /* its work may have taken a while */
			idle_touch(&s->idle, &c->timer, s->now);
		}
		switch (next) {
		case CONN_SEND: continue;
		case CONN_DEFER:
			idle_touch(&s->busy, &c->timer, s->now);
			return want(c, EVCONN_DEFER);
		case CONN_LINGER:
		case CONN_CLOSE: return start_closing(s, c);
		}
		/* A short read emptied the socket: any more raises readiness again (evconn.h). */
		if (!more)
			break;
		room = conn_in_room(b);
		n = conn_read(c->fd, b);
		if (n == 0 || n == -1) /* the client left (or failed): no one to answer */
			return want(c, EVCONN_CLOSE);
		if (n == CONN_AGAIN)
			break;
		/* after a FIN no new edge comes: read on to EOF (evconn.h) */
		more = (size_t)n == room || c->rdhup;
	}
	if (b->in_len == 0) { /* nothing buffered: an idle connection holds no buffer */
		bufpool_put(&s->pool, b);
		c->buf = NULL;
	}
	return want(c, EVCONN_READ);
}

int evconn_resume(struct evconn_set *s, struct evconn *c)
{
	if (evconn_closed(c))
		return EVCONN_CLOSE;
	conn_resume(c->buf);
	idle_touch(&s->idle, &c->timer, s->now);
	return evconn_handle(s, c);
}

void evconn_close(struct evconn_set *s, struct evconn *c)
{
	if (evconn_closed(c))
		return;
	idle_remove(&c->timer);
	if (c->buf)
		bufpool_put(&s->pool, c->buf);
	c->buf = NULL;
	close(c->fd);
	c->fd = EVCONN_CLOSED;
	c->next = s->closed; /* not reusable until the batch is over (evconn.h) */
	s->closed = c;
}

struct evconn *evconn_expired(struct evconn_set *s)
{
	struct idle_node *n = idle_expired(&s->linger, s->now);

	if (!n)
		n = idle_expired(&s->idle, s->now);
	return n ? TIMER_OWNER(n) : NULL;
}

int evconn_wait_ms(const struct evconn_set *s)
{
	long a = idle_wait_ms(&s->idle, s->now), b = idle_wait_ms(&s->linger, s->now);

	if (a < 0 || (b >= 0 && b < a))
		a = b;
	return (int)a;
}

struct evconn *evconn_any(struct evconn_set *s)
{
	struct idle_node *n = idle_first(&s->linger);

	if (!n)
		n = idle_first(&s->idle);
	if (!n)
		n = idle_first(&s->busy);
	return n ? TIMER_OWNER(n) : NULL;
}

void evconn_set_free(struct evconn_set *s)
{
	bufpool_free(&s->pool);
	evconn_tick(s); /* the closed ones join the spares */
	while (s->spare) {
		struct evconn *c = s->spare;

		s->spare = c->next;
		free(c);
	}
}
