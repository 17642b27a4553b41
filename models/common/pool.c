/* pool.c -- start, wake and join a fixed pool of threads. */
#include "pool.h"
#include "server.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

int pool_start(struct pool_worker *w, int n, void *(*run)(void *), const char *model)
{
	pthread_attr_t attr;
	int i, e = 0;

	if (pthread_attr_init(&attr) != 0 || pthread_attr_setstacksize(&attr, POOL_STACK) != 0) {
		fprintf(stderr, "%s: thread attributes refused\n", model);
		return 0;
	}
	for (i = 0; i < n; i++) {
		w[i].cur_fd = -1;
		if ((e = pthread_create(&w[i].tid, &attr, run, &w[i])) != 0) {
			fprintf(stderr, "%s: cannot start worker %d: %s\n", model, i, strerror(e));
			break;
		}
	}
	pthread_attr_destroy(&attr);
	return i;
}

void pool_wake(const struct pool_worker *w, int n)
{
	for (int i = 0; i < n; i++)
		if (w[i].cur_fd >= 0)
			shutdown(w[i].cur_fd, SHUT_RDWR);
}

int pool_join(const struct pool_worker *w, int n, const char *model)
{
	struct timespec deadline;
	int stuck = 0;

	server_deadline(&deadline, POOL_STOP_GRACE_MS);
	for (int i = 0; i < n; i++) {
		int e = pthread_timedjoin_np(w[i].tid, NULL, &deadline);

		if (e != 0) {
			fprintf(stderr, "%s: worker %d not joined: %s\n", model, i, strerror(e));
			stuck++;
		}
	}
	return stuck;
}
