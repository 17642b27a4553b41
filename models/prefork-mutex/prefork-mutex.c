/* prefork-mutex.c -- pre-forked children, accept() under a process-shared mutex (UNP design 4). */
#include "net.h"
#include "procpool.h"
#include "server.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/*
 * The accept lock: a pthread mutex in a shared anonymous mapping, made
 * before the fork so every child maps the same page, with
 * PTHREAD_PROCESS_SHARED (a futex on a shared page). Uncontended, taking
 * and releasing it is an atomic instruction each, no system call; a
 * waiter sleeps in the kernel on the futex. It is robust: a child killed
 * while holding it (SIGKILL, a crash) hands the next locker EOWNERDEAD
 * instead of leaving every other child blocked for good.
 */
static pthread_mutex_t *accept_lock;

static void lock_take(void)
{
	int e = pthread_mutex_lock(accept_lock);

	if (e == EOWNERDEAD) /* the holder died: nothing it guarded is inconsistent */
		e = pthread_mutex_consistent(accept_lock);
	if (e) {
		fprintf(stderr, "prefork-mutex: lock: %s\n", strerror(e));
		_exit(1);
	}
}

static void lock_drop(void)
{
	pthread_mutex_unlock(accept_lock);
}

/* The mutex on its own shared page: 0, or -1. */
static int lock_init(void)
{
	pthread_mutexattr_t a;
	int e;

	accept_lock = mmap(NULL, sizeof(*accept_lock), PROT_READ | PROT_WRITE,
	                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (accept_lock == MAP_FAILED) {
		perror("prefork-mutex: mmap");
		return -1;
	}
	if ((e = pthread_mutexattr_init(&a)) == 0 &&
	    (e = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED)) == 0 &&
	    (e = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST)) == 0)
		e = pthread_mutex_init(accept_lock, &a);
	pthread_mutexattr_destroy(&a);
	if (e) {
		fprintf(stderr, "prefork-mutex: mutex: %s\n", strerror(e));
		return -1;
	}
	return 0;
}

/* The model: as prefork, but each child takes the mutex around accept() (procpool_run_acceptors).
 */
int main(int argc, char **argv)
{
	static const struct procpool_lock lock = { .take = lock_take, .drop = lock_drop };
	struct opts o;
	int lfd, rc;

	server_init(argc, argv, "prefork-mutex",
	            "Fixed pool: N pre-forked children, accept() under a process-shared mutex (UNP "
	            "design 4).",
	            0, &o);
	if (lock_init() < 0)
		return 1;
	lfd = server_listen(&o, "prefork-mutex", 0);
	rc = procpool_run_acceptors("prefork-mutex", o.workers, lfd, o.timeout, &lock);
	close(lfd);
	munmap(accept_lock, sizeof(*accept_lock));
	return rc;
}
