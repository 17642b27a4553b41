/* server.c -- the common start of every model's main(): fatal on failure, by design. */
#include "server.h"
#include "file.h"
#include "net.h"
#include "resp.h"
#include "sig.h"
#include "work.h"

#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void server_init(int argc, char **argv, const char *model, const char *summary, int flags,
                 struct opts *o)
{
	server_init_choice(argc, argv, model, summary, flags, NULL, o);
}

void server_init_choice(int argc, char **argv, const char *model, const char *summary, int flags,
                        struct opts_choice *choice, struct opts *o)
{
	char err[4200];
	int r;

	opts_parse_choice(argc, argv, model, summary, choice, o);
	if ((flags & SERVER_WORKERS_CPUS) && !o->workers_set)
		o->workers = opts_cpus();
	resp_init(model);
	work_init(); /* before any fork: the children share its pages */
	if (file_init(o->docroot, o->file_io, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", model, err);
		exit(2); /* the argument names no directory: a bad argument */
	}
	/* both ignore SIGPIPE: a peer that resets mid-reply must cost an EPIPE, not the process */
	r = (flags & SERVER_OWN_SIGNALS) ? sig_ignore_pipe() : sig_init();
	if (r < 0) {
		fprintf(stderr, "%s: signals: %s\n", model, strerror(errno));
		exit(1);
	}
}

int server_listen(const struct opts *o, const char *model, int net_flags)
{
	char err[256];
	int fd = net_listen(o->host, o->port, net_flags, err, sizeof(err));

	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", model, err);
		exit(1);
	}
	return fd;
}

int server_accept(int lfd, const char *model)
{
	int fd;

	if (sig_wait_readable(lfd, -1) <= 0)
		return -1; /* a signal: the caller's flags decide */
	if ((fd = net_accept(lfd, 0)) < 0 && !net_accept_transient(errno))
		fprintf(stderr, "%s: accept: %s\n", model, strerror(errno));
	/*
	 * Out of descriptors with no spare left: pause, as a pool of acceptors
	 * does. net_accept sheds the waiting client on its spare descriptor, but
	 * once the spare is lost (reopening it raced another thread's descriptor)
	 * nothing is shed, the listener stays readable, and this loop would spin
	 * at a whole CPU until a descriptor frees up.
	 */
	if (fd < 0 && !net_accept_spare())
		net_accept_pause(errno);
	return fd;
}

void server_deadline(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	ts->tv_sec += ts->tv_nsec / 1000000000L;
	ts->tv_nsec %= 1000000000L;
}

int server_fit_fds(int want, int others, const char *model, const char *what)
{
	struct rlimit rl;
	long room;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		return want;
	room = (long)rl.rlim_cur - others - SERVER_FD_RESERVE;
	if (room >= want)
		return want;
	if (room < 1)
		room = 1;
	fprintf(stderr,
	        "%s: %s need %d descriptors; the limit is %ld: at most %ld connections at once\n",
	        model, what, want, (long)rl.rlim_cur, room);
	return (int)room;
}
