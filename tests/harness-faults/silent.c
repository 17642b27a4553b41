/* silent.c -- harness fault: listens but never prints its listening line, and ignores SIGTERM. */
#include "net.h"
#include "opts.h"

#include <signal.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct opts o;
	char err[256];

	opts_parse(argc, argv, "silent", "Harness fault: never announces itself.", &o);
	signal(SIGTERM, SIG_IGN); /* the harness must fall back to SIGKILL */
	if (net_listen(o.host, o.port, 0, err, sizeof(err)) < 0)
		return 1;
	for (;;)
		pause();
}
