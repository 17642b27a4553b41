/* poll.c -- C10K strategy 1 on poll(): one thread serves many clients, non-blocking, readiness. */
#include "evconn.h"
#include "net.h"
#include "server.h"
#include "sig.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * The watched descriptors, packed: pfd[0] is the listener, pfd[i] belongs to
 * conn[i] for i >= 1, and c->slot is c's index. A closed connection's slot
 * is refilled with the last entry, so the array never has holes and the
 * kernel is never handed a descriptor nobody waits for.
 */
struct pollset {
	struct pollfd *pfd;
	struct evconn **conn;
	int n, cap;
};

static short events_for(const struct evconn *c)
{
	return c->want == EVCONN_WRITE ? POLLOUT : POLLIN;
}

/* Append c (grows by doubling: allocation only when a new high of connections is reached). */
static int pollset_add(struct pollset *ps, struct evconn *c)
{
	if (ps->n == ps->cap) {
		int cap = ps->cap ? ps->cap * 2 : 64;
		struct pollfd *pfd = realloc(ps->pfd, cap * sizeof(*pfd));
		struct evconn **conn = pfd ? realloc(ps->conn, cap * sizeof(*conn)) : NULL;

		if (pfd)
			ps->pfd = pfd;
		if (!conn)
			return -1;
		ps->conn = conn;
		ps->cap = cap;
	}
	ps->pfd[ps->n] = (struct pollfd){ .fd = c->fd, .events = events_for(c) };
	ps->conn[ps->n] = c;
	c->slot = ps->n++;
	return 0;
}

/* Forget c and close it: the last entry moves into its slot. */
static void pollset_close(struct pollset *ps, struct evconn_set *s, struct evconn *c)
{
	int i = c->slot, last = --ps->n;

	if (i != last) {
		ps->pfd[i] = ps->pfd[last]; /* keeps its revents: it is still served this round */
		ps->conn[i] = ps->conn[last];
		ps->conn[i]->slot = i;
	}
	evconn_close(s, c);
}

/*
 * Accept a bounded batch (EVCONN_ACCEPT_BATCH, as epoll): the listener is
 * level-triggered, so the rest is reported by the next ppoll, and a connect
 * flood cannot starve the connections already open or the timeout sweep.
 * Each new connection is served at once.
 */
static void accept_some(struct pollset *ps, int lfd, struct evconn_set *s)
{
	struct evconn *c;

	for (int i = 0; i < EVCONN_ACCEPT_BATCH && (c = evconn_accept(s, lfd, "poll")); i++) {
		/* The request usually arrives with the connection: answer it now, saving a wait. */
		if (evconn_handle(s, c) == EVCONN_CLOSE || pollset_add(ps, c) < 0)
			evconn_close(s, c);
	}
}

/*
 * One pass over the array after ppoll: every entry is looked at, ready or
 * not. Returns nothing; closed entries are refilled from the end, so the
 * index only advances past an entry that stays.
 */
static void serve_ready(struct pollset *ps, struct evconn_set *s, int lfd, int nready)
{
	if (ps->pfd[0].revents) {
		accept_some(ps, lfd, s);
		nready--;
	}
	for (int i = 1; i < ps->n && nready > 0;) {
		struct evconn *c = ps->conn[i];

		if (!ps->pfd[i].revents) {
			i++;
			continue;
		}
		ps->pfd[i].revents = 0;
		nready--;
		if (evconn_handle(s, c) == EVCONN_CLOSE) {
			pollset_close(ps, s, c);
			continue; /* slot i now holds the former last entry */
		}
		ps->pfd[i++].events = events_for(c);
	}
}

int main(int argc, char **argv)
{
	struct pollset ps = { 0 };
	struct evconn listener = { .want = EVCONN_READ }; /* slot 0, not a connection */
	struct evconn_set s;
	struct evconn *c;
	struct opts o;
	int lfd, rc = 0;

	server_init(argc, argv, "poll", "One thread, non-blocking sockets, poll().", 0, &o);
	lfd = server_listen(&o, "poll", NET_NONBLOCK);
	evconn_set_init(&s, o.timeout);
	listener.fd = lfd;
	if (pollset_add(&ps, &listener) < 0 || net_announce(lfd) < 0)
		return 1;

	/*
	 * The whole model: hand the kernel the full array on every call, let it
	 * check each descriptor, then scan the array for the ready ones. Both
	 * costs are O(connections) per wake-up, however few are ready. SIGTERM
	 * is only unblocked inside ppoll, so it cannot slip in between testing
	 * sig_stop and going to sleep.
	 */
	while (!sig_stop) {
		int ms = evconn_wait_ms(&s);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		int n = ppoll(ps.pfd, (nfds_t)ps.n, ms < 0 ? NULL : &ts, &sig_waitmask);

		if (n < 0 && errno != EINTR) {
			perror("poll: ppoll");
			rc = 1;
			break;
		}
		if (n > 0)
			sig_poll(); /* a wait that did not sleep delivers no signal (sig.h) */
		evconn_tick(&s);
		if (n > 0)
			serve_ready(&ps, &s, lfd, n);
		while ((c = evconn_expired(&s)))
			pollset_close(&ps, &s, c);
	}

	while ((c = evconn_any(&s)))
		evconn_close(&s, c);
	evconn_set_free(&s);
	free(ps.pfd);
	free(ps.conn);
	close(lfd);
	return rc;
}
