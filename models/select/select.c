/* select.c -- C10K strategy 1 on select(): one thread, many clients, non-blocking, readiness. */
#include "evconn.h"
#include "net.h"
#include "server.h"
#include "sig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/select.h>
#include <unistd.h>

/*
 * What each descriptor waits for, as the two bitmaps select() takes, and the
 * connection behind each descriptor number. An fd_set has room for
 * descriptors 0 .. FD_SETSIZE-1 (1024) only: FD_SET on a larger one writes
 * past its end, so such a connection is refused (see accept_some).
 */
struct fdtable {
	fd_set rd, wr;
	int maxfd; /* highest descriptor in rd or wr */
	struct evconn *conn[FD_SETSIZE];
};

/* Make the bitmaps say what c waits for. */
static void watch(struct fdtable *t, struct evconn *c)
{
	FD_CLR(c->fd, &t->rd);
	FD_CLR(c->fd, &t->wr);
	FD_SET(c->fd, c->want == EVCONN_WRITE ? &t->wr : &t->rd);
	t->conn[c->fd] = c;
	if (c->fd > t->maxfd)
		t->maxfd = c->fd;
}

/* Forget c before closing it: its number may come straight back from the next accept. */
static void forget_and_close(struct fdtable *t, struct evconn_set *s, struct evconn *c)
{
	FD_CLR(c->fd, &t->rd);
	FD_CLR(c->fd, &t->wr);
	t->conn[c->fd] = NULL;
	while (t->maxfd >= 0 && !FD_ISSET(t->maxfd, &t->rd) && !FD_ISSET(t->maxfd, &t->wr))
		t->maxfd--;
	evconn_close(s, c);
}

/*
 * Accept a bounded batch (EVCONN_ACCEPT_BATCH, as epoll): the listener is
 * level-triggered, so the rest is reported by the next pselect, and a
 * connect flood cannot starve the connections already open or the timeout
 * sweep. Each new connection is served at once.
 */
static void accept_some(struct fdtable *t, int lfd, struct evconn_set *s)
{
	struct evconn *c;

	for (int i = 0; i < EVCONN_ACCEPT_BATCH && (c = evconn_accept(s, lfd, "select")); i++) {
		if (c->fd >= FD_SETSIZE) {
			/* select() cannot watch it: refuse the client rather than corrupt memory */
			evconn_close(s, c);
			continue;
		}
		/* The request usually arrives with the connection: answer it now, saving a wait. */
		if (evconn_handle(s, c) == EVCONN_CLOSE)
			evconn_close(s, c); /* never watched: nothing to forget */
		else
			watch(t, c);
	}
}

/* Scan every descriptor number up to maxfd for the ready ones. */
static void serve_ready(struct fdtable *t, struct evconn_set *s, int lfd, fd_set *rd, fd_set *wr,
                        int nready)
{
	int top = t->maxfd; /* those accepted during the pass are not in rd/wr: next round */

	for (int fd = 0; fd <= top && nready > 0; fd++) {
		struct evconn *c;

		if (!FD_ISSET(fd, rd) && !FD_ISSET(fd, wr))
			continue;
		nready -= FD_ISSET(fd, rd) + FD_ISSET(fd, wr);
		if (fd == lfd) {
			accept_some(t, lfd, s);
			continue;
		}
		if (!(c = t->conn[fd]))
			continue; /* defensive: only the descriptor in hand is closed during a pass
			           */
		if (evconn_handle(s, c) == EVCONN_CLOSE)
			forget_and_close(t, s, c);
		else
			watch(t, c);
	}
}

int main(int argc, char **argv)
{
	struct fdtable *t;
	struct evconn_set s;
	struct evconn *c;
	struct opts o;
	int lfd, rc = 0;

	server_init(argc, argv, "select", "One thread, non-blocking sockets, select().", 0, &o);
	lfd = server_listen(&o, "select", NET_NONBLOCK);
	if (lfd >= FD_SETSIZE || !(t = calloc(1, sizeof(*t)))) {
		fprintf(stderr, "select: cannot watch the listener\n");
		return 1;
	}
	FD_SET(lfd, &t->rd);
	t->maxfd = lfd;
	evconn_set_init(&s, o.timeout);
	if (net_announce(lfd) < 0)
		return 1;

	/*
	 * The whole model: copy both bitmaps (select overwrites them with the
	 * answer), let the kernel test every descriptor up to maxfd, then test
	 * every bit ourselves: O(highest descriptor) per wake-up, however few are
	 * ready. SIGTERM is only unblocked inside pselect, so it cannot slip in
	 * between testing sig_stop and going to sleep.
	 */
	while (!sig_stop) {
		int ms = evconn_wait_ms(&s);
		struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
		fd_set rd = t->rd, wr = t->wr;
		int n = pselect(t->maxfd + 1, &rd, &wr, NULL, ms < 0 ? NULL : &ts, &sig_waitmask);

		if (n < 0 && errno != EINTR) {
			perror("select: pselect");
			rc = 1;
			break;
		}
		if (n > 0)
			sig_poll(); /* a wait that did not sleep delivers no signal (sig.h) */
		evconn_tick(&s);
		if (n > 0)
			serve_ready(t, &s, lfd, &rd, &wr, n);
		while ((c = evconn_expired(&s)))
			forget_and_close(t, &s, c);
	}

	while ((c = evconn_any(&s)))
		evconn_close(&s, c);
	evconn_set_free(&s);
	free(t);
	close(lfd);
	return rc;
}
