/* test_parse.c -- the ab parsers, the wrk adapter and the verdict, over output captured from
 * real runs (ab: tests/harness/fixtures; wrk: tests/wrk/fixtures). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "health.h"
#include "parse_ab.h"
#include "tool.h"
#include "util.h"
#include "verify.h"

#include "fixture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BODY 11

/* Parse fixture name's stdout and percentiles into r; both must succeed. */
static void parse_fixture(const char *name, struct parse_ab_result *r)
{
	char *out = fixture(name, "out"), *csv = fixture(name, "perc.csv");

	memset(r, 0, sizeof(*r));
	if (parse_ab_output(out, r) != 0)
		fail_msg("%s: parse_ab_output failed", name);
	if (parse_ab_percentiles(csv, r) != 0)
		fail_msg("%s: parse_ab_percentiles failed", name);
	free(out);
	free(csv);
}

/* Relations that hold for any finished ab run. */
static void check_consistent(const char *name, const struct parse_ab_result *r)
{
	if (r->requests <= 0 || r->duration_s <= 0)
		fail_msg("%s: no requests or duration", name);
	if (fabs(r->rps - r->requests / r->duration_s) > 0.02 * r->rps + 1)
		fail_msg("%s: rps %.2f does not match %ld / %.3f", name, r->rps, r->requests,
		         r->duration_s);
	if (!(r->lat_p50_ms > 0 && r->lat_p50_ms <= r->lat_p90_ms &&
	      r->lat_p90_ms <= r->lat_p99_ms && r->lat_p99_ms <= r->lat_max_ms))
		fail_msg("%s: percentiles out of order", name);
	if (r->lat_mean_ms <= 0)
		fail_msg("%s: no mean latency", name);
}

/* ab's adapter over fixture name (its .out, .err and .perc.csv): r filled, 0 or -1. */
static int ab_collect_fixture(const char *name, struct tool_result *r)
{
	const char *dir = getenv("HARNESS_FIXTURES");
	char prefix[512], why[64];
	char *out = fixture(name, "out"), *err = fixture(name, "err");
	struct tool_job job = { .raw_prefix = prefix };
	int rc;

	snprintf(prefix, sizeof(prefix), "%s/%s", dir ? dir : "tests/harness/fixtures", name);
	rc = tool_find("ab")->collect(&job, out, err, r, why, sizeof(why));
	free(out);
	free(err);
	return rc;
}

static void test_good_runs(void **state)
{
	static const char *const names[] = { "close", "keepalive" };
	char why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct parse_ab_result a;
		struct tool_result r;

		parse_fixture(names[i], &a);
		check_consistent(names[i], &a);
		if (a.failed || a.non_2xx || a.body_bytes != BODY * a.requests)
			fail_msg("%s: counters wrong", names[i]);
		if (ab_collect_fixture(names[i], &r) < 0 || r.requests != a.requests ||
		    r.lat_p99_ms != a.lat_p99_ms)
			fail_msg("%s: ab's adapter does not carry its figures", names[i]);
		if (strcmp(verify_result(&r, BODY, 0, 0, why, sizeof(why)), "ok") != 0)
			fail_msg("%s: verdict not ok: %s", names[i], why);
	}
}

/* Each broken server's run must be parsed and judged "errors" for its own reason. */
static void test_broken_runs(void **state)
{
	static const struct {
		const char *name;
		const char *why; /* a word the verdict's reason must hold */
	} cases[] = {
		{ "flaky", "failed" },
		{ "notfound", "non-2xx" },
		{ "seed", "body bytes" },
	};
	char why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct parse_ab_result a;
		struct tool_result r;

		parse_fixture(cases[i].name, &a);
		check_consistent(cases[i].name, &a);
		if (ab_collect_fixture(cases[i].name, &r) < 0)
			fail_msg("%s: ab's adapter failed", cases[i].name);
		if (strcmp(verify_result(&r, BODY, 4, 0, why, sizeof(why)), "errors") != 0 ||
		    !strstr(why, cases[i].why))
			fail_msg("%s: verdict %s (%s), expected errors for %s", cases[i].name,
			         verify_result(&r, BODY, 4, 0, why, sizeof(why)), why,
			         cases[i].why);
	}
}

static void test_counters(void **state)
{
	struct parse_ab_result r;

	(void)state;
	parse_fixture("flaky", &r);
	assert_true(r.failed > 0 && r.failed <= r.requests);
	parse_fixture("notfound", &r);
	assert_int_equal(r.non_2xx, r.requests);
	assert_int_equal(r.failed, 0);
	parse_fixture("seed", &r);
	assert_int_equal(r.body_bytes, 0);
	assert_int_equal(r.failed, 0);
	parse_fixture("keepalive", &r);
	assert_int_equal(r.non_2xx, 0);
}

/* Every prefix of a report that stops before its totals is rejected, not half-read. */
static void test_truncated(void **state)
{
	char *out = fixture("close", "out");
	char *cut = strstr(out, "Time taken for tests");
	struct parse_ab_result r;

	(void)state;
	assert_non_null(cut);
	*cut = '\0';
	assert_int_equal(parse_ab_output(out, &r), -1);
	assert_int_equal(parse_ab_output("", &r), -1);
	free(out);
	out = fixture("timeout", "out");
	assert_int_equal(parse_ab_output(out, &r), -1);
	free(out);
}

static void test_timeout_stderr(void **state)
{
	char *err = fixture("timeout", "err");

	(void)state;
	assert_string_equal(parse_ab_failure(err), "timeout");
	assert_string_equal(parse_ab_failure("apr_socket_connect(): Connection refused (111)\n"),
	                    "tool_error");
	free(err);
}

static void test_percentiles_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"Percentage served,Time in ms\n",
		"Percentage served,Time in ms\n50,1.0\n90,2.0\n100,3.0\n", /* no 99 */
		"Percentage served,Time in ms\n50,1.0\n90,x\n99,2\n100,3\n",
		"Percentage served,Time in ms\n50;1.0\n90,2\n99,2\n100,3\n",
		"Percentage served,Time in ms\n50,1.0\n90,2\n99,2\n101,3\n",
		"50,1.0\n90,2\n99,2\n100,3\n", /* no header */
	};
	struct parse_ab_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (parse_ab_percentiles(bad[i], &r) != -1)
			fail_msg("malformed percentile CSV #%zu accepted", i);
	assert_int_equal(parse_ab_percentiles("Percentage served,Time in ms\n50,0.5\n90,0.9\n"
	                                      "99,1.25\n100,7.5\n",
	                                      &r),
	                 0);
	assert_true(r.lat_p50_ms == 0.5 && r.lat_p99_ms == 1.25 && r.lat_max_ms == 7.5);
}

/* The percentile table's mean: trapezoids between rows, the span before row 100 at its start. */
static void test_percentile_mean(void **state)
{
	char csv[4096];
	struct parse_ab_result r;
	int o, i;

	(void)state;
	/* Every request 2 ms: the mean is 2 ms, whatever the rows. */
	o = snprintf(csv, sizeof(csv), "Percentage served,Time in ms\n");
	for (i = 0; i <= 100; i++)
		o += snprintf(csv + o, sizeof(csv) - o, "%d,2.000\n", i);
	memset(&r, 0, sizeof(r));
	assert_int_equal(parse_ab_percentiles(csv, &r), 0);
	assert_true(fabs(r.lat_mean_done_ms - 2.0) < 1e-9);
	/* Row i = i ms for rows 0..99: trapezoids give 49.995 ms; row 100,
	 * a single outlier of 10 s, must not drag it (a plain trapezoid would add 50 ms). */
	o = snprintf(csv, sizeof(csv), "Percentage served,Time in ms\n");
	for (i = 0; i < 100; i++)
		o += snprintf(csv + o, sizeof(csv) - o, "%d,%d.000\n", i, i);
	snprintf(csv + o, sizeof(csv) - o, "100,10000.000\n");
	memset(&r, 0, sizeof(r));
	assert_int_equal(parse_ab_percentiles(csv, &r), 0);
	assert_true(fabs(r.lat_mean_done_ms - (99.0 * 99 / 2 + 99) / 100) < 1e-9);
	assert_true(r.lat_max_ms == 10000);
	/* Sparse rows are weighted by the percentages they span. */
	memset(&r, 0, sizeof(r));
	assert_int_equal(parse_ab_percentiles("Percentage served,Time in ms\n50,1.0\n90,3.0\n"
	                                      "99,3.0\n100,50\n",
	                                      &r),
	                 0);
	assert_true(fabs(r.lat_mean_done_ms - (40 * 2.0 + 9 * 3.0 + 1 * 3.0) / 50) < 1e-9);
	/* Rows out of order are malformed. */
	assert_int_equal(parse_ab_percentiles("Percentage served,Time in ms\n50,1\n90,2\n"
	                                      "90,2\n99,3\n100,4\n",
	                                      &r),
	                 -1);
	/* ab's rounded exact mean bounds the table's: within 0.5 ms of it. */
	assert_true(parse_ab_mean(2.7, 4) == 3.5);
	assert_true(parse_ab_mean(9.0, 8) == 8.5);
	assert_true(parse_ab_mean(0.07, 0) == 0.07);
	assert_true(parse_ab_mean(0.07, -1) == 0.07);
}

/* served_conns (Little's law) on real ab runs at c=512 of one run (results 20261126-021052). */
static void test_served_conns(void **state)
{
	static const struct {
		const char *name;
		int starved;
	} runs[] = {
		{ "served-single-close512", 0 }, /* serial, but every connection gets its turn */
		{ "served-epoll-ka512", 0 },
		{ "starved-prefork-ka512", 1 }, /* 1 worker: 1 connection, 511 wait the run out */
		{ "tail-thread-ka512", 0 },     /* a heavy tail above p99 (max 1 s) */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		struct parse_ab_result r;
		double served, mean;

		parse_fixture(runs[i].name, &r);
		mean = parse_ab_mean(r.lat_mean_done_ms, r.lat_mean_total_ms);
		served = health_served_conns(r.rps, mean);
		print_message("%s: %.0f req/s x %.4f ms = %.1f connections served of 512\n",
		              runs[i].name, r.rps, mean, served);
		if (health_starved(served, 512) != runs[i].starved)
			fail_msg("%s: served %.1f of 512, starved should be %d", runs[i].name,
			         served, runs[i].starved);
		/* A closed-loop tool has at most one request per connection in flight. */
		if (served > 512 * 1.02 || served <= 0)
			fail_msg("%s: served %.1f is impossible at c=512", runs[i].name, served);
		if (runs[i].starved && fabs(served - 1) > 0.5)
			fail_msg("%s: one worker should serve ~1 connection, not %.1f",
			         runs[i].name, served);
		if (!runs[i].starved && served < 0.8 * 512)
			fail_msg("%s: served %.1f, expected most of 512", runs[i].name, served);
	}
	/* ab's "Time per request" assumes every connection was served: it cannot tell. */
	{
		struct parse_ab_result r;

		parse_fixture("starved-prefork-ka512", &r);
		assert_true(fabs(health_served_conns(r.rps, r.lat_mean_ms) - 512) < 5);
	}
}

/* A time-bounded run may read a few more bodies than it counts; never fewer. */
static void test_inflight_bodies(void **state)
{
	struct tool_result r = { .requests = 100, .body_bytes = 100 * BODY + 3 * BODY };
	char why[128];

	(void)state;
	assert_string_equal(verify_result(&r, BODY, 8, 0, why, sizeof(why)), "ok");
	assert_string_equal(verify_result(&r, BODY, 2, 0, why, sizeof(why)), "errors");
	r.body_bytes = 99 * BODY;
	assert_string_equal(verify_result(&r, BODY, 8, 0, why, sizeof(why)), "errors");
	r.requests = 0;
	r.body_bytes = 0;
	assert_string_equal(verify_result(&r, BODY, 8, 0, why, sizeof(why)), "errors");
}

/* The wrk fixture NAME, NUL-terminated; fails the test if missing. */
static char *wrk_fixture(const char *name)
{
	const char *dir = getenv("WRK_FIXTURES");
	char path[512];
	char *text;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/wrk/fixtures", name);
	if (!(text = util_read_file(path, NULL)))
		fail_msg("cannot read fixture %s", path);
	return text;
}

/* wrk's adapter over a fixture: its collect's return, r and why filled. */
static int wrk_collect_fixture(const char *name, struct tool_result *r, char *why, size_t len)
{
	const struct tool *wrk = tool_find("wrk");
	struct tool_job job = { .url = "http://127.0.0.1:1/",
		                .concurrency = 64,
		                .keepalive = 1,
		                .duration_s = 2,
		                .timeout_s = 5,
		                .raw_prefix = "/nonexistent" };
	char *out = wrk_fixture(name);
	int rc;

	assert_non_null(wrk);
	why[0] = '\0';
	rc = wrk->collect(&job, out, "", r, why, len);
	free(out);
	return rc;
}

/* argv of job by tool into line (blank separated): 0 or -1. */
static int argv_line(const struct tool *t, const struct tool_job *job, char *line, size_t len)
{
	char *argv[TOOL_MAX_ARGS + 1], buf[1024];
	int i;

	line[0] = '\0';
	if (t->argv(job, argv, buf, sizeof(buf)) < 0)
		return -1;
	for (i = 0; argv[i]; i++)
		snprintf(line + strlen(line), len - strlen(line), "%s%s", i ? " " : "", argv[i]);
	return 0;
}

/*
 * A wrk job's command line: a thread per client CPU (at most one per connection), the
 * connections, the duration, --latency, --timeout, close mode's Connection: close, a
 * scenario's script. The tools' properties decide which tool measures which mode.
 */
static void test_wrk_argv(void **state)
{
	static const struct {
		int keepalive, threads, conns;
		const char *script, *want;
	} cases[] = {
		{ 1, 1, 64, NULL,
		  "wrk -t 1 -c 64 -d 3s --latency --timeout 7s http://127.0.0.1:8080/" },
		{ 1, 0, 64, NULL,
		  "wrk -t 1 -c 64 -d 3s --latency --timeout 7s http://127.0.0.1:8080/" },
		{ 1, 8, 2, NULL,
		  "wrk -t 2 -c 2 -d 3s --latency --timeout 7s http://127.0.0.1:8080/" },
		{ 0, 4, 64, NULL,
		  "wrk -t 4 -c 64 -d 3s --latency --timeout 7s -H Connection: close "
		  "http://127.0.0.1:8080/" },
		{ 1, 1, 64, "tests/x.lua",
		  "wrk -t 1 -c 64 -d 3s --latency --timeout 7s -s tests/x.lua "
		  "http://127.0.0.1:8080/" },
	};
	const struct tool *wrk = tool_find("wrk"), *ab = tool_find("ab");
	char *argv[TOOL_MAX_ARGS + 1], buf[1024], line[1024];
	size_t k;

	(void)state;
	assert_non_null(wrk);
	assert_non_null(ab);
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct tool_job job = { .url = "http://127.0.0.1:8080/",
			                .concurrency = cases[k].conns,
			                .keepalive = cases[k].keepalive,
			                .duration_s = 3,
			                .max_requests = 1000,
			                .timeout_s = 7,
			                .raw_prefix = "/tmp/x",
			                .script = cases[k].script,
			                .threads = cases[k].threads };

		if (argv_line(wrk, &job, line, sizeof(line)) < 0 || strcmp(line, cases[k].want))
			fail_msg("keepalive %d threads %d c=%d script %s: '%s'; want '%s'",
			         cases[k].keepalive, cases[k].threads, cases[k].conns,
			         cases[k].script ? cases[k].script : "-", line, cases[k].want);
		assert_int_equal(wrk->argv(&job, argv, buf, 16), -1);
		/* ab runs no script */
		assert_int_equal(argv_line(ab, &job, line, sizeof(line)), cases[k].script ? -1 : 0);
	}
	/* both tools measure both modes; wrk has threads, ab one */
	assert_ptr_equal(tool_for_mode(wrk, TOOL_CLOSE), wrk);
	assert_ptr_equal(tool_for_mode(wrk, TOOL_KEEPALIVE), wrk);
	assert_ptr_equal(tool_for_mode(ab, TOOL_CLOSE), ab);
	assert_true(wrk->threaded && !ab->threaded);
	assert_true(wrk->mean_is_done && !ab->mean_is_done);
	assert_string_equal(tool_names(), "ab wrk"); /* from the table */
	assert_null(tool_find("siege"));
}

/* Good wrk reports map onto tool_result and pass the verdict. */
static void test_wrk_good(void **state)
{
	static const char *const names[] = { "nginx-keepalive-c64-latency.txt",
		                             "single-close-c64-latency.txt" };
	char why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct tool_result r;

		if (wrk_collect_fixture(names[i], &r, why, sizeof(why)) != 0)
			fail_msg("%s: collect failed: %s", names[i], why);
		if (r.requests <= 0 || r.failed || r.non_2xx || r.body_bytes != -1 ||
		    r.bytes_read < BODY * r.requests)
			fail_msg("%s: counters wrong", names[i]);
		if (fabs(r.rps - r.requests / r.duration_s) > 0.02 * r.rps + 1)
			fail_msg("%s: rps %.2f does not match %ld / %.3f", names[i], r.rps,
			         r.requests, r.duration_s);
		if (!(r.lat_p50_ms > 0 && r.lat_p50_ms <= r.lat_p90_ms &&
		      r.lat_p90_ms <= r.lat_p99_ms && r.lat_p99_ms <= r.lat_max_ms &&
		      r.lat_mean_ms > 0))
			fail_msg("%s: latencies out of order", names[i]);
		if (strcmp(verify_result(&r, BODY, 64, 0, why, sizeof(why)), "ok") != 0)
			fail_msg("%s: verdict not ok: %s", names[i], why);
	}
}

/*
 * wrk rounds what it read to its printed digits: 1018 1 MiB replies are 0.99 GiB and more,
 * printed "0.99GB" (captured from a 1 s run). The rounding is no short read; a figure below
 * it still is.
 */
static void test_wrk_rounded(void **state)
{
	char why[128];
	struct tool_result r;

	(void)state;
	assert_int_equal(
	    wrk_collect_fixture("epoll-bytes1m-c64-rounded-gb.txt", &r, why, sizeof(why)), 0);
	assert_int_equal(r.requests, 1018);
	assert_true(r.bytes_read > 1048576L * 1018);
	if (strcmp(verify_result(&r, 1048576, 64, 0, why, sizeof(why)), "ok") != 0)
		fail_msg("a rounded figure taken for a short read: %s", why);
	r.requests = 1030; /* more replies than 0.995 GiB can hold */
	assert_string_equal(verify_result(&r, 1048576, 64, 0, why, sizeof(why)), "errors");
}

/* Socket errors, non-2xx answers and no answers at all are errors; no report is tool_error. */
static void test_wrk_bad(void **state)
{
	static const struct {
		const char *name, *why;
	} cases[] = {
		{ "reset-read-errors-latency.txt", "failed requests" },
		{ "slow-timeouts-latency.txt", "failed requests" },
		{ "mixed-timeouts-non2xx-latency.txt", "non-2xx" },
		{ "stall-no-responses-latency.txt", "no request completed" },
	};
	struct tool_result r;
	char why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (wrk_collect_fixture(cases[i].name, &r, why, sizeof(why)) != 0)
			fail_msg("%s: collect failed: %s", cases[i].name, why);
		if (strcmp(verify_result(&r, BODY, 8, 0, why, sizeof(why)), "errors") != 0 ||
		    !strstr(why, cases[i].why))
			fail_msg("%s: expected errors (%s), got: %s", cases[i].name, cases[i].why,
			         why);
	}
	assert_int_equal(wrk_collect_fixture("refused-unable-to-connect.txt", &r, why, sizeof(why)),
	                 -1);
	assert_string_equal(why, "tool_error");
	assert_int_equal(wrk_collect_fixture("usage-bad-timeout-unit.txt", &r, why, sizeof(why)),
	                 -1);
}

/* Too few bytes for the answers counted: wrk's weak byte check still catches it. */
static void test_wrk_bytes(void **state)
{
	struct tool_result r;
	char why[128];

	(void)state;
	memset(&r, 0, sizeof(r));
	r.requests = 1000;
	r.body_bytes = -1;
	r.bytes_read = BODY * 1000 - 1;
	assert_string_equal(verify_result(&r, BODY, 0, 0, why, sizeof(why)), "errors");
	assert_non_null(strstr(why, "bytes read"));
	r.bytes_read = 150 * 1000;
	assert_string_equal(verify_result(&r, BODY, 0, 0, why, sizeof(why)), "ok");
}

/*
 * The status rule of issue 16: a 503 counted apart (rejected) from a model
 * designed to refuse is a rejection and the run stays ok, its bodies those of
 * the 2xx answers; the same 503 from any other model, one a tool cannot tell
 * apart (rejected -1), or any other non-2xx stays an error.
 */
static void test_status_rule(void **state)
{
	static const struct {
		const char *name;
		long requests, non_2xx, rejected, body_bytes;
		int admission;
		const char *verdict, *why; /* why: a word the reason must hold */
	} cases[] = {
		{ "all 2xx", 100, 0, 0, 100 * BODY, 0, "ok", "" },
		{ "503s from admission=yes", 100, 40, 40, 60 * BODY, 1, "ok", "" },
		{ "503s from admission=no", 100, 40, 40, 60 * BODY, 0, "errors", "admission=yes" },
		{ "503s a tool cannot tell apart", 100, 40, -1, 100 * BODY, 1, "errors",
		  "non-2xx" },
		{ "a 500 beside the 503s", 100, 41, 40, 59 * BODY, 1, "errors", "1 non-2xx" },
		{ "2xx bodies short", 100, 40, 40, 59 * BODY, 1, "errors", "body bytes" },
		{ "every answer refused", 100, 100, 100, 0, 1, "ok", "" },
	};
	char why[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tool_result r = { .requests = cases[i].requests,
			                 .non_2xx = cases[i].non_2xx,
			                 .rejected = cases[i].rejected,
			                 .body_bytes = cases[i].body_bytes };
		const char *v = verify_result(&r, BODY, 0, cases[i].admission, why, sizeof(why));

		if (strcmp(v, cases[i].verdict) != 0 || !strstr(why, cases[i].why))
			fail_msg("%s: verdict %s (%s), want %s (%s)", cases[i].name, v, why,
			         cases[i].verdict, cases[i].why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_runs),
		cmocka_unit_test(test_broken_runs),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_timeout_stderr),
		cmocka_unit_test(test_percentiles_malformed),
		cmocka_unit_test(test_percentile_mean),
		cmocka_unit_test(test_served_conns),
		cmocka_unit_test(test_inflight_bodies),
		cmocka_unit_test(test_wrk_argv),
		cmocka_unit_test(test_wrk_good),
		cmocka_unit_test(test_wrk_rounded),
		cmocka_unit_test(test_wrk_bad),
		cmocka_unit_test(test_wrk_bytes),
		cmocka_unit_test(test_status_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
