/* busyport.c -- harness fault: takes a port already in use (its own), so it cannot bind. */
#include "net.h"
#include "opts.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	struct opts o;
	char err[256];
	int first, port;

	opts_parse(argc, argv, "busyport", "Harness fault: binds a port that is in use.", &o);
	if ((first = net_listen(o.host, o.port, 0, err, sizeof(err))) < 0 ||
	    (port = net_port(first)) < 0)
		return 1;
	/* A second listener on the same port: EADDRINUSE, as with any port already taken. */
	if (net_listen(o.host, port, 0, err, sizeof(err)) < 0) {
		fprintf(stderr, "busyport: %s\n", err);
		return 1;
	}
	return 0;
}
