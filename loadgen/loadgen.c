/* loadgen.c -- an open-loop HTTP load generator: requests leave on a schedule, not when replies
 * come back, and each latency runs from the request's intended send time (no coordinated
 * omission). One epoll loop per thread; see README.md for the design and the proof. */
#include "hist.h"
#include "proto.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define LOADGEN_VERSION "1"
#define EXIT_USAGE      2
#define MAX_CONNS       10000
#define MAX_RATE        10e6
#define MAX_DURATION    3600.0
#define QUEUE_MAX       (1u << 20) /* requests waiting for a connection, per thread */
#define TIMEOUT_SCAN_NS 10000000ull
#define TIMER_TAG       UINT32_MAX
#define NS              1000000000ull
#define BUF_SIZE        16384
#define LAG_SHARE       0.1 /* of the latency p99: see report() */

/* ---- configuration ---------------------------------------------------------------------- */

struct conf {
	const char *url_text;
	struct lg_url url;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	double rate, duration, timeout_s, drain_s;
	unsigned conns, threads;
	int poisson, close_mode, allow_remote;
	uint64_t lag_bound_us, seed;
	char request[1400];
	size_t reqlen;
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: loadgen --rate R [--duration S] [--connections N] [--threads T]\n"
	        "               [--dist poisson|constant] [--close] [--timeout S] [--drain S]\n"
	        "               [--lag-bound-us N] [--seed N] [--allow-remote] [--version] URL\n"
	        "  URL is http://HOST[:PORT][/PATH]; results go to stdout as key=value lines,\n"
	        "  a summary to stderr. Defaults: --duration 10 --connections 16 --threads CPUs\n"
	        "  --dist poisson --timeout 10 --drain 2 --lag-bound-us 1000. See "
	        "loadgen/README.md.\n");
}

static _Noreturn void bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "loadgen: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	usage(stderr);
	exit(EXIT_USAGE);
}

/* A finite number in [lo, hi] from arg, or exit 2 naming the option. */
static double num_arg(const char *opt, const char *arg, double lo, double hi)
{
	char *end;
	errno = 0;
	double v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v < lo || v > hi) {
		fprintf(stderr, "loadgen: --%s %s: expected a number in %g..%g\n", opt, arg, lo,
		        hi);
		usage(stderr);
		exit(EXIT_USAGE);
	}
	return v;
}

static unsigned affinity_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 1;
	int n = CPU_COUNT(&set);
	return n > 0 ? (unsigned)n : 1;
}

static void parse_args(int argc, char **argv, struct conf *c)
{
	static const struct option opts[] = {
		{ "rate", required_argument, 0, 'r' },
		{ "duration", required_argument, 0, 'd' },
		{ "connections", required_argument, 0, 'c' },
		{ "threads", required_argument, 0, 't' },
		{ "dist", required_argument, 0, 'D' },
		{ "close", no_argument, 0, 'C' },
		{ "timeout", required_argument, 0, 'T' },
		{ "drain", required_argument, 0, 'W' },
		{ "lag-bound-us", required_argument, 0, 'L' },
		{ "seed", required_argument, 0, 's' },
		{ "allow-remote", no_argument, 0, 'A' },
		{ "help", no_argument, 0, 'h' },
		{ "version", no_argument, 0, 'V' },
		{ 0, 0, 0, 0 },
	};
	*c = (struct conf){ .duration = 10,
		            .timeout_s = 10,
		            .drain_s = 2,
		            .conns = 16,
		            .poisson = 1,
		            .lag_bound_us = 1000,
		            .seed = 1 };
	int o, have_rate = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'r':
			c->rate = num_arg("rate", optarg, 0, MAX_RATE);
			have_rate = 1;
			break;
		case 'd': c->duration = num_arg("duration", optarg, 0.01, MAX_DURATION); break;
		case 'c': c->conns = (unsigned)num_arg("connections", optarg, 1, MAX_CONNS); break;
		case 't': c->threads = (unsigned)num_arg("threads", optarg, 1, 256); break;
		case 'T': c->timeout_s = num_arg("timeout", optarg, 0.001, MAX_DURATION); break;
		case 'W': c->drain_s = num_arg("drain", optarg, 0, MAX_DURATION); break;
		case 'L':
			c->lag_bound_us = (uint64_t)num_arg("lag-bound-us", optarg, 1, 1e9);
			break;
		case 's': c->seed = (uint64_t)num_arg("seed", optarg, 0, 1e15); break;
		case 'C': c->close_mode = 1; break;
		case 'A': c->allow_remote = 1; break;
		case 'D':
			if (strcmp(optarg, "poisson") && strcmp(optarg, "constant"))
				bad("--dist %s: expected poisson or constant", optarg);
			c->poisson = strcmp(optarg, "poisson") == 0;
			break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("loadgen %s\n", LOADGEN_VERSION); exit(0);
		default: usage(stderr); exit(EXIT_USAGE);
		}
	}
	if (optind != argc - 1)
		bad("expected exactly one URL%s", "");
	c->url_text = argv[optind];
	if (!have_rate || c->rate <= 0)
		bad("--rate must be given and above 0%s", "");
	if (c->threads == 0)
		c->threads = affinity_cpus();
	if (c->threads > c->conns)
		c->threads = c->conns; /* a thread without a connection could send nothing */
}

/* Validate the URL, the target's address and the rate against what the connections carry.
 * Everything that is the caller's mistake exits 2; a name that does not resolve exits 1. */
static void check_target(struct conf *c)
{
	char err[128];
	if (lg_url_parse(c->url_text, &c->url, err, sizeof(err)) < 0) {
		fprintf(stderr, "loadgen: bad URL %s: %s\n", c->url_text, err);
		exit(EXIT_USAGE);
	}
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	int rc = getaddrinfo(c->url.host, c->url.port, &hints, &ai);
	if (rc != 0) {
		fprintf(stderr, "loadgen: cannot resolve %s: %s\n", c->url.host, gai_strerror(rc));
		exit(1);
	}
	memcpy(&c->addr, ai->ai_addr, ai->ai_addrlen);
	c->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	if (!c->allow_remote && !lg_addr_is_loopback((struct sockaddr *)&c->addr))
		bad("%s is not a loopback address: pass --allow-remote to load another host",
		    c->url.host);
	double cap = lg_capacity_rps(c->conns, c->url.path);
	if (c->rate > cap) {
		fprintf(stderr,
		        "loadgen: --rate %g is beyond what %u connection(s) can carry for %s "
		        "(at most %.0f req/s: each holds one request for at least %llu us)\n",
		        c->rate, c->conns, c->url.path, cap,
		        (unsigned long long)lg_target_service_us(c->url.path));
		exit(EXIT_USAGE);
	}
	int n = snprintf(c->request, sizeof(c->request), "GET %s HTTP/1.1\r\nHost: %s:%s\r\n%s\r\n",
	                 c->url.path, c->url.host, c->url.port,
	                 c->close_mode ? "Connection: close\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(c->request))
		bad("the request for %s is too long", c->url_text);
	c->reqlen = (size_t)n;
}

/* ---- one thread's loop ------------------------------------------------------------------ */

enum slot_state { SLOT_IDLE, SLOT_CONNECTING, SLOT_WRITING, SLOT_READING };

/* One connection (in close mode: one connection at a time) carrying one request at a time. */
struct slot {
	int fd; /* -1 while closed: the next request connects first */
	enum slot_state state;
	uint64_t intended; /* the request's scheduled send time, ns */
	uint64_t started;  /* when it was handed to this slot, for the timeout */
	size_t woff, blen;
	int head_done;
	struct lg_resp resp;
	int64_t body_left; /* -1: until EOF */
	uint64_t body;     /* body bytes of the reply so far */
	char buf[BUF_SIZE];
};

struct counters {
	uint64_t scheduled, sent, completed, in_window, ok, non_2xx, s503, body_bytes;
	uint64_t ok_window, s503_window, body_2xx; /* the outcomes apart: 2xx and 503 */
	uint64_t err_connect, err_io, err_timeout, dropped, unfinished, conn_wait, queue_max;
};

struct worker {
	const struct conf *c;
	unsigned idx, nslots, nfree, free_head;
	struct slot *slots;
	/* Ring of idle slot indexes, oldest first: requests take the connections in turn. A stack
	 * would reuse one hot connection and leave the others idle, and an iterative server,
	 * which serves its connections in accept order, would wait on an idle one. */
	unsigned *free;
	int ep, tfd;
	double rate; /* this thread's share, in req/s */
	uint64_t start, end, next_due, rng;
	uint64_t *q; /* ring of intended times waiting for a free slot */
	size_t qcap, qhead, qlen;
	struct counters n;
	struct lg_hist lat, lat_ok, lag; /* lat_ok: the 2xx replies' alone */
	pthread_t tid;
	int failed;
};

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: a fast, decent generator, one per thread (no shared state). */
static double uniform01(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (double)((*s * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

/* The gap to the next intended send: exponential for Poisson arrivals, else constant. */
static uint64_t next_gap(struct worker *w)
{
	double mean = 1e9 / w->rate;
	if (!w->c->poisson)
		return (uint64_t)mean;
	return (uint64_t)(-log(1.0 - uniform01(&w->rng)) * mean);
}

static int watch(struct worker *w, struct slot *s, uint32_t events, int op)
{
	struct epoll_event ev = { .events = events, .data.u32 = (uint32_t)(s - w->slots) };
	return epoll_ctl(w->ep, op, s->fd, &ev);
}

static void slot_close(struct slot *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* The slot's request is over (answered or failed): record it, free the slot. */
static void slot_release(struct worker *w, struct slot *s, uint64_t now, int answered)
{
	if (answered) {
		int in_window = now <= w->end, ok = s->resp.status >= 200 && s->resp.status < 300;

		w->n.completed++;
		w->n.in_window += in_window;
		lg_hist_record(&w->lat, (now - s->intended) / 1000);
		if (ok)
			lg_hist_record(&w->lat_ok, (now - s->intended) / 1000);
		w->n.ok += ok;
		w->n.non_2xx += !ok;
		w->n.ok_window += ok && in_window;
		w->n.s503 += s->resp.status == 503;
		w->n.s503_window += s->resp.status == 503 && in_window;
		w->n.body_bytes += s->body;
		w->n.body_2xx += ok ? s->body : 0;
	}
	if (!answered || s->resp.close || w->c->close_mode) {
		slot_close(s);
	} else if (watch(w, s, EPOLLIN, EPOLL_CTL_MOD) < 0) {
		slot_close(s);
	}
	s->state = SLOT_IDLE;
	w->free[(w->free_head + w->nfree++) % w->nslots] = (unsigned)(s - w->slots);
}

static void slot_fail(struct worker *w, struct slot *s, uint64_t now, uint64_t *counter)
{
	(*counter)++;
	slot_release(w, s, now, 0);
}

/* Send what is left of the request; on completion wait for the reply. */
static void slot_write(struct worker *w, struct slot *s, uint64_t now)
{
	while (s->woff < w->c->reqlen) {
		ssize_t k =
		    send(s->fd, w->c->request + s->woff, w->c->reqlen - s->woff, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN) {
			if (watch(w, s, EPOLLOUT, EPOLL_CTL_MOD) < 0)
				slot_fail(w, s, now, &w->n.err_io);
			return;
		}
		if (k <= 0) {
			slot_fail(w, s, now, &w->n.err_io);
			return;
		}
		s->woff += (size_t)k;
	}
	s->state = SLOT_READING;
	s->blen = 0;
	s->head_done = 0;
	if (watch(w, s, EPOLLIN, EPOLL_CTL_MOD) < 0)
		slot_fail(w, s, now, &w->n.err_io);
}

/* Open a non-blocking connection for the slot; the request goes once it is up. */
static int slot_connect(struct worker *w, struct slot *s)
{
	s->fd = socket(w->c->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -1;
	int one = 1;
	setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s->fd, (const struct sockaddr *)&w->c->addr, w->c->addrlen) < 0 &&
	    errno != EINPROGRESS)
		goto fail;
	if (watch(w, s, EPOLLOUT, EPOLL_CTL_ADD) < 0)
		goto fail;
	return 0;
fail:
	slot_close(s);
	return -1;
}

/* Hand the request intended for `intended` to a free slot. */
static void request_start(struct worker *w, uint64_t intended, uint64_t now)
{
	struct slot *s = &w->slots[w->free[w->free_head]];

	w->free_head = (w->free_head + 1) % w->nslots;
	w->nfree--;
	s->intended = intended;
	s->started = now;
	s->woff = 0;
	s->resp.close = 0;
	w->n.sent++;
	if (s->fd < 0) {
		s->state = SLOT_CONNECTING;
		if (slot_connect(w, s) < 0)
			slot_fail(w, s, now, &w->n.err_connect);
		return;
	}
	s->state = SLOT_WRITING;
	slot_write(w, s, now);
}

static void queue_push(struct worker *w, uint64_t intended)
{
	if (w->qlen == w->qcap) {
		size_t cap = w->qcap ? w->qcap * 2 : 1024;
		uint64_t *q = cap <= QUEUE_MAX ? malloc(cap * sizeof(*q)) : NULL;
		if (!q) {
			w->n.dropped++;
			return;
		}
		for (size_t i = 0; i < w->qlen; i++)
			q[i] = w->q[(w->qhead + i) % w->qcap];
		free(w->q);
		w->q = q;
		w->qcap = cap;
		w->qhead = 0;
	}
	w->q[(w->qhead + w->qlen++) % w->qcap] = intended;
	if (w->qlen > w->n.queue_max)
		w->n.queue_max = w->qlen;
}

/* Every request whose intended time has come leaves now, or queues for a connection. The gap
 * between its intended time and now is the generator's schedule lag. */
static void release_due(struct worker *w, uint64_t now)
{
	while (w->next_due <= now && w->next_due < w->end) {
		uint64_t due = w->next_due;
		w->next_due += next_gap(w);
		w->n.scheduled++;
		lg_hist_record(&w->lag, (now - due) / 1000);
		if (w->nfree > 0 && w->qlen == 0) {
			request_start(w, due, now);
		} else {
			w->n.conn_wait++;
			queue_push(w, due);
		}
	}
}

static void dispatch_queued(struct worker *w, uint64_t now)
{
	while (w->qlen > 0 && w->nfree > 0) {
		uint64_t due = w->q[w->qhead];
		w->qhead = (w->qhead + 1) % w->qcap;
		w->qlen--;
		request_start(w, due, now);
	}
}

/* Take in what the server sent; finish the request once its reply is complete. */
static void slot_read(struct worker *w, struct slot *s, uint64_t now)
{
	for (;;) {
		ssize_t k = recv(s->fd, s->buf + s->blen, sizeof(s->buf) - s->blen, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN)
			return;
		if (k <= 0) { /* EOF ends a reply without a length; anything else is an error */
			if (k == 0 && s->head_done && s->body_left < 0) {
				s->resp.close = 1;
				slot_release(w, s, now, 1);
			} else {
				slot_fail(w, s, now, &w->n.err_io);
			}
			return;
		}
		s->blen += (size_t)k;
		if (!s->head_done) {
			int h = lg_resp_head(s->buf, s->blen, &s->resp);
			if (h == LG_HEAD_BAD || (h == LG_HEAD_MORE && s->blen == sizeof(s->buf))) {
				slot_fail(w, s, now, &w->n.err_io);
				return;
			}
			if (h == LG_HEAD_MORE)
				continue;
			s->head_done = 1;
			s->body_left = s->resp.content_length;
			s->body = 0;
			k = (ssize_t)(s->blen - (size_t)h);
		}
		s->blen = 0; /* body bytes are counted, not kept */
		s->body += (uint64_t)k;
		if (s->body_left >= 0) {
			s->body_left -= k;
			if (s->body_left < 0) { /* more than announced: the framing is lost */
				slot_fail(w, s, now, &w->n.err_io);
				return;
			}
			if (s->body_left == 0) {
				slot_release(w, s, now, 1);
				return;
			}
		}
	}
}

static void slot_event(struct worker *w, struct slot *s, uint32_t events, uint64_t now)
{
	if (s->state == SLOT_IDLE) { /* the server closed an idle keep-alive connection */
		slot_close(s);
		return;
	}
	if (s->state == SLOT_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
			slot_fail(w, s, now, &w->n.err_connect);
			return;
		}
		s->state = SLOT_WRITING;
	}
	if (s->state == SLOT_WRITING && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
		slot_write(w, s, now);
	else if (s->state == SLOT_READING)
		slot_read(w, s, now);
}

static void scan_timeouts(struct worker *w, uint64_t now)
{
	uint64_t limit = (uint64_t)(w->c->timeout_s * 1e9);
	for (unsigned i = 0; i < w->nslots; i++) {
		struct slot *s = &w->slots[i];
		if (s->state != SLOT_IDLE && now - s->started > limit)
			slot_fail(w, s, now, &w->n.err_timeout);
	}
}

static void arm_timer(struct worker *w, uint64_t at)
{
	struct itimerspec its = { .it_value = { .tv_sec = (time_t)(at / NS),
		                                .tv_nsec = (long)(at % NS) } };
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		its.it_value.tv_nsec = 1; /* zero would disarm it */
	timerfd_settime(w->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* The loop: release due requests, wait for the next due time or I/O, repeat until the run
 * and its drain are over. */
static void worker_run(struct worker *w)
{
	uint64_t drain_end = w->end + (uint64_t)(w->c->drain_s * 1e9), last_scan = 0;
	struct epoll_event evs[64];
	for (;;) {
		uint64_t now = now_ns();
		release_due(w, now);
		dispatch_queued(w, now);
		if (now - last_scan >= TIMEOUT_SCAN_NS) {
			scan_timeouts(w, now);
			dispatch_queued(w, now);
			last_scan = now;
		}
		int busy = w->nfree < w->nslots || w->qlen > 0;
		if ((now >= w->end && !busy) || now >= drain_end)
			break;
		uint64_t at = w->next_due < w->end ? w->next_due
		              : now >= w->end      ? drain_end
		                                   : w->end;
		if (busy && at > now + TIMEOUT_SCAN_NS)
			at = now + TIMEOUT_SCAN_NS;
		arm_timer(w, at);
		int n = epoll_wait(w->ep, evs, 64, -1);
		now = now_ns();
		for (int i = 0; i < n; i++) {
			if (evs[i].data.u32 == TIMER_TAG) {
				uint64_t ticks;
				if (read(w->tfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
					w->failed = 1;
				continue;
			}
			slot_event(w, &w->slots[evs[i].data.u32], evs[i].events, now);
		}
	}
	w->n.unfinished = w->qlen + (w->nslots - w->nfree);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	/* The kernel may defer a timer by the thread's slack (50 us by default): that would be
	 * schedule lag of our own making. */
	prctl(PR_SET_TIMERSLACK, 1000UL);
	worker_run(w);
	return NULL;
}

/* ---- setup, report ---------------------------------------------------------------------- */

/* Connect one slot with a blocking connect (setup only), then make it non-blocking. */
static int preconnect(const struct conf *c, int *fdp, char *why, size_t whylen)
{
	int fd = socket(c->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)&c->addr, c->addrlen) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	*fdp = fd;
	return 0;
}

/* Set up worker i's share: its connections (open in keep-alive mode), its rate, its loop. */
static int worker_init(struct worker *w, const struct conf *c, unsigned i)
{
	*w = (struct worker){ .c = c, .idx = i, .ep = -1, .tfd = -1 };
	w->nslots = c->conns / c->threads + (i < c->conns % c->threads);
	w->rate = c->rate * w->nslots / c->conns;
	w->slots = calloc(w->nslots, sizeof(*w->slots));
	w->free = calloc(w->nslots, sizeof(*w->free));
	w->ep = epoll_create1(EPOLL_CLOEXEC);
	w->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (!w->slots || !w->free || w->ep < 0 || w->tfd < 0)
		return -1;
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = TIMER_TAG };
	if (epoll_ctl(w->ep, EPOLL_CTL_ADD, w->tfd, &ev) < 0)
		return -1;
	lg_hist_init(&w->lat);
	lg_hist_init(&w->lat_ok);
	lg_hist_init(&w->lag);
	w->rng = (c->seed + 1) * 0x9E3779B97F4A7C15ull ^ ((uint64_t)i + 1) * 0xBF58476D1CE4E5B9ull;
	for (unsigned k = 0; k < w->nslots; k++) {
		struct slot *s = &w->slots[k];
		s->fd = -1;
		w->free[w->nfree++] = k;
		char why[128];
		if (!c->close_mode) {
			if (preconnect(c, &s->fd, why, sizeof(why)) < 0) {
				fprintf(stderr, "loadgen: cannot connect to %s: %s\n", c->url_text,
				        why);
				return -1;
			}
			if (watch(w, s, EPOLLIN, EPOLL_CTL_ADD) < 0)
				return -1;
		}
	}
	return 0;
}

/* Fix the run's window; the first request is due one gap after the start. */
static void worker_schedule(struct worker *w, uint64_t start)
{
	w->start = start;
	w->end = start + (uint64_t)(w->c->duration * 1e9);
	/* Constant arrivals: offset the threads so that together they stay evenly spaced. */
	w->next_due = start + (w->c->poisson ? next_gap(w) : (uint64_t)(1e9 * w->idx / w->c->rate));
}

static void worker_free(struct worker *w)
{
	for (unsigned k = 0; w->slots && k < w->nslots; k++)
		slot_close(&w->slots[k]);
	free(w->slots);
	free(w->free);
	free(w->q);
	if (w->ep >= 0)
		close(w->ep);
	if (w->tfd >= 0)
		close(w->tfd);
}

static void counters_add(struct counters *a, const struct counters *b)
{
	const uint64_t *src = (const uint64_t *)b;
	uint64_t *dst = (uint64_t *)a;
	for (size_t i = 0; i < sizeof(*a) / sizeof(uint64_t); i++)
		dst[i] += src[i];
	/* queue_max is a maximum per thread; the sum bounds the total backlog */
}

static double cpu_seconds(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* Print the machine-readable report (stdout, key=value) and the human summary (stderr). */
static void report(const struct conf *c, const struct counters *n, const struct lg_hist *lat,
                   const struct lg_hist *lat_ok, const struct lg_hist *lag, double wall,
                   const struct rusage *ru)
{
	static const struct {
		const char *key;
		double p;
	} pcts[] = { { "p50", 50 }, { "p90", 90 }, { "p99", 99 }, { "p999", 99.9 } };
	double user = cpu_seconds(&ru->ru_utime), sys = cpu_seconds(&ru->ru_stime);
	double cpu_pct = 100 * (user + sys) / wall;
	uint64_t lag99 = lg_hist_percentile(lag, 99), lat99 = lg_hist_percentile(lat, 99);
	/* Lagged: the generator's own lateness passed the bound and is a material part (over
	 * LAG_SHARE) of the p99 it reports, so that p99 is not the server's. A run that had
	 * to drop requests could not keep its schedule at all. */
	int lagged =
	    (lag99 > c->lag_bound_us && lag99 > LAG_SHARE * (double)lat99) || n->dropped > 0;
	uint64_t errors = n->err_connect + n->err_io + n->err_timeout + n->dropped;
	const struct {
		const char *key;
		uint64_t v;
	} counts[] = {
		{ "scheduled", n->scheduled },
		{ "sent", n->sent },
		{ "completed", n->completed },
		{ "ok_2xx", n->ok },
		{ "non_2xx", n->non_2xx },
		{ "body_bytes", n->body_bytes },
		{ "status_503", n->s503 },
		{ "body_bytes_2xx", n->body_2xx },
		{ "errors", errors },
		{ "errors_connect", n->err_connect },
		{ "errors_io", n->err_io },
		{ "errors_timeout", n->err_timeout },
		{ "dropped", n->dropped },
		{ "unfinished", n->unfinished },
		{ "conn_wait", n->conn_wait },
		{ "queue_max", n->queue_max },
		{ "lat_max_us", lat->max },
		{ "lag_p50_us", lg_hist_percentile(lag, 50) },
		{ "lag_p99_us", lag99 },
		{ "lag_max_us", lag->max },
		{ "lag_bound_us", c->lag_bound_us },
	};
	printf("target=%s\nmode=%s\ndist=%s\nthreads=%u\nconnections=%u\n", c->url_text,
	       c->close_mode ? "close" : "keepalive", c->poisson ? "poisson" : "constant",
	       c->threads, c->conns);
	printf("duration_s=%.3f\nrate=%.3f\noffered_rps=%.3f\nachieved_rps=%.3f\n", c->duration,
	       c->rate, n->scheduled / c->duration, n->in_window / c->duration);
	printf("goodput_rps=%.3f\nrejected_rps=%.3f\n", n->ok_window / c->duration,
	       n->s503_window / c->duration);
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		printf("%s=%llu\n", counts[i].key, (unsigned long long)counts[i].v);
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
		printf("lat_%s_us=%llu\n", pcts[i].key,
		       (unsigned long long)lg_hist_percentile(lat, pcts[i].p));
	printf("lat_mean_us=%.1f\nlag_share=%.3f\n", lg_hist_mean(lat),
	       lat99 ? (double)lag99 / (double)lat99 : 0.0);
	/* the 2xx replies alone: a model that refuses answers 503 fast, which would hide the
	 * wait of the requests it served */
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
		printf("ok_lat_%s_us=%llu\n", pcts[i].key,
		       (unsigned long long)lg_hist_percentile(lat_ok, pcts[i].p));
	printf("ok_lat_max_us=%llu\nok_lat_mean_us=%.1f\n", (unsigned long long)lat_ok->max,
	       lg_hist_mean(lat_ok));
	printf("cpu_user_s=%.3f\ncpu_sys_s=%.3f\ncpu_pct=%.1f\nwall_s=%.3f\nstatus=%s\n", user, sys,
	       cpu_pct, wall, lagged ? "generator-lagged" : "ok");
	fflush(stdout);

	fprintf(stderr,
	        "loadgen: %s: %s %g req/s for %g s over %u %s connection(s), %u thread(s)\n",
	        c->url_text, c->poisson ? "poisson" : "constant", c->rate, c->duration, c->conns,
	        c->close_mode ? "close-mode" : "keep-alive", c->threads);
	fprintf(stderr,
	        "  offered %.1f req/s, achieved %.1f req/s: %llu replies (%llu 2xx, %llu 503), "
	        "%llu errors, %llu unfinished\n",
	        n->scheduled / c->duration, n->in_window / c->duration,
	        (unsigned long long)n->completed, (unsigned long long)n->ok,
	        (unsigned long long)n->s503, (unsigned long long)errors,
	        (unsigned long long)n->unfinished);
	fprintf(stderr,
	        "  latency from intended send, ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  "
	        "max %.3f\n",
	        lg_hist_percentile(lat, 50) / 1e3, lg_hist_percentile(lat, 90) / 1e3, lat99 / 1e3,
	        lg_hist_percentile(lat, 99.9) / 1e3, lat->max / 1e3);
	fprintf(
	    stderr,
	    "  schedule lag, ms: p50 %.3f  p99 %.3f  max %.3f (lagged past p99 %.3f and %.0f %% "
	    "of the latency p99): %s\n",
	    lg_hist_percentile(lag, 50) / 1e3, lag99 / 1e3, lag->max / 1e3, c->lag_bound_us / 1e3,
	    100 * LAG_SHARE, lagged ? "GENERATOR-LAGGED, not the server's latency" : "ok");
	fprintf(stderr, "  generator CPU: %.1f %% of one CPU (user %.2f s, sys %.2f s)\n", cpu_pct,
	        user, sys);
}

/* Room for every connection plus the loops' own descriptors. */
static void raise_fd_limit(unsigned conns)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < conns + 64u) {
		rl.rlim_cur = rl.rlim_max < conns + 64u ? rl.rlim_max : conns + 64u;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	static struct conf c;
	parse_args(argc, argv, &c);
	check_target(&c);
	signal(SIGPIPE, SIG_IGN);
	raise_fd_limit(c.conns);

	int rc = 1;
	struct worker *ws = calloc(c.threads, sizeof(*ws));
	struct lg_hist *lat = malloc(sizeof(*lat)), *lag = malloc(sizeof(*lag));
	struct lg_hist *lat_ok = malloc(sizeof(*lat_ok));
	unsigned started = 0, inited = 0;
	if (!ws || !lat || !lag || !lat_ok)
		goto out;
	if (c.close_mode) { /* no pool to open: probe once so that a dead target fails clearly */
		int fd;
		char why[128];
		if (preconnect(&c, &fd, why, sizeof(why)) < 0) {
			fprintf(stderr, "loadgen: cannot connect to %s: %s\n", c.url_text, why);
			goto out;
		}
		close(fd);
	}
	for (; inited < c.threads; inited++)
		if (worker_init(&ws[inited], &c, inited) < 0) {
			inited++;
			goto out;
		}
	/* Start a little after the threads are up so that none begins behind its schedule. */
	uint64_t start = now_ns() + 10000000ull;
	for (unsigned i = 0; i < c.threads; i++)
		worker_schedule(&ws[i], start);
	struct rusage r0, r1;
	getrusage(RUSAGE_SELF, &r0);
	for (; started < c.threads; started++)
		if (pthread_create(&ws[started].tid, NULL, worker_main, &ws[started]) != 0)
			break;
	for (unsigned i = 0; i < started; i++)
		pthread_join(ws[i].tid, NULL);
	if (started < c.threads) {
		fprintf(stderr, "loadgen: cannot start thread %u of %u\n", started + 1, c.threads);
		goto out;
	}
	double wall = (double)(now_ns() - start) / 1e9;
	getrusage(RUSAGE_SELF, &r1);
	struct counters total = { 0 };
	lg_hist_init(lat);
	lg_hist_init(lat_ok);
	lg_hist_init(lag);
	for (unsigned i = 0; i < c.threads; i++) {
		counters_add(&total, &ws[i].n);
		lg_hist_merge(lat, &ws[i].lat);
		lg_hist_merge(lat_ok, &ws[i].lat_ok);
		lg_hist_merge(lag, &ws[i].lag);
		if (ws[i].failed)
			fprintf(stderr, "loadgen: thread %u: its timer failed\n", i);
	}
	timersub(&r1.ru_utime, &r0.ru_utime, &r1.ru_utime);
	timersub(&r1.ru_stime, &r0.ru_stime, &r1.ru_stime);
	report(&c, &total, lat, lat_ok, lag, wall, &r1);
	rc = 0;
out:
	for (unsigned i = 0; i < inited; i++)
		worker_free(&ws[i]);
	free(ws);
	free(lat);
	free(lat_ok);
	free(lag);
	return rc;
}
