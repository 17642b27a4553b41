/* @NAME@.c -- from the template, an iterative server (UNP design 0): say here what @NAME@ is. */
#include "conn.h"
#include "net.h"
#include "opts.h"
#include "resp.h"
#include "sig.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

/*
 * This file is a complete, working model to start from: it obeys the model
 * contract (DESIGN.md) doing the least it can, one connection at a time.
 * Replace main()'s loop with the design @NAME@ is about; keep
 * what they call: the shared command line, replies, listener and signals.
 */

int main(int argc, char **argv)
{
	struct opts o;
	char err[256];
	int lfd;

	opts_parse(argc, argv, "@NAME@",
		   "Template model: one connection at a time, always Connection: close.", &o);
	resp_init("@NAME@");
	if (sig_init() < 0) { /* SIGTERM/SIGINT now only arrive in waits given sig_waitmask */
		perror("@NAME@: signals");
		return 1;
	}
	if ((lfd = net_listen(o.host, o.port, 0, err, sizeof(err))) < 0) {
		fprintf(stderr, "@NAME@: %s\n", err);
		return 1;
	}
	if (net_announce(lfd) < 0)
		return 1;

	/* The model: accept one connection, serve it to the end, repeat. */
	while (!sig_stop) {
		int fd;

		if (sig_wait_readable(lfd, -1) <= 0)
			continue; /* a signal: sig_stop decides */
		if ((fd = net_accept(lfd, 0)) < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED &&
			    errno != EMFILE && errno != ENFILE)
				perror("@NAME@: accept");
			continue;
		}
		/* Serve it to the end; every reply says close, SIGTERM ends the wait. */
		conn_serve_blocking(fd, o.timeout, CONN_NO_KEEPALIVE | CONN_STOP_ON_SIGNAL);
	}
	close(lfd);
	return 0;
}
