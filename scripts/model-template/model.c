/* @NAME@.c -- from the template, an iterative server (UNP design 0): say here what @NAME@ is. */
#include "conn.h"
#include "net.h"
#include "server.h"
#include "sig.h"

#include <unistd.h>

/*
 * This file is a complete, working model to start from: it obeys the model
 * contract (docs/design.md) doing the least it can, one connection at a time.
 * Replace main()'s loop with the design @NAME@ is about; keep
 * what they call: the shared command line, replies, listener and signals.
 */

int main(int argc, char **argv)
{
	struct opts o;
	int lfd;

	/* SIGTERM/SIGINT now only arrive in waits given sig_waitmask */
	server_init(argc, argv, "@NAME@",
	            "Iterative (the template): one connection at a time, always Connection: close.",
	            0, &o);
	lfd = server_listen(&o, "@NAME@", 0); /* NET_NONBLOCK for a non-blocking listener */
	if (net_announce(lfd) < 0)
		return 1;

	/* The model: accept one connection, serve it to the end, repeat. */
	while (!sig_stop) {
		int fd = server_accept(lfd, "@NAME@"); /* -1: a signal or a failed accept */

		/* Serve it to the end; every reply says close, SIGTERM ends the wait. */
		if (fd >= 0)
			conn_serve_blocking(fd, o.timeout, CONN_NO_KEEPALIVE | CONN_STOP_ON_SIGNAL);
	}
	close(lfd);
	return 0;
}
