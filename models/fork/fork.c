/* fork.c -- one child process per connection (UNP design 1, the classic concurrent server). */
#include "clock.h"
#include "conn.h"
#include "net.h"
#include "server.h"
#include "sig.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STOP_GRACE_MS 800 /* children that outlive SIGTERM this long get SIGKILL */

/* The live children: the parent must know them all to stop them. */
static pid_t *children;
static int nchildren, max_children;

static void child_add(pid_t pid)
{
	children[nchildren++] = pid;
}

/* Forget pid if it is ours: 1 if it was. Order does not matter, so fill the hole with the last. */
static int child_remove(pid_t pid)
{
	for (int i = 0; i < nchildren; i++) {
		if (children[i] == pid) {
			children[i] = children[--nchildren];
			return 1;
		}
	}
	return 0;
}

/* Collect every child that has exited, without blocking (SIGCHLD may stand for several). */
static void reap_children(void)
{
	pid_t pid;

	sig_child = 0;
	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		child_remove(pid);
}

/*
 * Stop: SIGTERM every child (their default action ends them at once, even
 * mid-request), reap them as they go, and SIGKILL any that outlive the grace
 * period, so the parent exits with every child reaped and accounted for.
 */
static void stop_children(void)
{
	long deadline = clock_now_ms() + STOP_GRACE_MS;

	for (int i = 0; i < nchildren; i++)
		kill(children[i], SIGTERM);
	for (;;) {
		struct timespec tick = { 0, 10 * 1000000L };

		reap_children();
		if (nchildren == 0)
			return;
		if (clock_now_ms() >= deadline)
			break;
		ppoll(NULL, 0, &tick, &sig_waitmask); /* SIGCHLD cuts the tick short */
	}
	for (int i = 0; i < nchildren; i++)
		kill(children[i], SIGKILL);
	while (nchildren > 0) {
		pid_t pid = waitpid(-1, NULL, 0);

		if (pid > 0)
			child_remove(pid);
		else if (errno != EINTR)
			break; /* ECHILD: nothing left to wait for */
	}
}

/* The child: it owns the connection, not the listener. Never returns. */
static void child_serve(pid_t parent, int lfd, int fd, int timeout)
{
	sig_reset_child(); /* SIGTERM from the parent must end it */
	/* and if the parent is killed outright, no orphan keeps serving */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
		_exit(1);
	close(lfd);
	conn_serve_blocking(fd, timeout, 0);
	_exit(0); /* not exit(): the parent's stdio buffers are not ours to flush */
}

/* Hand fd to a new child, or refuse it when --max-conns children are live. */
static void dispatch(int lfd, int fd, int timeout)
{
	pid_t parent = getpid(), pid;

	if (nchildren >= max_children) {
		conn_reject(fd, 503);
		return;
	}
	pid = fork();
	if (pid == 0)
		child_serve(parent, lfd, fd, timeout);
	if (pid < 0) {
		perror("fork: fork");
		conn_reject(fd, 503);
		return;
	}
	child_add(pid);
	close(fd); /* the child has its own copy; the parent must not keep the connection open */
}

int main(int argc, char **argv)
{
	struct opts o;
	int lfd;

	server_init(argc, argv, "fork", "One child process per connection (UNP design 1).", 0, &o);
	max_children = o.max_conns;
	if (!(children = calloc((size_t)max_children, sizeof(*children)))) {
		perror("fork: calloc");
		return 1;
	}
	/* non-blocking: a client that resets between poll and accept must not hang the parent */
	lfd = server_listen(&o, "fork", NET_NONBLOCK);
	if (net_announce(lfd) < 0)
		return 1;

	/*
	 * The whole model: the parent only accepts and forks. Signals are
	 * delivered only inside server_accept's wait, so a SIGCHLD or SIGTERM is
	 * never lost between the flag checks and going to sleep.
	 */
	while (!sig_stop) {
		int fd;

		if (sig_child)
			reap_children();
		if ((fd = server_accept(lfd, "fork")) >= 0) /* -1: a signal or a failed accept */
			dispatch(lfd, fd, o.timeout);
	}

	close(lfd); /* stop accepting before stopping the children */
	stop_children();
	free(children);
	return 0;
}
