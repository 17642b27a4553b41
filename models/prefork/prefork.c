/* prefork.c -- N children pre-forked, each blocking in accept() (UNP design 2, no accept lock). */
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

#define STOP_GRACE_MS  800  /* children that outlive SIGTERM this long get SIGKILL */
#define RESPAWN_MIN_MS 1000 /* a slot is refilled at most once a second: no fork bomb */

/*
 * The pool: one slot per worker. pid 0 means the slot is empty and may be
 * refilled once its previous worker has been dead for the rate limit.
 */
struct slot {
	pid_t pid;
	long started_ms; /* when the slot was last filled */
};

static struct slot *pool;
static int nworkers;

/*
 * A worker: accept and serve, one connection at a time, until killed.
 * The listener is blocking and shared by every worker; Linux wakes exactly
 * one of the processes sleeping in accept() per connection (exclusive wait),
 * so there is no thundering herd and no lock around accept is needed.
 */
static void worker_run(pid_t parent, int lfd, int timeout)
{
	sig_reset_child(); /* SIGTERM from the parent ends it, even mid-request */
	/* and if the parent is killed outright, no orphan keeps accepting */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
		_exit(1);
	for (;;) {
		int fd = net_accept(lfd, 0);

		if (fd >= 0) {
			conn_serve_blocking(fd, timeout, 0);
			continue;
		}
		if (!net_accept_transient(errno)) {
			perror("prefork: accept");
			_exit(1);
		}
	}
}

/* Fill slot i with a new worker: 0, or -1 if fork failed (retried later). */
static int spawn(int i, int lfd, int timeout)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0)
		worker_run(parent, lfd, timeout);
	if (pid < 0) {
		perror("prefork: fork");
		return -1;
	}
	pool[i].pid = pid;
	pool[i].started_ms = clock_now_ms();
	return 0;
}

/* Empty the slot of worker pid, if it is one of ours. */
static void forget(pid_t pid)
{
	for (int i = 0; i < nworkers; i++)
		if (pool[i].pid == pid)
			pool[i].pid = 0;
}

/* Collect every worker that has exited (SIGCHLD may stand for several) and empty its slot. */
static void reap(int report)
{
	int status;
	pid_t pid;

	sig_child = 0;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		forget(pid);
		if (report)
			fprintf(stderr, "prefork: worker %d died (%s %d), replacing it\n", (int)pid,
			        WIFSIGNALED(status) ? "signal" : "exit",
			        WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	}
}

/*
 * Refill empty slots whose last worker started at least RESPAWN_MIN_MS ago.
 * Returns how long until the next slot may be refilled (ms), or -1 if none waits.
 */
static int respawn(int lfd, int timeout)
{
	long now = clock_now_ms();
	int wait = -1;

	for (int i = 0; i < nworkers; i++) {
		long left;

		if (pool[i].pid != 0)
			continue;
		left = pool[i].started_ms + RESPAWN_MIN_MS - now;
		if (left <= 0 && spawn(i, lfd, timeout) == 0)
			continue;
		if (left <= 0)
			left = RESPAWN_MIN_MS; /* fork failed: try again later */
		if (wait < 0 || left < wait)
			wait = (int)left;
	}
	return wait;
}

static int live_workers(void)
{
	int n = 0;

	for (int i = 0; i < nworkers; i++)
		n += pool[i].pid != 0;
	return n;
}

/* Stop: SIGTERM every worker, reap them, SIGKILL the ones that outlive the grace period. */
static void stop_workers(void)
{
	long deadline = clock_now_ms() + STOP_GRACE_MS;

	for (int i = 0; i < nworkers; i++)
		if (pool[i].pid != 0)
			kill(pool[i].pid, SIGTERM);
	for (;;) {
		struct timespec tick = { 0, 10 * 1000000L };

		reap(0);
		if (live_workers() == 0)
			return;
		if (clock_now_ms() >= deadline)
			break;
		ppoll(NULL, 0, &tick, &sig_waitmask); /* SIGCHLD cuts the tick short */
	}
	for (int i = 0; i < nworkers; i++)
		if (pool[i].pid != 0)
			kill(pool[i].pid, SIGKILL);
	while (live_workers() > 0) {
		pid_t pid = waitpid(-1, NULL, 0);

		if (pid < 0)
			break; /* ECHILD: nothing left (signals are blocked: no EINTR) */
		forget(pid);
	}
}

int main(int argc, char **argv)
{
	struct opts o;
	int lfd;

	/* first: the workers are forked with the signals blocked, then reset them */
	server_init(argc, argv, "prefork",
	            "Fixed pool: N pre-forked children, each blocking in accept() (UNP design 2).",
	            0, &o);
	nworkers = o.workers;
	if (!(pool = calloc((size_t)nworkers, sizeof(*pool)))) {
		perror("prefork: calloc");
		return 1;
	}
	lfd = server_listen(&o, "prefork", 0);
	for (int i = 0; i < nworkers; i++) {
		if (spawn(i, lfd, o.timeout) < 0) {
			stop_workers();
			return 1;
		}
	}
	/* announced once the workers exist: connections queue in the backlog until one accepts */
	if (net_announce(lfd) < 0) {
		stop_workers();
		return 1;
	}

	/*
	 * The whole model, from the parent's side: it never touches a
	 * connection; it sleeps until a signal and keeps the pool full.
	 */
	while (!sig_stop) {
		struct timespec ts;
		int wait;

		if (sig_child)
			reap(1);
		wait = respawn(lfd, o.timeout); /* >= 0: a slot is waiting out its rate limit */
		ts.tv_sec = wait / 1000;
		ts.tv_nsec = (wait % 1000) * 1000000L;
		ppoll(NULL, 0, wait < 0 ? NULL : &ts, &sig_waitmask);
	}

	stop_workers();
	close(lfd);
	return 0;
}
