/* evworker.h -- N threads, each its own epoll loop of evconns: the multi-reactor's worker.
 *
 * reuseport and epoll-shared differ only in where a worker's listener comes
 * from (its own SO_REUSEPORT socket, or one socket shared by all with
 * EPOLLEXCLUSIVE); the loop a worker runs, and starting and stopping them,
 * are the same and live here. A worker is the epoll model's loop: its own
 * epoll instance, connections registered edge-triggered (evepoll.h), a
 * bounded accept batch per wake-up of its level-triggered listener.
 *
 * When descriptors run out (EMFILE/ENFILE), net_accept sheds the client on
 * this thread's reserve descriptor; but another thread of the process can
 * take the freed descriptor number between the release and the accept, and
 * the listener, still readable, would then be reported again at once, a
 * spin until descriptors free up. So after an accept that failed for want
 * of descriptors, the worker stops watching its listener for
 * NET_OUT_OF_FDS_PAUSE_MS (net.h; nginx does the same): the spin is bounded,
 * whoever wins the race.
 */
#ifndef EVWORKER_H
#define EVWORKER_H

#include <pthread.h>

struct evworker {
	pthread_t tid;
	int lfd;           /* the listener this worker accepts from (maybe shared) */
	unsigned lev;      /* its epoll events: EPOLLIN, | EPOLLEXCLUSIVE when shared */
	int ep;            /* this worker's own epoll instance */
	int stop;          /* an eventfd shared by all: readable once the workers must stop */
	int timeout;       /* --timeout seconds */
	const char *model; /* for the stderr lines */
	long paused_until; /* ms (evconn_set.now): listener unwatched until then; 0: watched */
};

/*
 * n workers of model, each closing connections idle for timeout_s, with no
 * listener or epoll instance yet and one new stop eventfd between them.
 * NULL on failure, after "<model>: setup: <reason>" on stderr.
 */
struct evworker *evworker_new(int n, int timeout_s, const char *model);

/*
 * Give w its epoll instance watching lfd (for events lev) and the stop
 * eventfd. 0, or -1 after "<model>: epoll: <reason>" on stderr.
 */
int evworker_setup(struct evworker *w, int lfd, unsigned lev);

/*
 * Start a thread per worker (ws[0..n), set up), wait for SIGTERM/SIGINT in
 * the calling thread (the only one that takes them, sig.h), then make every
 * worker close its connections and return, and join them. Returns 0, or 1
 * if a thread could not start.
 */
int evworker_run_all(struct evworker *ws, int n);

/* Close the workers' epoll instances and stop eventfd, and free ws; the listeners stay open. */
void evworker_free(struct evworker *ws, int n);

#endif
