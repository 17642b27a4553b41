/* procpool.c -- the pre-forked worker pool every prefork design shares (see procpool.h). */
#include "procpool.h"
#include "conn.h"
#include "clock.h"
#include "net.h"
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

/* Fill slot i with a new child: 0, or -1 if it could not start (retried later). */
static int spawn(struct procpool *p, int i)
{
	pid_t parent = getpid(), pid;

	if (p->before && p->before(p, i) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		sig_reset_child(); /* SIGTERM from the parent ends it, even mid-request */
		/* and if the parent is killed outright, no orphan keeps serving */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			_exit(1);
		p->child(p, i);
		_exit(1);
	}
	p->slot[i].started_ms = clock_now_ms();
	if (pid < 0) {
		fprintf(stderr, "%s: fork: %m\n", p->model);
		if (p->after)
			p->after(p, i);
		return -1;
	}
	p->slot[i].pid = pid;
	if (p->forked)
		p->forked(p, i);
	return 0;
}

/* Empty the slot of child pid, if it is one of ours. */
static void forget(struct procpool *p, pid_t pid)
{
	for (int i = 0; i < p->n; i++) {
		if (p->slot[i].pid != pid)
			continue;
		p->slot[i].pid = 0;
		if (p->after)
			p->after(p, i);
	}
}

/* Collect every child that has exited (SIGCHLD may stand for several) and empty its slot. */
static void reap(struct procpool *p, int report)
{
	int status;
	pid_t pid;

	sig_child = 0;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		forget(p, pid);
		if (report)
			fprintf(stderr, "%s: worker %d died (%s %d), replacing it\n", p->model,
			        (int)pid, WIFSIGNALED(status) ? "signal" : "exit",
			        WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	}
}

int procpool_tend(struct procpool *p)
{
	long now;
	int wait = -1;

	if (sig_child)
		reap(p, 1);
	now = clock_now_ms();
	for (int i = 0; i < p->n; i++) {
		long left;

		if (p->slot[i].pid != 0)
			continue;
		left = p->slot[i].started_ms + PROCPOOL_RESPAWN_MIN_MS - now;
		if (left <= 0 && spawn(p, i) == 0)
			continue;
		if (left <= 0)
			left = PROCPOOL_RESPAWN_MIN_MS; /* could not start: try again later */
		if (wait < 0 || left < wait)
			wait = (int)left;
	}
	return wait;
}

void procpool_wait(struct procpool *p)
{
	while (!sig_stop) {
		int wait = procpool_tend(p); /* >= 0: a slot is waiting out its rate limit */
		struct timespec ts = { wait / 1000, (wait % 1000) * 1000000L };

		ppoll(NULL, 0, wait < 0 ? NULL : &ts, &sig_waitmask);
	}
}

int procpool_start(struct procpool *p)
{
	if (!(p->slot = calloc((size_t)p->n, sizeof(*p->slot)))) {
		fprintf(stderr, "%s: calloc: %m\n", p->model);
		return -1;
	}
	for (int i = 0; i < p->n; i++) {
		if (spawn(p, i) < 0) {
			procpool_stop(p);
			return -1;
		}
	}
	return 0;
}

static int live(const struct procpool *p)
{
	int n = 0;

	for (int i = 0; i < p->n; i++)
		n += p->slot[i].pid != 0;
	return n;
}

void procpool_stop(struct procpool *p)
{
	long deadline = clock_now_ms() + PROCPOOL_STOP_GRACE_MS;

	for (int i = 0; i < p->n; i++)
		if (p->slot[i].pid != 0)
			kill(p->slot[i].pid, SIGTERM);
	while (live(p) > 0 && clock_now_ms() < deadline) {
		struct timespec tick = { 0, 10 * 1000000L };

		ppoll(NULL, 0, &tick, &sig_waitmask); /* SIGCHLD cuts the tick short */
		reap(p, 0);
	}
	for (int i = 0; i < p->n; i++)
		if (p->slot[i].pid != 0)
			kill(p->slot[i].pid, SIGKILL);
	while (live(p) > 0) {
		pid_t pid = waitpid(-1, NULL, 0);

		if (pid < 0)
			break; /* ECHILD: nothing left (signals are blocked: no EINTR) */
		forget(p, pid);
	}
	free(p->slot);
	p->slot = NULL;
}

/* What procpool_run_acceptors' children need: fork copies it into each one. */
static struct {
	int lfd, timeout_s;
	const struct procpool_lock *lock;
} acceptor;

/* A child of designs 2 to 4: (lock,) accept, (unlock,) serve, one connection at a time. */
static void acceptor_run(struct procpool *p, int i)
{
	(void)i;
	net_accept_reserve(); /* before waiting for the lock: its count is fixed from the start */
	for (;;) {
		int fd;

		if (acceptor.lock)
			acceptor.lock->take();
		fd = net_accept(acceptor.lfd, 0);
		if (acceptor.lock)
			acceptor.lock->drop();
		if (fd >= 0) {
			conn_serve_blocking(fd, acceptor.timeout_s, 0);
			continue;
		}
		/*
		 * A child has a descriptor table of its own and one connection at a
		 * time, so EMFILE does not happen here; ENFILE (the system's file
		 * table is full) does, and then every child's accept fails at once.
		 */
		net_accept_pause(errno);
		if (!net_accept_transient(errno)) {
			fprintf(stderr, "%s: accept: %m\n", p->model);
			_exit(1);
		}
	}
}

int procpool_run_acceptors(const char *model, int n, int lfd, int timeout_s,
                           const struct procpool_lock *lock)
{
	struct procpool pool = { .model = model, .n = n, .child = acceptor_run };

	acceptor.lfd = lfd;
	acceptor.timeout_s = timeout_s;
	acceptor.lock = lock;
	if (procpool_start(&pool) < 0)
		return 1;
	/* announced once the children exist: connections queue in the backlog until one accepts */
	if (net_announce(lfd) < 0) {
		procpool_stop(&pool);
		return 1;
	}
	procpool_wait(&pool);
	procpool_stop(&pool);
	return 0;
}
