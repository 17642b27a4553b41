/* evepoll.c -- edge-triggered epoll registration of an evconn (see evepoll.h). */
#include "evepoll.h"

#include <sys/epoll.h>

unsigned evepoll_events(const struct evconn *c)
{
	if (c->lingering)
		return EPOLLIN; /* conn_drain reads a bounded slice: it must be reported again */
	if (c->want == EVCONN_WRITE)
		return EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
	return EPOLLIN | EPOLLRDHUP | EPOLLET;
}

int evepoll_watch(int ep, int op, struct evconn *c)
{
	struct epoll_event ev = { .events = evepoll_events(c), .data.ptr = c };

	c->slot = (int)ev.events;
	return epoll_ctl(ep, op, c->fd, &ev);
}
