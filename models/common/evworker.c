/* evworker.c -- a multi-reactor worker: one thread, one epoll loop (see evworker.h). */
#include "evworker.h"
#include "evconn.h"
#include "evepoll.h"
#include "net.h"
#include "sig.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define MAX_EVENTS 256 /* ready descriptors taken per wait */

static char stop_tag; /* epoll data of the stop eventfd; the listener's is NULL */

struct evworker *evworker_new(int n, int timeout_s, const char *model)
{
	struct evworker *ws = calloc((size_t)n, sizeof(*ws));
	int stop = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (!ws || stop < 0) {
		fprintf(stderr, "%s: setup: %s\n", model, strerror(errno));
		free(ws);
		if (stop >= 0)
			close(stop);
		return NULL;
	}
	for (int i = 0; i < n; i++)
		ws[i] = (struct evworker){
			.lfd = -1, .ep = -1, .stop = stop, .timeout = timeout_s, .model = model
		};
	return ws;
}

int evworker_setup(struct evworker *w, int lfd, unsigned lev)
{
	struct epoll_event le = { .events = lev, .data.ptr = NULL };
	struct epoll_event se = { .events = EPOLLIN, .data.ptr = &stop_tag };

	w->lfd = lfd;
	w->lev = lev;
	w->paused_until = 0;
	if ((w->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(w->ep, EPOLL_CTL_ADD, lfd, &le) < 0 ||
	    epoll_ctl(w->ep, EPOLL_CTL_ADD, w->stop, &se) < 0) {
		fprintf(stderr, "%s: epoll: %s\n", w->model, strerror(errno));
		return -1;
	}
	return 0;
}

/* Stop watching the listener for NET_OUT_OF_FDS_PAUSE_MS (EPOLLEXCLUSIVE forbids a MOD: delete). */
static void listener_pause(struct evworker *w, long now)
{
	if (epoll_ctl(w->ep, EPOLL_CTL_DEL, w->lfd, NULL) == 0)
		w->paused_until = now + NET_OUT_OF_FDS_PAUSE_MS;
}

static void listener_resume(struct evworker *w, long now)
{
	struct epoll_event le = { .events = w->lev, .data.ptr = NULL };

	if (w->paused_until == 0 || now < w->paused_until)
		return;
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, w->lfd, &le) == 0)
		w->paused_until = 0;
	else
		w->paused_until = now + NET_OUT_OF_FDS_PAUSE_MS;
}

/* The next wait's timeout: the next idle timer, or the end of a listener pause if sooner. */
static int wait_ms(const struct evworker *w, const struct evconn_set *s)
{
	int ms = evconn_wait_ms(s);
	long pause = w->paused_until ? w->paused_until - s->now : -1;

	if (pause >= 0 && (ms < 0 || pause < ms))
		ms = (int)pause;
	return ms;
}

/* One reactor: wait, accept or serve what is ready, expire timers; until the stop eventfd. */
static void *worker_main(void *arg)
{
	struct evworker *w = arg;
	struct epoll_event events[MAX_EVENTS];
	struct evconn_set s;
	struct evconn *c;
	int running = 1;

	evconn_set_init(&s, w->timeout);
	while (running) {
		int n = epoll_wait(w->ep, events, MAX_EVENTS, wait_ms(w, &s));

		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "%s: epoll_wait: %s\n", w->model, strerror(errno));
			break;
		}
		evconn_tick(&s);
		listener_resume(w, s.now);
		for (int i = 0; i < n; i++) {
			void *p = events[i].data.ptr;

			if (p == &stop_tag)
				running = 0; /* never read: it stays readable for every worker */
			else if (p != NULL)
				evepoll_serve(w->ep, &s, p, events[i].events);
			else if (evepoll_accept(w->ep, w->lfd, &s, w->model, EVCONN_ACCEPT_BATCH) <
			         0)
				listener_pause(w, s.now); /* out of descriptors (evworker.h) */
		}
		while ((c = evconn_expired(&s)))
			evconn_close(&s, c);
	}
	while ((c = evconn_any(&s)))
		evconn_close(&s, c);
	evconn_set_free(&s);
	return NULL;
}

int evworker_run_all(struct evworker *ws, int n)
{
	uint64_t one = 1;
	int started = 0, rc = 0;

	for (; started < n; started++) {
		int e = pthread_create(&ws[started].tid, NULL, worker_main, &ws[started]);

		if (e) {
			fprintf(stderr, "%s: pthread_create: %s\n", ws[0].model, strerror(e));
			rc = 1;
			break;
		}
	}
	/* The calling thread only waits for SIGTERM/SIGINT (delivered only here, race-free). */
	while (rc == 0 && !sig_stop)
		sigsuspend(&sig_waitmask);
	if (started > 0 && write(ws[0].stop, &one, sizeof(one)) != sizeof(one)) {
		fprintf(stderr, "%s: stop: %s\n", ws[0].model, strerror(errno));
		rc = 1;
	}
	for (int i = 0; i < started; i++)
		pthread_join(ws[i].tid, NULL);
	return rc;
}

void evworker_free(struct evworker *ws, int n)
{
	for (int i = 0; i < n; i++)
		if (ws[i].ep >= 0)
			close(ws[i].ep);
	close(ws[0].stop);
	free(ws);
}
