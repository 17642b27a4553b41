/* test_work.c -- the target parser (work_parse), the shared /bytes body and the work itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "sig.h"
#include "work.h"

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail_msg(__VA_ARGS__);                                                     \
	} while (0)

struct target_case {
	const char *target;
	int rc;            /* work_parse's return: 0, or -1 (400) */
	int kind;          /* with 0 */
	unsigned long arg; /* with 0 */
};

static const struct target_case target_cases[] = {
	/* everything else is hello */
	{ "/", 0, WORK_HELLO, 0 },
	{ "", 0, WORK_HELLO, 0 },
	{ "/index.html", 0, WORK_HELLO, 0 },
	{ "/cpu", 0, WORK_HELLO, 0 },
	{ "/cpux/1", 0, WORK_HELLO, 0 },
	{ "/CPU/1", 0, WORK_HELLO, 0 },
	{ "/sleep", 0, WORK_HELLO, 0 },
	{ "/sleeping/1", 0, WORK_HELLO, 0 },
	{ "/bytes", 0, WORK_HELLO, 0 },
	{ "//cpu/1", 0, WORK_HELLO, 0 },
	{ "http://a/cpu/1", 0, WORK_HELLO, 0 },
	{ "*", 0, WORK_HELLO, 0 },
	/* the ranges, at both ends */
	{ "/cpu/0", 0, WORK_CPU, 0 },
	{ "/cpu/200", 0, WORK_CPU, 200 },
	{ "/cpu/1000000", 0, WORK_CPU, 1000000 },
	{ "/cpu/1000001", -1, 0, 0 },
	{ "/sleep/0", 0, WORK_SLEEP, 0 },
	{ "/sleep/10", 0, WORK_SLEEP, 10 },
	{ "/sleep/10000", 0, WORK_SLEEP, 10000 },
	{ "/sleep/10001", -1, 0, 0 },
	{ "/bytes/0", 0, WORK_BYTES, 0 },
	{ "/bytes/1", 0, WORK_BYTES, 1 },
	{ "/bytes/1048576", 0, WORK_BYTES, 1048576 },
	{ "/bytes/67108864", 0, WORK_BYTES, 67108864 },
	{ "/bytes/67108865", -1, 0, 0 },
	{ "/bytes/0067108864", 0, WORK_BYTES, 67108864 }, /* leading zeros are digits */
	/* empty, malformed, negative */
	{ "/cpu/", -1, 0, 0 },
	{ "/sleep/", -1, 0, 0 },
	{ "/bytes/", -1, 0, 0 },
	{ "/sleep/-1", -1, 0, 0 },
	{ "/sleep/+1", -1, 0, 0 },
	{ "/sleep/ 1", -1, 0, 0 },
	{ "/sleep/1a", -1, 0, 0 },
	{ "/sleep/0x10", -1, 0, 0 },
	{ "/sleep/1.5", -1, 0, 0 },
	{ "/sleep/10/", -1, 0, 0 },
	{ "/sleep/10?x=1", -1, 0, 0 },
	{ "/bytes/1e3", -1, 0, 0 },
	/* overflows: of the range, of 32 and of 64 bits */
	{ "/bytes/99999999999", -1, 0, 0 },
	{ "/bytes/4294967296", -1, 0, 0 },
	{ "/bytes/18446744073709551616", -1, 0, 0 },
	{ "/cpu/99999999999999999999999999999999999999", -1, 0, 0 },
	{ "/sleep/18446744073709551615", -1, 0, 0 },
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(target_cases) / sizeof(target_cases[0]); i++) {
		const struct target_case *t = &target_cases[i];
		struct work w = { .kind = -1, .arg = 12345 };
		int rc = work_parse(t->target, strlen(t->target), &w);

		CHECK(rc == t->rc, "%s: returned %d, want %d", t->target, rc, t->rc);
		if (rc == 0)
			CHECK(w.kind == t->kind && w.arg == t->arg,
			      "%s: kind %d arg %lu, want %d %lu", t->target, w.kind, w.arg, t->kind,
			      t->arg);
	}
}

/* The target is not NUL-terminated: the parser stops at len (what follows must not count). */
static void test_parse_stops_at_len(void **state)
{
	static const struct {
		const char *buf;
		size_t len;
		int rc, kind;
		unsigned long arg;
	} cases[] = {
		{ "/sleep/10 HTTP/1.1", 9, 0, WORK_SLEEP, 10 },
		{ "/sleep/1000000", 8, 0, WORK_SLEEP, 1 },
		{ "/bytes/5xyz", 8, 0, WORK_BYTES, 5 },
		{ "/bytes/5", 7, -1, 0, 0 }, /* "/bytes/": empty */
		{ "/cpu/7", 4, 0, WORK_HELLO, 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct work w;
		int rc = work_parse(cases[i].buf, cases[i].len, &w);

		CHECK(rc == cases[i].rc, "%.*s: returned %d", (int)cases[i].len, cases[i].buf, rc);
		if (rc == 0)
			CHECK(w.kind == cases[i].kind && w.arg == cases[i].arg,
			      "%.*s: kind %d arg %lu", (int)cases[i].len, cases[i].buf, w.kind,
			      w.arg);
	}
}

static void test_blocks(void **state)
{
	static const struct {
		int kind, blocks;
	} cases[] = { { WORK_HELLO, 0 }, { WORK_CPU, 1 }, { WORK_SLEEP, 1 }, { WORK_BYTES, 0 } };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct work w = { .kind = cases[i].kind, .arg = 1 };

		CHECK(work_blocks(&w) == cases[i].blocks, "kind %d: work_blocks %d", cases[i].kind,
		      work_blocks(&w));
	}
}

/* Every slice of the shared body is the pattern at its offset, whatever offset and length. */
static void test_body_pattern(void **state)
{
	static const size_t offs[] = { 0, 1, 60, 61, 62, 4095, 65536, 65537, 1048575, 67108863 };
	static const size_t lens[] = { 1, 61, 4096, 65536, 65537, 1 << 20 };

	(void)state;
	work_init();
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			size_t len = lens[j];
			const char *p = work_body(offs[i], &len);

			CHECK(len >= 1 && len <= lens[j], "off %zu len %zu: got %zu bytes", offs[i],
			      lens[j], len);
			CHECK(len >= 4096 || len == lens[j], "off %zu len %zu: a tiny slice of %zu",
			      offs[i], lens[j], len);
			for (size_t k = 0; k < len; k++)
				if (p[k] != WORK_PATTERN[(offs[i] + k) % WORK_PATTERN_LEN])
					fail_msg("off %zu len %zu: byte %zu is %#x", offs[i],
					         lens[j], k, (unsigned char)p[k]);
		}
	}
	CHECK(strlen(WORK_PATTERN) == WORK_PATTERN_LEN, "WORK_PATTERN_LEN is not its length");
}

/* /cpu burns the thread's own CPU time: at least what it asked for. */
static void test_cpu_burns_thread_time(void **state)
{
	static const unsigned long us[] = { 0, 1000, 20000 };

	(void)state;
	for (size_t i = 0; i < sizeof(us) / sizeof(us[0]); i++) {
		struct work w = { .kind = WORK_CPU, .arg = us[i] };
		long long t0 = clock_thread_cpu_us(), used;

		work_run(&w);
		used = clock_thread_cpu_us() - t0;
		CHECK(used >= (long long)us[i], "/cpu/%lu used %lld us of CPU", us[i], used);
	}
}

/* A stop cuts the longest /cpu short: offload's helpers are joined within 800 ms. */
static void test_cpu_stops(void **state)
{
	struct work w = { .kind = WORK_CPU, .arg = WORK_CPU_MAX_US };
	long long t0 = clock_thread_cpu_us(), used;

	(void)state;
	sig_stop = 1;
	work_run(&w);
	sig_stop = 0;
	used = clock_thread_cpu_us() - t0;
	CHECK(used < 500000, "/cpu/1000000 with sig_stop set used %lld us of CPU", used);
}

/* /sleep sleeps at least its time, and a stop request cuts a long one short. */
static void test_sleep_and_stop(void **state)
{
	struct work w = { .kind = WORK_SLEEP, .arg = 30 };
	long t0 = clock_now_ms(), took;

	(void)state;
	work_run(&w);
	took = clock_now_ms() - t0;
	CHECK(took >= 30, "/sleep/30 took %ld ms", took);

	sig_stop = 1;
	w.arg = WORK_SLEEP_MAX_MS;
	t0 = clock_now_ms();
	work_run(&w);
	took = clock_now_ms() - t0;
	sig_stop = 0;
	CHECK(took < 1000, "/sleep/10000 with sig_stop set took %ld ms", took);
}

/* A thread that blocks SIGTERM (an event loop, sig.h) still stops sleeping once one is pending. */
static void test_sleep_stops_on_pending_signal(void **state)
{
	const struct timespec none = { 0, 0 };
	struct work w = { .kind = WORK_SLEEP, .arg = WORK_SLEEP_MAX_MS };
	sigset_t term, old;
	long t0, took;

	(void)state;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	assert_int_equal(sigprocmask(SIG_BLOCK, &term, &old), 0);
	assert_int_equal(raise(SIGTERM), 0);
	t0 = clock_now_ms();
	work_run(&w);
	took = clock_now_ms() - t0;
	assert_int_equal(sigtimedwait(&term, NULL, &none), SIGTERM); /* take it back */
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	CHECK(took < 1000, "/sleep/10000 with SIGTERM pending took %ld ms", took);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_stops_at_len),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_body_pattern),
		cmocka_unit_test(test_cpu_burns_thread_time),
		cmocka_unit_test(test_cpu_stops),
		cmocka_unit_test(test_sleep_and_stop),
		cmocka_unit_test(test_sleep_stops_on_pending_signal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
