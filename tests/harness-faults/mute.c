/* mute.c -- harness fault: announces itself, accepts connections and never answers. */
#include "net.h"
#include "opts.h"
#include "sig.h"

int main(int argc, char **argv)
{
	struct opts o;
	char err[256];
	int lfd;

	opts_parse(argc, argv, "mute", "Harness fault: accepts and never answers.", &o);
	if (sig_init() < 0 || (lfd = net_listen(o.host, o.port, 0, err, sizeof(err))) < 0)
		return 1;
	if (net_announce(lfd) < 0)
		return 1;
	/* Accepted descriptors are kept open (leaked on purpose) so clients wait for an answer. */
	while (!sig_stop)
		if (sig_wait_readable(lfd, -1) > 0)
			net_accept(lfd, 0);
	return 0;
}
