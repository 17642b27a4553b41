/* child.h -- a child process: spawned pinned in its own group, waited for with bounds, stopped. */
#ifndef CHILD_H
#define CHILD_H

#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/types.h>

/* One started child. */
struct child {
	pid_t pid;
	int pidfd; /* readable once the child has exited */
	long long start_ms;
};

/* What waiting for a child came to (child_wait). */
enum child_wait_outcome {
	CHILD_ERROR = -1,
	CHILD_REAPED = 0,   /* it exited: status and rusage filled */
	CHILD_DEADLINE = 1, /* the deadline passed first */
	CHILD_STOPPED = 2,  /* *stop was raised (an interruptible wait) */
};

/* What may end a wait early: a flag a signal raises, delivered only in mask. */
struct child_interrupt {
	volatile sig_atomic_t *stop;
	const sigset_t *mask; /* the caller's mask with the stop signals unblocked */
};

/*
 * Fork and exec argv (a path as is, a bare name from PATH) with
 * stdin/stdout/stderr from fds, on cpus (NULL: any), in its own process group
 * if own_group, with every signal unblocked and SIGKILL when the harness dies.
 * 0 or -1.
 */
int child_spawn(char *const argv[], const cpu_set_t *cpus, int fds[3], int own_group,
                struct child *c);

/*
 * Wait until c exits or deadline (monotonic ms; < 0: none) passes; with in
 * (NULL: not interruptible) *in->stop ends it, the signals taken in in->mask
 * meanwhile. An enum child_wait_outcome.
 */
int child_wait(struct child *c, long long deadline, const struct child_interrupt *in, int *status,
               struct rusage *ru);

/*
 * Stop c: sig, then SIGKILL (to its group if group) after grace_ms; reap it.
 * *killed says whether SIGKILL was needed. 0, or -1 if it could not be reaped.
 */
int child_stop(struct child *c, int sig, int grace_ms, int group, int *status, struct rusage *ru,
               int *killed);

/* SIGKILL whatever is left in the group led by pid: 1 if something was, else 0. */
int child_sweep(pid_t pid);

/*
 * Run argv[0] (a path) to its end, bounded by limit_ms: stdout to outpath (NULL:
 * /dev/null), truncated first, and stderr appended to errpath. Its exit status
 * (0..255), or -1 if it could not run, died from a signal or timed out (then stopped).
 */
int child_run(char *const argv[], int limit_ms, const char *outpath, const char *errpath);

#endif
