/* work.c -- the target parser and the work behind /cpu, /sleep, /bytes and /file. */
#include "work.h"
#include "clock.h"
#include "file.h"
#include "sig.h"

#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

struct route {
	const char *prefix;
	size_t len;
	int kind;
	unsigned long max;
};

static const struct route routes[] = {
	{ "/cpu/", 5, WORK_CPU, WORK_CPU_MAX_US },
	{ "/sleep/", 7, WORK_SLEEP, WORK_SLEEP_MAX_MS },
	{ "/bytes/", 7, WORK_BYTES, WORK_BYTES_MAX },
	{ "/file/", 6, WORK_FILE, 0 }, /* a name, not a number */
};

/* 1*DIGIT in [s, s + n), at most max: 0 and *v, else -1. */
static int number(const char *s, size_t n, unsigned long max, unsigned long *v)
{
	unsigned long x = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (unsigned long)(s[i] - '0');
		if (x > max) /* stops long before x could overflow */
			return -1;
	}
	*v = x;
	return 0;
}

int work_parse(const char *target, size_t len, struct work *w)
{
	w->kind = WORK_HELLO;
	w->arg = 0;
	w->name = NULL;
	/* the hello hot path: "/" and any target not starting "/c", "/s", "/b", "/f" leave at once
	 */
	if (len < 5 || target[0] != '/' || !strchr("csbf", target[1]))
		return 0;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *r = &routes[i];

		if (len >= r->len && memcmp(target, r->prefix, r->len) == 0) {
			w->kind = r->kind;
			if (r->kind == WORK_FILE) {
				w->name = target + r->len;
				w->arg = len - r->len;
				return file_name_ok(w->name, w->arg) ? 0 : -1;
			}
			return number(target + r->len, len - r->len, r->max, &w->arg);
		}
	}
	return 0;
}

int work_blocks(const struct work *w)
{
	return w->kind == WORK_CPU || w->kind == WORK_SLEEP;
}

/* A stop was requested: by the handler's flag, or a stop signal waits blocked. */
static int stop_requested(void)
{
	sigset_t pending;

	if (sig_stop)
		return 1;
	if (sigpending(&pending) < 0)
		return 0;
	return sigismember(&pending, SIGTERM) == 1 || sigismember(&pending, SIGINT) == 1;
}

static void burn_cpu(unsigned long us)
{
	long long end = clock_thread_cpu_us() + (long long)us;

	/* each read is a system call: the loop itself is the CPU work; sig_stop is one load */
	while (clock_thread_cpu_us() < end && !sig_stop)
		;
}

/* t += ms */
static void add_ms(struct timespec *t, long ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static int before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Sleep to an absolute deadline in slices of WORK_STOP_CHECK_MS, looking for a stop between. */
static void sleep_ms(unsigned long ms)
{
	struct timespec end, next;

	clock_gettime(CLOCK_MONOTONIC, &end);
	add_ms(&end, (long)ms);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &next);
		if (!before(&next, &end) || stop_requested())
			return;
		add_ms(&next, WORK_STOP_CHECK_MS);
		if (before(&end, &next))
			next = end;
		/* EINTR: the loop looks at the clock and the stop again */
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	}
}

void work_run(const struct work *w)
{
	if (w->kind == WORK_CPU)
		burn_cpu(w->arg);
	else if (w->kind == WORK_SLEEP)
		sleep_ms(w->arg);
	else if (w->kind == WORK_FILE)
		file_warm(w->name, w->arg); /* a failure shows again when the loop opens it */
}

/*
 * The pattern laid out over BODY_SLICE + one period, so a slice of BODY_SLICE
 * bytes can start at any phase. Page-aligned and made read-only once filled.
 */
#define BODY_SLICE 65536
#define BODY_PAGES ((BODY_SLICE + WORK_PATTERN_LEN + 4095) / 4096)

static char body[BODY_PAGES * 4096] __attribute__((aligned(4096)));
static pthread_once_t body_once = PTHREAD_ONCE_INIT;

static void body_fill(void)
{
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = WORK_PATTERN[i % WORK_PATTERN_LEN];
	mprotect(body, sizeof(body), PROT_READ); /* a stray write now faults */
}

void work_init(void)
{
	pthread_once(&body_once, body_fill);
}

const char *work_body(size_t off, size_t *len)
{
	size_t phase = off % WORK_PATTERN_LEN;

	work_init();
	if (*len > BODY_SLICE)
		*len = BODY_SLICE;
	return body + phase;
}
