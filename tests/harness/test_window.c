/* test_window.c -- a row's load-window figures, Little's ratio, the calibration, the models'
 * order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "calib.h"
#include "compare.h"
#include "fixture.h"
#include "cellstats.h"
#include "health.h"
#include "kmem.h"
#include "parse_loadgen.h"
#include "plan.h"
#include "report.h"
#include "mdtext.h"
#include "report_md.h"
#include "util.h"
#include "record.h"
#include "run.h"
#include "tool.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* record_from_run's new columns from a run's outcome, closed and open loop. */
static void test_from_run(void **state)
{
	static const struct {
		const char *tool;
		double rps, mean_done_ms, client_s, system_s;
		long requests;
		int c;
		double want_client, want_system, want_littles; /* -1: unknown */
	} cases[] = {
		/* 8 connections, each always waiting 1 ms at 8,000 req/s: Little holds */
		{ "wrk", 8000, 1.0, 0.5, 2.0, 16000, 8, 31.25, 125, 1.0 },
		/* half the connections never served: the ratio says so */
		{ "ab", 4000, 1.0, 0.1, 0.4, 8000, 8, 12.5, 50, 0.5 },
		/* open loop: no ratio, the concurrency is a share of capacity */
		{ "loadgen", 1000, 2.0, 0.2, 1.0, 2000, 50, 100, 500, -1 },
		/* unknown client CPU and machine CPU, no requests */
		{ "wrk", 0, -1, -1, -1, 0, 8, -1, -1, -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run_outcome out;
		struct record_row row;
		struct record_ids id = { .run_id = "r",
			                 .scenario = "hello",
			                 .model = "epoll",
			                 .mode = "keepalive",
			                 .tool = cases[i].tool,
			                 .concurrency = cases[i].c,
			                 .rep = 1 };

		memset(&out, 0, sizeof(out));
		strcpy(out.status, "ok");
		out.res.rps = cases[i].rps;
		out.res.requests = cases[i].requests;
		out.res.lat_mean_done_ms = cases[i].mean_done_ms;
		out.client_cpu_s = cases[i].client_s;
		out.system_cpu_s = cases[i].system_s;
		out.server_start_cpu_s = 0.083;
		out.server_exit_cpu_s = -1;
		out.calib_us = 9500;
		record_from_run(&row, &id, &out);
		if (fabs(row.client_cpu_us_per_req - cases[i].want_client) > 1e-9 ||
		    fabs(row.system_cpu_us_per_req - cases[i].want_system) > 1e-9 ||
		    fabs(row.littles_ratio - cases[i].want_littles) > 1e-9)
			fail_msg("case %zu (%s): client %g system %g littles %g", i, cases[i].tool,
			         row.client_cpu_us_per_req, row.system_cpu_us_per_req,
			         row.littles_ratio);
		assert_true(row.server_start_cpu_s == 0.083 && row.server_exit_cpu_s == -1);
		assert_true(row.calib_us == 9500);
	}
}

static void test_littles_off(void **state)
{
	static const struct {
		double ratio;
		int off;
	} cases[] = { { 1.0, 0 }, { 0.95, 0 }, { 1.09, 0 }, { 0.89, 1 },
		      { 1.2, 1 }, { 0.5, 1 },  { -1, 0 } };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (health_littles_off(cases[i].ratio) != cases[i].off)
			fail_msg("ratio %g: off is not %d", cases[i].ratio, cases[i].off);
	assert_true(health_littles_ratio(4, 8) == 0.5);
	assert_true(health_littles_ratio(-1, 8) == -1 && health_littles_ratio(4, 0) == -1);
}

static void test_calib(void **state)
{
	static const struct {
		double us, median;
		int off;
	} cases[] = { { 10000, 10000, 0 }, { 10900, 10000, 0 }, { 11100, 10000, 1 },
		      { 8900, 10000, 1 },  { -1, 10000, 0 },    { 10000, -1, 0 } };
	double us = calib_us();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (calib_off(cases[i].us, cases[i].median) != cases[i].off)
			fail_msg("%g against %g: off is not %d", cases[i].us, cases[i].median,
			         cases[i].off);
	/* the real thing: some ms of round trips, never 0 */
	print_message("calibration: %.0f us\n", us);
	assert_true(us > 0 && us < 10e6);
}

/*
 * The default plan shuffles the models of every cell and repetition: each
 * (cell, rep) runs every model once; the same seed gives the same order; no
 * model runs first in every repetition; seed 0 keeps the listed order.
 */
static void test_model_order(void **state)
{
	static const char *const names[] = { "a", "b", "c", "d", "e", "f" };
	struct plan p;
	struct plan_run runs[256];
	int n, i, k, order[PLAN_MAX_MODELS], again[PLAN_MAX_MODELS], first[6] = { 0 };
	char err[64];

	(void)state;
	plan_defaults(&p);
	p.warmup = 0;
	assert_true(p.order_seed == PLAN_ORDER_SEED);
	assert_int_equal(plan_parse_scenarios(&p, "hello", err, sizeof(err)), 0);
	assert_int_equal(plan_parse_modes(&p, "keepalive"), 0);
	for (i = 0; i < 6; i++)
		assert_int_equal(plan_add_model(&p, names[i], names[i]), 0);
	p.nlevels = plan_parse_levels("8", p.levels, PLAN_MAX_LEVELS);
	p.reps = 6;
	n = plan_runs(&p, runs, 256);
	assert_int_equal(n, 36);
	for (k = 0; k < n; k += 6) {
		int seen = 0;

		for (i = k; i < k + 6; i++) {
			assert_int_equal(runs[i].rep, k / 6 + 1);
			seen |= 1 << runs[i].model;
		}
		if (seen != 0x3f)
			fail_msg("repetition %d does not run every model once", k / 6 + 1);
		first[runs[k].model]++;
	}
	for (i = 0; i < 6; i++)
		if (first[i] == 6)
			fail_msg("model %s runs first in every repetition", names[i]);
	plan_model_order(&p, 0, 2, order);
	plan_model_order(&p, 0, 2, again);
	assert_memory_equal(order, again, 6 * sizeof(int));
	p.order_seed = 0;
	plan_model_order(&p, 0, 2, order);
	for (i = 0; i < 6; i++)
		assert_int_equal(order[i], i);
}

/* The p99 in words: with its spread and samples, or the maximum when too few. */
static void test_p99_words(void **state)
{
	static const struct {
		int ok;
		double p99, lo, hi, max, samples;
		const char *want;
	} cases[] = {
		{ 3, 12.3, 8.1, 15, 40, 420, "12.30 ms (8.10-15.00) of ~420 a repetition" },
		{ 1, 12.3, 12.3, 12.3, 40, 420, "12.30 ms of ~420" },
		{ 3, 2.5, 2.0, 3.0, 3.2, 42, "max 3.20 ms (42 latencies: too few for a p99)" },
		{ 3, 2.5, 2.0, 3.0, 3.2, 100, "2.50 ms (2.00-3.00) of ~100 a repetition" },
	};
	char buf[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cell_window w = { .p99_min = cases[i].lo,
			                 .p99_max = cases[i].hi,
			                 .max_median = cases[i].max,
			                 .samples_median = cases[i].samples };

		if (strcmp(cellstats_p99_words(&w, cases[i].ok, cases[i].p99, buf, sizeof(buf)),
		           cases[i].want))
			fail_msg("case %zu: \"%s\", want \"%s\"", i, buf, cases[i].want);
	}
}

/* A row of a closed-loop cell at c=8 with served connections, calibration and CPU figures. */
static struct record_row row(const char *model, double served, double calib, double sys)
{
	struct record_row r = { .concurrency = 8, .rps = 1000, .requests = 2000, .duration_s = 2 };

	strcpy(r.model, model);
	strcpy(r.mode, "keepalive");
	strcpy(r.tool, "ab");
	strcpy(r.status, "ok");
	strcpy(r.scenario, "hello");
	r.served_conns = served;
	r.littles_ratio = served / 8;
	r.calib_us = calib;
	r.system_cpu_us_per_req = sys;
	r.server_cpu_us_per_req = 10;
	r.client_cpu_pct = 50;
	r.goodput_rps = r.rejected_rps = -1;
	r.lat_p99_ms = r.lat_max_ms = 1;
	return r;
}

/* cellstats over a small run: † by Little, ¤ by the calibration, the machine's CPU's spread. */
static void test_cell_marks(void **state)
{
	struct record_row rows[] = {
		row("epoll", 7.9, 10000, 40),  row("epoll", 8.0, 10100, 42),
		row("epoll", 7.8, 9900, 44),   row("thread", 5.0, 10000, 50),
		row("thread", 5.2, 13000, 55), row("thread", 5.1, 10050, 60),
	};
	struct report_cell *c;
	int n;

	(void)state;
	assert_int_equal(report_summarize(rows, 6, &c, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(c[0].model, "epoll");
	assert_true(!c[0].w.unserved && !c[0].w.littles_off && c[0].w.slow == 0);
	assert_true(c[0].w.sys_us_median == 42 && c[0].w.sys_us_min == 40 &&
	            c[0].w.sys_us_max == 44);
	assert_true(c[0].w.samples_median == 2000);
	/* 5.1 of 8 served, ab below 90 %: some never served; 13000 is 30 % off the run's 10025 */
	assert_true(c[1].w.unserved && !c[1].starved && !c[1].w.littles_off);
	assert_int_equal(c[1].w.slow, 1);
	free(c);
	/* a saturated tool holds requests itself: no † then, but Little's law is off */
	for (int i = 3; i < 6; i++)
		rows[i].client_cpu_pct = 99;
	assert_int_equal(report_summarize(rows, 6, &c, &n), 0);
	assert_true(!c[1].w.unserved && c[1].w.littles_off);
	free(c);
}

/* compare.md's caveats: a noisy reference, and an iterative least-CPU model. */
static void test_compare_caveats(void **state)
{
	struct record_row rows[6];
	struct report_cell *c;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int n, i;

	(void)state;
	for (i = 0; i < 6; i++) {
		rows[i] = row(i < 2 ? "ref-nginx" : i < 4 ? "epoll" : "single", 8, 10000, 50);
		rows[i].concurrency = 32;
		strcpy(rows[i].mode, "close");
		rows[i].rep = i % 2 + 1;
		rows[i].server_cpu_us_per_req = i < 2 ? 20 : i < 4 ? 18 : 12;
		rows[i].other_cpu_pct = i == 0 ? 80 : 5;
	}
	assert_int_equal(report_summarize(rows, 6, &c, &n), 0);
	for (i = 0; i < n; i++)
		if (!strcmp(c[i].model, "single")) {
			c[i].parallel = FACTS_ONE;
			c[i].wait = FACTS_WAIT_NONE;
		}
	assert_non_null(f = open_memstream(&text, &len));
	compare_write(f, c, n, COMPARE_REF, NULL);
	fclose(f);
	if (!strstr(text, "least server CPU per request of ours (single)") ||
	    !strstr(text,
	            "  - § close c=32: ref-nginx's runs were noisy (others used up to 80 % of "
	            "a CPU): compare with care\n") ||
	    !strstr(text, "  - single serves one connection at a time") || strstr(text, "¤"))
		fail_msg("compare:\n%s", text);
	free(text);
	free(c);
}

/* The kernel's memory: /proc/meminfo's sum, a socket's caches from /proc/slabinfo. */
static void test_kmem(void **state)
{
	static const char meminfo[] = "MemTotal: 24000000 kB\nSlab:             291204 kB\n"
	                              "SReclaimable:     202344 kB\nKernelStack:       20532 kB\n"
	                              "PageTables:        45132 kB\n";
	static const char slabinfo[] =
	    "slabinfo - version: 2.1\n"
	    "# name            <active_objs> <num_objs> <objsize> <objperslab> ...\n"
	    "TCPv6                 26     26   2496   13    8 : tunables    0    0    0\n"
	    "TCP                  230    273   2368   13    8 : tunables    0    0    0\n"
	    "eventpoll_epi      12410  13728    128   32    1 : tunables    0    0    0\n"
	    "sock_inode_cache    1241   1387    832   19    4 : tunables    0    0    0\n"
	    "filp                2361   2940    192   21    1 : tunables    0    0    0\n"
	    "dentry            159792 163653    192   21    1 : tunables    0    0    0\n";
	long v = 0, now;

	(void)state;
	assert_int_equal(kmem_parse_meminfo(meminfo, &v), 0);
	assert_int_equal(v, 291204 + 20532 + 45132);
	assert_int_equal(kmem_parse_meminfo("Slab: 1 kB\nKernelStack: 2 kB\n", &v), -1);
	/* TCP, not TCPv6: the holder's IPv4 socket, its inode, file and dentry */
	assert_int_equal(kmem_parse_socket(slabinfo, &v), 0);
	assert_int_equal(v, 2368 + 832 + 192 + 192);
	assert_int_equal(kmem_parse_socket("TCP 1 1 2368 13 8\n", &v), -1);
	assert_int_equal(kmem_now_kb(&now), 0);
	assert_true(now > 0);
	assert_int_equal(kmem_server_share_kb(100, 200, 0), -1);
	assert_int_equal(kmem_server_share_kb(-1, 200, 10), -1);
}

/* report.md: where the CPU went, the fixed cost, and the marks † and ¤ with their legends. */
static void test_md_window(void **state)
{
	struct record_row rows[6];
	struct report_cell *c;
	char *text, *cpu = NULL;
	int n, i;

	(void)state;
	for (i = 0; i < 6; i++) {
		rows[i] = row(i < 3 ? "epoll" : "prefork", i < 3 ? 7.9 : 5.0,
		              i == 5 ? 13000 : 10000, 40 + i);
		rows[i].client_cpu_us_per_req = 30;
		rows[i].server_start_cpu_s = i < 3 ? 0.001 : 0.026;
		rows[i].server_exit_cpu_s = i < 3 ? 0.0 : 0.014;
	}
	assert_int_equal(report_summarize(rows, 6, &c, &n), 0);
	text = md_text_side(c, n, "meta: x\n", "cpu.md", &cpu);
	/* the CPU's tables in cpu.md beside report.md, linked from it; the marks in report.md */
	if (!cpu || !strstr(cpu, "Where the CPU went, keepalive mode at c=8") ||
	    !strstr(cpu, "| epoll | 10.0 | 30.0 | 41.0 |") ||
	    !strstr(cpu, "| prefork | keepalive | 8 | 26.0 | 14.0 | 20.0 | 10.0 |") ||
	    !strstr(text, "[cpu.md](cpu.md)") || !strstr(text, "† ~5/8") ||
	    !strstr(text, "† without starved") || !strstr(text, " ¤") ||
	    !strstr(text, "¤ slow phase"))
		fail_msg("cpu.md:\n%s\nreport.md:\n%s", cpu ? cpu : "(none)", text);
	free(cpu);
	free(text);
	free(c);
}

/* Open loop: the requests that waited in the generator, read from loadgen and kept apart. */
static void test_generator_wait(void **state)
{
	const struct tool *t = tool_find("loadgen");
	struct tool_job job = { .raw_prefix = "/nonexistent" };
	char *out = fixture("loadgen-overload", "out"), *err = fixture("loadgen-overload", "err");
	char why[32], *at;
	struct parse_loadgen_result g;
	struct tool_result r;

	(void)state;
	assert_int_equal(parse_loadgen_output(out, strlen(out), &g), 0);
	assert_true(g.conn_wait == 276 && g.queue_max == 117);
	assert_int_equal(t->collect(&job, out, err, &r, why, sizeof(why)), 0);
	assert_int_equal(r.gen_waited, 276);
	/* a loadgen from before the key: unknown, not 0 */
	assert_non_null(at = strstr(out, "conn_wait="));
	memcpy(at, "xonn_wait=", 10);
	assert_int_equal(parse_loadgen_output(out, strlen(out), &g), 0);
	assert_int_equal(g.conn_wait, -1);
	/* closed-loop tools have no such queue to tell */
	free(out);
	free(err);
	out = fixture("keepalive", "out");
	err = fixture("keepalive", "err");
	job.raw_prefix = "tests/harness/fixtures/keepalive"; /* its .perc.csv */
	assert_int_equal(tool_find("ab")->collect(&job, out, err, &r, why, sizeof(why)), 0);
	assert_int_equal(r.gen_waited, -1);
	free(out);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_run),        cmocka_unit_test(test_littles_off),
		cmocka_unit_test(test_calib),           cmocka_unit_test(test_model_order),
		cmocka_unit_test(test_p99_words),       cmocka_unit_test(test_cell_marks),
		cmocka_unit_test(test_compare_caveats), cmocka_unit_test(test_kmem),
		cmocka_unit_test(test_md_window),       cmocka_unit_test(test_generator_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
