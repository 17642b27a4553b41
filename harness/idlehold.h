/* idlehold.h -- N idle keep-alive connections held open beside the load (the C10K scenario). */
#ifndef IDLEHOLD_H
#define IDLEHOLD_H

#include <signal.h>
#include <stddef.h>

#define IDLEHOLD_MARGIN 64 /* descriptors kept free beside the held ones (files, pipes, tool) */

/*
 * The held connections. Each completed one request (GET /, keep-alive) and
 * then stays silent; a connection the server refused, reset, closed or left
 * unanswered within the time bound is counted in refused and not held.
 */
struct idlehold {
	int *fds;    /* the held sockets, nheld of them */
	int want;    /* N asked for */
	int nheld;   /* answered and held */
	int refused; /* want - nheld: refused, reset, closed or unanswered */
	int dropped; /* of the held, closed by the server by idlehold_check */
};

/*
 * Make room for need descriptors beside the ones open now plus
 * IDLEHOLD_MARGIN: raise our soft RLIMIT_NOFILE up to the hard limit (a child
 * started afterwards inherits it). 0, or -1 when even the hard limit is too
 * small, with "RLIMIT_NOFILE hard limit <h>" in why (the cell is skipped, N is
 * never made smaller).
 */
int idlehold_reserve(long need, char *why, size_t len);

/*
 * Open want connections to addr:port (numeric IPv4 or IPv6, "[::1]" too),
 * at most a window of them in flight at once so the listen backlog is not
 * the bottleneck, send each one request and read its whole reply. Bounded:
 * gives up on what is unanswered after limit_ms, and at once when *stop
 * becomes non-zero (SIGINT, SIGTERM and SIGHUP are taken while it waits).
 * Returns 0 with h filled (h->refused may be > 0), or -1 (why says: a bad
 * address, out of memory, or stopped) with nothing held.
 */
int idlehold_open(struct idlehold *h, const char *addr, int port, int want, int limit_ms,
                  volatile sig_atomic_t *stop, char *why, size_t len);

/*
 * Count in h->dropped the held connections the server has closed or reset
 * (a non-blocking peek sees EOF or an error), or on which it spoke unasked.
 * Returns h->dropped.
 */
int idlehold_check(struct idlehold *h);

/*
 * The verdict on h as a status into buf: "refused: R of N idle connections",
 * "dropped: D of N idle connections" (refused first), or "" when every one
 * was held to the end. Returns 1 when there is a verdict, else 0.
 */
int idlehold_status(const struct idlehold *h, char *buf, size_t len);

/* Close every held connection and free h (safe to call twice). */
void idlehold_close(struct idlehold *h);

#endif
