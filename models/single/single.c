/* single.c -- the iterative server: accept one connection, serve it, close it, repeat (UNP design
 * 0). */
#include "conn.h"
#include "net.h"
#include "server.h"
#include "sig.h"

int main(int argc, char **argv)
{
	struct opts o;
	int lfd;

	server_init(argc, argv, "single",
	            "Iterative: one connection at a time, always Connection: close.", 0, &o);
	lfd = server_listen(&o, "single", 0);
	if (net_announce(lfd) < 0)
		return 1;

	/*
	 * The whole model: while one client is served, every other waits in the
	 * listen queue. It cannot hold a connection open for the next request,
	 * so every reply says Connection: close.
	 */
	while (!sig_stop) {
		int fd = server_accept(lfd, "single"); /* -1: a signal or a failed accept */

		if (fd >= 0)
			conn_serve_blocking(fd, o.timeout, CONN_NO_KEEPALIVE | CONN_STOP_ON_SIGNAL);
	}
	return 0;
}
