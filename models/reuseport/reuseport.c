/* reuseport.c -- nginx-style multi-reactor: per worker an epoll loop, a SO_REUSEPORT listener. */
#include "evconn.h"
#include "evepoll.h"
#include "net.h"
#include "server.h"
#include "sig.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define MAX_EVENTS 256 /* ready descriptors taken per wait */

/*
 * Threads, not processes: the workers share nothing on the hot path anyway
 * (own listener, own epoll, own connections; the reply cache and the EMFILE
 * reserve descriptor are per thread), one process keeps the harness's
 * rusage exact without reaping children, and stopping is a join. nginx uses
 * processes for isolation and privilege separation, which a benchmark does
 * not need.
 */
struct worker {
	pthread_t tid;
	int lfd;  /* this worker's own listener: the kernel picks which one gets a connection */
	int ep;   /* this worker's own epoll instance */
	int stop; /* an eventfd shared by all: readable once the workers must stop */
	int timeout;
};

static char stop_tag; /* epoll data of the stop eventfd; the listener's is NULL */

#define ACCEPT_BATCH 4 /* connections accepted per wake-up of the listener */

/* Connections are registered edge-triggered, once, as in epoll.c (evepoll.h). */
/*
 * Accept a bounded batch from this worker's queue (the listener is level-
 * triggered: the rest is reported by the next wait) and register each new
 * connection without reading it: its request is reported once it arrives.
 */
static void accept_some(struct worker *w, struct evconn_set *s)
{
	struct evconn *c;

	for (int i = 0; i < ACCEPT_BATCH && (c = evconn_accept(s, w->lfd, "reuseport")); i++)
		if (evepoll_watch(w->ep, EPOLL_CTL_ADD, c) < 0)
			evconn_close(s, c);
}

static void serve(int ep, struct evconn_set *s, struct evconn *c, uint32_t ev)
{
	if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		c->rdhup = 1; /* no edge follows the FIN: evconn_handle reads on to EOF */
	if (evconn_handle(s, c) == EVCONN_CLOSE)
		evconn_close(s, c);
	else if (evepoll_events(c) != (unsigned)c->slot && evepoll_watch(ep, EPOLL_CTL_MOD, c) < 0)
		evconn_close(s, c);
}

/*
 * One reactor: the epoll model's loop, on its own listener. There is no
 * accept lock and no shared accept queue: the kernel hashes each new
 * connection to one listener of the group, so a worker only ever wakes for
 * its own clients (no thundering herd).
 */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event events[MAX_EVENTS];
	struct evconn_set s;
	struct evconn *c;
	int running = 1;

	evconn_set_init(&s, w->timeout);
	while (running) {
		int n = epoll_wait(w->ep, events, MAX_EVENTS, evconn_wait_ms(&s));

		if (n < 0 && errno != EINTR) {
			perror("reuseport: epoll_wait");
			break;
		}
		evconn_tick(&s);
		for (int i = 0; i < n; i++) {
			if (events[i].data.ptr == NULL)
				accept_some(w, &s);
			else if (events[i].data.ptr == &stop_tag)
				running = 0; /* never read: it stays readable for every worker */
			else
				serve(w->ep, &s, events[i].data.ptr, events[i].events);
		}
		while ((c = evconn_expired(&s)))
			evconn_close(&s, c);
	}
	while ((c = evconn_any(&s)))
		evconn_close(&s, c);
	evconn_set_free(&s);
	return NULL;
}

/* Listener and epoll set for worker i; the first binds o->port, the rest the port it got. */
static int worker_setup(struct worker *ws, int i, const struct opts *o, int stop)
{
	struct worker *w = &ws[i];
	struct epoll_event lev = { .events = EPOLLIN, .data.ptr = NULL };
	struct epoll_event sev = { .events = EPOLLIN, .data.ptr = &stop_tag };
	int port = i == 0 ? o->port : net_port(ws[0].lfd);
	char err[256];

	w->stop = stop;
	w->timeout = o->timeout;
	w->lfd = net_listen(o->host, port, NET_NONBLOCK | NET_REUSEPORT, err, sizeof(err));
	if (w->lfd < 0) {
		fprintf(stderr, "reuseport: %s\n", err);
		return -1;
	}
	if ((w->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(w->ep, EPOLL_CTL_ADD, w->lfd, &lev) < 0 ||
	    epoll_ctl(w->ep, EPOLL_CTL_ADD, stop, &sev) < 0) {
		perror("reuseport: epoll");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct worker *ws;
	struct opts o;
	int stop, started = 0, rc = 1;
	uint64_t one = 1;

	/* before the threads: they inherit the blocked signals */
	server_init(argc, argv, "reuseport",
	            "Multi-reactor: --workers threads, each an epoll loop on its own SO_REUSEPORT "
	            "listener.",
	            SERVER_WORKERS_CPUS, &o);
	if (!(ws = calloc((size_t)o.workers, sizeof(*ws))) ||
	    (stop = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		perror("reuseport: setup");
		return 1;
	}
	for (int i = 0; i < o.workers; i++)
		ws[i].lfd = ws[i].ep = -1;
	/* Every listener exists before the first connection, so the kernel spreads all of them. */
	for (int i = 0; i < o.workers; i++)
		if (worker_setup(ws, i, &o, stop) < 0)
			goto out;
	if (net_announce(ws[0].lfd) < 0)
		goto out;
	for (; started < o.workers; started++) {
		int e = pthread_create(&ws[started].tid, NULL, worker_main, &ws[started]);

		if (e) {
			fprintf(stderr, "reuseport: pthread_create: %s\n", strerror(e));
			goto out;
		}
	}
	rc = 0;

	/* The main thread only waits for SIGTERM/SIGINT (delivered only here, race-free). */
	while (!sig_stop)
		sigsuspend(&sig_waitmask);
out:
	if (started > 0 && write(stop, &one, sizeof(one)) != sizeof(one)) {
		perror("reuseport: stop");
		rc = 1;
	}
	for (int i = 0; i < started; i++)
		pthread_join(ws[i].tid, NULL);
	for (int i = 0; i < o.workers; i++) {
		if (ws[i].ep >= 0)
			close(ws[i].ep);
		if (ws[i].lfd >= 0)
			close(ws[i].lfd);
	}
	close(stop);
	free(ws);
	return rc;
}
