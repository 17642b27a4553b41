/* prethread.c -- N threads pre-created, each blocking in accept() (UNP design 7, no lock). */
#include "conn.h"
#include "net.h"
#include "pool.h"
#include "server.h"
#include "sig.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * The model's whole state, one struct on the heap with the workers' entries
 * at its end (each reaches it through its entry's owner). What main needs
 * to stop the workers: the flag they check after every accept, and the
 * connection each one is serving (pool_worker.cur_fd). Both change under
 * `lock`, so a worker either sees the flag before it starts serving or has
 * its connection in cur_fd when main shuts them all down. cur_fd can
 * briefly name a connection its worker has just closed; if another worker
 * has reused the number meanwhile, it names that worker's connection, which
 * is being shut down anyway.
 */
struct prethread {
	pthread_mutex_t lock;
	int stopping;
	int lfd;       /* the shared listener, every worker blocking in accept() on it */
	int timeout_s; /* --timeout */
	int nworkers;
	struct pool_worker workers[]; /* nworkers of them */
};

/* Record fd as worker w's connection: 0, or -1 (fd closed) when the model is stopping. */
static int claim(struct prethread *pt, struct pool_worker *w, int fd)
{
	int ok;

	pthread_mutex_lock(&pt->lock);
	ok = !pt->stopping;
	if (ok)
		w->cur_fd = fd;
	pthread_mutex_unlock(&pt->lock);
	if (!ok)
		close(fd);
	return ok ? 0 : -1;
}

static void release(struct prethread *pt, struct pool_worker *w)
{
	pthread_mutex_lock(&pt->lock);
	w->cur_fd = -1;
	pthread_mutex_unlock(&pt->lock);
}

/*
 * A worker: accept and serve, one connection at a time, until stopped.
 * There is no lock around accept(), unlike UNP's serv07: on Linux a blocking
 * accept() puts its caller on the listener's wait queue as an exclusive
 * waiter, so each incoming connection wakes exactly one thread and the
 * others sleep on. The mutex was there for old kernels (and for select()
 * on the listener, which wakes everyone); here it would only serialize.
 */
static void *worker_run(void *p)
{
	struct pool_worker *w = p;
	struct prethread *pt = w->owner;

	for (;;) {
		int fd = net_accept(pt->lfd, 0);

		if (fd < 0) {
			/*
			 * Out of descriptors, blocking accept() fails at once and
			 * most of 256 threads have no spare one to shed a client
			 * with: without the pause they would spin on the CPUs.
			 */
			net_accept_pause(errno);
			if (net_accept_transient(errno))
				continue;
			break; /* EINVAL once main has shut the listener down */
		}
		if (claim(pt, w, fd) < 0)
			break;
		conn_serve_blocking(fd, pt->timeout_s, 0);
		release(pt, w);
	}
	return NULL;
}

/*
 * Stop: shutting the listener down wakes every thread blocked in accept()
 * (it fails with EINVAL); shutting each live connection down makes its
 * worker's poll see EOF. Then join them all, within a bounded time.
 * Returns the number of workers that did not finish in time.
 */
static int stop_workers(struct prethread *pt)
{
	pthread_mutex_lock(&pt->lock);
	pt->stopping = 1;
	shutdown(pt->lfd, SHUT_RDWR);
	pool_wake(pt->workers, pt->nworkers);
	pthread_mutex_unlock(&pt->lock);
	return pool_join(pt->workers, pt->nworkers, "prethread");
}

int main(int argc, char **argv)
{
	struct prethread *pt;
	struct opts o;
	int started, stuck;

	/* first: every thread started later inherits the blocked signals */
	server_init(argc, argv, "prethread",
	            "Fixed pool: N pre-created threads, each blocking in accept() (UNP design 7).",
	            0, &o);
	if (!(pt = calloc(1, sizeof(*pt) + (size_t)o.workers * sizeof(pt->workers[0])))) {
		perror("prethread: calloc");
		return 1;
	}
	pthread_mutex_init(&pt->lock, NULL);
	pt->timeout_s = o.timeout;
	pt->nworkers = o.workers;
	for (int i = 0; i < pt->nworkers; i++)
		pt->workers[i].owner = pt;
	pt->lfd = server_listen(&o, "prethread", 0);
	if ((started = pool_start(pt->workers, pt->nworkers, worker_run, "prethread")) <
	    pt->nworkers) {
		pt->nworkers = started; /* stop the ones that did start */
		stop_workers(pt);
		return 1;
	}
	if (net_announce(pt->lfd) < 0) {
		stop_workers(pt);
		return 1;
	}

	/* The whole model, from main's side: the workers do everything; main waits for the signal.
	 */
	while (!sig_stop)
		sigsuspend(&sig_waitmask);

	stuck = stop_workers(pt);
	close(pt->lfd);
	if (stuck == 0) { /* a stuck worker may still touch the state: then leave it */
		pthread_mutex_destroy(&pt->lock);
		free(pt);
	}
	return 0;
}
