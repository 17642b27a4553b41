/* epoll.c -- C10K strategy 1 on epoll: one thread serves many clients, non-blocking, readiness. */
#include "evconn.h"
#include "evepoll.h"
#include "net.h"
#include "server.h"
#include "sig.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

#define MAX_EVENTS  256 /* ready descriptors taken per wait */
#define SIG_POLL_MS 10  /* under load, SIGTERM is noticed within this */

#ifndef ACCEPT_BATCH
#define ACCEPT_BATCH 4 /* connections accepted per wake-up of the listener */
#endif

/*
 * Every connection is registered once, edge-triggered (nginx's scheme; why
 * and how is in evepoll.h): evepoll_watch(ep, EPOLL_CTL_ADD, c) at accept,
 * EPOLL_CTL_MOD only when what c waits for changes.
 *
 * Accept a bounded batch. The listener is level-triggered, so what is left
 * is reported by the next wait; draining the queue to EAGAIN instead costs
 * a failed accept4 on most wake-ups, and an unbounded loop lets a connect
 * flood starve the connections already open. The new connection is not read
 * here: the request has seldom arrived yet (an EAGAIN recv is a wasted
 * syscall), and registering it edge-triggered reports it once it has, or at
 * once if it already had.
 */
static void accept_some(int ep, int lfd, struct evconn_set *s)
{
	struct evconn *c;

	for (int i = 0; i < ACCEPT_BATCH && (c = evconn_accept(s, lfd, "epoll")); i++)
		if (evepoll_watch(ep, EPOLL_CTL_ADD, c) < 0)
			evconn_close(s, c);
}

/* c is ready with events ev: run it, then tell epoll what it waits for if that changed. */
static void serve(int ep, struct evconn_set *s, struct evconn *c, uint32_t ev)
{
	if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		c->rdhup = 1; /* no edge follows the FIN: evconn_handle reads on to EOF */
	/* close() also takes the fd out of the epoll set: nothing else refers to the socket */
	if (evconn_handle(s, c) == EVCONN_CLOSE)
		evconn_close(s, c);
	else if (evepoll_events(c) != (unsigned)c->slot && evepoll_watch(ep, EPOLL_CTL_MOD, c) < 0)
		evconn_close(s, c);
}

int main(int argc, char **argv)
{
	struct epoll_event events[MAX_EVENTS];
	struct epoll_event lev = { .events = EPOLLIN, .data.ptr = NULL }; /* NULL: the listener */
	struct evconn_set s;
	struct evconn *c;
	struct opts o;
	int lfd, ep, rc = 0;
	long sig_due = 0;

	server_init(argc, argv, "epoll", "One thread, non-blocking sockets, epoll.", 0, &o);
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
				accept_some(ep, lfd, &s);
			else
				serve(ep, &s, events[i].data.ptr, events[i].events);
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
