/* epoll.c -- C10K strategy 1 on epoll: one thread serves many clients, non-blocking, readiness. */
#include "evconn.h"
#include "evepoll.h"
#include "net.h"
#include "server.h"
#include "sig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#define MAX_EVENTS  256 /* ready descriptors taken per wait */
#define SIG_POLL_MS 10  /* under load, SIGTERM is noticed within this */

/*
 * Every connection is registered once, edge-triggered (nginx's scheme; why
 * and how is in evepoll.h): evepoll_watch(ep, EPOLL_CTL_ADD, c) at accept,
 * EPOLL_CTL_MOD only when what c waits for changes. The listener is
 * level-triggered, and each of its reports accepts a bounded batch
 * (evepoll_accept): an unbounded loop would let a connect flood starve the
 * connections already open. How large a batch is --accept-batch (its
 * variants, README.md): one accept per wait, EVCONN_ACCEPT_BATCH, or many.
 */
static const char *const batches[] = { "1", "4", "64", NULL };
int main(int argc, char **argv)
{
	struct epoll_event events[MAX_EVENTS];
	struct epoll_event lev = { .events = EPOLLIN, .data.ptr = NULL }; /* NULL: the listener */
	struct evconn_set s;
	struct evconn *c;
	struct opts_choice batch = { .name = "accept-batch",
		                     .values = batches,
		                     .index = 1, /* EVCONN_ACCEPT_BATCH */
		                     .help = "connections accepted per report of the listener" };
	struct opts o;
	int lfd, ep, rc = 0, nbatch;
	long sig_due = 0;

	server_init_choice(argc, argv, "epoll", "One thread, non-blocking sockets, epoll.", 0,
	                   &batch, &o);
	nbatch = atoi(batches[batch.index]);
	lfd = server_listen(&o, "epoll", NET_NONBLOCK);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) < 0) {
		perror("epoll: epoll");
		return 1;
	}
	evconn_set_init(&s, o.timeout);
	if (net_announce(lfd) < 0)
		return 1;

	/*
	 * The whole model: sleep until some descriptors are ready or the next
	 * idle timer is due, then serve exactly those. The cost of a wait grows
	 * with the number of ready descriptors, not with the number watched.
	 * SIGTERM is only unblocked inside epoll_pwait, so it cannot slip in
	 * between testing sig_stop and going to sleep.
	 */
	while (!sig_stop) {
		int n = epoll_pwait(ep, events, MAX_EVENTS, evconn_wait_ms(&s), &sig_waitmask);

		if (n < 0 && errno != EINTR) {
			perror("epoll: epoll_pwait");
			rc = 1;
			break;
		}
		evconn_tick(&s);
		/*
		 * A wait that did not sleep delivers no signal (sig.h): look for
		 * one, but at most every SIG_POLL_MS, not on every busy wake-up.
		 */
		if (n > 0 && s.now >= sig_due) {
			sig_poll();
			sig_due = s.now + SIG_POLL_MS;
		}
		for (int i = 0; i < n; i++) {
			if (events[i].data.ptr == NULL)
				evepoll_accept(ep, lfd, &s, "epoll", nbatch);
			else
				evepoll_serve(ep, &s, events[i].data.ptr, events[i].events);
		}
		while ((c = evconn_expired(&s)))
			evconn_close(&s, c);
	}

	while ((c = evconn_any(&s)))
		evconn_close(&s, c);
	evconn_set_free(&s);
	close(ep);
	close(lfd);
	return rc;
}
