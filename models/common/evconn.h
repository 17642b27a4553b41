/* evconn.h -- a connection of a readiness-based event loop (select, poll, epoll, reuseport).
 *
 * Those loops differ only in how they learn that a descriptor is ready; what a
 * connection then does is one state machine, kept here:
 *
 *   reading --conn_process--> writing (only while replies are pending, and no
 *   reading meanwhile, so a client that pipelines without reading cannot grow
 *   memory) --> reading ... --> a reply that closes: lingering (write side
 *   shut, input drained until EOF or CONN_LINGER_MS) or closed at once.
 *
 * evconn_handle() runs it when the descriptor is ready and returns what the
 * connection waits for next, for the loop to tell its kernel interface.
 * It needs LEVEL-TRIGGERED readiness: after a short read it goes back to the
 * loop without reading on to EAGAIN.
 *
 * A connection holds its 24 KiB conn_buf only while it has bytes in it:
 * idle keep-alive connections hold none, and a buffer goes back to a small
 * per-set pool (no allocation per request, and the buffer in use stays hot
 * in the cache).
 *
 * Every open connection is in exactly one timer list (idle or lingering), so
 * the set can always find and close them all. Not thread-safe: one set per
 * loop thread.
 */
#ifndef EVCONN_H
#define EVCONN_H

#include "conn.h"
#include "idle.h"

enum evconn_want {
	EVCONN_CLOSE = 0, /* done: the loop forgets the fd and calls evconn_close */
	EVCONN_READ,      /* wait until readable */
	EVCONN_WRITE,     /* wait until writable */
};

#define EVCONN_POOL 64 /* spare conn_bufs a set keeps for reuse */

struct evconn {
	int fd;
	int want;          /* what it waits for: the last evconn_handle result */
	int lingering;     /* write side shut down, draining input before close */
	int slot;          /* free for the loop (poll: its index in the pollfd array) */
	struct conn_buf *buf; /* NULL while the connection has no bytes buffered */
	struct idle_node timer; /* in the set's idle or linger list */
};

/* The connections of one loop: their timers, the loop's clock and the buffer pool. */
struct evconn_set {
	long now;                /* ms, read once per loop iteration by evconn_tick */
	struct idle_list idle;   /* deadline: last complete request (or accept) + timeout */
	struct idle_list linger; /* deadline: start of the linger + CONN_LINGER_MS */
	int npool;
	struct conn_buf *pool[EVCONN_POOL];
};

/* An empty set whose connections close after timeout_s seconds without a complete request. */
void evconn_set_init(struct evconn_set *s, int timeout_s);

/* Read the clock into s->now: once after every wait. */
void evconn_tick(struct evconn_set *s);

/* Track the new non-blocking connection fd (idle timer started, want READ). NULL: no memory. */
struct evconn *evconn_open(struct evconn_set *s, int fd);

/*
 * Move c's state machine as far as it goes without blocking: read, answer,
 * send, start or continue lingering. Returns (and stores in c->want)
 * EVCONN_READ, EVCONN_WRITE or EVCONN_CLOSE.
 */
int evconn_handle(struct evconn_set *s, struct evconn *c);

/* Close c's fd and free it. The loop must forget the fd first (select: FD_CLR). */
void evconn_close(struct evconn_set *s, struct evconn *c);

/* A connection whose idle or linger time ran out at s->now (for the loop to close), or NULL. */
struct evconn *evconn_expired(struct evconn_set *s);

/* Milliseconds until the next timer expires (0: now), or -1 when there are none. */
int evconn_wait_ms(const struct evconn_set *s);

/* Any open connection of s, or NULL when none is left (shutdown: close them all). */
struct evconn *evconn_any(struct evconn_set *s);

/* Free the buffer pool (after the last evconn_close). */
void evconn_set_free(struct evconn_set *s);

#endif
