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
 * What main needs to stop the workers: the flag they check after every
 * accept, and the connection each one is serving (pool_worker.cur_fd). Both change
 * under `lock`, so a worker either sees the flag before it starts serving
 * or has its connection in cur_fd when main shuts them all down. cur_fd can
 * briefly name a connection its worker has just closed; if another worker
 * has reused the number meanwhile, it names that worker's connection, which
 * is being shut down anyway.
 */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int stopping;
static struct pool_worker *workers;
static int nworkers, lfd, timeout_s;

/* Record fd as worker w's connection: 0, or -1 (fd closed) when the model is stopping. */
static int claim(struct pool_worker *w, int fd)
{
	int ok;

	pthread_mutex_lock(&lock);
	ok = !stopping;
	if (ok)
		w->cur_fd = fd;
	pthread_mutex_unlock(&lock);
	if (!ok)
		close(fd);
	return ok ? 0 : -1;
}

static void release(struct pool_worker *w)
{
	pthread_mutex_lock(&lock);
	w->cur_fd = -1;
	pthread_mutex_unlock(&lock);
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

	for (;;) {
		int fd = net_accept(lfd, 0);

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
		if (claim(w, fd) < 0)
			break;
		conn_serve_blocking(fd, timeout_s, 0);
		release(w);
	}
	return NULL;
}

/*
 * Stop: shutting the listener down wakes every thread blocked in accept()
 * (it fails with EINVAL); shutting each live connection down makes its
 * worker's poll see EOF. Then join them all, within a bounded time.
 * Returns the number of workers that did not finish in time.
 */
static int stop_workers(void)
{
	pthread_mutex_lock(&lock);
	stopping = 1;
	shutdown(lfd, SHUT_RDWR);
	pool_wake(workers, nworkers);
	pthread_mutex_unlock(&lock);
	return pool_join(workers, nworkers, "prethread");
}

int main(int argc, char **argv)
{
	struct opts o;
	int started;

	/* first: every thread started later inherits the blocked signals */
	server_init(argc, argv, "prethread",
	            "Fixed pool: N pre-created threads, each blocking in accept() (UNP design 7).",
	            0, &o);
	nworkers = o.workers;
	timeout_s = o.timeout;
	if (!(workers = calloc((size_t)nworkers, sizeof(*workers)))) {
		perror("prethread: calloc");
		return 1;
	}
	lfd = server_listen(&o, "prethread", 0);
	if ((started = pool_start(workers, nworkers, worker_run, "prethread")) < nworkers) {
		nworkers = started; /* stop the ones that did start */
		stop_workers();
		return 1;
	}
	if (net_announce(lfd) < 0) {
		stop_workers();
		return 1;
	}

	/* The whole model, from main's side: the workers do everything; main waits for the signal.
	 */
	while (!sig_stop)
		sigsuspend(&sig_waitmask);

	if (stop_workers() == 0)
		free(workers); /* a stuck worker may still touch its entry: then leave it */
	close(lfd);
	return 0;
}
