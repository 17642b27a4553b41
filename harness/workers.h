/* workers.h -- how evenly a server's workers share the load: each worker's CPU time over a load
 * window, read from /proc, its share of the total and Jain's fairness index.
 *
 * A worker is a task (a thread) of any process of the server's tree, read from
 * /proc/PID/task/TID/stat, so threads (prethread, reuseport, epoll-shared, threadpool) and
 * processes (the prefork family) are measured the same way and no model needs to change. The
 * server's own main thread is left out: in every pooled design it only waits for signals or
 * accepts and hands out (threadpool, prefork-fdpass); what it does is not a worker's share.
 * CPU time is the load a worker took, so a worker that takes most connections has most of it.
 * Resolution: one clock tick (10 ms at the usual 100 Hz), so a window should hold hundreds.
 */
#ifndef WORKERS_H
#define WORKERS_H

#include <stddef.h>
#include <sys/types.h>

#define WORKERS_MAX 1024

/* One task's CPU time so far, in clock ticks (user + system). */
struct workers_task {
	pid_t tid;
	unsigned long long ticks;
};

/* The tasks of a tree at one moment. truncated: it had more than WORKERS_MAX. */
struct workers_snap {
	int n, truncated;
	struct workers_task task[WORKERS_MAX];
};

/* Jain's index of no load at all: every share is 0/0. */
#define WORKERS_JAIN_UNDEFINED -1.0

/* The workers over a window: CPU seconds each, largest first, their total and Jain's index. */
struct workers_window {
	int n;
	pid_t tid[WORKERS_MAX];
	double cpu_s[WORKERS_MAX];
	double total_s;
	double jain; /* 1/n (one worker took everything) .. 1 (even), or WORKERS_JAIN_UNDEFINED */
};

/*
 * Jain's fairness index of x[0..n): (sum x)^2 / (n * sum x^2). 1 when every
 * x is equal, 1/n when one holds everything; WORKERS_JAIN_UNDEFINED when n is
 * 0 or every x is 0.
 */
double workers_jain(const double *x, int n);

/*
 * The window between two snapshots of one tree (pure): for every task of
 * `after` but `exclude` (the server's main thread), its ticks minus those
 * `before` had for it (all of them for a task born during the window),
 * divided by tick_hz, sorted largest first. A task gone by `after` took CPU
 * that /proc no longer shows: it is not in the window.
 */
void workers_window_of(const struct workers_snap *before, const struct workers_snap *after,
                       pid_t exclude, double tick_hz, struct workers_window *w);

/*
 * The shares of w as "0.52/0.31/0.17" (largest first, 2 decimals, no comma:
 * a CSV field as it is) into buf; "" when w has no CPU time. When they do not
 * all fit (a pool of 256), as many as fit, then "/+M" for the M left out
 * ("0.01/0.01/+254"). Returns buf.
 */
#define WORKERS_MORE_LEN 8 /* room kept for "/+M" (M up to 4 digits) and the NUL */
char *workers_format_shares(const struct workers_window *w, char *buf, size_t buflen);

/* How many workers a workers_format_shares text names: its shares, plus M for a "+M". */
int workers_count(const char *shares);

/*
 * Every task of every process of root's tree, now, into s. 0, or -1 when
 * root is gone. A task that exits meanwhile is simply not in it.
 */
int workers_snapshot(pid_t root, struct workers_snap *s);

#endif
