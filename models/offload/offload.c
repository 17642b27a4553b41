/* offload.c -- AMPED (Flash): one epoll loop, blocking work handed to a pool of helper threads. */
#include "evconn.h"
#include "evepoll.h"
#include "net.h"
#include "pool.h"
#include "server.h"
#include "sig.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define MAX_EVENTS   256 /* ready descriptors taken per wait */
#define SIG_POLL_MS  10  /* under load, SIGTERM is noticed within this */
#define ACCEPT_BATCH 4   /* connections accepted per wake-up of the listener (see epoll.c) */

/*
 * Flash's Asymmetric Multi-Process Event-Driven design (Pai, Druschel and
 * Zwaenepoel, 1999), with threads for Flash's helper processes: what libuv's
 * and nginx's thread pools do. The loop is the epoll model, except that a
 * request whose work blocks (/sleep, /cpu) does not run in it: conn_process
 * stops at that request (the set's defer_work), the connection parks
 * (EVCONN_DEFER: neither read nor written) and goes on the `todo` queue;
 * a helper runs the work, puts the connection on the `done` queue and
 * writes the eventfd; the loop, woken by it, answers (evconn_resume).
 * A /file/ whose pages are not all in memory (mincore, as Flash did) is
 * handed off the same way: the helper reads it in, the loop sends it.
 * Everything else, /bytes, cached files and hello included, stays in the loop.
 *
 * The queues are intrusive FIFOs (evconn.next) under one mutex: a hand-off
 * allocates nothing. A connection is on at most one of them, and while it is
 * the loop does not touch its buffer: the helper reads buf->work only.
 */
struct queue {
	struct evconn *head, *tail;
};

struct helpers {
	pthread_mutex_t lock;
	pthread_cond_t work; /* todo is not empty, or stopping */
	struct queue todo, done;
	int stopping;
	int done_fd; /* eventfd: written once per finished job, read by the loop */
};

static struct helpers h = { .lock = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER };

static void queue_put(struct queue *q, struct evconn *c)
{
	c->next = NULL;
	if (q->tail)
		q->tail->next = c;
	else
		q->head = c;
	q->tail = c;
}

static struct evconn *queue_take(struct queue *q)
{
	struct evconn *c = q->head;

	if (c && !(q->head = c->next))
		q->tail = NULL;
	return c;
}

/* A helper: run the work of parked connections, one after another, until stopped. */
static void *helper_run(void *arg)
{
	uint64_t one = 1;

	(void)arg;
	pthread_mutex_lock(&h.lock);
	for (;;) {
		struct evconn *c;

		while (!h.todo.head && !h.stopping)
			pthread_cond_wait(&h.work, &h.lock);
		if (h.stopping)
			break;
		c = queue_take(&h.todo);
		pthread_mutex_unlock(&h.lock);
		work_run(&c->buf->work); /* blocks this helper only; ends early at a stop */
		pthread_mutex_lock(&h.lock);
		queue_put(&h.done, c);
		/* a full counter (EAGAIN) still leaves the eventfd readable: nothing is lost */
		if (write(h.done_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			perror("offload: eventfd");
	}
	pthread_mutex_unlock(&h.lock);
	return NULL;
}

/* Park c: its request's work goes to a helper. */
static void hand_off(struct evconn *c)
{
	pthread_mutex_lock(&h.lock);
	queue_put(&h.todo, c);
	pthread_cond_signal(&h.work);
	pthread_mutex_unlock(&h.lock);
}

/* Tell epoll what c waits for after a step that returned w, or close it. */
static void apply(int ep, struct evconn_set *s, struct evconn *c, int w)
{
	if (w == EVCONN_CLOSE)
		evconn_close(s, c); /* close() also takes the fd out of the epoll set */
	else if (evepoll_events(c) != (unsigned)c->slot && evepoll_watch(ep, EPOLL_CTL_MOD, c) < 0)
		evconn_close(s, c);
}

/*
 * c is ready with events ev: run it; a request that blocks is handed off.
 * finish() may have closed c earlier in this batch: the event is then stale.
 */
static void serve(int ep, struct evconn_set *s, struct evconn *c, uint32_t ev)
{
	int parked = c->want == EVCONN_DEFER, w;

	if (evconn_closed(c))
		return;
	if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		c->rdhup = 1; /* no edge follows the FIN: evconn_handle reads on to EOF */
	w = evconn_handle(s, c);
	if (w == EVCONN_DEFER && !parked)
		hand_off(c);
	/* a parked connection keeps its edge-triggered registration: reports say DEFER again */
	apply(ep, s, c, w);
}

/*
 * The eventfd is readable: answer every connection whose work is done. This
 * runs between two events of the batch and may close a connection that a
 * later event still names: evconn_close keeps it marked until the batch ends
 * (evconn.h), and serve() skips it.
 */
static void finish(int ep, struct evconn_set *s)
{
	struct queue done;
	struct evconn *c;
	uint64_t n;

	if (read(h.done_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		perror("offload: eventfd");
	pthread_mutex_lock(&h.lock);
	done = h.done;
	h.done.head = h.done.tail = NULL;
	pthread_mutex_unlock(&h.lock);
	while ((c = queue_take(&done))) {
		int w = evconn_resume(s, c);

		if (w == EVCONN_DEFER) /* the next pipelined request blocks too */
			hand_off(c);
		apply(ep, s, c, w);
	}
}

static void accept_some(int ep, int lfd, struct evconn_set *s)
{
	struct evconn *c;

	for (int i = 0; i < ACCEPT_BATCH && (c = evconn_accept(s, lfd, "offload")); i++)
		if (evepoll_watch(ep, EPOLL_CTL_ADD, c) < 0)
			evconn_close(s, c);
}

/* Stop the helpers (a sleeping one wakes within WORK_STOP_CHECK_MS): 0, or -1 if some hang. */
static int stop_helpers(struct pool_worker *pool, int n)
{
	pthread_mutex_lock(&h.lock);
	h.stopping = 1;
	pthread_cond_broadcast(&h.work);
	pthread_mutex_unlock(&h.lock);
	return pool_join(pool, n, "offload") == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static char done_mark; /* epoll data of the eventfd; NULL is the listener */
	struct epoll_event events[MAX_EVENTS];
	struct epoll_event lev = { .events = EPOLLIN, .data.ptr = NULL };
	struct epoll_event dev = { .events = EPOLLIN, .data.ptr = &done_mark };
	struct pool_worker *pool;
	struct evconn_set s;
	struct evconn *c;
	struct opts o;
	int lfd, ep, nhelpers, rc = 0;
	long sig_due = 0;

	/* first: the helpers inherit the blocked signals */
	server_init(argc, argv, "offload",
	            "AMPED (Flash): one epoll loop; /sleep and /cpu work, and the disk reads of "
	            "files not in memory, run on --workers helper threads.",
	            0, &o);
	lfd = server_listen(&o, "offload", NET_NONBLOCK);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (h.done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, h.done_fd, &dev) < 0 ||
	    !(pool = calloc((size_t)o.workers, sizeof(*pool)))) {
		perror("offload: setup");
		return 1;
	}
	evconn_set_init(&s, o.timeout);
	s.defer_work = CONN_DEFER_WORK | CONN_DEFER_FILE;
	if ((nhelpers = pool_start(pool, o.workers, helper_run, "offload")) < o.workers) {
		stop_helpers(pool, nhelpers);
		return 1;
	}
	if (net_announce(lfd) < 0) {
		stop_helpers(pool, nhelpers);
		return 1;
	}

	/* The whole model: the epoll loop, plus one more descriptor: "some work is done". */
	while (!sig_stop) {
		int n = epoll_pwait(ep, events, MAX_EVENTS, evconn_wait_ms(&s), &sig_waitmask);

		if (n < 0 && errno != EINTR) {
			perror("offload: epoll_pwait");
			rc = 1;
			break;
		}
		evconn_tick(&s);
		if (n > 0 && s.now >= sig_due) { /* a busy wait delivers no signal (sig.h) */
			sig_poll();
			sig_due = s.now + SIG_POLL_MS;
		}
		for (int i = 0; i < n; i++) {
			if (events[i].data.ptr == NULL)
				accept_some(ep, lfd, &s);
			else if (events[i].data.ptr == &done_mark)
				finish(ep, &s);
			else
				serve(ep, &s, events[i].data.ptr, events[i].events);
		}
		while ((c = evconn_expired(&s)))
			evconn_close(&s, c);
	}

	/* helpers first: a connection may be closed only once no helper can hold it */
	if (stop_helpers(pool, nhelpers) < 0)
		return 1; /* a helper hangs on to a connection: exit without freeing under it */
	while ((c = evconn_any(&s)))
		evconn_close(&s, c);
	evconn_set_free(&s);
	free(pool);
	close(h.done_fd);
	close(ep);
	close(lfd);
	return rc;
}
