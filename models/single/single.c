/* single.c -- the iterative server: accept one connection, serve it, close it, repeat (UNP design 0). */
#include "conn.h"
#include "net.h"
#include "opts.h"
#include "resp.h"
#include "sig.h"

#include <errno.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	struct opts o;
	char err[256];
	int lfd;

	opts_parse(argc, argv, "single", "Iterative: one connection at a time, always Connection: close.", &o);
	resp_init("single");
	if (sig_init() < 0) {
		perror("single: signals");
		return 1;
	}
	if ((lfd = net_listen(o.host, o.port, 0, err, sizeof(err))) < 0) {
		fprintf(stderr, "single: %s\n", err);
		return 1;
	}
	if (net_announce(lfd) < 0)
		return 1;

	/*
	 * The whole model: while one client is served, every other waits in the
	 * listen queue. It cannot hold a connection open for the next request,
	 * so every reply says Connection: close.
	 */
	while (!sig_stop) {
		int fd;

		if (sig_wait_readable(lfd, -1) <= 0)
			continue; /* a signal: sig_stop decides */
		if ((fd = net_accept(lfd, 0)) < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED && errno != EMFILE &&
			    errno != ENFILE)
				perror("single: accept");
			continue;
		}
		conn_serve_blocking(fd, o.timeout, CONN_NO_KEEPALIVE | CONN_STOP_ON_SIGNAL);
	}
	return 0;
}
