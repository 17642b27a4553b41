/* proctree.h -- a whole process tree (the server and its children): memory (PSS) and CPU time. */
#ifndef PROCTREE_H
#define PROCTREE_H

#include <sys/types.h>

/* What a /proc/PID/stat line says that the tree sums need. */
struct proctree_stat {
	pid_t ppid;
	/* clock ticks: its own user and system time, and that of its children it has reaped */
	unsigned long long utime, stime, cutime, cstime;
};

/*
 * The "Pss:" line of a /proc/PID/smaps_rollup text, in kB, or -1 when it has
 * none. PSS divides each shared page among the processes that map it, so the
 * sum over a tree counts a page once however many of them share it (forked
 * children's copy-on-write pages, the binary, libc) and threads, which are one
 * process, once.
 */
long proctree_parse_pss(const char *smaps_rollup);

/*
 * Parse a /proc/PID/stat line into st (fields after the last ')': a comm may
 * hold one). 0, or -1 if it is malformed.
 */
int proctree_parse_stat(const char *stat, struct proctree_stat *st);

/*
 * The processes of root's tree, root first, into *out (malloc'ed, the
 * caller frees it): their count, or -1 when root is gone (nothing to free).
 * A snapshot: a child forked meanwhile may be missing, one that exits
 * meanwhile may be listed.
 */
int proctree_pids(pid_t root, pid_t **out);

/*
 * PSS in kB summed over root and every process descending from it, read now
 * from /proc; -1 when root's own cannot be read. A child that exits
 * meanwhile simply stops counting.
 */
long proctree_pss_kb(pid_t root);

/*
 * The on-CPU nanoseconds of a /proc/PID/task/TID/schedstat text (its first
 * field: the scheduler's exact runtime, not sampled on ticks) into *ns. 0, or
 * -1 if it is malformed.
 */
int proctree_parse_schedstat(const char *schedstat, unsigned long long *ns);

/*
 * The CPU time the tree has used so far, in seconds, as exactly as /proc
 * tells it: per process, its live threads' scheduler runtime (nanoseconds)
 * or, if larger, its stat's user + system time (clock ticks, but with the
 * threads that have exited), plus what it reaped of its children (ticks).
 * Exact to the nanosecond for a process whose threads all live, as a pool's
 * do; the ticks alone are 10 ms steps, as much as a whole
 * short run's CPU. 0, or -1 when root's own cannot be read.
 */
int proctree_runtime_s(pid_t root, double *s);

#endif
