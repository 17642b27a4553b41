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

#define MAX_EVENTS  256 /* ready descriptors taken per wait */
#define SIG_POLL_MS 10  /* under load, SIGTERM is noticed within this */

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

/* What the loop shares with its helpers, all under lock (each helper's pool entry owns it). */
struct helpers {
	pthread_mutex_t lock;
	pthread_cond_t work; /* todo is not empty, or stopping */
	struct queue todo, done;
	int stopping;
	int done_fd; /* eventfd: written once per finished job, read by the loop */
};

/* The whole state of the one loop, passed to every function (no file-scope variables). */
struct loop {
	int ep, lfd;
	struct evconn_set s;
	struct helpers h;
	struct pool_worker *pool; /* the helper threads */
	int nhelpers;             /* how many started */
};

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
	struct helpers *h = ((struct pool_worker *)arg)->owner;
	uint64_t one = 1;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		struct evconn *c;

		while (!h->todo.head && !h->stopping)
			pthread_cond_wait(&h->work, &h->lock);
		if (h->stopping)
			break;
		c = queue_take(&h->todo);
		pthread_mutex_unlock(&h->lock);
		work_run(&c->buf->work); /* blocks this helper only; ends early at a stop */
		pthread_mutex_lock(&h->lock);
		queue_put(&h->done, c);
		/* a full counter (EAGAIN) still leaves the eventfd readable: nothing is lost */
		if (write(h->done_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			perror("offload: eventfd");
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

/* Park c: its request's work goes to a helper. */
static void hand_off(struct helpers *h, struct evconn *c)
{
	pthread_mutex_lock(&h->lock);
	queue_put(&h->todo, c);
	pthread_cond_signal(&h->work);
	pthread_mutex_unlock(&h->lock);
}

/*
 * c is ready with events ev: the epoll model's step (evepoll_serve); a
 * request that now blocks is handed off, last: once c is handed off nothing
 * in the loop may close it, and a parked connection never needs epoll_ctl
 * again (its later reports only say EVCONN_DEFER).
 */
static void serve(struct loop *lp, struct evconn *c, uint32_t ev)
{
	int parked = c->want == EVCONN_DEFER;

	if (evepoll_serve(lp->ep, &lp->s, c, ev) == EVCONN_DEFER && !parked)
		hand_off(&lp->h, c);
}

/*
 * The eventfd is readable: answer every connection whose work is done. This
 * runs between two events of the batch and may close a connection that a
 * later event still names: evconn_close keeps it marked until the batch ends
 * (evconn.h), and evepoll_serve skips it.
 */
static void finish(struct loop *lp)
{
	struct queue done;
	struct evconn *c;
	uint64_t n;

	if (read(lp->h.done_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		perror("offload: eventfd");
	pthread_mutex_lock(&lp->h.lock);
	done = lp->h.done;
	lp->h.done.head = lp->h.done.tail = NULL;
	pthread_mutex_unlock(&lp->h.lock);
	while ((c = queue_take(&done))) {
		int w = evepoll_apply(lp->ep, &lp->s, c, evconn_resume(&lp->s, c));

		if (w == EVCONN_DEFER) /* the next pipelined request blocks too */
			hand_off(&lp->h, c);
	}
}

/* Stop the helpers (a sleeping one wakes within WORK_STOP_CHECK_MS): 0, or -1 if some hang. */
static int stop_helpers(struct loop *lp)
{
	pthread_mutex_lock(&lp->h.lock);
	lp->h.stopping = 1;
	pthread_cond_broadcast(&lp->h.work);
	pthread_mutex_unlock(&lp->h.lock);
	return pool_join(lp->pool, lp->nhelpers, "offload") == 0 ? 0 : -1;
}

/* The helper threads, each reaching the shared queues through its entry's owner: 0 or -1. */
static int start_helpers(struct loop *lp, int n)
{
	if (!(lp->pool = calloc((size_t)n, sizeof(*lp->pool)))) {
		perror("offload: helpers");
		return -1;
	}
	for (int i = 0; i < n; i++)
		lp->pool[i].owner = &lp->h;
	if ((lp->nhelpers = pool_start(lp->pool, n, helper_run, "offload")) < n) {
		stop_helpers(lp);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char done_mark; /* epoll data of the eventfd; NULL is the listener */
	struct epoll_event events[MAX_EVENTS];
	struct epoll_event lev = { .events = EPOLLIN, .data.ptr = NULL };
	struct epoll_event dev = { .events = EPOLLIN, .data.ptr = &done_mark };
	struct loop loop = { .h = { .lock = PTHREAD_MUTEX_INITIALIZER,
		                    .work = PTHREAD_COND_INITIALIZER } },
	            *lp = &loop;
	struct evconn *c;
	struct opts o;
	int rc = 0;
	long sig_due = 0;

	/* first: the helpers inherit the blocked signals */
	server_init(argc, argv, "offload",
	            "AMPED (Flash): one epoll loop; /sleep and /cpu work, and the disk reads of "
	            "files not in memory, run on --workers helper threads.",
	            0, &o);
	lp->lfd = server_listen(&o, "offload", NET_NONBLOCK);
	if ((lp->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    (lp->h.done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0 ||
	    epoll_ctl(lp->ep, EPOLL_CTL_ADD, lp->lfd, &lev) < 0 ||
	    epoll_ctl(lp->ep, EPOLL_CTL_ADD, lp->h.done_fd, &dev) < 0) {
		perror("offload: setup");
		return 1;
	}
	evconn_set_init(&lp->s, o.timeout);
	lp->s.defer_work = CONN_DEFER_WORK | CONN_DEFER_FILE;
	if (start_helpers(lp, o.workers) < 0)
		return 1;
	if (net_announce(lp->lfd) < 0) {
		stop_helpers(lp);
		return 1;
	}

	/* The whole model: the epoll loop, plus one more descriptor: "some work is done". */
	while (!sig_stop) {
		int n =
		    epoll_pwait(lp->ep, events, MAX_EVENTS, evconn_wait_ms(&lp->s), &sig_waitmask);

		if (n < 0 && errno != EINTR) {
			perror("offload: epoll_pwait");
			rc = 1;
			break;
		}
		evconn_tick(&lp->s);
		if (n > 0 && lp->s.now >= sig_due) { /* a busy wait delivers no signal (sig.h) */
			sig_poll();
			sig_due = lp->s.now + SIG_POLL_MS;
		}
		for (int i = 0; i < n; i++) {
			if (events[i].data.ptr == NULL)
				evepoll_accept(lp->ep, lp->lfd, &lp->s, "offload",
				               EVCONN_ACCEPT_BATCH);
			else if (events[i].data.ptr == &done_mark)
				finish(lp);
			else
				serve(lp, events[i].data.ptr, events[i].events);
		}
		while ((c = evconn_expired(&lp->s)))
			evconn_close(&lp->s, c);
	}

	/* helpers first: a connection may be closed only once no helper can hold it */
	if (stop_helpers(lp) < 0)
		return 1; /* a helper hangs on to a connection: exit without freeing under it */
	while ((c = evconn_any(&lp->s)))
		evconn_close(&lp->s, c);
	evconn_set_free(&lp->s);
	free(lp->pool);
	close(lp->h.done_fd);
	close(lp->ep);
	close(lp->lfd);
	return rc;
}
