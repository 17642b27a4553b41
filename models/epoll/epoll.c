/* epoll.c -- C10K strategy 1 on epoll: one thread serves many clients, non-blocking, readiness. */
#include "evconn.h"
#include "net.h"
#include "opts.h"
#include "resp.h"
#include "sig.h"

#include <errno.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

#define MAX_EVENTS 256 /* ready descriptors taken per wait */

/*
 * Level-triggered, deliberately. Each connection is registered for exactly
 * what it waits for (EPOLLIN, or EPOLLOUT while replies are pending), so a
 * keep-alive connection is registered once and changed only when a send
 * comes up short: no epoll_ctl per request, the usual argument for edge
 * triggering. Level triggering then gives two things edge triggering would
 * cost extra syscalls or bookkeeping for: after a short read we go back to
 * the loop instead of reading on to EAGAIN, and a connection that stops
 * reading while its replies are pending (back-pressure) is simply reported
 * again later, instead of needing a "still readable" flag of our own.
 */
static int watch(int ep, int op, struct evconn *c)
{
	struct epoll_event ev = { .events = c->want == EVCONN_WRITE ? EPOLLOUT : EPOLLIN,
				  .data.ptr = c };

	return epoll_ctl(ep, op, c->fd, &ev);
}

/* Accept until the queue is empty; each new connection is served at once. */
static void accept_all(int ep, int lfd, struct evconn_set *s)
{
	for (;;) {
		int fd = net_accept(lfd, NET_NONBLOCK);
		struct evconn *c;

		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EMFILE && errno != ENFILE)
				perror("epoll: accept");
			return; /* EMFILE: net_accept shed one; the rest wait for the next round */
		}
		if (!(c = evconn_open(s, fd))) {
			close(fd);
			continue;
		}
		/* The request usually arrives with the connection: answer it now, saving a wait. */
		if (evconn_handle(s, c) == EVCONN_CLOSE || watch(ep, EPOLL_CTL_ADD, c) < 0)
			evconn_close(s, c);
	}
}

/* c is ready: run it, then tell epoll what it waits for if that changed. */
static void serve(int ep, struct evconn_set *s, struct evconn *c)
{
	int before = c->want;

	/* close() also takes the fd out of the epoll set: nothing else refers to the socket */
	if (evconn_handle(s, c) == EVCONN_CLOSE)
		evconn_close(s, c);
	else if (c->want != before && watch(ep, EPOLL_CTL_MOD, c) < 0)
		evconn_close(s, c);
}

int main(int argc, char **argv)
{
	struct epoll_event events[MAX_EVENTS];
	struct epoll_event lev = { .events = EPOLLIN, .data.ptr = NULL }; /* NULL: the listener */
	struct evconn_set s;
	struct evconn *c;
	struct opts o;
	char err[256];
	int lfd, ep, rc = 0;

	opts_parse(argc, argv, "epoll", "One thread, non-blocking sockets, epoll.", &o);
	resp_init("epoll");
	if (sig_init() < 0) {
		perror("epoll: signals");
		return 1;
	}
	if ((lfd = net_listen(o.host, o.port, NET_NONBLOCK, err, sizeof(err))) < 0) {
		fprintf(stderr, "epoll: %s\n", err);
		return 1;
	}
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
		if (n > 0)
			sig_poll(); /* a wait that did not sleep delivers no signal (sig.h) */
		evconn_tick(&s);
		for (int i = 0; i < n; i++) {
			if (events[i].data.ptr == NULL)
				accept_all(ep, lfd, &s);
			else
				serve(ep, &s, events[i].data.ptr);
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
