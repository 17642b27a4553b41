/* prefork.c -- N children pre-forked, each blocking in accept() (UNP design 2, no accept lock). */
#include "net.h"
#include "procpool.h"
#include "server.h"

#include <stddef.h>
#include <unistd.h>

/*
 * The whole model: the parent forks --workers children and keeps the pool
 * full, never touching a connection; each child accepts and serves, one
 * connection at a time, until killed (procpool_run_acceptors). The listener
 * is blocking and shared by every child, and there is no lock around
 * accept(): Linux wakes exactly one of the processes sleeping in accept()
 * per connection (they wait as exclusive waiters), so there is no
 * thundering herd. prefork-flock and prefork-mutex add UNP's locks, for
 * kernels that woke them all.
 */
int main(int argc, char **argv)
{
	struct opts o;
	int lfd, rc;

	/* first: the children are forked with the signals blocked, then reset them */
	server_init(argc, argv, "prefork",
	            "Fixed pool: N pre-forked children, each blocking in accept() (UNP design 2).",
	            0, &o);
	lfd = server_listen(&o, "prefork", 0);
	rc = procpool_run_acceptors("prefork", o.workers, lfd, o.timeout, NULL);
	close(lfd);
	return rc;
}
