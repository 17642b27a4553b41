/* prefork.c -- N children pre-forked, each blocking in accept() (UNP design 2, no accept lock). */
#include "conn.h"
#include "net.h"
#include "procpool.h"
#include "server.h"
#include "sig.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

static int lfd, timeout_s;

/*
 * A child: accept and serve, one connection at a time, until killed.
 * The listener is blocking and shared by every child; Linux wakes exactly
 * one of the processes sleeping in accept() per connection (exclusive wait),
 * so there is no thundering herd and no lock around accept is needed.
 */
static void child_run(struct procpool *p, int i)
{
	(void)p;
	(void)i;
	for (;;) {
		int fd = net_accept(lfd, 0);

		if (fd >= 0) {
			conn_serve_blocking(fd, timeout_s, 0);
			continue;
		}
		if (!net_accept_transient(errno)) {
			perror("prefork: accept");
			_exit(1);
		}
	}
}

int main(int argc, char **argv)
{
	struct procpool pool = { .model = "prefork", .child = child_run };
	struct opts o;

	/* first: the children are forked with the signals blocked, then reset them */
	server_init(argc, argv, "prefork",
	            "Fixed pool: N pre-forked children, each blocking in accept() (UNP design 2).",
	            0, &o);
	timeout_s = o.timeout;
	pool.n = o.workers;
	lfd = server_listen(&o, "prefork", 0);
	if (procpool_start(&pool) < 0)
		return 1;
	/* announced once the children exist: connections queue in the backlog until one accepts */
	if (net_announce(lfd) < 0) {
		procpool_stop(&pool);
		return 1;
	}

	/*
	 * The whole model, from the parent's side: it never touches a
	 * connection; it sleeps until a signal and keeps the pool full.
	 */
	procpool_wait(&pool);

	procpool_stop(&pool);
	close(lfd);
	return 0;
}
