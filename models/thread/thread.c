/* thread.c -- one thread per connection (UNP design 6, thread-per-connection). */
#include "conn.h"
#include "net.h"
#include "server.h"
#include "sig.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * 256 KiB per thread instead of glibc's 8 MiB default, so a thousand
 * connections do not reserve 8 GiB of address space. glibc carves the static
 * TLS (conn_serve_blocking's 24 KiB conn_buf, resp's reply cache) out of this
 * same block; what remains (~230 KiB) is far more than the call chain needs.
 */
#define THREAD_STACK  (256 * 1024)
#define STOP_GRACE_MS 800 /* how long main waits for the workers to finish */

struct worker_arg { /* heap-allocated: it must outlive main's loop iteration */
	int fd;
	int slot;
	int timeout;
};

/*
 * The registry of live connections: slots[i] is a connection's fd or -1.
 * On stop, main shuts every one down so that workers blocked in poll or
 * send return at once. A slot can briefly name an fd its worker has already
 * closed; after stop nothing creates new connections, so at worst the
 * shutdown hits a connection that is being stopped anyway.
 */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reg_empty = PTHREAD_COND_INITIALIZER;
static int *slots;
static int nslots, live;

/* Claim a slot for fd: its index, or -1 when --max-conns connections are live. */
static int registry_add(int fd)
{
	int slot = -1;

	pthread_mutex_lock(&reg_lock);
	if (live < nslots) {
		for (slot = 0; slots[slot] >= 0; slot++)
			;
		slots[slot] = fd;
		live++;
	}
	pthread_mutex_unlock(&reg_lock);
	return slot;
}

static void registry_remove(int slot)
{
	pthread_mutex_lock(&reg_lock);
	slots[slot] = -1;
	if (--live == 0)
		pthread_cond_signal(&reg_empty);
	pthread_mutex_unlock(&reg_lock);
}

/* The per-connection thread: serve, deregister, vanish (detached: nobody joins it). */
static void *worker(void *p)
{
	struct worker_arg *a = p;

	conn_serve_blocking(a->fd, a->timeout, 0);
	registry_remove(a->slot);
	free(a);
	return NULL;
}

/* Start a detached thread for fd, or answer 503 when there is no room for it. */
static void dispatch(pthread_attr_t *attr, int fd, int timeout)
{
	struct worker_arg *a;
	pthread_t tid;
	int slot, e;

	if ((slot = registry_add(fd)) < 0) {
		conn_reject(fd, 503);
		return;
	}
	if (!(a = malloc(sizeof(*a)))) {
		e = ENOMEM;
		goto fail;
	}
	a->fd = fd;
	a->slot = slot;
	a->timeout = timeout;
	if ((e = pthread_create(&tid, attr, worker, a)) == 0)
		return;
	free(a);
fail:
	fprintf(stderr, "thread: cannot start a thread: %s\n", strerror(e));
	registry_remove(slot);
	conn_reject(fd, 503);
}

/*
 * Stop: wake every worker by shutting its connection down (a blocked poll
 * sees EOF, a blocked send fails), then wait for the count to reach 0. The
 * wait is bounded so a stuck worker cannot stop the process from exiting.
 */
static void stop_workers(void)
{
	struct timespec deadline;

	server_deadline(&deadline, STOP_GRACE_MS);
	pthread_mutex_lock(&reg_lock);
	for (int i = 0; i < nslots; i++)
		if (slots[i] >= 0)
			shutdown(slots[i], SHUT_RDWR);
	while (live > 0)
		if (pthread_cond_timedwait(&reg_empty, &reg_lock, &deadline) == ETIMEDOUT)
			break;
	if (live > 0)
		fprintf(stderr, "thread: %d connection(s) still open at exit\n", live);
	pthread_mutex_unlock(&reg_lock);
}

int main(int argc, char **argv)
{
	pthread_attr_t attr;
	struct opts o;
	int lfd;

	/* first: every thread started later inherits the blocked signals */
	server_init(argc, argv, "thread", "One thread per connection (UNP design 6).", 0, &o);
	nslots = o.max_conns;
	if (!(slots = malloc((size_t)nslots * sizeof(*slots)))) {
		perror("thread: malloc");
		return 1;
	}
	memset(slots, 0xff, (size_t)nslots * sizeof(*slots)); /* every slot -1: free */
	if (pthread_attr_init(&attr) != 0 || pthread_attr_setstacksize(&attr, THREAD_STACK) != 0 ||
	    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) != 0) {
		fprintf(stderr, "thread: thread attributes refused\n");
		return 1;
	}
	lfd = server_listen(&o, "thread", NET_NONBLOCK);
	if (net_announce(lfd) < 0)
		return 1;

	/* The whole model: main accepts, and every connection gets a thread of its own. */
	while (!sig_stop) {
		int fd = server_accept(lfd, "thread"); /* -1: a signal or a failed accept */

		if (fd >= 0)
			dispatch(&attr, fd, o.timeout);
	}

	close(lfd);
	stop_workers();
	pthread_attr_destroy(&attr);
	return 0;
}
