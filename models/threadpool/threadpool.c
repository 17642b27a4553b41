/* threadpool.c -- main accepts, a pool of N threads serves from a bounded queue (UNP design 8). */
#include "conn.h"
#include "net.h"
#include "pool.h"
#include "server.h"
#include "sig.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * The model's whole state: the queue between main and the pool, and the
 * pool (each worker reaches the state through its entry's owner). The queue
 * is a ring of accepted fds, guarded by one mutex, with a condition
 * variable for "not empty".
 *
 * Admission: at most --max-conns accepted connections wait for a worker,
 * on top of the N being served (default 1024). It must be deep, because a
 * worker holds a keep-alive connection until the client closes it, so with
 * C persistent clients and N workers, C - N connections wait here; too
 * shallow and an ordinary keep-alive load is refused. It must be bounded,
 * because a connection waiting here has no timeout running and costs a
 * descriptor. Past it, main answers 503 and closes (conn_reject): refusing
 * fast is better than queueing without limit, and the client learns it was
 * load, not a failure. A worker frees its connection's place when it is
 * done serving, before it closes the connection (conn_serve_held), so a
 * client that reconnects once it sees the close is not refused (issue 19).
 *
 * Descriptors: every connection open here, queued, served or lingering in
 * its close (a worker lingers over at most one), holds one. `open` counts
 * them, and never passes `max_open`: 2 x --workers + --max-conns, or less
 * when RLIMIT_NOFILE cannot hold that many (server_fit_fds says so on
 * stderr at start). Past it main answers 503 too, instead of accept
 * failing for want of a descriptor.
 */
struct threadpool {
	pthread_mutex_t lock;
	pthread_cond_t nonempty;
	int *fds;
	int cap, head, len; /* fds[head], ... (len of them, wrapping at cap) */
	int admitted;       /* queued or being served: at most nworkers + max_conns */
	int open;           /* admitted or lingering in their close: at most max_open */
	int max_conns, max_open;
	int stopping;  /* set once: workers leave instead of waiting */
	int timeout_s; /* --timeout */
	int nworkers;
	struct pool_worker workers[]; /* nworkers of them; cur_fd under lock */
};

/* Queue fd for the pool: 0, or -1 when the model has no room for it (the caller rejects it). */
static int queue_push(struct threadpool *tp, int fd)
{
	int ok;

	pthread_mutex_lock(&tp->lock);
	ok = tp->admitted < tp->nworkers + tp->max_conns && tp->open < tp->max_open;
	if (ok) {
		tp->fds[(tp->head + tp->len) % tp->cap] = fd;
		tp->len++;
		tp->admitted++;
		tp->open++;
		pthread_cond_signal(&tp->nonempty);
	}
	pthread_mutex_unlock(&tp->lock);
	return ok ? 0 : -1;
}

/*
 * Take the next connection for worker w, waiting while the queue is empty,
 * and record it as w's current one. Returns the fd, or -1 when stopping.
 */
static int queue_pop(struct threadpool *tp, struct pool_worker *w)
{
	int fd = -1;

	pthread_mutex_lock(&tp->lock);
	while (tp->len == 0 && !tp->stopping)
		pthread_cond_wait(&tp->nonempty, &tp->lock);
	if (!tp->stopping) {
		fd = tp->fds[tp->head];
		tp->head = (tp->head + 1) % tp->cap;
		tp->len--;
	}
	w->cur_fd = fd;
	pthread_mutex_unlock(&tp->lock);
	return fd;
}

/* w is done serving its connection: its place is free (its descriptor is not, yet). */
static void worker_served(struct threadpool *tp, struct pool_worker *w)
{
	pthread_mutex_lock(&tp->lock);
	w->cur_fd = -1;
	tp->admitted--;
	pthread_mutex_unlock(&tp->lock);
}

/* w has closed its connection: its descriptor is free. */
static void worker_closed(struct threadpool *tp)
{
	pthread_mutex_lock(&tp->lock);
	tp->open--;
	pthread_mutex_unlock(&tp->lock);
}

/* A pool thread: serve queued connections one after the other, a whole connection at a time. */
static void *worker_run(void *p)
{
	struct pool_worker *w = p;
	struct threadpool *tp = w->owner;
	int fd, linger;

	while ((fd = queue_pop(tp, w)) >= 0) {
		conn_serve_held(fd, tp->timeout_s, 0, &linger);
		worker_served(tp, w); /* before the client sees the close */
		conn_finish(fd, linger);
		worker_closed(tp);
	}
	return NULL;
}

/*
 * Stop: wake idle workers (broadcast), wake busy ones by shutting their
 * connection down, close the connections still queued (never served), and
 * join every worker within a bounded time. Returns the workers not joined.
 */
static int stop_workers(struct threadpool *tp)
{
	pthread_mutex_lock(&tp->lock);
	tp->stopping = 1;
	pthread_cond_broadcast(&tp->nonempty);
	pool_wake(tp->workers, tp->nworkers);
	for (; tp->len > 0; tp->len--, tp->head = (tp->head + 1) % tp->cap)
		close(tp->fds[tp->head]);
	pthread_mutex_unlock(&tp->lock);
	return pool_join(tp->workers, tp->nworkers, "threadpool");
}

/* Create the pool: 0, or -1 (the workers that did start are stopped). */
static int start_workers(struct threadpool *tp)
{
	int started = pool_start(tp->workers, tp->nworkers, worker_run, "threadpool");

	if (started == tp->nworkers)
		return 0;
	tp->nworkers = started;
	stop_workers(tp);
	return -1;
}

/*
 * The state for o, on the heap (a stuck worker may outlive main's frame):
 * NULL after "threadpool: calloc: <reason>".
 */
static struct threadpool *threadpool_new(const struct opts *o)
{
	struct threadpool *tp =
	    calloc(1, sizeof(*tp) + (size_t)o->workers * sizeof(tp->workers[0]));

	if (tp) {
		pthread_mutex_init(&tp->lock, NULL);
		pthread_cond_init(&tp->nonempty, NULL);
		tp->nworkers = o->workers;
		tp->max_conns = o->max_conns;
		tp->timeout_s = o->timeout;
		/* each worker may serve one and linger over another */
		tp->max_open = server_fit_fds(2 * o->workers + o->max_conns, 0, "threadpool",
		                              "2 x --workers + --max-conns connections");
		/* every admitted connection may be waiting at once */
		tp->cap = tp->nworkers + tp->max_conns;
		for (int i = 0; i < tp->nworkers; i++)
			tp->workers[i].owner = tp;
	}
	if (!tp || !(tp->fds = calloc((size_t)tp->cap, sizeof(*tp->fds)))) {
		perror("threadpool: calloc");
		free(tp);
		return NULL;
	}
	return tp;
}

int main(int argc, char **argv)
{
	struct threadpool *tp;
	struct opts o;
	int lfd;

	/* first: every thread started later inherits the blocked signals */
	server_init(
	    argc, argv, "threadpool",
	    "Fixed pool: main thread accepts; N threads serve from a bounded queue (UNP design 8).",
	    0, &o);
	if (!(tp = threadpool_new(&o)))
		return 1;
	lfd = server_listen(&o, "threadpool", NET_NONBLOCK);
	if (start_workers(tp) < 0)
		return 1;
	if (net_announce(lfd) < 0) {
		stop_workers(tp);
		return 1;
	}

	/* The whole model, from main's side: accept and queue; a full queue is answered 503. */
	while (!sig_stop) {
		int fd = server_accept(lfd, "threadpool"); /* -1: a signal or a failed accept */

		if (fd >= 0 && queue_push(tp, fd) < 0)
			conn_reject(fd, 503);
	}

	close(lfd);
	if (stop_workers(tp) == 0) { /* a stuck worker may still use them: then leave them */
		free(tp->fds);
		free(tp);
	}
	return 0;
}
