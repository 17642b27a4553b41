/* epoll-shared.c -- multi-reactor on one listener: per thread an epoll loop, EPOLLEXCLUSIVE. */
#include "evworker.h"
#include "net.h"
#include "server.h"
#include "sig.h"

#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

/*
 * One listening socket, one accept queue, and --workers threads (default:
 * the CPUs), each the epoll model's loop (evworker.h) with the listener in
 * its own epoll set. Registered plainly, one connection would wake every
 * thread sleeping in epoll_wait (a thundering herd: all but one find
 * nothing to accept). EPOLLEXCLUSIVE (Linux 4.5) makes the listener's
 * wake-up exclusive: the kernel walks the listener's wait queue, one entry
 * per epoll set in the order they were registered, marks the listener
 * ready in each set it passes, and stops at the first set with a thread
 * asleep in epoll_wait. So one thread wakes per connection: the first
 * idle one, which is worker 0 whenever it is idle. Load follows
 * availability (a busy worker is passed over, no connection waits for it
 * while another sleeps), but it piles onto the first workers while they
 * keep up, and a keep-alive connection stays with the worker that
 * accepted it: the README's table shows how unevenly that spreads.
 */
int main(int argc, char **argv)
{
	struct evworker *ws;
	struct opts o;
	int lfd, rc = 1;

	/* before the threads: they inherit the blocked signals */
	server_init(argc, argv, "epoll-shared",
	            "Multi-reactor: --workers threads, each an epoll loop on one shared listener "
	            "(EPOLLEXCLUSIVE).",
	            SERVER_WORKERS_CPUS, &o);
	lfd = server_listen(&o, "epoll-shared", NET_NONBLOCK);
	if (!(ws = evworker_new(o.workers, o.timeout, "epoll-shared")))
		return 1;
	for (int i = 0; i < o.workers; i++)
		if (evworker_setup(&ws[i], lfd, EPOLLIN | EPOLLEXCLUSIVE) < 0)
			goto out;
	if (net_announce(lfd) < 0)
		goto out;
	rc = evworker_run_all(ws, o.workers);
out:
	evworker_free(ws, o.workers);
	close(lfd);
	return rc;
}
