/* crash.c -- harness fault: serves a few hundred connections, then dies from SIGABRT mid-run. */
#include "conn.h"
#include "net.h"
#include "opts.h"
#include "sig.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	struct opts o;
	char err[256];
	int lfd, served = 0;

	opts_parse(argc, argv, "crash", "Harness fault: crashes after 300 connections.", &o);
	if (sig_init() < 0 || (lfd = net_listen(o.host, o.port, 0, err, sizeof(err))) < 0)
		return 1;
	if (net_announce(lfd) < 0)
		return 1;
	while (!sig_stop) {
		int fd;

		if (sig_wait_readable(lfd, -1) <= 0 || (fd = net_accept(lfd, 0)) < 0)
			continue;
		conn_serve_blocking(fd, o.timeout, 1);
		if (++served == 300)
			abort();
	}
	return 0;
}
