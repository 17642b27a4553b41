/* test_parse_loadgen.c -- loadgen's report parser and the harness's loadgen row, over real
 * loadgen output captured in tests/harness/fixtures/loadgen-*.{out,err}: a run at 100 req/s
 * of /sleep/10 on thread (ok), epoll at 150 req/s (overloaded: 80 requests unfinished), one
 * sharing its CPU with a busy loop (generator-lagged), a rate its one connection could not
 * carry (refused, exit 2), and threadpool with --workers 8 --max-conns 8 offered 1200 req/s a
 * connection per request (admission control: 503s counted apart, 2xx bodies checked, the
 * latency that of the 2xx replies: p50 19.071 ms where every reply's is 17.663). Expected
 * values are read off the fixtures by eye. */
#include "parse_loadgen.h"
#include "tool.h"
#include "util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct expect {
	const char *name;
	int rc;          /* of the tool row's collect */
	const char *why; /* its status word when rc is -1 */
	long requests, failed, body_bytes, p50_us, p99_us;
	double rps;
} cases[] = {
	{ "loadgen-ok", 0, "", 216, 0, 2376, 10175, 12095, 108.0 },
	{ "loadgen-overload", 0, "", 242, 80, 2662, 479231, 995327, 96.5 },
	{ "loadgen-lagged", -1, "lagged", 2004, 0, 22044, 72, 4639, 1002.0 },
	{ "loadgen-unreachable", -1, "unreachable", 0, 0, 0, 0, 0, 0 },
	{ "loadgen-refused", 0, "", 2428, 0, 1591 * 11, 19071, 20351, 1206.0 },
};

/* Outcomes apart: a loadgen that counts them, and older reports that do not (unknown). */
static void test_outcomes(void **state)
{
	static const struct {
		const char *name;
		long rejected;
		double goodput, rejected_rps;
	} cases[] = {
		{ "loadgen-refused", 837, 787.5,
		  418.5 },                    /* latency: the 2xx's p50 19.071 ms, not 17.663 */
		{ "loadgen-ok", -1, -1, -1 }, /* captured before the outcome keys */
	};
	const struct tool *t = tool_find("loadgen");
	struct tool_job job = { .raw_prefix = "/nonexistent" };
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(cases); i++) {
		char *out = fixture(cases[i].name, "out"), *err = fixture(cases[i].name, "err");
		char why[32] = "";
		struct tool_result r;

		assert_int_equal(t->collect(&job, out, err, &r, why, sizeof(why)), 0);
		if (r.rejected != cases[i].rejected || r.goodput_rps != cases[i].goodput ||
		    r.rejected_rps != cases[i].rejected_rps)
			fail_msg("%s: rejected %ld goodput %.3f rejected %.3f/s", cases[i].name,
			         r.rejected, r.goodput_rps, r.rejected_rps);
		free(out);
		free(err);
	}
}

static void test_collect_fixtures(void **state)
{
	const struct tool *t = tool_find("loadgen");
	struct tool_job job = { .raw_prefix = "/nonexistent" };
	size_t i;

	(void)state;
	assert_non_null(t);
	assert_true(t->open_loop && t->in_tree);
	for (i = 0; i < N_ELEM(cases); i++) {
		const struct expect *e = &cases[i];
		char *out = fixture(e->name, "out"), *err = fixture(e->name, "err"), why[32] = "";
		struct tool_result r;
		int rc = t->collect(&job, out, err, &r, why, sizeof(why));

		if (rc != e->rc || (rc < 0 && strcmp(why, e->why)))
			fail_msg("%s: collect returned %d (%s), expected %d (%s)", e->name, rc, why,
			         e->rc, e->why);
		if (r.requests != e->requests || r.failed != e->failed ||
		    r.body_bytes != e->body_bytes || lround(r.lat_p50_ms * 1000) != e->p50_us ||
		    lround(r.lat_p99_ms * 1000) != e->p99_us || fabs(r.rps - e->rps) > 1e-9)
			fail_msg("%s: requests %ld failed %ld body %ld p50 %.3f p99 %.3f rps %.3f",
			         e->name, r.requests, r.failed, r.body_bytes, r.lat_p50_ms,
			         r.lat_p99_ms, r.rps);
		free(out);
		free(err);
	}
}

/* A copy of out (malloc'd) with its first `from` replaced by `to`; from must be there. */
static char *edited(const char *out, const char *from, const char *to)
{
	const char *at = strstr(out, from);
	size_t len = strlen(out) + strlen(to) + 1;
	char *copy = malloc(len);

	assert_non_null(at);
	assert_non_null(copy);
	snprintf(copy, len, "%.*s%s%s", (int)(at - out), out, to, at + strlen(from));
	return copy;
}

/* A report cut anywhere before its last needed key, or with a bad value, is not a report. */
static void test_broken_reports(void **state)
{
	char *out = fixture("loadgen-ok", "out"), *copy;
	struct parse_loadgen_result g;
	size_t len = strlen(out), cut;
	static const struct {
		const char *from, *to;
	} edits[] = {
		{ "completed=216", "completed=21x6" },
		{ "lat_p99_us=12095", "lat_p99_us=" },
		{ "status=ok", "status=fine" },
		{ "achieved_rps=108.000", "achieved_rps=1e" },
	};
	size_t i;

	(void)state;
	assert_int_equal(parse_loadgen_output(out, len, &g), 0);
	assert_int_equal(g.lagged, 0);
	assert_int_equal(g.status_503, 0);
	/* status= is the last line: every shorter prefix lacks it or a key before it. */
	for (cut = 0; cut < len - strlen("status=ok\n"); cut += 7)
		if (parse_loadgen_output(out, cut, &g) == 0)
			fail_msg("a report cut at %zu of %zu bytes was accepted", cut, len);
	for (i = 0; i < N_ELEM(edits); i++) {
		copy = edited(out, edits[i].from, edits[i].to);
		if (parse_loadgen_output(copy, strlen(copy), &g) == 0)
			fail_msg("accepted with %s replaced by %s", edits[i].from, edits[i].to);
		free(copy);
	}
	/* Unknown keys are ignored: loadgen may add some. */
	copy = malloc(len + 32);
	assert_non_null(copy);
	snprintf(copy, len + 32, "new_key=whatever\n%s", out);
	assert_int_equal(parse_loadgen_output(copy, strlen(copy), &g), 0);
	assert_int_equal(g.completed, 216);
	free(copy);
	free(out);
}

/* The classes of a mix, over real output: epoll offered --mix /cpu/10:995,/cpu/10000:5 at 400
 * req/s for 3 s over 16 connections of 10 requests each (loadgen-mix: 128 connections opened;
 * the short class's p99 7.903 ms is the long requests' head-of-line blocking), and a report from
 * before the classes (none: nclasses 0, connections_opened -1). */
static void test_classes(void **state)
{
	static const struct {
		const char *name;
		int nclasses;
		long opened, per_conn;
		struct parse_loadgen_class cls[2];
	} cases[] = {
		{ "loadgen-mix",
		  2,
		  128,
		  10,
		  { { .path = "/cpu/10",
		      .weight = 995,
		      .completed = 1212,
		      .ok_2xx = 1212,
		      .achieved_rps = 404.0,
		      .lat_p50_us = 78,
		      .lat_p99_us = 7903,
		      .lat_mean_us = 296.2 },
		    { .path = "/cpu/10000",
		      .weight = 5,
		      .completed = 9,
		      .ok_2xx = 9,
		      .achieved_rps = 3.0,
		      .lat_p50_us = 10175,
		      .lat_p99_us = 12607,
		      .lat_mean_us = 10399.4 } } },
		{ "loadgen-ok", 0, -1, -1, { { .path = "" } } },
	};
	(void)state;
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		char *out = fixture(cases[i].name, "out");
		struct parse_loadgen_result g;

		assert_int_equal(parse_loadgen_output(out, strlen(out), &g), 0);
		if (g.nclasses != cases[i].nclasses || g.connections_opened != cases[i].opened ||
		    g.requests_per_conn != cases[i].per_conn)
			fail_msg("%s: %d classes, %ld connections opened, %ld per connection",
			         cases[i].name, g.nclasses, g.connections_opened,
			         g.requests_per_conn);
		for (int k = 0; k < g.nclasses; k++) {
			const struct parse_loadgen_class *a = &g.cls[k], *e = &cases[i].cls[k];
			if (strcmp(a->path, e->path) || a->weight != e->weight ||
			    a->completed != e->completed || a->ok_2xx != e->ok_2xx ||
			    fabs(a->achieved_rps - e->achieved_rps) > 1e-9 ||
			    a->lat_p50_us != e->lat_p50_us || a->lat_p99_us != e->lat_p99_us ||
			    fabs(a->lat_mean_us - e->lat_mean_us) > 1e-9)
				fail_msg(
				    "%s class %d: %s weight %ld, %ld replies (%ld 2xx), %.3f/s, "
				    "p50 %ld p99 %ld mean %.1f us",
				    cases[i].name, k, a->path, a->weight, a->completed, a->ok_2xx,
				    a->achieved_rps, a->lat_p50_us, a->lat_p99_us, a->lat_mean_us);
		}
		free(out);
	}
}

/* A mix's report whose classes disagree with classes=N is not a report. */
static void test_broken_classes(void **state)
{
	static const struct {
		const char *from, *to;
	} edits[] = {
		{ "classes=2", "classes=3" },              /* a class announced, none of its keys */
		{ "classes=2", "classes=1" },              /* class 1's keys beyond N */
		{ "classes=2", "classes=9" },              /* more than the parser holds */
		{ "class1_lat_p99_us", "class1_lat_p99" }, /* one needed key missing */
		{ "class1_weight=5", "class8_weight=5" },  /* a class index out of range */
		{ "class0_completed=1212", "class0_completed=12x" },
		{ "class0_path=/cpu/10", "class0_path=" },
	};
	char *out = fixture("loadgen-mix", "out");

	(void)state;
	for (size_t i = 0; i < N_ELEM(edits); i++) {
		char *copy = edited(out, edits[i].from, edits[i].to);
		struct parse_loadgen_result g;

		if (parse_loadgen_output(copy, strlen(copy), &g) == 0)
			fail_msg("accepted with %s replaced by %s", edits[i].from, edits[i].to);
		free(copy);
	}
	free(out);
}

/* The argv: the rate and connections the harness chose; refused without a rate. */
/* The tool's command line for job, joined by blanks into line; the words after the URL, or NULL. */
static const char *argv_tail(const struct tool *t, const struct tool_job *job, char *line,
                             size_t len)
{
	char *argv[TOOL_MAX_ARGS + 1], buf[2048], *url;

	line[0] = '\0';
	assert_int_equal(t->argv(job, argv, buf, sizeof(buf)), 0);
	for (int i = 0; argv[i]; i++)
		snprintf(line + strlen(line), len - strlen(line), "%s%s", i ? " " : "", argv[i]);
	url = strstr(line, job->url);
	return url ? url + strlen(job->url) : NULL;
}

static void test_argv(void **state)
{
	const struct tool *t = tool_find("loadgen");
	struct tool_job job = { .url = "http://127.0.0.1:1/sleep/10",
		                .concurrency = 64,
		                .keepalive = 1,
		                .duration_s = 5,
		                .timeout_s = 7,
		                .rate = 4800 };
	char *argv[TOOL_MAX_ARGS + 1], buf[2048], line[1024] = "";
	int i;

	(void)state;
	assert_int_equal(t->argv(&job, argv, buf, sizeof(buf)), 0);
	for (i = 0; argv[i]; i++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), "%s%s", i ? " " : "",
		         argv[i]);
	assert_string_equal(line, "loadgen --rate 4800.000 --duration 5 --connections 64 "
	                          "--threads 1 --timeout 7 --drain 7 --allow-remote "
	                          "http://127.0.0.1:1/sleep/10");
	job.keepalive = 0;
	assert_int_equal(t->argv(&job, argv, buf, sizeof(buf)), 0);
	for (i = 0; argv[i]; i++)
		;
	assert_string_equal(argv[i - 1], "--close");
	/* a mix and churn: their options before --close, and churn only where connections live */
	static const struct {
		const char *mix;
		int per_conn, keepalive;
		const char *tail; /* the words after the URL */
	} cases[] = {
		{ "/cpu/10:995,/cpu/10000:5", 0, 1, " --mix /cpu/10:995,/cpu/10000:5" },
		{ "/a", 0, 0, " --mix /a --close" },
		{ NULL, 10, 1, " --requests-per-conn 10" },
		{ NULL, 10, 0, " --close" },
		{ "/a:2,/b", 100, 1, " --mix /a:2,/b --requests-per-conn 100" },
	};
	/* each repetition its own schedule: the seed goes to loadgen, 0 leaves its default */
	static const struct {
		int seed;
		const char *tail;
	} seeds[] = { { 0, "" }, { 1, " --seed 1" }, { 3, " --seed 3" } };
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const char *url;

		job.mix = cases[k].mix;
		job.per_conn = cases[k].per_conn;
		job.keepalive = cases[k].keepalive;
		url = argv_tail(t, &job, line, sizeof(line));
		if (!url || strcmp(url, cases[k].tail))
			fail_msg("mix %s, %d per connection: %s", cases[k].mix ? cases[k].mix : "-",
			         cases[k].per_conn, line);
	}
	job.mix = NULL;
	job.per_conn = 0;
	job.keepalive = 1;
	for (size_t k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
		const char *url;

		job.seed = seeds[k].seed;
		url = argv_tail(t, &job, line, sizeof(line));
		if (!url || strcmp(url, seeds[k].tail))
			fail_msg("seed %d: %s", seeds[k].seed, line);
	}
	job.rate = 0;
	assert_int_equal(t->argv(&job, argv, buf, sizeof(buf)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collect_fixtures),
		cmocka_unit_test(test_broken_reports),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_broken_classes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
