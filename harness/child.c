/* child.c -- a child process: spawned pinned in its own group, waited for with bounds, stopped. */
#include "child.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* In the child: become argv with the given fds and CPUs; never returns. */
static void child_exec(char *const argv[], const cpu_set_t *cpus, int fds[3], int own_group,
                       pid_t parent)
{
	sigset_t none;
	int i;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* If the harness dies (even SIGKILL), nothing it started may outlive it. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
	if (own_group)
		setpgid(0, 0);
	for (i = 0; i < 3; i++)
		if (dup2(fds[i], i) < 0)
			_exit(127);
	if (cpus && sched_setaffinity(0, sizeof(*cpus), cpus) < 0) {
		dprintf(2, "harness: sched_setaffinity: %s\n", strerror(errno));
		_exit(127);
	}
	execvp(argv[0], argv); /* a path as is; a bare name (a prefix's command) from PATH */
	dprintf(2, "harness: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int child_spawn(char *const argv[], const cpu_set_t *cpus, int fds[3], int own_group,
                struct child *c)
{
	pid_t parent = getpid();

	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (c->pid == 0)
		child_exec(argv, cpus, fds, own_group, parent);
	if (own_group)
		setpgid(c->pid, c->pid); /* also here, so a kill(-pid) right away finds the group */
	c->start_ms = util_now_ms();
	c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	if (c->pidfd < 0) {
		kill(c->pid, SIGKILL);
		while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
			;
		return -1;
	}
	return 0;
}

int child_wait(struct child *c, long long deadline, const struct child_interrupt *in, int *status,
               struct rusage *ru)
{
	for (;;) {
		struct pollfd p = { .fd = c->pidfd, .events = POLLIN };
		struct timespec ts, *tp = NULL;
		int r;

		if (in && *in->stop)
			return CHILD_STOPPED;
		if (deadline >= 0) {
			long long left = deadline - util_now_ms();

			if (left < 0)
				left = 0;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = left % 1000 * 1000000;
			tp = &ts;
		}
		r = ppoll(&p, 1, tp, in ? in->mask : NULL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return CHILD_ERROR;
		if (r == 0)
			return CHILD_DEADLINE;
		while ((r = wait4(c->pid, status, 0, ru)) < 0 && errno == EINTR)
			;
		if (r < 0)
			return CHILD_ERROR;
		close(c->pidfd);
		c->pidfd = -1;
		return CHILD_REAPED;
	}
}

int child_stop(struct child *c, int sig, int grace_ms, int group, int *status, struct rusage *ru,
               int *killed)
{
	*killed = 0;
	kill(c->pid, sig);
	if (child_wait(c, util_now_ms() + grace_ms, NULL, status, ru) == CHILD_REAPED)
		return 0;
	*killed = 1;
	kill(group ? -c->pid : c->pid, SIGKILL);
	kill(c->pid, SIGKILL);
	return child_wait(c, -1, NULL, status, ru) == CHILD_REAPED ? 0 : -1;
}

int child_sweep(pid_t pid)
{
	if (kill(-pid, 0) < 0)
		return 0;
	kill(-pid, SIGKILL);
	return 1;
}

int child_run(char *const argv[], int limit_ms, const char *outpath, const char *errpath)
{
	struct child c;
	struct rusage ru;
	int fds[3], status, killed, r, i;

	fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[1] = outpath ? open(outpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
	                 : open("/dev/null", O_WRONLY | O_CLOEXEC);
	fds[2] = open(errpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	r = fds[0] < 0 || fds[1] < 0 || fds[2] < 0 ? -1 : child_spawn(argv, NULL, fds, 0, &c);
	for (i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (r < 0)
		return -1;
	r = child_wait(&c, util_now_ms() + limit_ms, NULL, &status, &ru);
	if (r != CHILD_REAPED) {
		child_stop(&c, SIGTERM, 500, 0, &status, &ru, &killed);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}
