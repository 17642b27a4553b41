/* fork.c -- one child process per connection (UNP design 1, the classic concurrent server). */
#include "clock.h"
#include "conn.h"
#include "net.h"
#include "resp.h"
#include "server.h"
#include "sig.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STOP_GRACE_MS 800 /* children that outlive SIGTERM this long get SIGKILL */

/*
 * The model's whole state, the parent's. Two things are counted apart:
 *  - children: every live child, which the parent must know to stop them;
 *  - slots: the --max-conns connections being served. A slot holds its
 *    child's pid, in memory shared with the children (MAP_SHARED), and the
 *    child empties it itself when it is done serving, BEFORE it closes the
 *    connection (conn_serve_held): a client that connects again once it
 *    sees the close is never refused for a slot whose child has not been
 *    reaped yet (issue 19). Reaping empties the slot too, if the child died
 *    holding it (only if it still holds its pid: the slot may have a new
 *    owner already).
 * A child that emptied its slot may still linger (CONN_LINGER_MS at most)
 * and then take a while to exit: children has room for twice --max-conns
 * and CHILDREN_EXITING more.
 */
struct child {
	pid_t pid;
	int slot;
};

struct forker {
	struct child *children;
	int nchildren, max_children;
	pid_t *slots; /* shared: --max-conns of them, 0 free, SLOT_RESERVED, or the child's pid */
	int max_conns;
	int timeout_s; /* --timeout */
	int lfd;
};

#define SLOT_RESERVED    (-1) /* taken by the parent, the fork not done yet */
#define CHILDREN_EXITING 64   /* room for children closing or exiting beyond 2 x --max-conns */

static pid_t slot_get(const struct forker *f, int i)
{
	return __atomic_load_n(&f->slots[i], __ATOMIC_ACQUIRE);
}

/* Empty slot i if it still holds owner (a later child may own it already). */
static void slot_free(struct forker *f, int i, pid_t owner)
{
	__atomic_compare_exchange_n(&f->slots[i], &owner, 0, 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
}

/* A free slot, now SLOT_RESERVED: its index, or -1 when --max-conns connections are served. */
static int slot_take(struct forker *f)
{
	for (int i = 0; i < f->max_conns; i++) {
		if (slot_get(f, i) == 0) {
			/* only the parent fills a free slot: no child writes it meanwhile */
			__atomic_store_n(&f->slots[i], SLOT_RESERVED, __ATOMIC_RELAXED);
			return i;
		}
	}
	return -1;
}

/* Forget pid if it is ours: 1 if it was. Order does not matter, so fill the hole with the last. */
static int child_remove(struct forker *f, pid_t pid)
{
	for (int i = 0; i < f->nchildren; i++) {
		if (f->children[i].pid == pid) {
			slot_free(f, f->children[i].slot, pid); /* it died holding it */
			f->children[i] = f->children[--f->nchildren];
			return 1;
		}
	}
	return 0;
}

/* Collect every child that has exited, without blocking (SIGCHLD may stand for several). */
static void reap_children(struct forker *f)
{
	pid_t pid;

	sig_child = 0;
	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		child_remove(f, pid);
}

/*
 * Stop: SIGTERM every child (their default action ends them at once, even
 * mid-request), reap them as they go, and SIGKILL any that outlive the grace
 * period, so the parent exits with every child reaped and accounted for.
 */
static void stop_children(struct forker *f)
{
	long deadline = clock_now_ms() + STOP_GRACE_MS;

	for (int i = 0; i < f->nchildren; i++)
		kill(f->children[i].pid, SIGTERM);
	for (;;) {
		struct timespec tick = { 0, 10 * 1000000L };

		reap_children(f);
		if (f->nchildren == 0)
			return;
		if (clock_now_ms() >= deadline)
			break;
		ppoll(NULL, 0, &tick, &sig_waitmask); /* SIGCHLD cuts the tick short */
	}
	for (int i = 0; i < f->nchildren; i++)
		kill(f->children[i].pid, SIGKILL);
	while (f->nchildren > 0) {
		pid_t pid = waitpid(-1, NULL, 0);

		if (pid > 0)
			child_remove(f, pid);
		else if (errno != EINTR)
			break; /* ECHILD: nothing left to wait for */
	}
}

/* The child: it owns the connection, not the listener. Never returns. */
static void child_serve(struct forker *f, pid_t parent, int slot, int fd)
{
	int linger;

	sig_reset_child(); /* SIGTERM from the parent must end it */
	/* and if the parent is killed outright, no orphan keeps serving */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
		_exit(1);
	close(f->lfd);
	conn_serve_held(fd, f->timeout_s, 0, &linger);
	/* Before the client sees the close. Still ours either way: no one else fills it meanwhile.
	 */
	slot_free(f, slot, SLOT_RESERVED); /* the parent has not written our pid yet */
	slot_free(f, slot, getpid());
	conn_finish(fd, linger);
	_exit(0); /* not exit(): the parent's stdio buffers are not ours to flush */
}

/* Hand fd to a new child, or refuse it when --max-conns connections are being served. */
static void dispatch(struct forker *f, int fd)
{
	pid_t parent = getpid(), pid, reserved = SLOT_RESERVED;
	int slot;

	/* SIGCHLD comes only inside the wait: children that have exited since are reaped here */
	if (f->nchildren == f->max_children)
		reap_children(f);
	if (f->nchildren == f->max_children || (slot = slot_take(f)) < 0) {
		conn_reject(fd, 503);
		return;
	}
	resp_refresh(); /* the child inherits today's Date: no time-zone file read per connection */
	pid = fork();
	if (pid == 0)
		child_serve(f, parent, slot, fd);
	if (pid < 0) {
		perror("fork: fork");
		__atomic_store_n(&f->slots[slot], 0, __ATOMIC_RELEASE);
		conn_reject(fd, 503);
		return;
	}
	/* the pid, unless the child has already emptied the slot */
	__atomic_compare_exchange_n(&f->slots[slot], &reserved, pid, 0, __ATOMIC_RELEASE,
	                            __ATOMIC_RELAXED);
	f->children[f->nchildren++] = (struct child){ .pid = pid, .slot = slot };
	close(fd); /* the child has its own copy; the parent must not keep the connection open */
}

int main(int argc, char **argv)
{
	struct forker f = { 0 };
	struct opts o;

	server_init(argc, argv, "fork", "One child process per connection (UNP design 1).", 0, &o);
	f.max_conns = o.max_conns;
	f.max_children = 2 * o.max_conns + CHILDREN_EXITING;
	f.timeout_s = o.timeout;
	f.slots = mmap(NULL, (size_t)f.max_conns * sizeof(*f.slots), PROT_READ | PROT_WRITE,
	               MAP_SHARED | MAP_ANONYMOUS, -1, 0); /* zero-filled: every slot free */
	if (f.slots == MAP_FAILED ||
	    !(f.children = calloc((size_t)f.max_children, sizeof(*f.children)))) {
		perror("fork: setup");
		return 1;
	}
	/* non-blocking: a client that resets between poll and accept must not hang the parent */
	f.lfd = server_listen(&o, "fork", NET_NONBLOCK);
	if (net_announce(f.lfd) < 0)
		return 1;

	/*
	 * The whole model: the parent only accepts and forks. Signals are
	 * delivered only inside server_accept's wait, so a SIGCHLD or SIGTERM is
	 * never lost between the flag checks and going to sleep.
	 */
	while (!sig_stop) {
		int fd;

		if (sig_child)
			reap_children(&f);
		if ((fd = server_accept(f.lfd, "fork")) >= 0) /* -1: a signal or a failed accept */
			dispatch(&f, fd);
	}

	close(f.lfd); /* stop accepting before stopping the children */
	stop_children(&f);
	free(f.children);
	munmap(f.slots, (size_t)f.max_conns * sizeof(*f.slots));
	return 0;
}
