/* @NAME@.c -- from the evloop template, an epoll event loop (C10K strategy 1): say what it is. */
#include "evconn.h"
#include "net.h"
#include "server.h"
#include "sig.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

/*
 * This file is a complete, working model to start from: it obeys the model
 * contract (docs/design.md) with one thread serving many connections. The
 * loop owns only readiness: which descriptors are ready, and what each one
 * waits for next. What a connection does (read, answer every pipelined
 * request, send, linger after an error, time out) is evconn's state machine
 * (models/common/evconn.h), shared with select, poll, epoll and reuseport.
 * Connections are registered level-triggered, the registration that asks
 * nothing more of the loop (evconn.h); models/epoll shows the edge-triggered
 * one. Replace what @NAME@ is about; keep the evconn calls.
 */

#define MAX_EVENTS   64 /* ready descriptors taken per wait */
#define ACCEPT_BATCH 16 /* connections accepted per report of the listener */
#define SIG_POLL_MS  10 /* under load, SIGTERM is noticed within this */

/* What c waits for, as epoll events: while replies are pending it reads nothing. */
static uint32_t events_for(const struct evconn *c)
{
	return c->want == EVCONN_WRITE ? EPOLLOUT : EPOLLIN;
}

/* Register c for what it waits for (op: EPOLL_CTL_ADD or _MOD), kept in c->slot. 0 or -1. */
static int watch(int ep, int op, struct evconn *c)
{
	struct epoll_event ev = { .events = events_for(c), .data.ptr = c };

	c->slot = (int)ev.events;
	return epoll_ctl(ep, op, c->fd, &ev);
}

/*
 * Accept at most a batch: the listener is level-triggered, so what is left
 * is reported by the next wait, and a connect flood cannot starve the open
 * connections. A new connection waits to be reported readable.
 */
static void accept_some(int ep, int lfd, struct evconn_set *s)
{
	struct evconn *c;

	for (int i = 0; i < ACCEPT_BATCH && (c = evconn_accept(s, lfd, "@NAME@")); i++)
		if (watch(ep, EPOLL_CTL_ADD, c) < 0)
			evconn_close(s, c);
}

/* c is ready: run its state machine, then close it or follow what it waits for now. */
static void serve(int ep, struct evconn_set *s, struct evconn *c)
{
	/* close() also takes the fd out of the epoll set: nothing else refers to the socket */
	if (evconn_handle(s, c) == EVCONN_CLOSE)
		evconn_close(s, c);
	else if (events_for(c) != (uint32_t)c->slot && watch(ep, EPOLL_CTL_MOD, c) < 0)
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

	/* SIGTERM/SIGINT now only arrive in waits given sig_waitmask */
	server_init(argc, argv, "@NAME@",
	            "Event loop (the evloop template): one thread, non-blocking sockets, epoll.", 0,
	            &o);
	lfd = server_listen(&o, "@NAME@", NET_NONBLOCK);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &lev) < 0) {
		perror("@NAME@: epoll");
		return 1;
	}
	evconn_set_init(&s, o.timeout); /* the connections, their timers and buffers */
	if (net_announce(lfd) < 0)
		return 1;

	/* The model: wait until descriptors are ready or a timer is due, serve those, repeat. */
	while (!sig_stop) {
		int n = epoll_pwait(ep, events, MAX_EVENTS, evconn_wait_ms(&s), &sig_waitmask);

		if (n < 0 && errno != EINTR) {
			perror("@NAME@: epoll_pwait");
			rc = 1;
			break;
		}
		evconn_tick(&s); /* the clock every timer below reads */
		/* a wait that did not sleep delivers no signal (sig.h): look, now and then */
		if (n > 0 && s.now >= sig_due) {
			sig_poll();
			sig_due = s.now + SIG_POLL_MS;
		}
		for (int i = 0; i < n; i++) {
			if (events[i].data.ptr == NULL)
				accept_some(ep, lfd, &s);
			else
				serve(ep, &s, events[i].data.ptr);
		}
		/* idle past --timeout, or done lingering after an error reply */
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
