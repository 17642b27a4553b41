/* reuseport.c -- nginx-style multi-reactor: per worker an epoll loop, a SO_REUSEPORT listener. */
#include "evworker.h"
#include "net.h"
#include "server.h"
#include "sig.h"

#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

/*
 * Threads, not processes: the workers share nothing on the hot path anyway
 * (own listener, own epoll, own connections; the reply cache and the EMFILE
 * reserve descriptor are per thread), one process keeps the harness's
 * rusage exact without reaping children, and stopping is a join. nginx uses
 * processes for isolation and privilege separation, which a benchmark does
 * not need.
 *
 * Each worker is the epoll model's loop (evworker.h) on its own listener.
 * There is no accept lock and no shared accept queue: the kernel hashes
 * each new connection to one listener of the group, so a worker only ever
 * wakes for its own clients (no thundering herd), and a connection waits
 * in its listener's queue even when that worker is busy and others idle.
 */
static int worker_listen(struct evworker *ws, int i, const struct opts *o)
{
	int port = i == 0 ? o->port : net_port(ws[0].lfd); /* the first binds; the rest follow */
	char err[256];
	int lfd = net_listen(o->host, port, NET_NONBLOCK | NET_REUSEPORT, err, sizeof(err));

	if (lfd < 0) {
		fprintf(stderr, "reuseport: %s\n", err);
		return -1;
	}
	if (evworker_setup(&ws[i], lfd, EPOLLIN) < 0) {
		close(lfd);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct evworker *ws;
	struct opts o;
	int rc = 1;

	/* before the threads: they inherit the blocked signals */
	server_init(argc, argv, "reuseport",
	            "Multi-reactor: --workers threads, each an epoll loop on its own SO_REUSEPORT "
	            "listener.",
	            SERVER_WORKERS_CPUS, &o);
	if (!(ws = evworker_new(o.workers, o.timeout, "reuseport")))
		return 1;
	/* Every listener exists before the first connection, so the kernel spreads all of them. */
	for (int i = 0; i < o.workers; i++)
		if (worker_listen(ws, i, &o) < 0)
			goto out;
	if (net_announce(ws[0].lfd) < 0)
		goto out;
	rc = evworker_run_all(ws, o.workers);
out:
	for (int i = 0; i < o.workers; i++)
		if (ws[i].lfd >= 0)
			close(ws[i].lfd);
	evworker_free(ws, o.workers);
	return rc;
}
