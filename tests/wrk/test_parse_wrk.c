/* test_parse_wrk.c -- the wrk report parser against real wrk 4.1.0 output.
 *
 * Every fixture in tests/wrk/fixtures/ was captured from wrk run against a real
 * local server (nginx, our models, or a deliberately misbehaving one); the
 * expected values below are read off the fixture text by eye.
 */
#include "parse_wrk.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef WRK_FIXTURES
#define WRK_FIXTURES "tests/wrk/fixtures"
#endif

#define KB 1024.0
#define MB (1024.0 * 1024.0)

struct expect {
	const char *file;
	int threads, connections;
	long requests;
	double duration_s, bytes_read, rps, transfer_bps;
	long err_connect, err_read, err_write, err_timeout, non_2xx;
	double mean_ms, stdev_ms, max_ms;
	int has_percentiles;
	double p50, p75, p90, p99;
};

static const struct expect cases[] = {
	{ "nginx-keepalive-c64-latency.txt",
	  1,
	  64,
	  267601,
	  3.02,
	  40.58 * MB,
	  88714.24,
	  13.45 * MB,
	  0,
	  0,
	  0,
	  0,
	  0,
	  1.35,
	  3.93,
	  52.40,
	  1,
	  0.411,
	  0.650,
	  2.93,
	  18.47 },
	{ "nginx-keepalive-t2-c16-nolatency.txt",
	  2,
	  16,
	  178330,
	  2.01,
	  27.04 * MB,
	  88576.10,
	  13.43 * MB,
	  0,
	  0,
	  0,
	  0,
	  0,
	  0.72818,
	  1.60,
	  20.16,
	  0,
	  0,
	  0,
	  0,
	  0 },
	{ "nginx-close-c8-latency.txt",
	  1,
	  8,
	  37400,
	  2.10,
	  5.49 * MB,
	  17811.78,
	  2.62 * MB,
	  0,
	  0,
	  0,
	  0,
	  0,
	  0.26701,
	  0.98,
	  18.30,
	  1,
	  0.159,
	  0.242,
	  0.330,
	  1.91 },
	{ "fdlimit-connect-errors-latency.txt",
	  1,
	  64,
	  149117,
	  2.01,
	  22.61 * MB,
	  74053.97,
	  11.23 * MB,
	  29,
	  0,
	  0,
	  0,
	  0,
	  0.90,
	  2.36,
	  29.83,
	  1,
	  0.258,
	  0.341,
	  2.19,
	  11.38 },
	{ "nginx-killed-connect-errors-latency.txt",
	  1,
	  16,
	  21463,
	  3.10,
	  3.15 * MB,
	  6921.57,
	  1.02 * MB,
	  0,
	  19,
	  3527,
	  0,
	  0,
	  0.30353,
	  0.20648,
	  4.64,
	  1,
	  0.277,
	  0.416,
	  0.519,
	  0.794 },
	{ "reset-read-errors-latency.txt",
	  1,
	  8,
	  31509,
	  2.00,
	  2.28 * MB,
	  15745.17,
	  1.14 * MB,
	  0,
	  5251,
	  0,
	  0,
	  0,
	  0.48152,
	  0.46047,
	  4.99,
	  1,
	  0.308,
	  0.684,
	  1.17,
	  1.91 },
	{ "slow-timeouts-latency.txt",
	  1,
	  16,
	  1635,
	  3.01,
	  121.35 * KB,
	  543.90,
	  40.37 * KB,
	  0,
	  0,
	  0,
	  18,
	  0,
	  0.12075,
	  0.47534,
	  8.63,
	  1,
	  0.041,
	  0.066,
	  0.163,
	  1.44 },
	{ "mixed-timeouts-non2xx-latency.txt",
	  1,
	  8,
	  209486,
	  3.03,
	  14.34 * MB,
	  69033.20,
	  4.73 * MB,
	  0,
	  0,
	  0,
	  0,
	  41897,
	  0.93,
	  4.66,
	  60.78,
	  1,
	  0.061,
	  0.090,
	  0.203,
	  25.60 },
	{ "single-501-non2xx-latency.txt",
	  1,
	  8,
	  17051,
	  2.02,
	  2.70 * MB,
	  8456.75,
	  1.34 * MB,
	  0,
	  0,
	  0,
	  0,
	  17051,
	  1.33,
	  2.63,
	  31.80,
	  1,
	  0.744,
	  1.04,
	  2.26,
	  15.90 },
	{ "single-close-c64-latency.txt",
	  1,
	  64,
	  38470,
	  2.01,
	  5.43 * MB,
	  19181.70,
	  2.71 * MB,
	  0,
	  0,
	  0,
	  0,
	  0,
	  1.49,
	  1.02,
	  10.60,
	  1,
	  1.31,
	  1.96,
	  2.56,
	  5.82 },
	{ "crawl-seconds-latency.txt",
	  1,
	  4,
	  8,
	  3.01,
	  608.0,
	  2.66,
	  202.06,
	  0,
	  0,
	  0,
	  0,
	  0,
	  1200.0,
	  0.36936,
	  1200.0,
	  1,
	  1200.0,
	  1200.0,
	  1200.0,
	  1200.0 },
	{ "stall-no-responses-latency.txt",
	  1,
	  8,
	  0,
	  3.01,
	  0,
	  0,
	  0,
	  0,
	  0,
	  0,
	  0,
	  0,
	  0,
	  0,
	  0,
	  1,
	  0,
	  0,
	  0,
	  0 },
};

/* Reports that are not finished wrk reports. */
static const char *const rejected[] = {
	"refused-unable-to-connect.txt",
	"usage-bad-timeout-unit.txt",
};

/* The whole fixture as a NUL-terminated string (the caller frees it). */
static char *slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", WRK_FIXTURES, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open fixture %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Relative closeness: the parser reads decimals, so "equal" is to 1e-9. */
static void near(const char *file, const char *field, double got, double want)
{
	if (fabs(got - want) > 1e-9 * (fabs(want) + 1))
		fail_msg("%s: %s = %.9g, want %.9g", file, field, got, want);
}

static void same(const char *file, const char *field, long got, long want)
{
	if (got != want)
		fail_msg("%s: %s = %ld, want %ld", file, field, got, want);
}

static void check_case(const struct expect *e, const struct parse_wrk_result *r)
{
	same(e->file, "threads", r->threads, e->threads);
	same(e->file, "connections", r->connections, e->connections);
	same(e->file, "requests", r->requests, e->requests);
	near(e->file, "duration_s", r->duration_s, e->duration_s);
	near(e->file, "bytes_read", r->bytes_read, e->bytes_read);
	if (!(r->bytes_read_most > r->bytes_read &&
	      r->bytes_read_most < r->bytes_read * 1.01 + 512))
		fail_msg("%s: bytes_read_most %.0f for %.0f", e->file, r->bytes_read_most,
		         r->bytes_read);
	near(e->file, "rps", r->rps, e->rps);
	near(e->file, "transfer_bps", r->transfer_bps, e->transfer_bps);
	same(e->file, "err_connect", r->err_connect, e->err_connect);
	same(e->file, "err_read", r->err_read, e->err_read);
	same(e->file, "err_write", r->err_write, e->err_write);
	same(e->file, "err_timeout", r->err_timeout, e->err_timeout);
	same(e->file, "non_2xx", r->non_2xx, e->non_2xx);
	near(e->file, "lat_mean_ms", r->lat_mean_ms, e->mean_ms);
	near(e->file, "lat_stdev_ms", r->lat_stdev_ms, e->stdev_ms);
	near(e->file, "lat_max_ms", r->lat_max_ms, e->max_ms);
	same(e->file, "has_percentiles", r->has_percentiles, e->has_percentiles);
	near(e->file, "lat_p50_ms", r->lat_p50_ms, e->p50);
	near(e->file, "lat_p75_ms", r->lat_p75_ms, e->p75);
	near(e->file, "lat_p90_ms", r->lat_p90_ms, e->p90);
	near(e->file, "lat_p99_ms", r->lat_p99_ms, e->p99);
}

static void test_fixtures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parse_wrk_result r;
		size_t len;
		char *text = slurp(cases[i].file, &len);

		if (parse_wrk_output(text, len, &r) != 0)
			fail_msg("%s: parse_wrk_output failed", cases[i].file);
		check_case(&cases[i], &r);
		free(text);
	}
}

/*
 * Cross-checks independent of the table: wrk's rate is requests over the
 * unrounded run time, so requests/duration agrees to the rounding of the
 * printed duration (and likewise for bytes): a wrong unit scale fails here.
 */
static void test_rates_agree(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parse_wrk_result r;
		size_t len;
		char *text = slurp(cases[i].file, &len);

		assert_int_equal(parse_wrk_output(text, len, &r), 0);
		assert_true(r.duration_s > 0);
		if (fabs(r.requests / r.duration_s - r.rps) > 0.01 * r.rps + 0.01)
			fail_msg("%s: %ld requests / %.2f s vs %.2f rps", cases[i].file, r.requests,
			         r.duration_s, r.rps);
		if (fabs(r.bytes_read / r.duration_s - r.transfer_bps) > 0.015 * r.transfer_bps + 1)
			fail_msg("%s: %.0f bytes / %.2f s vs %.0f B/s", cases[i].file, r.bytes_read,
			         r.duration_s, r.transfer_bps);
		if (r.has_percentiles &&
		    !(r.lat_p50_ms <= r.lat_p75_ms && r.lat_p75_ms <= r.lat_p90_ms &&
		      r.lat_p90_ms <= r.lat_p99_ms && r.lat_p99_ms <= r.lat_max_ms))
			fail_msg("%s: percentiles out of order", cases[i].file);
		free(text);
	}
}

static void test_rejected(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++) {
		struct parse_wrk_result r;
		size_t len;
		char *text = slurp(rejected[i], &len);

		if (parse_wrk_output(text, len, &r) != -1)
			fail_msg("%s: accepted", rejected[i]);
		free(text);
	}
	{
		struct parse_wrk_result r;

		assert_int_equal(parse_wrk_output("", 0, &r), -1);
	}
}

/*
 * A report cut anywhere before its last value (wrk killed mid-print) is -1:
 * the final "Transfer/sec:" value is only complete with its unit.
 */
static void test_every_prefix_rejected(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		char *text = slurp(cases[i].file, &len);
		const char *last = strstr(text, "Transfer/sec:");
		size_t complete;

		assert_non_null(last);
		complete = (size_t)(strchr(last, '\n') - text); /* the unit's last byte + 1 */
		for (size_t cut = 0; cut < complete; cut++) {
			struct parse_wrk_result r;

			if (parse_wrk_output(text, cut, &r) != -1)
				fail_msg("%s: prefix of %zu bytes accepted", cases[i].file, cut);
		}
		free(text);
		(void)len;
	}
}

/* Replace the first occurrence of from in a copy of text by to (the caller frees it). */
static char *edited(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t head, n;
	char *out;

	assert_non_null(at);
	head = (size_t)(at - text);
	n = strlen(text) - strlen(from) + strlen(to);
	out = malloc(n + 1);
	assert_non_null(out);
	memcpy(out, text, head);
	strcpy(out + head, to);
	strcat(out, at + strlen(from));
	return out;
}

/* Real reports with one known line damaged: each edit must turn 0 into -1. */
static void test_damaged_lines(void **state)
{
	static const struct {
		const char *from, *to;
	} edits[] = {
		{ "13.45MB\n", "13.45XB\n" },   /* unknown byte unit */
		{ "52.40ms", "52.40" },         /* a time without its unit */
		{ "     99%   18.47ms\n", "" }, /* a distribution row missing */
		{ "Requests/sec:  88714.24", "Requests/sec:  nan" },
		{ "267601 requests in 3.02s", "267601 requests in 3.02" },
		{ "    Latency     1.35ms", "    Latency  -1.35ms" },
	};
	size_t len;
	char *text = slurp("nginx-keepalive-c64-latency.txt", &len);
	struct parse_wrk_result r;

	(void)state;
	assert_int_equal(parse_wrk_output(text, len, &r), 0);
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		char *bad = edited(text, edits[i].from, edits[i].to);

		if (parse_wrk_output(bad, strlen(bad), &r) != -1)
			fail_msg("edit '%s' -> '%s' accepted", edits[i].from, edits[i].to);
		free(bad);
	}
	free(text);
}

/* The socket-errors line with a damaged count, from a real report. */
static void test_damaged_socket_errors(void **state)
{
	size_t len;
	char *text = slurp("nginx-killed-connect-errors-latency.txt", &len);
	char *bad = edited(text, "write 3527", "write x");
	struct parse_wrk_result r;

	(void)state;
	assert_int_equal(parse_wrk_output(bad, strlen(bad), &r), -1);
	free(bad);
	free(text);
}

/*
 * The parser reads exactly len bytes: the report is placed to end at a
 * PROT_NONE page, so one byte of over-read is a crash, not a silent pass.
 */
static void test_no_overread(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len;
	char *text = slurp("slow-timeouts-latency.txt", &len);
	size_t span = ((len + (size_t)page - 1) / (size_t)page + 1) * (size_t)page;
	char *map = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *guard, *at;
	struct parse_wrk_result r;

	(void)state;
	assert_true(map != MAP_FAILED);
	guard = map + span - (size_t)page;
	assert_int_equal(mprotect(guard, (size_t)page, PROT_NONE), 0);
	at = guard - len;
	memcpy(at, text, len); /* no NUL: the length alone bounds the text */
	assert_int_equal(parse_wrk_output(at, len, &r), 0);
	assert_int_equal(r.err_timeout, 18);
	/* The report without its final newline still ends at the guard page. */
	at = guard - (len - 1);
	memmove(at, text, len - 1);
	assert_int_equal(parse_wrk_output(at, len - 1, &r), 0);
	assert_int_equal(munmap(map, span), 0);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),      cmocka_unit_test(test_rates_agree),
		cmocka_unit_test(test_rejected),      cmocka_unit_test(test_every_prefix_rejected),
		cmocka_unit_test(test_damaged_lines), cmocka_unit_test(test_damaged_socket_errors),
		cmocka_unit_test(test_no_overread),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
