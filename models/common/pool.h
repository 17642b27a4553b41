/* pool.h -- a fixed pool of blocking threads: prethread's and threadpool's workers,
 * offload's helpers. Started once, woken and joined within a bounded time at stop.
 */
#ifndef POOL_H
#define POOL_H

#include <pthread.h>

/* Small stacks: glibc puts the 24 KiB of conn_serve_blocking's static TLS in the same block. */
#define POOL_STACK         (256 * 1024)
#define POOL_STOP_GRACE_MS 800 /* how long a stop waits for the whole pool */

struct pool_worker {
	pthread_t tid;
	int cur_fd;  /* the connection it serves, -1: none; guarded by its model's lock */
	void *owner; /* the model's state, set by the caller (pool.c leaves it): run's way to it */
};

/*
 * Start n threads, the i-th running run(&w[i]) with cur_fd -1 and owner
 * as the caller set it. Returns how many started: n, or fewer after
 * printing "<model>: cannot start worker <i>: <reason>" (the caller then
 * stops and joins those).
 */
int pool_start(struct pool_worker *w, int n, void *(*run)(void *), const char *model);

/* Shut down every connection a worker serves, waking a worker blocked on it. Under its lock. */
void pool_wake(const struct pool_worker *w, int n);

/*
 * Join the n workers, all within POOL_STOP_GRACE_MS. Returns how many did
 * not finish, each reported as "<model>: worker <i> not joined: <reason>";
 * their entries (and anything they use) must then be left allocated.
 */
int pool_join(const struct pool_worker *w, int n, const char *model);

#endif
