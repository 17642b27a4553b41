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

/*
 * The model's whole state. The registry of live connections: slots[i] is a
 * connection's fd or -1. On stop, main shuts every one down so that workers
 * blocked in poll or send return at once. A worker frees its slot when it is
 * done serving, before it closes the connection (conn_serve_held): the
 * client sees the close only once the slot is free, so a client that
 * reconnects after it is never refused (issue 19). The close that follows
 * (a graceful one lingers at most CONN_LINGER_MS) no longer counts.
 */
struct threads {
	pthread_mutex_t lock;
	pthread_cond_t empty; /* live reached 0 */
	int *slots;
	int nslots, live;
	int timeout_s; /* --timeout */
	pthread_attr_t attr;
};

struct worker_arg { /* heap-allocated: it must outlive main's loop iteration */
	struct threads *t;
	int fd;
	int slot;
};

/* Claim a slot for fd: its index, or -1 when --max-conns connections are live. */
static int registry_add(struct threads *t, int fd)
{
	int slot = -1;

	pthread_mutex_lock(&t->lock);
	if (t->live < t->nslots) {
		for (slot = 0; t->slots[slot] >= 0; slot++)
			;
		t->slots[slot] = fd;
		t->live++;
	}
	pthread_mutex_unlock(&t->lock);
	return slot;
}

static void registry_remove(struct threads *t, int slot)
{
	pthread_mutex_lock(&t->lock);
	t->slots[slot] = -1;
	if (--t->live == 0)
		pthread_cond_signal(&t->empty);
	pthread_mutex_unlock(&t->lock);
}

/* The per-connection thread: serve, deregister, close, vanish (detached: nobody joins it). */
static void *worker(void *p)
{
	struct worker_arg *a = p;
	int linger;

	conn_serve_held(a->fd, a->t->timeout_s, 0, &linger);
	registry_remove(a->t, a->slot); /* before the client sees the close */
	conn_finish(a->fd, linger);
	free(a);
	return NULL;
}

/* Start a detached thread for fd, or answer 503 when there is no room for it. */
static void dispatch(struct threads *t, int fd)
{
	struct worker_arg *a;
	pthread_t tid;
	int slot, e;

	if ((slot = registry_add(t, fd)) < 0) {
		conn_reject(fd, 503);
		return;
	}
	if (!(a = malloc(sizeof(*a)))) {
		e = ENOMEM;
		goto fail;
	}
	*a = (struct worker_arg){ .t = t, .fd = fd, .slot = slot };
	if ((e = pthread_create(&tid, &t->attr, worker, a)) == 0)
		return;
	free(a);
fail:
	fprintf(stderr, "thread: cannot start a thread: %s\n", strerror(e));
	registry_remove(t, slot);
	conn_reject(fd, 503);
}

/*
 * Stop: wake every worker by shutting its connection down (a blocked poll
 * sees EOF, a blocked send fails), then wait for the count to reach 0. The
 * wait is bounded so a stuck worker cannot stop the process from exiting.
 */
static void stop_workers(struct threads *t)
{
	struct timespec deadline;

	server_deadline(&deadline, STOP_GRACE_MS);
	pthread_mutex_lock(&t->lock);
	for (int i = 0; i < t->nslots; i++)
		if (t->slots[i] >= 0)
			shutdown(t->slots[i], SHUT_RDWR);
	while (t->live > 0)
		if (pthread_cond_timedwait(&t->empty, &t->lock, &deadline) == ETIMEDOUT)
			break;
	if (t->live > 0)
		fprintf(stderr, "thread: %d connection(s) still open at exit\n", t->live);
	pthread_mutex_unlock(&t->lock);
}

int main(int argc, char **argv)
{
	/* static: a worker lingering past the stop's grace still reaches it as the process exits */
	static struct threads t = { .lock = PTHREAD_MUTEX_INITIALIZER,
		                    .empty = PTHREAD_COND_INITIALIZER };
	struct opts o;
	int lfd;

	/* first: every thread started later inherits the blocked signals */
	server_init(argc, argv, "thread", "One thread per connection (UNP design 6).", 0, &o);
	t.nslots = o.max_conns;
	t.timeout_s = o.timeout;
	if (!(t.slots = malloc((size_t)t.nslots * sizeof(*t.slots)))) {
		perror("thread: malloc");
		return 1;
	}
	memset(t.slots, 0xff, (size_t)t.nslots * sizeof(*t.slots)); /* every slot -1: free */
	if (pthread_attr_init(&t.attr) != 0 ||
	    pthread_attr_setstacksize(&t.attr, THREAD_STACK) != 0 ||
	    pthread_attr_setdetachstate(&t.attr, PTHREAD_CREATE_DETACHED) != 0) {
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
			dispatch(&t, fd);
	}

	close(lfd);
	stop_workers(&t);
	pthread_attr_destroy(&t.attr);
	return 0;
}
