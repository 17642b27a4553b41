/* procpool.h -- a fixed pool of pre-forked worker processes, kept full by the parent.
 *
 * What every prefork design shares (UNP designs 2 to 5): fork N children at
 * start, replace one that dies (at most once a second per slot, so a crash
 * loop cannot fork-bomb the machine, and say so on stderr), and on stop
 * SIGTERM them all, reap them, SIGKILL those that outlive a grace period.
 * The designs differ only in what a child does (its body) and, for the
 * descriptor-passing design, in what the parent keeps per child (the hooks).
 */
#ifndef PROCPOOL_H
#define PROCPOOL_H

#include <sys/types.h>

#define PROCPOOL_STOP_GRACE_MS  800  /* children that outlive SIGTERM this long get SIGKILL */
#define PROCPOOL_RESPAWN_MIN_MS 1000 /* a slot is refilled at most once a second */

struct procpool_slot {
	pid_t pid;       /* 0: empty, refilled once the rate limit allows */
	long started_ms; /* when the slot was last filled */
};

struct procpool {
	const char *model; /* for the stderr lines */
	int n;
	struct procpool_slot *slot;
	/*
	 * The child's body for slot i, called in the child with the signals
	 * reset (SIGTERM ends it) and a parent-death signal set; must not return.
	 */
	void (*child)(struct procpool *p, int i);
	/*
	 * Optional, in the parent: before slot i is forked (0, or -1: not now),
	 * once its child has started, and after the child is gone or could not
	 * start (to release what before() made).
	 */
	int (*before)(struct procpool *p, int i);
	void (*forked)(struct procpool *p, int i);
	void (*after)(struct procpool *p, int i);
};

/*
 * Allocate the slots and fork p->n children (p->model, n, child and the
 * hooks set by the caller). Call after server_init (the children inherit the
 * blocked signals and reset them). 0, or -1 after stopping those started.
 */
int procpool_start(struct procpool *p);

/*
 * The parent's chores, after any wake-up: reap the children that exited
 * (reported on stderr) and refill empty slots the rate limit allows. Returns
 * ms until the next slot may be refilled, or -1 when none waits: the
 * parent's next wait should not be longer.
 */
int procpool_tend(struct procpool *p);

/*
 * The whole parent of a pool whose children accept for themselves (designs
 * 2 to 4): it never touches a connection; it sleeps until a signal, keeps
 * the pool full, and returns once SIGTERM or SIGINT has arrived.
 */
void procpool_wait(struct procpool *p);

/*
 * A lock around accept() shared by the children (UNP designs 3 and 4):
 * take() blocks until this child holds it, drop() releases it. Either
 * exits the child on failure.
 */
struct procpool_lock {
	void (*take)(void);
	void (*drop)(void);
};

/*
 * The whole of a design where the children accept for themselves (UNP
 * designs 2 to 4): fork n children, each looping take the lock (if any),
 * accept on the blocking listener lfd, drop the lock, serve the connection
 * (conn_serve_blocking with timeout_s); announce lfd once they exist; keep
 * the pool full until SIGTERM/SIGINT (procpool_wait); stop it. Returns the
 * exit status for main.
 */
int procpool_run_acceptors(const char *model, int n, int lfd, int timeout_s,
                           const struct procpool_lock *lock);

/* Stop: SIGTERM every child, reap them all within the grace period (SIGKILL after), free. */
void procpool_stop(struct procpool *p);

#endif
