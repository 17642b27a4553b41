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
 * The queue between main and the pool: a ring of accepted fds, guarded by
 * one mutex, with a condition variable for "not empty".
 *
 * Its capacity is --max-conns (default 1024): at most that many accepted
 * connections wait for a worker, on top of the N being served. It must be
 * deep, because a worker holds a keep-alive connection until the client
 * closes it, so with C persistent clients and N workers, C - N connections
 * wait here; too shallow and an ordinary keep-alive load is refused. It must
 * be bounded, because a connection waiting here has no timeout running and
 * costs a descriptor. When it is full, main answers 503 and closes
 * (conn_reject): refusing fast is better than queueing without limit, and
 * the client learns it was load, not a failure.
 */
struct queue {
	pthread_mutex_t lock;
	pthread_cond_t nonempty;
	int *fds;
	int cap, head, len; /* fds[head], ... (len of them, wrapping at cap) */
	int stopping;       /* set once: workers leave instead of waiting */
};

static struct queue q = { .lock = PTHREAD_MUTEX_INITIALIZER, .nonempty = PTHREAD_COND_INITIALIZER };
static struct pool_worker *workers; /* cur_fd: the connection it serves, under q.lock */
static int nworkers, timeout_s;

/* Queue fd for the pool: 0, or -1 when the queue is full (the caller rejects it). */
static int queue_push(int fd)
{
	int ok;

	pthread_mutex_lock(&q.lock);
	ok = q.len < q.cap;
	if (ok) {
		q.fds[(q.head + q.len) % q.cap] = fd;
		q.len++;
		pthread_cond_signal(&q.nonempty);
	}
	pthread_mutex_unlock(&q.lock);
	return ok ? 0 : -1;
}

/*
 * Take the next connection for worker w, waiting while the queue is empty,
 * and record it as w's current one. Returns the fd, or -1 when stopping.
 */
static int queue_pop(struct pool_worker *w)
{
	int fd = -1;

	pthread_mutex_lock(&q.lock);
	while (q.len == 0 && !q.stopping)
		pthread_cond_wait(&q.nonempty, &q.lock);
	if (!q.stopping) {
		fd = q.fds[q.head];
		q.head = (q.head + 1) % q.cap;
		q.len--;
	}
	w->cur_fd = fd;
	pthread_mutex_unlock(&q.lock);
	return fd;
}

static void worker_done(struct pool_worker *w)
{
	pthread_mutex_lock(&q.lock);
	w->cur_fd = -1;
	pthread_mutex_unlock(&q.lock);
}

/* A pool thread: serve queued connections one after the other, a whole connection at a time. */
static void *worker_run(void *p)
{
	struct pool_worker *w = p;
	int fd;

	while ((fd = queue_pop(w)) >= 0) {
		conn_serve_blocking(fd, timeout_s, 0);
		worker_done(w);
	}
	return NULL;
}

/*
 * Stop: wake idle workers (broadcast), wake busy ones by shutting their
 * connection down, close the connections still queued (never served), and
 * join every worker within a bounded time. Returns the workers not joined.
 */
static int stop_workers(void)
{
	pthread_mutex_lock(&q.lock);
	q.stopping = 1;
	pthread_cond_broadcast(&q.nonempty);
	pool_wake(workers, nworkers);
	for (; q.len > 0; q.len--, q.head = (q.head + 1) % q.cap)
		close(q.fds[q.head]);
	pthread_mutex_unlock(&q.lock);
	return pool_join(workers, nworkers, "threadpool");
}

/* Create the pool: 0, or -1 (the workers that did start are stopped). */
static int start_workers(void)
{
	int started = pool_start(workers, nworkers, worker_run, "threadpool");

	if (started == nworkers)
		return 0;
	nworkers = started;
	stop_workers();
	return -1;
}

int main(int argc, char **argv)
{
	struct opts o;
	int lfd;

	/* first: every thread started later inherits the blocked signals */
	server_init(
	    argc, argv, "threadpool",
	    "Fixed pool: main thread accepts; N threads serve from a bounded queue (UNP design 8).",
	    0, &o);
	nworkers = o.workers;
	timeout_s = o.timeout;
	q.cap = o.max_conns;
	if (!(q.fds = calloc((size_t)q.cap, sizeof(*q.fds))) ||
	    !(workers = calloc((size_t)nworkers, sizeof(*workers)))) {
		perror("threadpool: calloc");
		return 1;
	}
	lfd = server_listen(&o, "threadpool", NET_NONBLOCK);
	if (start_workers() < 0)
		return 1;
	if (net_announce(lfd) < 0) {
		stop_workers();
		return 1;
	}

	/* The whole model, from main's side: accept and queue; a full queue is answered 503. */
	while (!sig_stop) {
		int fd = server_accept(lfd, "threadpool"); /* -1: a signal or a failed accept */

		if (fd >= 0 && queue_push(fd) < 0)
			conn_reject(fd, 503);
	}

	close(lfd);
	if (stop_workers() == 0) { /* a stuck worker may still use them: then leave them */
		free(workers);
		free(q.fds);
	}
	return 0;
}
