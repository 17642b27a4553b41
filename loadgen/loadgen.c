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

/* One request as it goes on the wire. */
struct req_text {
	char text[1400];
	size_t len;
};

struct conf {
	const char *url_text, *mix_text; /* mix_text: NULL for the URL's path alone */
	struct lg_url url;
	struct lg_mix mix;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	double rate, duration, timeout_s, drain_s;
	unsigned conns, threads;
	unsigned per_conn; /* requests a connection carries before it is closed; 0: no limit */
	int poisson, allow_remote;
	uint64_t lag_bound_us, seed;
	/* Each class's request; [1] asks the server to close (the connection's last request). */
	struct req_text req[LG_MAX_CLASSES][2];
};

/* One connection per request: the connect is part of every latency. */
static int close_mode(const struct conf *c)
{
	return c->per_conn == 1;
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: loadgen --rate R [--duration S] [--connections N] [--threads T]\n"
	        "               [--dist poisson|constant] [--close | --requests-per-conn K]\n"
	        "               [--mix /PATH:W,...] [--timeout S] [--drain S]\n"
	        "               [--lag-bound-us N] [--seed N] [--allow-remote] [--version] URL\n"
	        "  URL is http://HOST[:PORT][/PATH]; with --mix its path is /, and each request\n"
	        "  goes to /PATH with probability W / (sum of the W). Results go to stdout as\n"
	        "  key=value lines, a summary to stderr. Defaults: --duration 10 --connections 16\n"
	        "  --threads CPUs --dist poisson --timeout 10 --drain 2 --lag-bound-us 1000.\n"
	        "  See loadgen/README.md.\n");
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
		{ "requests-per-conn", required_argument, 0, 'k' },
		{ "mix", required_argument, 0, 'M' },
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
	int o, have_rate = 0, close_flag = 0;
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
		case 'C': close_flag = 1; break;
		case 'k':
			c->per_conn = (unsigned)num_arg("requests-per-conn", optarg, 1, 1e9);
			break;
		case 'M': c->mix_text = optarg; break;
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
	if (close_flag && c->per_conn > 1)
		bad("--close is --requests-per-conn 1: the two disagree%s", "");
	if (close_flag)
		c->per_conn = 1;
	if (c->threads == 0)
		c->threads = affinity_cpus();
	if (c->threads > c->conns)
		c->threads = c->conns; /* a thread without a connection could send nothing */
}

/* The classes: --mix's, or the URL's path alone. Exits 2 on a bad mix. */
static void check_mix(struct conf *c)
{
	char err[128];

	if (!c->mix_text) {
		c->mix = (struct lg_mix){ .n = 1, .total = 1 };
		c->mix.cls[0].weight = 1;
		strcpy(c->mix.cls[0].path, c->url.path); /* the same size */
		return;
	}
	if (strcmp(c->url.path, "/") != 0)
		bad("--mix names the paths: the URL %s must end at the host or /", c->url_text);
	if (lg_mix_parse(c->mix_text, &c->mix, err, sizeof(err)) < 0) {
		fprintf(stderr, "loadgen: --mix %s: %s\n", c->mix_text, err);
		exit(EXIT_USAGE);
	}
}

/* Every class's request, with and without `Connection: close`. */
static void build_requests(struct conf *c)
{
	for (unsigned i = 0; i < c->mix.n; i++)
		for (int last = 0; last < 2; last++) {
			struct req_text *r = &c->req[i][last];
			/* written apart, then copied: the path and the request live in one struct
			 */
			char text[sizeof(r->text)];
			int n =
			    snprintf(text, sizeof(text), "GET %s HTTP/1.1\r\nHost: %s:%s\r\n%s\r\n",
			             c->mix.cls[i].path, c->url.host, c->url.port,
			             last ? "Connection: close\r\n" : "");
			if (n < 0 || (size_t)n >= sizeof(text))
				bad("the request for %s is too long", c->mix.cls[i].path);
			memcpy(r->text, text, (size_t)n + 1);
			r->len = (size_t)n;
		}
}

/* Validate the URL, the mix, the target's address and the rate against what the connections
 * carry. Everything that is the caller's mistake exits 2; a name that does not resolve exits 1. */
static void check_target(struct conf *c)
{
	char err[128];
	if (lg_url_parse(c->url_text, &c->url, err, sizeof(err)) < 0) {
		fprintf(stderr, "loadgen: bad URL %s: %s\n", c->url_text, err);
		exit(EXIT_USAGE);
	}
	check_mix(c);
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
	double cap = lg_capacity_rps(c->conns, &c->mix);
	if (c->rate > cap) {
		fprintf(stderr,
		        "loadgen: --rate %g is beyond what %u connection(s) can carry for %s "
		        "(at most %.0f req/s: each holds one request for at least %.0f us)\n",
		        c->rate, c->conns, c->mix_text ? c->mix_text : c->url.path, cap,
		        lg_mix_service_us(&c->mix));
		exit(EXIT_USAGE);
	}
	build_requests(c);
}

/* ---- one thread's loop ------------------------------------------------------------------ */

enum slot_state { SLOT_IDLE, SLOT_CONNECTING, SLOT_WRITING, SLOT_READING };

/* One connection (in close mode: one connection at a time) carrying one request at a time. */
struct slot {
	int fd; /* -1 while closed: the next request connects first */
	enum slot_state state;
	unsigned cls;               /* the request's class */
	unsigned done;              /* requests answered on this connection */
	const struct req_text *req; /* what is being sent */
	uint64_t intended;          /* the request's scheduled send time, ns */
	uint64_t started;           /* when it was handed to this slot, for the timeout */
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
	uint64_t connects; /* connections opened, the pool's first ones included */
};

/* One class's share of the run: its latencies are those of its 2xx replies. */
struct class_stats {
	uint64_t scheduled, completed, in_window, ok;
	struct lg_hist lat;
};

/* A request waiting for a free connection. */
struct pending {
	uint64_t intended;
	unsigned cls;
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
	uint64_t
	    rng_cls; /* draws the classes apart, so a mix leaves the arrival times as they are */
	struct pending *q; /* ring of requests waiting for a free slot */
	size_t qcap, qhead, qlen;
	struct counters n;
	struct lg_hist lat, lat_ok, lag; /* lat_ok: the 2xx replies' alone */
	struct class_stats cls[LG_MAX_CLASSES];
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

static void class_record(struct class_stats *k, uint64_t lat_us, int in_window, int ok)
{
	k->completed++;
	k->in_window += in_window;
	k->ok += ok;
	if (ok)
		lg_hist_record(&k->lat, lat_us);
}

/* The slot's request is over (answered or failed): record it, free the slot. Its connection is
 * closed after a failure, when the server says so, or after its per_conn-th request. */
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
		class_record(&w->cls[s->cls], (now - s->intended) / 1000, in_window, ok);
		s->done++;
	}
	if (!answered || s->resp.close || (w->c->per_conn && s->done >= w->c->per_conn)) {
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
	while (s->woff < s->req->len) {
		ssize_t k =
		    send(s->fd, s->req->text + s->woff, s->req->len - s->woff, MSG_NOSIGNAL);
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
	s->done = 0;
	w->n.connects++;
	return 0;
fail:
	slot_close(s);
	return -1;
}

/* Hand the request p to a free slot. A connection's per_conn-th request asks the server to close
 * it, so that the server, not the client, ends it as a browser's last request would. */
static void request_start(struct worker *w, struct pending p, uint64_t now)
{
	struct slot *s = &w->slots[w->free[w->free_head]];
	unsigned per_conn = w->c->per_conn;
	/* a closed slot reconnects first: its request is then the new connection's first */
	unsigned done = s->fd < 0 ? 0 : s->done;
	int last = per_conn && done + 1 >= per_conn;

	w->free_head = (w->free_head + 1) % w->nslots;
	w->nfree--;
	s->intended = p.intended;
	s->cls = p.cls;
	s->req = &w->c->req[p.cls][last];
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

static void queue_push(struct worker *w, struct pending p)
{
	if (w->qlen == w->qcap) {
		size_t cap = w->qcap ? w->qcap * 2 : 1024;
		struct pending *q = cap <= QUEUE_MAX ? malloc(cap * sizeof(*q)) : NULL;
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
	w->q[(w->qhead + w->qlen++) % w->qcap] = p;
	if (w->qlen > w->n.queue_max)
		w->n.queue_max = w->qlen;
}

/* Every request whose intended time has come leaves now, or queues for a connection. The gap
 * between its intended time and now is the generator's schedule lag. */
static void release_due(struct worker *w, uint64_t now)
{
	while (w->next_due <= now && w->next_due < w->end) {
		struct pending p = { .intended = w->next_due };
		const struct lg_mix *mix = &w->c->mix;
		if (mix->n > 1)
			p.cls = lg_mix_pick(mix, uniform01(&w->rng_cls));
		w->next_due += next_gap(w);
		w->n.scheduled++;
		w->cls[p.cls].scheduled++;
		lg_hist_record(&w->lag, (now - p.intended) / 1000);
		if (w->nfree > 0 && w->qlen == 0) {
			request_start(w, p, now);
		} else {
			w->n.conn_wait++;
			queue_push(w, p);
		}
	}
}

static void dispatch_queued(struct worker *w, uint64_t now)
{
	while (w->qlen > 0 && w->nfree > 0) {
		struct pending p = w->q[w->qhead];
		w->qhead = (w->qhead + 1) % w->qcap;
		w->qlen--;
		request_start(w, p, now);
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
	for (unsigned k = 0; k < LG_MAX_CLASSES; k++)
		lg_hist_init(&w->cls[k].lat);
	w->rng = (c->seed + 1) * 0x9E3779B97F4A7C15ull ^ ((uint64_t)i + 1) * 0xBF58476D1CE4E5B9ull;
	w->rng_cls = w->rng ^ 0x94D049BB133111EBull;
	for (unsigned k = 0; k < w->nslots; k++) {
		struct slot *s = &w->slots[k];
		s->fd = -1;
		w->free[w->nfree++] = k;
		char why[128];
		if (!close_mode(c)) {
			w->n.connects++;
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

/* Every thread's figures, added up once the threads have joined. */
struct totals {
	struct counters n;
	struct lg_hist lat, lat_ok, lag;
	struct class_stats cls[LG_MAX_CLASSES];
};

static void totals_add(struct totals *t, const struct worker *ws, unsigned nthreads)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < nthreads; i++) {
		const struct worker *w = &ws[i];
		counters_add(&t->n, &w->n);
		lg_hist_merge(&t->lat, &w->lat);
		lg_hist_merge(&t->lat_ok, &w->lat_ok);
		lg_hist_merge(&t->lag, &w->lag);
		for (unsigned k = 0; k < LG_MAX_CLASSES; k++) {
			const struct class_stats *src = &w->cls[k];
			struct class_stats *dst = &t->cls[k];
			dst->scheduled += src->scheduled;
			dst->completed += src->completed;
			dst->in_window += src->in_window;
			dst->ok += src->ok;
			lg_hist_merge(&dst->lat, &src->lat);
		}
		if (w->failed)
			fprintf(stderr, "loadgen: thread %u: its timer failed\n", i);
	}
}

static double cpu_seconds(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* What report() derives once from the totals and the run's resources. */
struct verdict {
	double user, sys, cpu_pct, wall;
	uint64_t lag99, lat99, errors;
	int lagged;
};

static struct verdict verdict_of(const struct conf *c, const struct totals *t, double wall,
                                 const struct rusage *ru)
{
	struct verdict v = { .user = cpu_seconds(&ru->ru_utime),
		             .sys = cpu_seconds(&ru->ru_stime),
		             .wall = wall,
		             .lag99 = lg_hist_percentile(&t->lag, 99),
		             .lat99 = lg_hist_percentile(&t->lat, 99) };
	v.cpu_pct = 100 * (v.user + v.sys) / wall;
	/* Lagged: the generator's own lateness passed the bound and is a material part (over
	 * LAG_SHARE) of the p99 it reports, so that p99 is not the server's. A run that had
	 * to drop requests could not keep its schedule at all. */
	v.lagged = (v.lag99 > c->lag_bound_us && v.lag99 > LAG_SHARE * (double)v.lat99) ||
	           t->n.dropped > 0;
	v.errors = t->n.err_connect + t->n.err_io + t->n.err_timeout + t->n.dropped;
	return v;
}

static const struct {
	const char *key;
	double p;
} pcts[] = { { "p50", 50 }, { "p90", 90 }, { "p99", 99 }, { "p999", 99.9 } };

/* PREFIX_p50_us= ... PREFIX_max_us=, PREFIX_mean_us= of h. */
static void report_percentiles(const char *prefix, const struct lg_hist *h)
{
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
		printf("%s_%s_us=%llu\n", prefix, pcts[i].key,
		       (unsigned long long)lg_hist_percentile(h, pcts[i].p));
	printf("%s_max_us=%llu\n%s_mean_us=%.1f\n", prefix, (unsigned long long)h->max, prefix,
	       lg_hist_mean(h));
}

/* The counts, one key=value line each. */
static void report_counts(const struct conf *c, const struct totals *t, const struct verdict *v)
{
	const struct counters *n = &t->n;
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
		{ "errors", v->errors },
		{ "errors_connect", n->err_connect },
		{ "errors_io", n->err_io },
		{ "errors_timeout", n->err_timeout },
		{ "dropped", n->dropped },
		{ "unfinished", n->unfinished },
		{ "conn_wait", n->conn_wait },
		{ "queue_max", n->queue_max },
		{ "connections_opened", n->connects },
		{ "lag_p50_us", lg_hist_percentile(&t->lag, 50) },
		{ "lag_p99_us", v->lag99 },
		{ "lag_max_us", t->lag.max },
		{ "lag_bound_us", c->lag_bound_us },
	};
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		printf("%s=%llu\n", counts[i].key, (unsigned long long)counts[i].v);
}

/* classes=N, then per class i: classI_path, _weight, _scheduled, _completed, _ok_2xx,
 * _achieved_rps (its replies inside the window) and its 2xx replies' latencies. */
static void report_classes(const struct conf *c, const struct totals *t)
{
	printf("classes=%u\n", c->mix.n);
	for (unsigned i = 0; i < c->mix.n; i++) {
		const struct class_stats *k = &t->cls[i];
		char prefix[32];

		printf("class%u_path=%s\nclass%u_weight=%u\n", i, c->mix.cls[i].path, i,
		       c->mix.cls[i].weight);
		printf("class%u_scheduled=%llu\nclass%u_completed=%llu\nclass%u_ok_2xx=%llu\n", i,
		       (unsigned long long)k->scheduled, i, (unsigned long long)k->completed, i,
		       (unsigned long long)k->ok);
		printf("class%u_achieved_rps=%.3f\n", i, k->in_window / c->duration);
		snprintf(prefix, sizeof(prefix), "class%u_lat", i);
		report_percentiles(prefix, &k->lat);
	}
}

/* The machine-readable report: stdout, one key=value line per figure (README.md, Output). */
static void report_keys(const struct conf *c, const struct totals *t, const struct verdict *v)
{
	const struct counters *n = &t->n;

	printf("target=%s\nmode=%s\ndist=%s\nthreads=%u\nconnections=%u\n", c->url_text,
	       close_mode(c) ? "close" : "keepalive", c->poisson ? "poisson" : "constant",
	       c->threads, c->conns);
	printf("requests_per_conn=%u\n", c->per_conn);
	printf("duration_s=%.3f\nrate=%.3f\noffered_rps=%.3f\nachieved_rps=%.3f\n", c->duration,
	       c->rate, n->scheduled / c->duration, n->in_window / c->duration);
	printf("goodput_rps=%.3f\nrejected_rps=%.3f\n", n->ok_window / c->duration,
	       n->s503_window / c->duration);
	report_counts(c, t, v);
	printf("lat_max_us=%llu\n", (unsigned long long)t->lat.max);
	for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++)
		printf("lat_%s_us=%llu\n", pcts[i].key,
		       (unsigned long long)lg_hist_percentile(&t->lat, pcts[i].p));
	printf("lat_mean_us=%.1f\nlag_share=%.3f\n", lg_hist_mean(&t->lat),
	       v->lat99 ? (double)v->lag99 / (double)v->lat99 : 0.0);
	/* the 2xx replies alone: a model that refuses answers 503 fast, which would hide the
	 * wait of the requests it served */
	report_percentiles("ok_lat", &t->lat_ok);
	report_classes(c, t);
	printf("cpu_user_s=%.3f\ncpu_sys_s=%.3f\ncpu_pct=%.1f\nwall_s=%.3f\nstatus=%s\n", v->user,
	       v->sys, v->cpu_pct, v->wall, v->lagged ? "generator-lagged" : "ok");
	fflush(stdout);
}

/* The summary for people: stderr. */
static void report_summary(const struct conf *c, const struct totals *t, const struct verdict *v)
{
	const struct counters *n = &t->n;
	const struct lg_hist *lat = &t->lat, *lag = &t->lag;

	fprintf(stderr,
	        "loadgen: %s: %s %g req/s for %g s over %u %s connection(s), %u thread(s)\n",
	        c->url_text, c->poisson ? "poisson" : "constant", c->rate, c->duration, c->conns,
	        close_mode(c) ? "close-mode" : "keep-alive", c->threads);
	fprintf(stderr,
	        "  offered %.1f req/s, achieved %.1f req/s: %llu replies (%llu 2xx, %llu 503), "
	        "%llu errors, %llu unfinished, %llu connections opened\n",
	        n->scheduled / c->duration, n->in_window / c->duration,
	        (unsigned long long)n->completed, (unsigned long long)n->ok,
	        (unsigned long long)n->s503, (unsigned long long)v->errors,
	        (unsigned long long)n->unfinished, (unsigned long long)n->connects);
	fprintf(stderr,
	        "  latency from intended send, ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  "
	        "max %.3f\n",
	        lg_hist_percentile(lat, 50) / 1e3, lg_hist_percentile(lat, 90) / 1e3,
	        v->lat99 / 1e3, lg_hist_percentile(lat, 99.9) / 1e3, lat->max / 1e3);
	for (unsigned i = 0; c->mix.n > 1 && i < c->mix.n; i++)
		fprintf(stderr, "    %s (weight %u): %llu 2xx, p50 %.3f  p99 %.3f  max %.3f\n",
		        c->mix.cls[i].path, c->mix.cls[i].weight, (unsigned long long)t->cls[i].ok,
		        lg_hist_percentile(&t->cls[i].lat, 50) / 1e3,
		        lg_hist_percentile(&t->cls[i].lat, 99) / 1e3, t->cls[i].lat.max / 1e3);
	fprintf(
	    stderr,
	    "  schedule lag, ms: p50 %.3f  p99 %.3f  max %.3f (lagged past p99 %.3f and %.0f %% "
	    "of the latency p99): %s\n",
	    lg_hist_percentile(lag, 50) / 1e3, v->lag99 / 1e3, lag->max / 1e3,
	    c->lag_bound_us / 1e3, 100 * LAG_SHARE,
	    v->lagged ? "GENERATOR-LAGGED, not the server's latency" : "ok");
	fprintf(stderr, "  generator CPU: %.1f %% of one CPU (user %.2f s, sys %.2f s)\n",
	        v->cpu_pct, v->user, v->sys);
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

/* Run the threads over the window; 0, or -1 when one could not start. */
static int run_workers(const struct conf *c, struct worker *ws, double *wall, struct rusage *used)
{
	struct rusage r0;
	unsigned started = 0;
	/* Start a little after the threads are up so that none begins behind its schedule. */
	uint64_t start = now_ns() + 10000000ull;

	for (unsigned i = 0; i < c->threads; i++)
		worker_schedule(&ws[i], start);
	getrusage(RUSAGE_SELF, &r0);
	for (; started < c->threads; started++)
		if (pthread_create(&ws[started].tid, NULL, worker_main, &ws[started]) != 0)
			break;
	for (unsigned i = 0; i < started; i++)
		pthread_join(ws[i].tid, NULL);
	if (started < c->threads) {
		fprintf(stderr, "loadgen: cannot start thread %u of %u\n", started + 1, c->threads);
		return -1;
	}
	*wall = (double)(now_ns() - start) / 1e9;
	getrusage(RUSAGE_SELF, used);
	timersub(&used->ru_utime, &r0.ru_utime, &used->ru_utime);
	timersub(&used->ru_stime, &r0.ru_stime, &used->ru_stime);
	return 0;
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
	struct totals *t = malloc(sizeof(*t));
	unsigned inited = 0;
	if (!ws || !t)
		goto out;
	if (close_mode(&c)) { /* no pool to open: probe once so that a dead target fails clearly */
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
	double wall;
	struct rusage used;
	if (run_workers(&c, ws, &wall, &used) < 0)
		goto out;
	totals_add(t, ws, c.threads);
	struct verdict v = verdict_of(&c, t, wall, &used);
	report_keys(&c, t, &v);
	report_summary(&c, t, &v);
	rc = 0;
out:
	for (unsigned i = 0; i < inited; i++)
		worker_free(&ws[i]);
	free(ws);
	free(t);
	return rc;
}
