/* sig.c -- flag-setting signal handlers and the wait mask that delivers them. */
#include "sig.h"

#include <poll.h>
#include <stddef.h>
#include <string.h>
#include <sys/signalfd.h>

volatile sig_atomic_t sig_stop;
volatile sig_atomic_t sig_child;
sigset_t sig_waitmask;

static void on_stop(int signo)
{
	(void)signo;
	sig_stop = 1;
}

static void on_child(int signo)
{
	(void)signo;
	sig_child = 1;
}

int sig_ignore_pipe(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	return sigaction(SIGPIPE, &sa, NULL);
}

int sig_init(void)
{
	struct sigaction sa;
	sigset_t block;

	if (sig_ignore_pipe() < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop; /* no SA_RESTART: the wait returns EINTR */
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
		return -1;
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP;
	if (sigaction(SIGCHLD, &sa, NULL) < 0)
		return -1;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &block, &sig_waitmask) < 0)
		return -1;
	sigdelset(&sig_waitmask, SIGTERM);
	sigdelset(&sig_waitmask, SIGINT);
	sigdelset(&sig_waitmask, SIGCHLD);
	return 0;
}

void sig_poll(void)
{
	static const struct timespec zero;
	sigset_t set;
	int s;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	while ((s = sigtimedwait(&set, NULL, &zero)) > 0) {
		if (s == SIGCHLD)
			sig_child = 1;
		else
			sig_stop = 1;
	}
}

int sig_wait_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };
	int r = ppoll(&p, 1, timeout_ms < 0 ? NULL : &ts, &sig_waitmask);

	if (r > 0) {
		sig_poll(); /* the wait did not sleep: a signal may still be pending */
		if (sig_stop)
			return -1;
	}
	return r < 0 ? -1 : r;
}

void sig_reset_child(void)
{
	sigset_t none;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int sig_fd(void)
{
	sigset_t set;

	if (sig_ignore_pipe() < 0)
		return -1;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC);
}
