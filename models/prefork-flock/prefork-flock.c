/* prefork-flock.c -- pre-forked children, accept() serialised by a file lock (UNP design 3). */
#include "net.h"
#include "procpool.h"
#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int lockfd;

/*
 * The accept lock: a POSIX record lock (fcntl F_SETLKW) on the whole of a
 * temporary file, as UNP's my_lock_wait. Record locks belong to the process,
 * so every child can use the descriptor it inherited, and the kernel drops
 * a dead child's lock: a worker killed while holding it cannot wedge the pool.
 * Each call is a system call, taken and released once per connection.
 */
static void lock_set(short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };

	while (fcntl(lockfd, F_SETLKW, &fl) < 0)
		if (errno != EINTR) {
			perror("prefork-flock: fcntl lock");
			_exit(1);
		}
}

static void lock_take(void)
{
	lock_set(F_WRLCK);
}

static void lock_drop(void)
{
	lock_set(F_UNLCK);
}

/* The lock file: created and unlinked at once, so nothing is left behind; only the fd lives. */
static int lock_open(void)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/prefork-flock.XXXXXX", dir && *dir ? dir : "/tmp");
	if ((fd = mkostemp(path, O_CLOEXEC)) < 0) {
		fprintf(stderr, "prefork-flock: lock file %s: %m\n", path);
		exit(1);
	}
	unlink(path);
	return fd;
}

/*
 * The model: as prefork, but each child takes the lock before accept() and
 * drops it right after (procpool_run_acceptors). Only the lock holder
 * sleeps in accept(); the others sleep on the lock, in a queue of their
 * own, so a connection wakes one child whatever the kernel does with
 * processes waiting on the same listener.
 */
int main(int argc, char **argv)
{
	static const struct procpool_lock lock = { .take = lock_take, .drop = lock_drop };
	struct opts o;
	int lfd, rc;

	server_init(argc, argv, "prefork-flock",
	            "Fixed pool: N pre-forked children, accept() under a file lock (UNP design 3).",
	            0, &o);
	lockfd = lock_open();
	lfd = server_listen(&o, "prefork-flock", 0);
	rc = procpool_run_acceptors("prefork-flock", o.workers, lfd, o.timeout, &lock);
	close(lfd);
	close(lockfd);
	return rc;
}
