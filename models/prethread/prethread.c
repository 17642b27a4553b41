/* prethread.c -- N threads pre-created, each blocking in accept() (UNP design 7, no lock). */
#include "conn.h"
#include "net.h"
#include "server.h"
#include "sig.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Small stacks, as in thread.c: glibc puts the 24 KiB of static TLS in the same block. */
#define THREAD_STACK  (256 * 1024)
#define STOP_GRACE_MS 800 /* how long main waits for each worker to finish */

/*
 * What main needs to stop the workers: the flag they check after every
 * accept, and the connection each one is serving (-1: none). Both change
 * under `lock`, so a worker either sees the flag before it starts serving
 * or has its connection in cur_fd when main shuts them all down. cur_fd can
 * briefly name a connection its worker has just closed; if another worker
 * has reused the number meanwhile, it names that worker's connection, which
 * is being shut down anyway.
 */
struct worker {
	pthread_t tid;
	int cur_fd;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int stopping;
static struct worker *workers;
static int nworkers, lfd, timeout_s;

/* Record fd as worker w's connection: 0, or -1 (fd closed) when the model is stopping. */
static int claim(struct worker *w, int fd)
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

static void release(struct worker *w)
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
	struct worker *w = p;

	for (;;) {
		int fd = net_accept(lfd, 0);

		if (fd < 0) {
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
	int stuck = 0;
	struct timespec deadline;

	pthread_mutex_lock(&lock);
	stopping = 1;
	shutdown(lfd, SHUT_RDWR);
	for (int i = 0; i < nworkers; i++)
		if (workers[i].cur_fd >= 0)
			shutdown(workers[i].cur_fd, SHUT_RDWR);
	pthread_mutex_unlock(&lock);

	server_deadline(&deadline, STOP_GRACE_MS);
	for (int i = 0; i < nworkers; i++) {
		int e = pthread_timedjoin_np(workers[i].tid, NULL, &deadline);

		if (e != 0) {
			fprintf(stderr, "prethread: worker %d not joined: %s\n", i, strerror(e));
			stuck++;
		}
	}
	return stuck;
}

int main(int argc, char **argv)
{
	pthread_attr_t attr;
	struct opts o;

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
	if (pthread_attr_init(&attr) != 0 || pthread_attr_setstacksize(&attr, THREAD_STACK) != 0) {
		fprintf(stderr, "prethread: thread attributes refused\n");
		return 1;
	}
	for (int i = 0; i < nworkers; i++) {
		int e;

		workers[i].cur_fd = -1;
		if ((e = pthread_create(&workers[i].tid, &attr, worker_run, &workers[i])) != 0) {
			fprintf(stderr, "prethread: cannot start worker %d: %s\n", i, strerror(e));
			nworkers = i; /* stop the ones that did start */
			stop_workers();
			return 1;
		}
	}
	pthread_attr_destroy(&attr);
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
