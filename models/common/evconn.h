/* evconn.h -- a connection of a readiness-based event loop (select, poll, epoll, reuseport).
 *
 * Those loops differ only in how they learn that a descriptor is ready; what a
 * connection then does is one state machine, kept here:
 *
 *   reading --conn_process--> writing (only while replies are pending, and no
 *   reading meanwhile, so a client that pipelines without reading cannot grow
 *   memory) --> reading ... --> a reply that closes: lingering (write side
 *   shut, input drained until EOF or CONN_LINGER_MS) or closed at once.
 *   With defer_work, a request whose work blocks parks the connection:
 *   reading --> deferred (neither) --evconn_resume--> writing.
 * What comes next after a read or a send is conn_next()'s decision (conn.h).
 *
 * evconn_handle() runs it when the descriptor is ready and returns what the
 * connection waits for next, for the loop to tell its kernel interface.
 * It reads until EAGAIN or a short read, and then goes back to the loop.
 *
 * Level-triggered readiness (select, poll) needs nothing more. Edge-triggered
 * readiness (epoll EPOLLET) is safe too, on three conditions the loop keeps:
 *  - a short read leaves no data behind: TCP copies everything queued (and
 *    its backlog) up to the size asked, and data arriving later raises a
 *    new edge, because the readiness was already taken off the ready list;
 *  - but a FIN that came with the data raises no later edge: the loop sets
 *    c->rdhup when the event says EPOLLRDHUP (or HUP/ERR), and the handler
 *    then reads on to EOF instead of stopping at the short read;
 *  - a lingering connection drains a bounded slice per call (conn_drain),
 *    and EVCONN_WRITE stops reading with input possibly queued: the loop
 *    watches a lingering connection level-triggered, and arms writability
 *    (which reports at once if already writable) for EVCONN_WRITE; the
 *    handler reads on to EAGAIN or a short read once the replies are out.
 *
 * Closing in the middle of a batch is safe by design. A loop serves the
 * events of one wait (a batch) in turn, and while it does, a connection may
 * be closed by something other than its own event: offload answers parked
 * connections whose work finished (evconn_resume) between two events, and a
 * later event of the same batch can still name one it closed. So
 * evconn_close marks c closed (c->fd == EVCONN_CLOSED; its descriptor and
 * buffer are gone at once) and keeps the struct on the set's `closed` list
 * for the rest of the batch: a later event naming it is skipped
 * (evconn_closed), evconn_handle/evconn_resume answer EVCONN_CLOSE without
 * touching it, a second evconn_close does nothing, and no evconn_open of
 * the same batch can hand the struct to a new connection under the old
 * event's pointer. The next evconn_tick (once after every wait: the start
 * of the next batch) moves the closed list to the spare list, from which
 * evconn_open reuses them: accepting a connection allocates nothing once
 * the set has seen as many connections at once as it has now.
 *
 * A connection holds its 24 KiB conn_buf only while it has bytes in it:
 * idle keep-alive connections hold none, and a buffer goes back to a small
 * per-set pool (no allocation per request, and the buffer in use stays hot
 * in the cache).
 *
 * Every open connection is in exactly one timer list (idle, lingering, or
 * busy while its work is deferred, which never expires), so
 * the set can always find and close them all. Not thread-safe: one set per
 * loop thread.
 */
#ifndef EVCONN_H
#define EVCONN_H

#include "conn.h"
#include "bufpool.h"
#include "idle.h"

enum evconn_want {
	EVCONN_CLOSE = 0, /* done: the loop forgets the fd and calls evconn_close */
	EVCONN_READ,      /* wait until readable */
	EVCONN_WRITE,     /* wait until writable */
	/*
	 * A helper has the request's work (conn_buf.defer_work, conn_next's
	 * CONN_DEFER): watch nothing (a level-triggered loop must stop watching
	 * the fd; reports meanwhile are harmless, evconn_handle answers DEFER
	 * again) until the loop calls evconn_resume.
	 */
	EVCONN_DEFER,
};

/*
 * Connections a loop accepts per report of its listener. Bounded: draining
 * the queue to EAGAIN costs a failed accept4 on most wake-ups, and lets a
 * connect flood starve the connections already open and the timer sweep;
 * the listener is level-triggered, so what is left is reported again.
 */
#define EVCONN_ACCEPT_BATCH 4

#define EVCONN_CLOSED (-1) /* c->fd of a connection closed in this batch */

struct evconn {
	int fd;        /* EVCONN_CLOSED once evconn_close ran (until reused) */
	int want;      /* what it waits for: the last evconn_handle result */
	int lingering; /* write side shut down, draining input before close */
	int slot;      /* free for the loop (poll: its index in the pollfd array) */
	int rdhup;     /* set by an edge-triggered loop: the peer's FIN is in, read to EOF */
	/* a link in the one list that holds it: the set's closed or spare connections, or a
	 * loop's own queue while it is open (offload: waiting for a helper, done) */
	struct evconn *next;
	struct conn_buf *buf;   /* NULL while the connection has no bytes buffered */
	struct idle_node timer; /* in the set's idle or linger list */
};

/* The connections of one loop: their timers, the loop's clock and the buffer pool. */
struct evconn_set {
	long now;                /* ms, read once per loop iteration by evconn_tick */
	struct idle_list idle;   /* deadline: last complete request (or accept) + timeout */
	struct idle_list linger; /* deadline: start of the linger + CONN_LINGER_MS */
	struct idle_list busy;   /* deferred (EVCONN_DEFER): no deadline while a helper works */
	struct bufpool pool;     /* spare conn_bufs: an idle connection holds none */
	struct evconn *closed;   /* closed in this batch: spare at the next evconn_tick */
	struct evconn *spare;    /* closed in an earlier batch, reused by evconn_open */
	int defer_work; /* CONN_DEFER_*, set by the loop after init: what goes to helpers */
};

/* An empty set whose connections close after timeout_s seconds without a complete request. */
void evconn_set_init(struct evconn_set *s, int timeout_s);

/*
 * Start a batch: read the clock into s->now, and make the connections closed
 * in the last batch reusable (no event of this batch can name them). Once
 * after every wait, before serving its events.
 */
void evconn_tick(struct evconn_set *s);

/* True when c was closed earlier in this batch: the loop skips an event naming it. */
int evconn_closed(const struct evconn *c);

/* Track the new non-blocking connection fd (idle timer started, want READ). NULL: no memory. */
struct evconn *evconn_open(struct evconn_set *s, int fd);

/*
 * Accept one connection from the non-blocking listener lfd and evconn_open it.
 * Returns it, or NULL when there is none to take now, with errno saying why:
 * EAGAIN, the queue is empty; EMFILE/ENFILE, descriptors ran out (net_accept
 * shed the client); the loop tries again on the listener's next report. A failure that is not
 * net_accept_transient() is reported as "<model>: accept: <reason>".
 */
struct evconn *evconn_accept(struct evconn_set *s, int lfd, const char *model);

/*
 * Move c's state machine as far as it goes without blocking: read, answer,
 * send, start or continue lingering. Returns (and stores in c->want)
 * EVCONN_READ, EVCONN_WRITE, EVCONN_DEFER (only with defer_work) or EVCONN_CLOSE
 * (also, doing nothing, for a connection already closed in this batch).
 * A request's /cpu or /sleep work runs inside it, on the loop's thread,
 * unless the buffers defer it: then every other connection of the loop waits.
 */
int evconn_handle(struct evconn_set *s, struct evconn *c);

/*
 * c's deferred work is done (a helper finished c->buf->work): answer it and
 * move on as evconn_handle does; returns what c waits for next. The idle
 * timer restarts. Call it on the loop's thread, after evconn_tick.
 */
int evconn_resume(struct evconn_set *s, struct evconn *c);

/*
 * Close c's fd, give back its buffer, mark it closed (EVCONN_CLOSED) and
 * keep it for reuse after the batch. The loop must forget the fd first
 * (select: FD_CLR). Closing a connection already closed does nothing.
 */
void evconn_close(struct evconn_set *s, struct evconn *c);

/* A connection whose idle or linger time ran out at s->now (for the loop to close), or NULL. */
struct evconn *evconn_expired(struct evconn_set *s);

/* Milliseconds until the next timer expires (0: now), or -1 when there are none. */
int evconn_wait_ms(const struct evconn_set *s);

/* Any open connection of s, or NULL when none is left (shutdown: close them all). */
struct evconn *evconn_any(struct evconn_set *s);

/* Free the buffer pool and the closed and spare connections (after the last evconn_close). */
void evconn_set_free(struct evconn_set *s);

#endif
