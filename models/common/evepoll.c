/* evepoll.c -- edge-triggered epoll registration of an evconn (see evepoll.h). */
#include "evepoll.h"

#include <errno.h>
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

int evepoll_accept(int ep, int lfd, struct evconn_set *s, const char *model, int batch)
{
	struct evconn *c;
	int i;

	for (i = 0; i < batch && (c = evconn_accept(s, lfd, model)); i++)
		if (evepoll_watch(ep, EPOLL_CTL_ADD, c) < 0)
			evconn_close(s, c);
	return i < batch && (errno == EMFILE || errno == ENFILE) ? -1 : 0;
}

int evepoll_apply(int ep, struct evconn_set *s, struct evconn *c, int w)
{
	/* close() also takes the fd out of the epoll set: nothing else refers to the socket */
	if (w != EVCONN_CLOSE && evepoll_events(c) != (unsigned)c->slot &&
	    evepoll_watch(ep, EPOLL_CTL_MOD, c) < 0)
		w = EVCONN_CLOSE;
	if (w == EVCONN_CLOSE)
		evconn_close(s, c);
	return w;
}

int evepoll_serve(int ep, struct evconn_set *s, struct evconn *c, unsigned ev)
{
	if (evconn_closed(c)) /* closed earlier in this batch (evepoll.h): the event is stale */
		return EVCONN_CLOSE;
	if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		c->rdhup = 1; /* no edge follows the FIN: evconn_handle reads on to EOF */
	return evepoll_apply(ep, s, c, evconn_handle(s, c));
}
