/* evepoll.h -- how the epoll loops (epoll, reuseport) register an evconn. */
#ifndef EVEPOLL_H
#define EVEPOLL_H

#include "evconn.h"

/*
 * Edge-triggered, registered once: nginx's scheme. A level-triggered set
 * puts every descriptor it reports back on its ready list and polls the
 * socket again on the next wait; an edge-triggered one reports a
 * descriptor again only when something new happens to it. evconn_handle
 * reads until EAGAIN or a short read, which is all edge triggering needs, given the three things
 * evconn.h asks of the loop: pass on EPOLLRDHUP, watch a lingering
 * connection level-triggered, and arm EPOLLOUT while replies are pending
 * (armed only then: armed from the start, every new connection would be
 * reported writable at once, an extra wake-up per connection). The events
 * registered are kept in c->slot, so epoll_ctl runs only when they change,
 * which for a keep-alive connection is never after the first.
 *
 * evepoll_watch: epoll_ctl(ep, op, c->fd) with the events c waits for now
 * (op: EPOLL_CTL_ADD or EPOLL_CTL_MOD), remembered in c->slot. 0 or -1.
 */
int evepoll_watch(int ep, int op, struct evconn *c);

/* The events c should be registered for now (c->slot holds those it is). */
unsigned evepoll_events(const struct evconn *c);

/*
 * The listener (level-triggered) is ready: accept up to batch connections
 * (EVCONN_ACCEPT_BATCH but where a model measures its own) and register each, without reading it
 * (its request has seldom arrived yet: an EAGAIN recv is a wasted syscall;
 * registered edge-triggered, it is reported once it has, or at once if it
 * already had). What is left in the queue is reported by the next wait.
 * Returns -1 when accepting stopped because descriptors ran out
 * (EMFILE/ENFILE; net_accept shed the client), else 0.
 */
int evepoll_accept(int ep, int lfd, struct evconn_set *s, const char *model, int batch);

/*
 * c's step returned w (evconn_handle, evconn_resume): close c for
 * EVCONN_CLOSE, else re-register it if the events it waits for changed
 * (closing it if epoll_ctl fails). Returns w, or EVCONN_CLOSE if it closed c.
 */
int evepoll_apply(int ep, struct evconn_set *s, struct evconn *c, int w);

/*
 * c is ready with events ev: note a FIN (EPOLLRDHUP/HUP/ERR: no edge follows
 * it, evconn.h), run it (evconn_handle) and evepoll_apply the result, which
 * it returns. An event naming a connection closed earlier in the batch is
 * skipped (EVCONN_CLOSE): that happens only in a loop that closes other
 * connections between two events (offload's finished work), never in a
 * plain epoll loop, where a wait reports each descriptor once and an event
 * closes only its own connection.
 */
int evepoll_serve(int ep, struct evconn_set *s, struct evconn *c, unsigned ev);

#endif
