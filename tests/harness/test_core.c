/* test_core.c -- the CSV writer and reader, the plan's order, the summary and the ranking,
 * references, and the comparison with the reference (ratios and the bar's verdicts). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "compare.h"
#include "health.h"
#include "plan.h"
#include "record.h"
#include "report.h"
#include "mdtext.h"
#include "report_md.h"
#include "report_rank.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct record_row sample_row(const char *model, const char *mode, int c, int rep, double rps,
                                    const char *status)
{
	struct record_row r;

	memset(&r, 0, sizeof(r));
	strcpy(r.run_id, "20250101-000000");
	strcpy(r.model, model);
	strcpy(r.mode, mode);
	strcpy(r.tool, strcmp(mode, "keepalive") ? "ab" : "wrk");
	strcpy(r.status, status);
	strcpy(r.scenario, "hello");
	r.concurrency = c;
	r.rep = rep;
	r.requests = (long)(rps * 2);
	r.duration_s = 2;
	r.rps = rps;
	r.lat_p50_ms = 1000 / rps;
	r.lat_p99_ms = 4000 / rps;
	r.server_cpu_us_per_req = rps / 1000;
	r.server_maxrss_kb = (long)rps % 977;
	r.server_mem_kb = -1;
	r.goodput_rps = r.rejected_rps = -1;
	r.short_p50_us = r.short_p99_us = r.short_mean_us = r.long_p99_us = -1;
	r.short_rps = r.long_rps = r.jain = -1;
	r.syscalls_per_req = r.ctx_switches_per_req = -1; /* no counting pass */
	r.migrations_per_req = r.instructions_per_req = -1;
	r.client_cpu_pct = 50;
	r.served_conns = c; /* every connection served, the machine quiet */
	r.other_cpu_pct = 1;
	return r;
}

/* summary.csv of cells c[0..n) as report_write_summary writes it (malloc'ed). */
static char *summary_text(const struct report_cell *c, int n)
{
	char path[] = "/tmp/summary-XXXXXX", *text;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(report_write_summary(path, c, n), 0);
	text = util_read_file(path, NULL);
	unlink(path);
	assert_non_null(text);
	return text;
}

static int count_char(const char *s, char c)
{
	int n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

static void test_header_schema(void **state)
{
	(void)state;
	/* docs/design.md's 22 columns in their order, the two honesty checks, then the scenario's.
	 */
	assert_int_equal(count_char(record_header(), ','), 53);
	assert_true(strncmp(record_header(), "run_id,model,mode,concurrency,rep,tool,", 39) == 0);
	assert_non_null(strstr(record_header(), ",client_cpu_pct,status,"));
	assert_non_null(strstr(record_header(), ",status,served_conns,other_cpu_pct,scenario"));
	assert_string_equal(strstr(record_header(), ",scenario"),
	                    ",scenario,idle_conns,server_mem_kb,goodput_rps,rejected_rps,"
	                    "short_p50_us,short_p99_us,short_mean_us,long_p99_us,short_rps,"
	                    "long_rps,worker_shares,jain,server_start_cpu_s,server_exit_cpu_s,"
	                    "client_cpu_us_per_req,system_cpu_us_per_req,littles_ratio,calib_us,"
	                    "server_kmem_kb,gen_waited,syscalls_per_req,ctx_switches_per_req,"
	                    "migrations_per_req,instructions_per_req,body_bytes,disk_lat_us,"
	                    "hot_p99_ms,disk_reads,disk_read_kb");
}

static void test_round_trip(void **state)
{
	static const char *const models[] = { "epoll", "odd,name", "quo\"te" };
	char line[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(models) / sizeof(models[0]); i++) {
		struct record_row a = sample_row(models[i], "keepalive", 128, 2, 41230.5, "ok"), b;

		a.lat_p90_ms = 0.417;
		a.server_user_s = 0.125;
		a.non_2xx = 7;
		a.served_conns = 1.04;
		a.other_cpu_pct = i == 2 ? -1 : 35.25;
		a.idle_conns = (int)i * 5000;
		a.server_mem_kb = i == 2 ? -1 : 81234;
		a.client_cpu_pct = i == 2 ? -1 : 50;
		a.goodput_rps = 800.5;
		a.rejected_rps = i == 2 ? -1 : 399.5;
		a.server_start_cpu_s = i == 2 ? -1 : 0.083;
		a.server_exit_cpu_s = i == 2 ? -1 : 0.0015;
		a.client_cpu_us_per_req = 12.25;
		a.system_cpu_us_per_req = i == 2 ? -1 : 40.5;
		a.littles_ratio = i == 2 ? -1 : 0.9876;
		a.calib_us = i == 2 ? -1 : 9557.4;
		a.server_kmem_kb = i == 2 ? -1 : 40123;
		a.gen_waited = i == 2 ? -1 : 4567;
		a.syscalls_per_req = i == 2 ? -1 : 2.171;
		a.ctx_switches_per_req = 0.0074; /* three decimals: 0.007 */
		a.migrations_per_req = 0;
		a.instructions_per_req = i == 1 ? 15230.25 : -1; /* no PMU: unknown */
		assert_true(record_format(&a, line, sizeof(line)) > 0);
		assert_int_equal(line[strlen(line) - 1], '\n');
		memset(&b, 0, sizeof(b));
		if (record_parse(line, &b) != 0)
			fail_msg("row for model %s does not parse back: %s", models[i], line);
		assert_string_equal(b.model, a.model);
		assert_string_equal(b.mode, a.mode);
		assert_string_equal(b.status, a.status);
		assert_string_equal(b.scenario, a.scenario);
		assert_int_equal(b.concurrency, a.concurrency);
		assert_int_equal(b.rep, a.rep);
		assert_int_equal(b.non_2xx, a.non_2xx);
		assert_int_equal(b.idle_conns, a.idle_conns);
		assert_int_equal(b.server_mem_kb, a.server_mem_kb); /* -1: unknown stays unknown */
		assert_true(b.rps == a.rps && b.lat_p90_ms == a.lat_p90_ms &&
		            b.server_user_s == a.server_user_s);
		assert_true(fabs(b.served_conns - 1.0) < 1e-9); /* one decimal */
		assert_true(b.goodput_rps == 800.5 && b.rejected_rps == a.rejected_rps);
		assert_true(b.syscalls_per_req == a.syscalls_per_req);
		assert_true(fabs(b.ctx_switches_per_req - 0.007) < 1e-9 &&
		            b.migrations_per_req == 0);
		assert_true(b.instructions_per_req == a.instructions_per_req);
		assert_true(b.client_cpu_us_per_req == 12.25);
		if (i == 2) {
			assert_true(b.other_cpu_pct == -1 && b.client_cpu_pct == -1); /* unknown */
			assert_true(b.server_start_cpu_s == -1 && b.server_exit_cpu_s == -1 &&
			            b.system_cpu_us_per_req == -1 && b.littles_ratio == -1 &&
			            b.calib_us == -1 && b.server_kmem_kb == -1 &&
			            b.gen_waited == -1);
		} else {
			assert_true(fabs(b.other_cpu_pct - 35.2) < 0.11 && b.client_cpu_pct == 50);
			assert_true(b.server_start_cpu_s == 0.083 &&
			            b.system_cpu_us_per_req == 40.5);
			assert_true(fabs(b.server_exit_cpu_s - 0.0015) < 1e-9); /* µs */
			assert_true(fabs(b.littles_ratio - 0.988) < 1e-9 && b.calib_us == 9557);
			assert_int_equal(b.server_kmem_kb, 40123);
			assert_int_equal(b.gen_waited, 4567);
		}
	}
}

/* A row of a file written before the two last columns existed still loads, as unknown. */
static void test_parse_old_rows(void **state)
{
	struct record_row r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(record_parse("20261126-021052,prefork,keepalive,512,1,ab,27925,0,0,2.000,"
	                              "13962.05,36.671,0.069,0.088,0.128,12.300,0.082,0.673,27.02,"
	                              "1656,44.0,ok",
	                              &r),
	                 0);
	assert_string_equal(r.status, "ok");
	assert_string_equal(r.scenario, "hello"); /* every row was hello before the column */
	assert_true(r.rps == 13962.05 && r.client_cpu_pct == 44.0);
	assert_true(r.served_conns == -1 && r.other_cpu_pct == -1);
	assert_false(health_starved(r.served_conns, r.concurrency));
	assert_int_equal(record_parse("id,epoll,close,8,1,ab,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,ok,"
	                              "7.5,",
	                              &r),
	                 0);
	assert_true(r.served_conns == 7.5 && r.other_cpu_pct == -1);
	/* 24 fields: before the scenario column */
	assert_int_equal(record_parse("id,epoll,close,8,1,ab,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,ok,"
	                              "7.5,2.0",
	                              &r),
	                 0);
	assert_string_equal(r.scenario, "hello");
	assert_true(r.other_cpu_pct == 2.0);
	/* 25: the scenario is read; an empty one is refused */
	assert_int_equal(record_parse("id,epoll,keepalive,8,1,ab,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,ok,"
	                              "7.5,2.0,sleep",
	                              &r),
	                 0);
	assert_string_equal(r.scenario, "sleep");
	assert_true(r.idle_conns == 0 && r.server_mem_kb == -1); /* before the idle columns */
	assert_int_equal(record_parse("id,epoll,keepalive,8,1,ab,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,ok,"
	                              "7.5,2.0,",
	                              &r),
	                 -1);
	/* 27: before goodput_rps and rejected_rps, both unknown */
	assert_int_equal(record_parse("id,epoll,keepalive,8,1,ab,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,ok,"
	                              "7.5,2.0,sleep,0,512",
	                              &r),
	                 0);
	assert_true(r.server_mem_kb == 512 && r.goodput_rps == -1 && r.rejected_rps == -1);
	/* 29: before the load window's columns, all unknown */
	assert_int_equal(record_parse("id,epoll,keepalive,8,1,ab,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,ok,"
	                              "7.5,2.0,sleep,0,512,10.0,",
	                              &r),
	                 0);
	assert_true(r.goodput_rps == 10 && r.server_start_cpu_s == -1 &&
	            r.server_exit_cpu_s == -1 && r.client_cpu_us_per_req == -1 &&
	            r.system_cpu_us_per_req == -1 && r.littles_ratio == -1 && r.calib_us == -1 &&
	            r.server_kmem_kb == -1);
	/* 37: the mix's and the workers' columns, before the load window's */
	assert_int_equal(record_parse("id,epoll,keepalive,8,1,ab,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,ok,"
	                              "7.5,2.0,idle,1000,512,10.0,,,,,,,,0.52/0.48,0.998",
	                              &r),
	                 0);
	assert_true(r.jain == 0.998 && r.idle_conns == 1000 && r.calib_us == -1 &&
	            r.server_kmem_kb == -1 && r.gen_waited == -1 && r.server_start_cpu_s == -1);
	/* 45: the load window's too */
	assert_int_equal(
	    record_parse("id,epoll,keepalive,8,1,ab,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,ok,"
	                 "7.5,2.0,idle,1000,512,10.0,,,,,,,,,,0.001,0.002,3,4,1.0,9000,"
	                 "40000,",
	                 &r),
	    0);
	assert_true(r.calib_us == 9000 && r.server_kmem_kb == 40000 && r.gen_waited == -1 &&
	            r.server_exit_cpu_s == 0.002 && r.littles_ratio == 1.0);
	/* and before the four counts per request, all unknown; 49: with them */
	assert_true(r.syscalls_per_req == -1 && r.ctx_switches_per_req == -1 &&
	            r.migrations_per_req == -1 && r.instructions_per_req == -1);
	assert_int_equal(
	    record_parse("id,epoll,keepalive,8,1,ab,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,ok,"
	                 "7.5,2.0,idle,1000,512,10.0,,,,,,,,,,0.001,0.002,3,4,1.0,9000,"
	                 "40000,,2.171,0.5,0,",
	                 &r),
	    0);
	assert_true(r.syscalls_per_req == 2.171 && r.ctx_switches_per_req == 0.5 &&
	            r.migrations_per_req == 0 && r.instructions_per_req == -1);
	/* 28 fields is no schema */
	assert_int_equal(record_parse("id,epoll,keepalive,8,1,ab,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,ok,"
	                              "7.5,2.0,sleep,0,512,1",
	                              &r),
	                 -1);
	/* 29: before the mix's and the workers' columns, all unknown */
	assert_int_equal(record_parse("id,epoll,keepalive,8,1,ab,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,ok,"
	                              "7.5,2.0,sleep,0,512,100.0,",
	                              &r),
	                 0);
	assert_true(r.goodput_rps == 100 && r.short_p99_us == -1 && r.long_rps == -1 &&
	            r.jain == -1 && r.worker_shares[0] == '\0');
}

/* The mix's and the workers' columns (issue 23) come back as written; unknown stays unknown. */
static void test_round_trip_mix(void **state)
{
	static const struct {
		double short_p99_us, long_rps, jain;
		const char *shares;
	} cases[] = {
		{ 7903.0, 3.0, 0.758, "0.60/0.20/0.20" },
		{ -1, -1, -1, "" },
		{ 120.5, 0.5, 1.0, "0.50/0.50" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct record_row a = sample_row("epoll-shared", "close", 50, 1, 2000, "ok"), b;
		char line[2048];

		a.short_p50_us = 78;
		a.short_p99_us = cases[i].short_p99_us;
		a.short_mean_us = 296.2;
		a.long_p99_us = 12607;
		a.short_rps = 404;
		a.long_rps = cases[i].long_rps;
		a.jain = cases[i].jain;
		snprintf(a.worker_shares, sizeof(a.worker_shares), "%s", cases[i].shares);
		assert_true(record_format(&a, line, sizeof(line)) > 0);
		if (record_parse(line, &b) != 0 || b.short_p99_us != a.short_p99_us ||
		    b.long_rps != a.long_rps || fabs(b.jain - a.jain) > 1e-9 ||
		    strcmp(b.worker_shares, a.worker_shares) || b.short_mean_us != 296.2 ||
		    b.long_p99_us != 12607 || b.short_p50_us != 78 || b.short_rps != 404)
			fail_msg("case %zu: %s", i, line);
	}
}

static void test_format_small_buffer(void **state)
{
	struct record_row a = sample_row("epoll", "close", 1, 1, 1000, "ok");
	char line[40];

	(void)state;
	assert_int_equal(record_format(&a, line, sizeof(line)), -1);
}

static void test_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"a,b,c",
		"id,epoll,close,8,1,ab,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1", /* 21 fields */
		"id,epoll,close,8,1,ab,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,ok,1,2,hello,extra", /* 26 */
		"id,epoll,close,8,1,ab,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,ok,1",               /* 23 */
		"id,epoll,close,8,1,ab,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,ok,1,x2",
		"id,epoll,close,x8,1,ab,1,0,0,1,1,1,1,1,1,1,1,1,1,1,1,ok",
	};
	struct record_row r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (record_parse(bad[i], &r) != -1)
			fail_msg("malformed row accepted: %s", bad[i]);
}

/* Appended rows are on disk at once (flushed) and load back in order. */
static void test_append_load(void **state)
{
	char path[] = "/tmp/harness-test-XXXXXX";
	struct record_row a = sample_row("epoll", "close", 8, 1, 5000, "ok");
	struct record_row b = sample_row("thread", "close", 8, 1, 3000, "crashed");
	struct record_row *rows;
	int fd = mkstemp(path), n, bad;
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	assert_non_null(f = record_open(path));
	assert_int_equal(record_append(f, &a), 0);
	assert_int_equal(record_load(path, &rows, &n, &bad), 0); /* before fclose: flushed */
	assert_int_equal(n, 1);
	free(rows);
	assert_int_equal(record_append(f, &b), 0);
	fclose(f);
	assert_non_null(f = record_open(path)); /* reopening must not repeat the header */
	fclose(f);
	assert_int_equal(record_load(path, &rows, &n, &bad), 0);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].model, "epoll");
	assert_string_equal(rows[1].status, "crashed");
	free(rows);
	unlink(path);
}

static void test_levels_modes(void **state)
{
	struct plan p;
	int v[PLAN_MAX_LEVELS];

	(void)state;
	assert_int_equal(plan_parse_levels("1 8,32  128", v, PLAN_MAX_LEVELS), 4);
	assert_int_equal(v[3], 128);
	assert_int_equal(plan_parse_levels("1 x", v, PLAN_MAX_LEVELS), -1);
	assert_int_equal(plan_parse_levels("0", v, PLAN_MAX_LEVELS), 1); /* idle's N = 0 */
	assert_int_equal(plan_parse_levels("-1", v, PLAN_MAX_LEVELS), -1);
	assert_int_equal(plan_parse_levels("100001", v, PLAN_MAX_LEVELS), -1);
	assert_int_equal(plan_parse_levels("1 2 3", v, 2), -1);
	plan_defaults(&p);
	assert_int_equal(plan_parse_modes(&p, "keepalive,close keepalive"), 0);
	assert_int_equal(p.nmodes, 2);
	assert_int_equal(p.modes[0], PLAN_KEEPALIVE);
	assert_int_equal(plan_parse_modes(&p, "pipelined"), -1);
}

static void test_plan_order(void **state)
{
	struct plan p;
	struct plan_run runs[256];
	char err[64];
	int n, i;

	(void)state;
	plan_defaults(&p);
	assert_int_equal(plan_parse_scenarios(&p, "hello", err, sizeof(err)), 0);
	assert_int_equal(plan_add_model(&p, "epoll", "/x/epoll"), 0);
	assert_int_equal(plan_add_model(&p, "thread", "/x/thread"), 0);
	assert_int_equal(plan_add_model(&p, "poll", "/x/poll"), 0);
	assert_int_equal(plan_add_model(&p, "poll", "/y/poll"), -1);
	/* a variant: its model's binary and base, its own name and flags */
	assert_int_equal(plan_add_variant(&p, "epoll", "lt", "--trigger=level"), 0);
	assert_string_equal(p.models[3].name, "epoll:lt");
	assert_string_equal(p.models[3].base, "epoll");
	assert_string_equal(p.models[3].path, "/x/epoll");
	assert_string_equal(p.models[3].flags, "--trigger=level");
	assert_string_equal(p.models[0].flags, "");
	assert_int_equal(plan_add_variant(&p, "epoll", "lt", "--trigger=level"), 0); /* there */
	assert_int_equal(p.nmodels, 4);
	assert_int_equal(plan_add_variant(&p, "nosuch", "lt", "--x"), -1);
	assert_int_equal(plan_select(&p, "epoll thread poll", err, sizeof(err)), 0);
	p.nlevels = plan_parse_levels("1 8", p.levels, PLAN_MAX_LEVELS);
	p.reps = 2;
	p.order_seed = 0; /* the listed order (the shuffled one: test_window.c) */
	n = plan_runs(&p, runs, 256);
	assert_int_equal(n, plan_count(&p) + p.nmodels);
	assert_int_equal(plan_count(&p), 2 * 2 * 2 * 3);
	for (i = 0; i < p.nmodels; i++) /* warm-ups first, one per model */
		assert_true(runs[i].rep == 0 && runs[i].model == i);
	for (i = p.nmodels; i < n; i++) {
		const struct plan_run *r = &runs[i], *prev = &runs[i - 1];

		assert_true(r->rep >= 1);
		if (i == p.nmodels)
			continue;
		/* repetitions never go back; models are innermost: cells change only after all
		 * models */
		assert_true(r->rep >= prev->rep);
		if (r->model != 0)
			assert_true(r->model == prev->model + 1 && r->level == prev->level &&
			            r->mode == prev->mode && r->rep == prev->rep);
	}
	assert_int_equal(runs[n - 1].rep, 2);
	assert_int_equal(plan_runs(&p, runs, 5), -1);
	assert_int_equal(plan_select(&p, "poll epoll", err, sizeof(err)), 0);
	assert_int_equal(p.nmodels, 2);
	assert_string_equal(p.models[0].name, "poll");
	assert_int_equal(plan_select(&p, "nosuch", err, sizeof(err)), -1);
	assert_string_equal(err, "nosuch");
	assert_true(plan_estimate_s(&p, 0.1) > plan_count(&p) * p.duration_s);
}

/*
 * The order of the measured runs, table-driven: a paired scenario (idle)
 * runs each model's levels back to back, reversed on even repetitions; the
 * others keep rep -> level -> model. Each run is "rep:scenario/model@level".
 */
static void test_plan_paired(void **state)
{
	static const struct {
		const char *scenarios, *levels;
		int reps;
		const char *want;
	} cases[] = {
		{ "idle", "0 1000 10000", 2,
		  "1:idle/a@0 1:idle/a@1000 1:idle/a@10000 1:idle/b@0 1:idle/b@1000 1:idle/b@10000 "
		  "2:idle/a@10000 2:idle/a@1000 2:idle/a@0 2:idle/b@10000 2:idle/b@1000 "
		  "2:idle/b@0 " },
		{ "idle", "0 10000", 3,
		  "1:idle/a@0 1:idle/a@10000 1:idle/b@0 1:idle/b@10000 2:idle/a@10000 2:idle/a@0 "
		  "2:idle/b@10000 2:idle/b@0 3:idle/a@0 3:idle/a@10000 3:idle/b@0 "
		  "3:idle/b@10000 " },
		{ "hello", "1 8", 2,
		  "1:hello/a@1 1:hello/b@1 1:hello/a@8 1:hello/b@8 2:hello/a@1 2:hello/b@1 "
		  "2:hello/a@8 2:hello/b@8 " },
		/* the unpaired scenario keeps its order beside the paired one (level 0 is idle's)
		 */
		{ "hello idle", "0 8", 1,
		  "1:hello/a@8 1:hello/b@8 1:idle/a@0 1:idle/a@8 1:idle/b@0 1:idle/b@8 " },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct plan p;
		struct plan_run runs[64];
		char err[64], got[1024] = "";
		int n, k;
		size_t o = 0;

		plan_defaults(&p);
		p.warmup = 0;
		p.order_seed = 0;
		assert_int_equal(plan_parse_scenarios(&p, cases[i].scenarios, err, sizeof(err)), 0);
		assert_int_equal(plan_parse_modes(&p, "keepalive"), 0);
		assert_int_equal(plan_add_model(&p, "a", "/x/a"), 0);
		assert_int_equal(plan_add_model(&p, "b", "/x/b"), 0);
		p.nlevels = plan_parse_levels(cases[i].levels, p.levels, PLAN_MAX_LEVELS);
		p.reps = cases[i].reps;
		n = plan_runs(&p, runs, 64);
		assert_int_equal(n, plan_count(&p));
		for (k = 0; k < n && o < sizeof(got); k++)
			o += snprintf(got + o, sizeof(got) - o, "%d:%s/%s@%d ", runs[k].rep,
			              p.scenarios[runs[k].scenario]->name,
			              p.models[runs[k].model].name, runs[k].level);
		if (strcmp(got, cases[i].want))
			fail_msg("plan order for %s at levels %s, %d reps:\n got  %s\n want %s",
			         cases[i].scenarios, cases[i].levels, cases[i].reps, got,
			         cases[i].want);
	}
}

/* report_ranking's text of c[0..n) (malloc'ed). */
static char *ranking_text(const struct report_cell *c, int n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	report_ranking(f, c, n);
	fclose(f);
	return text;
}

static void test_summary_and_ranking(void **state)
{
	struct record_row rows[] = {
		sample_row("epoll", "keepalive", 512, 1, 30000, "ok"),
		sample_row("epoll", "keepalive", 512, 2, 32000, "ok"),
		sample_row("epoll", "keepalive", 512, 3, 1000, "errors"),
		sample_row("thread", "keepalive", 512, 1, 15000, "ok"),
		sample_row("thread", "keepalive", 512, 2, 17000, "ok"),
		sample_row("thread", "keepalive", 8, 1, 9000, "ok"),
	};
	struct report_cell *c;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int n;

	(void)state;
	rows[1].client_cpu_pct = 95;
	assert_int_equal(report_summarize(rows, 6, &c, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(c[0].model, "epoll");
	assert_int_equal(c[0].runs, 3);
	assert_int_equal(c[0].ok, 2);
	assert_true(c[0].rps_median == (30000 + 32000) / 2.0); /* the errors row is left out */
	assert_true(c[0].rps_min == 30000 && c[0].rps_max == 32000);
	assert_true(c[0].client_bound);
	assert_false(c[2].client_bound);
	assert_int_equal(c[1].concurrency, 8); /* thread sorted by concurrency */
	assert_non_null(strstr(c[0].statuses, "errors:1"));
	assert_non_null(f = open_memstream(&text, &len));
	report_ranking(f, c, n);
	fclose(f);
	/* client bound at the top: req/s would rank the load generator; CPU per request ranks */
	if (!strstr(text, "keepalive, c=512 (wrk), by the server's CPU per request: the load "
	                  "generator limited req/s: thread: 16.0 µs median (15.0-17.0)\n") ||
	    !strstr(text,
	            "  thread used 1.94 x less CPU per request than epoll ‡ (1.76-2.13); epoll: "
	            "31.0 µs median (30.0-32.0)\n"))
		fail_msg("ranking text: %s", text);
	free(text);
	/* not client bound: req/s ranks; mean 31000 vs 16000: 1.94 ± propagated sd */
	c[0].client_bound = 0;
	text = NULL;
	assert_non_null(f = open_memstream(&text, &len));
	report_ranking(f, c, n);
	fclose(f);
	if (!strstr(text, "epoll: 31,000 req/s median (30,000-32,000)") ||
	    !strstr(text, "epoll ran 1.94 x faster than thread (1.76-2.13); thread: 16,000 req/s "
	                  "median (15,000-17,000)") ||
	    !strstr(text, "c=512") || strstr(text, "CPU per request") || strstr(text, "no spread"))
		fail_msg("ranking text: %s", text);
	free(text);
	/* overlapping repetitions are a tie; so is a gap beside a noisy cell */
	c[2].rps_max = 30500;
	text = ranking_text(c, n);
	if (!strstr(text,
	            "  epoll and thread: a tie (medians 1.94 x apart, inside the repetitions' "
	            "spread)"))
		fail_msg("ranking text: %s", text);
	free(text);
	c[2].rps_max = 17000;
	c[2].noisy = 1;
	c[2].other_cpu_max = 76;
	text = ranking_text(c, n);
	if (!strstr(text, "  epoll and thread §: a tie (medians 1.94 x apart, but a cell is noisy "
	                  "(§)); thread: 16,000 req/s median (15,000-17,000) [§ noisy: "
	                  "others used up to 76 % of a CPU]\n"))
		fail_msg("ranking text: %s", text);
	free(text);
	free(c);
}

/*
 * Every mark reaches the ranking: its symbol after the name of the cell that
 * carries it wherever it is compared, its words after that cell's figures; a
 * gap beside a noisy (§) or slow-phase (¤) cell is a tie, and a ratio against
 * a cell the load tool limited (‡) is "at most". One mark a case, on thread
 * (the second) or on epoll (the best).
 */
static void test_ranking_marks(void **state)
{
	enum { NONE, BOUND, STARVED, UNSERVED, NOISY, SLOW, LITTLES, BEST_LITTLES };
	static const struct {
		int mark;
		const char *want; /* in the ranking's text */
	} cases[] = {
		{ NONE, "  epoll ran 1.94 x faster than thread (1.76-2.13); thread: 16,000 req/s "
		        "median (15,000-17,000)\n" },
		{ BOUND, "  epoll ran at most 1.94 x faster than thread ‡ (1.76-2.13); thread: "
		         "16,000 req/s median (15,000-17,000) (‡ load generator limited it)\n" },
		{ STARVED, "  epoll ran 1.94 x faster than thread † (1.76-2.13); thread: 16,000 "
		           "req/s median (15,000-17,000) († starved: 100 of 512 connections "
		           "served; p99 >= the 2.0 s run)\n" },
		{ UNSERVED, "  epoll ran 1.94 x faster than thread † (1.76-2.13); thread: 16,000 "
		            "req/s median (15,000-17,000) [† 300 of 512 connections served]\n" },
		{ NOISY, "  epoll and thread §: a tie (medians 1.94 x apart, but a cell is noisy "
		         "(§)); thread: 16,000 req/s median (15,000-17,000) [§ noisy: others used "
		         "up to 60 % of a CPU]\n" },
		{ SLOW,
		  "  epoll and thread ¤: a tie (medians 1.94 x apart, but a cell is from a "
		  "slow phase of the host (¤)); thread: 16,000 req/s median (15,000-17,000) [¤ "
		  "1 repetition in another speed of the host]\n" },
		{ LITTLES, "  epoll ran 1.94 x faster than thread ≠ (1.76-2.13); thread: 16,000 "
		           "req/s median (15,000-17,000) [≠ Little's law off (0.80): the tool's "
		           "numbers disagree]\n" },
		{ BEST_LITTLES, "keepalive, c=512 (wrk): epoll ≠: 31,000 req/s median "
		                "(30,000-32,000) [≠ Little's law off (0.80): the tool's numbers "
		                "disagree]\n  epoll ≠ ran 1.94 x faster than thread (1.76-2.13)" },
	};
	const struct record_row rows[] = {
		sample_row("epoll", "keepalive", 512, 1, 30000, "ok"),
		sample_row("epoll", "keepalive", 512, 2, 32000, "ok"),
		sample_row("thread", "keepalive", 512, 1, 15000, "ok"),
		sample_row("thread", "keepalive", 512, 2, 17000, "ok"),
	};
	struct report_cell *c;
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text;
		struct report_cell *x;

		assert_int_equal(report_summarize(rows, 4, &c, &n), 0);
		assert_int_equal(n, 2);
		x = cases[i].mark == BEST_LITTLES ? &c[0] : &c[1];
		switch (cases[i].mark) {
		case BOUND: x->client_bound = 1; break;
		case STARVED: x->starved = 1, x->served_median = 100; break;
		case UNSERVED: x->w.unserved = 1, x->served_median = 300; break;
		case NOISY: x->noisy = 1, x->other_cpu_max = 60; break;
		case SLOW: x->w.slow = 1; break;
		case LITTLES:
		case BEST_LITTLES: x->w.littles_off = 1, x->w.littles_median = 0.8; break;
		}
		text = ranking_text(c, n);
		if (!strstr(text, cases[i].want))
			fail_msg("case %zu: the ranking lacks\n%s\nin:\n%s", i, cases[i].want,
			         text);
		free(text);
		free(c);
	}
}

/* meta's warning lines (ab with more client CPUs than it uses) head report.md; others do not. */
static void test_md_warning(void **state)
{
	static const struct {
		const char *meta;
		const char *want; /* NULL: no warning at all */
	} cases[] = {
		{ "cpu: x\nwarning: ab is single-threaded: it uses 1 of the 4 client CPUs (0-3)\n",
		  "> **Warning:** ab is single-threaded: it uses 1 of the 4 client CPUs (0-3)\n" },
		{ "cpu: x\nnot a warning: y\n", NULL },
		{ "", NULL },
	};
	struct record_row rows[] = { sample_row("epoll", "close", 8, 1, 20000, "ok") };
	struct report_cell *c;
	size_t i;
	int n;

	(void)state;
	assert_int_equal(report_summarize(rows, 1, &c, &n), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = md_text(c, n, cases[i].meta);

		if (cases[i].want ? !strstr(text, cases[i].want) ||
		                        strstr(text, "Warning") > strstr(text, "## ")
		                  : strstr(text, "**Warning:**") != NULL)
			fail_msg("meta '%s': %s", cases[i].meta, text);
		free(text);
	}
	free(c);
}

/* The "not ok" footnote: only under a table with a cell short of ok repetitions. */
static void test_md_footnote(void **state)
{
	struct record_row rows[] = {
		sample_row("epoll", "close", 8, 1, 20000, "ok"),
		sample_row("epoll", "close", 8, 2, 21000, "ok"),
		sample_row("epoll", "keepalive", 8, 1, 50000, "ok"),
		sample_row("epoll", "keepalive", 8, 2, 52000, "crashed"),
		sample_row("thread", "close", 8, 1, 15000, "ok"),
		sample_row("thread", "close", 8, 2, 16000, "ok"),
		sample_row("thread", "keepalive", 8, 1, 30000, "ok"),
		sample_row("thread", "keepalive", 8, 2, 31000, "ok"),
		sample_row("poll", "keepalive", 8, 1, 30000, "ok"), /* one rep of 2 (interrupted) */
	};
	struct report_cell *c;
	char *text, *ka;
	int n;

	(void)state;
	/* Every row ok: no footnote, no mark, in either table. */
	assert_int_equal(report_summarize(rows + 4, 4, &c, &n), 0);
	assert_int_equal(report_planned_reps(c, n), 2);
	text = md_text(c, n, "meta: x\n");
	if (strstr(text, "fewer ok repetitions") || strstr(text, "µs *"))
		fail_msg("footnote without a short cell:\n%s", text);
	free(text);
	free(c);
	/* A crashed repetition in keepalive: marked there, not under close; the legend once. */
	assert_int_equal(report_summarize(rows, 8, &c, &n), 0);
	text = md_text(c, n, "meta: x\n");
	assert_non_null(ka = strstr(text, "### keepalive"));
	assert_null(strstr(ka + 1, "### keepalive"));
	if (!strstr(text, "fewer ok repetitions") ||
	    strstr(strstr(text, "fewer ok repetitions") + 1, "fewer ok repetitions") ||
	    !strstr(ka, "µs *") || strstr(text, "µs *") < ka)
		fail_msg("keepalive's short cell not marked or explained:\n%s", text);
	free(text);
	free(c);
	/* Fewer rows than the other cells (all ok) is short too. */
	assert_int_equal(report_summarize(rows + 4, 5, &c, &n), 0);
	assert_string_equal(c[0].model, "poll");  /* sorted by model */
	assert_true(report_cell_short(&c[0], 2)); /* poll keepalive: 1 of 2 */
	assert_false(report_cell_short(&c[1], 2));
	assert_false(report_cell_short(&c[0], 1));
	text = md_text(c, n, "meta: x\n");
	assert_non_null(strstr(text, "fewer ok repetitions than the 2 planned"));
	free(text);
	free(c);
}

/* Starved and noisy cells: summary columns, marks and legend, the ranking's words. */
static void test_starved_cells(void **state)
{
	struct record_row rows[] = {
		sample_row("epoll", "keepalive", 512, 1, 110000, "ok"),
		sample_row("epoll", "keepalive", 512, 2, 120000, "ok"),
		sample_row("prefork", "keepalive", 512, 1, 13000, "ok"),
		sample_row("prefork", "keepalive", 512, 2, 14000, "ok"),
	};
	char *text, *line, *nl;
	struct report_cell *c;
	size_t len = 0;
	FILE *f;
	int n;

	(void)state;
	rows[2].served_conns = 1.0;
	rows[3].served_conns = 1.2;
	rows[1].other_cpu_pct = 35;
	rows[0].syscalls_per_req = rows[1].syscalls_per_req = 2.171;
	rows[0].ctx_switches_per_req = rows[1].ctx_switches_per_req = 0.5;
	rows[0].migrations_per_req = rows[1].migrations_per_req = 0;
	assert_int_equal(report_summarize(rows, 4, &c, &n), 0);
	assert_false(c[0].starved);
	assert_true(c[1].starved);
	assert_true(fabs(c[1].served_median - 1.1) < 1e-9);
	assert_int_equal(c[0].noisy, 1);
	assert_int_equal(c[1].noisy, 0);
	/* summary.csv: the new columns at the end */
	text = summary_text(c, n);
	assert_non_null(strstr(text, ",statuses,served_conns_median,starved,other_cpu_pct_max,"
	                             "noisy_reps,scenario,bound_rps,run_s,idle_conns,"
	                             "server_mem_kb_median,mem_per_idle_conn_b,"
	                             "cpu_us_per_req_per_1k_idle,goodput_rps_median,"
	                             "rejected_rps_median,cpu_ratio_to_idle0_median,"
	                             "cpu_ratio_to_idle0_min,cpu_ratio_to_idle0_max,"
	                             "cpu_ratio_pairs,short_p99_us_median,short_mean_us_median,"
	                             "rho,fcfs_short_us,ps_short_us,fcfs_p99_us,ps_p99_us,"
	                             "cpu_us_per_req_min,"));
	/* the counting pass's medians, the last columns, where the rows carry them */
	assert_non_null(strstr(text, ",2.171,0.500,0.000,\n"));
	assert_non_null(line = strstr(text, "\nprefork,"));
	assert_non_null(strstr(line, ",ok:2,1.1,1,1.0,0,hello,,2.000,0,,,,"));
	/*
	 * rows without goodput count their req/s; their rejections stay unknown
	 * (empty), and so do the paired ratios of a cell that is not idle's (0 pairs)
	 */
	assert_non_null(line = strstr(text, ",ok:2,512.0,0,35.0,1,hello,,2.000,0,,,,"));
	assert_non_null(nl = strchr(line, '\n'));
	*nl = '\0'; /* no pairs, no mix, then the load window's columns */
	if (!strstr(line, ",hello,,2.000,0,,,,115000.00,,,,,0,,,,,,,,110.00,120.00,"))
		fail_msg("summary line: %s", line);
	*nl = '\n';
	free(text);
	/* the ranking names the starvation */
	text = NULL;
	assert_non_null(f = open_memstream(&text, &len));
	report_ranking(f, c, n);
	fclose(f);
	if (!strstr(text, "epoll §: 115,000 req/s median (110,000-120,000) [§ noisy: others used "
	                  "up to 35 % of a CPU]\n") ||
	    !strstr(text, "  epoll § and prefork †: a tie (medians 8.52 x apart, but a cell is "
	                  "noisy (§)); prefork: 13,500 req/s median (13,000-14,000) († starved: 1 "
	                  "of 512 connections served; p99 >= the 2.0 s run)\n"))
		fail_msg("ranking: %s", text);
	free(text);
	/* report.md: marks and their legend; the runs stay ok */
	text = md_text(c, n, "meta: x\n");
	if (!strstr(text, "† ~1/512") || !strstr(text, "† starved") || !strstr(text, "§ noisy") ||
	    !strstr(text, " §") || strstr(text, "ok:2"))
		fail_msg("report.md:\n%s", text);
	/* a starved cell's p99 is never the served connection's: at least the run length */
	if (!strstr(text, "| prefork | 13,500/s · ≥ 2.0 s · 13.5 µs † ~1/512 |") ||
	    !strstr(text, "| epoll | 115,000/s · 0.03 ms ·") || !strstr(text, "1 of 2 cells noisy"))
		fail_msg("report.md p99 of a starved cell:\n%s", text);
	/* the server CPU table beside the req/s one */
	if (!strstr(text, "server CPU µs per request"))
		fail_msg("report.md CPU table:\n%s", text);
	free(text);
	free(c);
}

/* References: recognised by name, left out on request, labelled in the ranking. */
static void test_references(void **state)
{
	struct plan p;
	struct record_row rows[] = {
		sample_row("ref-nginx", "close", 32, 1, 20000, "ok"),
		sample_row("epoll", "close", 32, 1, 22000, "ok"),
	};
	struct report_cell *c;
	char *text = NULL, label[64];
	size_t len = 0;
	FILE *f;
	int n;

	(void)state;
	assert_true(plan_is_reference("ref-nginx"));
	assert_false(plan_is_reference("epoll"));
	assert_false(plan_is_reference("nginx-ref"));
	plan_defaults(&p);
	assert_int_equal(plan_add_model(&p, "epoll", "/x/epoll"), 0);
	assert_int_equal(plan_add_model(&p, "ref-nginx", "/x/ref-nginx"), 0);
	assert_int_equal(plan_add_model(&p, "thread", "/x/thread"), 0);
	assert_int_equal(plan_drop_references(&p), 1);
	assert_int_equal(p.nmodels, 2);
	assert_string_equal(p.models[1].name, "thread");
	assert_string_equal(report_label("ref-nginx", label, sizeof(label)),
	                    "ref-nginx (reference)");
	assert_string_equal(report_label("epoll", label, sizeof(label)), "epoll");
	assert_int_equal(report_summarize(rows, 2, &c, &n), 0);
	assert_true(c[1].reference && !c[0].reference); /* sorted: epoll, ref-nginx */
	assert_non_null(f = open_memstream(&text, &len));
	report_ranking(f, c, n);
	fclose(f);
	if (!strstr(text, "epoll: 22,000 req/s median (1 repetition: no spread)\n") ||
	    !strstr(text, "epoll ran 1.10 x faster than ref-nginx (reference); ref-nginx "
	                  "(reference): 20,000 req/s median\n") ||
	    strstr(text, "±") || strstr(text, "-2"))
		fail_msg("ranking text: %s", text);
	free(text);
	free(c);
}

/* Explicit cells (--compare): they replace modes x levels, in their order, reps outermost. */
static void test_plan_cells(void **state)
{
	struct plan p;
	struct plan_run runs[64];
	int n, i;

	(void)state;
	plan_defaults(&p);
	p.order_seed = 0;
	assert_int_equal(plan_add_model(&p, "ref-nginx", "/x/ref-nginx"), 0);
	assert_int_equal(plan_add_model(&p, "epoll", "/x/epoll"), 0);
	p.cells[0] =
	    (struct plan_cell){ .mode = PLAN_KEEPALIVE, .level = 64, .reps = 5, .duration_s = 2 };
	p.cells[1] =
	    (struct plan_cell){ .mode = PLAN_CLOSE, .level = 32, .reps = 5, .duration_s = 2 };
	p.ncells = 2;
	assert_int_equal(plan_count(&p), 5 * 2 * 2);
	assert_true(plan_has_mode(&p, PLAN_CLOSE) && plan_has_mode(&p, PLAN_KEEPALIVE));
	n = plan_runs(&p, runs, 64);
	assert_int_equal(n, 20 + 2);
	assert_true(runs[0].rep == 0 && runs[0].mode == PLAN_KEEPALIVE && runs[0].level == 64);
	for (i = 2; i < n; i++) {
		int k = i - 2; /* k-th measured run: rep k/4+1, cell k/2%2, model k%2 */

		if (runs[i].rep != k / 4 + 1 || runs[i].model != k % 2 ||
		    runs[i].level != (k / 2 % 2 ? 32 : 64) ||
		    runs[i].mode != (k / 2 % 2 ? PLAN_CLOSE : PLAN_KEEPALIVE))
			fail_msg("run %d out of order: rep %d model %d c=%d", i, runs[i].rep,
			         runs[i].model, runs[i].level);
	}
	p.ncells = 0;
	p.nmodes = 1; /* back to modes x levels: close only */
	assert_false(plan_has_mode(&p, PLAN_KEEPALIVE));
}

/* rows of model in one cell: reps runs at rps, cpu us/req and client CPU %. */
static int cell_rows(struct record_row *out, const char *model, const char *mode, int c, int reps,
                     double rps, double cpu, double client, const char *status)
{
	int i;

	for (i = 0; i < reps; i++) {
		/* spread around rps so the median is rps itself */
		out[i] = sample_row(model, mode, c, i + 1, rps + (i - reps / 2) * 100, status);
		out[i].server_cpu_us_per_req = cpu;
		out[i].client_cpu_pct = client;
	}
	return reps;
}

static char *compare_text(const struct record_row *rows, int n, const char *why)
{
	struct report_cell *c;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int nc;

	assert_int_equal(report_summarize(rows, n, &c, &nc), 0);
	assert_non_null(f = open_memstream(&text, &len));
	compare_write(f, c, nc, COMPARE_REF, why);
	fclose(f);
	free(c);
	return text;
}

/* The ratios and the bar: met, NOT met, a load-bound cell, too few reps. */
static void test_compare_verdicts(void **state)
{
	struct record_row rows[64];
	struct report_cell *c;
	struct compare_verdict v[4];
	char *text;
	int n = 0, nc, k;

	(void)state;
	n += cell_rows(rows + n, "ref-nginx", "keepalive", 64, 5, 100000, 8.0, 80, "ok");
	n += cell_rows(rows + n, "epoll", "keepalive", 64, 5, 130000, 6.0, 85, "ok");
	n += cell_rows(rows + n, "thread", "keepalive", 64, 5, 90000, 12.0, 80, "ok");
	n += cell_rows(rows + n, "ref-nginx", "close", 32, 5, 20000, 25.0, 95, "ok");
	n += cell_rows(rows + n, "epoll", "close", 32, 5, 21000, 24.0, 97, "ok");
	n += cell_rows(rows + n, "single", "close", 32, 5, 30000, 30.0, 50, "errors");
	assert_int_equal(report_summarize(rows, n, &c, &nc), 0);
	k = compare_verdicts(c, nc, COMPARE_REF, v, 4);
	assert_int_equal(k, 2);
	/* keep-alive first */
	assert_string_equal(v[0].mode, "keepalive");
	assert_string_equal(v[0].best, "epoll");
	assert_string_equal(v[0].tool, "wrk");
	assert_true(v[0].measured && v[0].rps_met && v[0].cpu_met);
	assert_true(fabs(v[0].rps_ratio - 1.3) < 1e-9 && fabs(v[0].cpu_ratio - 0.75) < 1e-9);
	assert_false(v[0].client_bound);
	/* close: single's errors do not count; epoll 1.05 x, CPU 0.96 x, ab at 95-97 % */
	assert_string_equal(v[1].best, "epoll");
	assert_true(v[1].measured && !v[1].rps_met && !v[1].cpu_met && v[1].client_bound);
	assert_int_equal(v[1].min_ok, 5);
	free(c);
	text = compare_text(rows, n, NULL);
	/* the CPU headline in every cell; req/s only where ab stayed below 90 % in both runs */
	if (!strstr(text, "fastest keep-alive model: epoll at 1.30 x nginx (bar 1.25): met") ||
	    strstr(text, "fastest close-mode model") ||
	    !strstr(text, "- keep-alive c=64 (wrk): least server CPU per request of ours (epoll): "
	                  "0.75 x nginx (bar 0.8): met") ||
	    !strstr(text, "- close-mode c=32 (ab): least server CPU per request of ours (epoll): "
	                  "0.96 x nginx (bar 0.8): NOT met") ||
	    !strstr(text, "close-mode c=32: client-bound: req/s not comparable (the load "
	                  "generator, ab, used up to 95 % of its CPUs for ref-nginx and 97 % for "
	                  "epoll") ||
	    strstr(text, "keep-alive c=64: client-bound") || strstr(text, "indicative") ||
	    !strstr(text, "| ref-nginx (reference)") || !strstr(text, " 1.30 |") ||
	    !strstr(text, "| client-bound |"))
		fail_msg("comparison text: %s", text);
	/* the reference's row comes first in its cell, then ours by req/s */
	assert_true(strstr(text, "| ref-nginx (reference)") < strstr(text, "| epoll "));
	assert_true(strstr(text, "| epoll ") < strstr(text, "| thread "));
	free(text);
	/* one repetition: the verdicts say they are indicative */
	n = 0;
	n += cell_rows(rows + n, "ref-nginx", "keepalive", 64, 1, 100000, 8.0, 80, "ok");
	n += cell_rows(rows + n, "epoll", "keepalive", 64, 1, 110000, 7.0, 80, "ok");
	text = compare_text(rows, n, NULL);
	if (!strstr(text, "only 1 ok repetition per cell") || !strstr(text, "1.10 x nginx"))
		fail_msg("comparison text: %s", text);
	free(text);
}

/*
 * The headline model is the leanest, not the fastest; one run of ours at 90 % of its CPUs
 * makes the cell client-bound; a load tool whose CPU is unknown (-1: behind a prefix that
 * could not measure it) makes it unknown, never a guess.
 */
static void test_compare_client(void **state)
{
	static const struct {
		double ref_client, epoll_client;
		int bound;
		const char *want, *cell;
	} cases[] = {
		{ 50, 89.9, 0, "fastest keep-alive model: epoll at 1.20 x nginx", " 1.20 |" },
		{ 50, 90, 1, "keep-alive c=64: client-bound: req/s not comparable",
		  "| client-bound |" },
		{ 95, 10, 1, "keep-alive c=64: client-bound: req/s not comparable",
		  "| client-bound |" },
		{ -1, 50, -1, "keep-alive c=64: client-bound: unknown", "| unknown |" },
		{ 50, -1, -1, "keep-alive c=64: client-bound: unknown", "| unknown |" },
	};
	struct record_row rows[16];
	struct report_cell *c;
	struct compare_verdict v[2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = 0, nc;
		char *text;

		n += cell_rows(rows + n, "ref-nginx", "keepalive", 64, 3, 100000, 8.0,
		               cases[i].ref_client, "ok");
		n += cell_rows(rows + n, "epoll", "keepalive", 64, 3, 120000, 7.0,
		               cases[i].epoll_client, "ok");
		n += cell_rows(rows + n, "io_uring", "keepalive", 64, 3, 90000, 6.0, 50, "ok");
		assert_int_equal(report_summarize(rows, n, &c, &nc), 0);
		assert_int_equal(compare_verdicts(c, nc, COMPARE_REF, v, 2), 1);
		free(c);
		text = compare_text(rows, n, NULL);
		if (v[0].client_bound != cases[i].bound || strcmp(v[0].best, "epoll") ||
		    strcmp(v[0].lean, "io_uring") || !strstr(text, cases[i].want) ||
		    !strstr(text, cases[i].cell) ||
		    !strstr(text, "least server CPU per request of ours (io_uring): 0.75 x nginx"))
			fail_msg("ref client %g%%, epoll client %g%%: bound %d; want %d, '%s': %s",
			         cases[i].ref_client, cases[i].epoll_client, v[0].client_bound,
			         cases[i].bound, cases[i].want, text);
		free(text);
	}
}

/*
 * The pipelined cell (scenario pipeline, keep-alive c=64) is a cell of its own beside hello's
 * keep-alive c=64: its rows never count in hello's verdict, it comes last with its own CPU
 * headline, and its req/s ratio is stated only where wrk stayed below 90 % in both runs.
 */
static void test_compare_pipeline(void **state)
{
	static const struct {
		double epoll_client;
		const char *want, *cell;
	} cases[] = {
		{ 60, "- fastest pipeline keep-alive model: epoll at 9.15 x nginx (bar 1.25): met",
		  " 9.15 |" },
		{ 95, "- pipeline keep-alive c=64: client-bound: req/s not comparable",
		  "| client-bound |" },
	};
	struct record_row rows[32];
	struct report_cell *c;
	struct compare_verdict v[4];
	struct plan p;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = 0, nc, j, pipe;
		char *text, *hello, *pipelined;

		n += cell_rows(rows + n, "ref-nginx", "keepalive", 64, 3, 100000, 8.0, 95, "ok");
		n += cell_rows(rows + n, "epoll", "keepalive", 64, 3, 130000, 6.0, 95, "ok");
		pipe = n;
		n += cell_rows(rows + n, "ref-nginx", "keepalive", 64, 3, 164000, 6.0, 50, "ok");
		n += cell_rows(rows + n, "epoll", "keepalive", 64, 3, 1500000, 0.5,
		               cases[i].epoll_client, "ok");
		for (j = pipe; j < n; j++)
			strcpy(rows[j].scenario, "pipeline");
		assert_int_equal(report_summarize(rows, n, &c, &nc), 0);
		assert_int_equal(compare_verdicts(c, nc, COMPARE_REF, v, 4), 2);
		free(c);
		text = compare_text(rows, n, NULL);
		hello =
		    strstr(text, "- keep-alive c=64 (wrk): least server CPU per request of ours "
		                 "(epoll): 0.75 x nginx (bar 0.8): met");
		pipelined = strstr(text, "- pipeline keep-alive c=64 (wrk): least server CPU per "
		                         "request of ours (epoll): 0.08 x nginx (bar 0.8): met");
		if (strcmp(v[0].scenario, "hello") || strcmp(v[1].scenario, "pipeline") ||
		    fabs(v[0].rps_ratio - 1.3) > 1e-9 || fabs(v[1].cpu_ratio - 0.5 / 6.0) > 1e-9 ||
		    v[1].client_bound != (cases[i].epoll_client >= 90) || !hello || !pipelined ||
		    hello > pipelined || !strstr(text, "- keep-alive c=64: client-bound") ||
		    !strstr(text, "| pipeline keepalive c=64 (wrk)") ||
		    !strstr(text, cases[i].want) || !strstr(text, cases[i].cell))
			fail_msg("pipelined epoll at %g %% client CPU: want '%s': %s",
			         cases[i].epoll_client, cases[i].want, text);
		free(text);
	}
	/* the plan: hello keep-alive, hello close, then the pipelined cell */
	plan_defaults(&p);
	compare_plan_cells(&p, 0, 0);
	assert_int_equal(p.ncells, 3);
	assert_string_equal(p.scenarios[p.cells[2].scenario]->name, "pipeline");
	assert_true(p.cells[2].mode == PLAN_KEEPALIVE && p.cells[2].level == COMPARE_PIPE_LEVEL &&
	            p.cells[2].reps == COMPARE_MIN_REPS);
	assert_string_equal(p.scenarios[p.cells[0].scenario]->name, "hello");
}

/* A skipped reference: nothing measured, and the reason is shown. */
static void test_compare_skipped_ref(void **state)
{
	struct record_row rows[16];
	struct report_cell *c;
	struct compare_verdict v[4];
	char *text;
	int n = 0, nc;

	(void)state;
	n += cell_rows(rows + n, "ref-nginx", "keepalive", 64, 2, 0, 0, 0, "skipped");
	n += cell_rows(rows + n, "epoll", "keepalive", 64, 2, 120000, 6.5, 99, "ok");
	assert_int_equal(report_summarize(rows, n, &c, &nc), 0);
	assert_int_equal(compare_verdicts(c, nc, COMPARE_REF, v, 4), 1);
	assert_false(v[0].measured);
	free(c);
	text = compare_text(
	    rows, n, "nginx is not installed (OPTIONAL=1 scripts/install-deps.sh installs it)");
	if (!strstr(text, "fastest keep-alive model: not measured (ref-nginx has no ok run: "
	                  "skipped:2; nginx is not installed") ||
	    !strstr(text, "| 0/2 | skipped:2 |"))
		fail_msg("comparison text: %s", text);
	free(text);
	/* no reference at all */
	text = compare_text(rows + 2, 2, NULL);
	if (!strstr(text, "No run of ref-nginx"))
		fail_msg("comparison text: %s", text);
	free(text);
}

/*
 * The idle scenario: cells by idle connections (its level), the slopes of
 * whole-tree memory and CPU per request against them, a refused level left
 * out of the slopes, and the report's line per model.
 */
/* A row of the idle scenario: model's run at rep with idle connections, its CPU and status. */
static struct record_row idle_row(const char *model, int rep, int idle, double cpu_us,
                                  const char *status)
{
	struct record_row r = sample_row(model, "keepalive", 32, rep, 100000, status);

	strcpy(r.scenario, "idle");
	r.idle_conns = idle;
	r.server_cpu_us_per_req = cpu_us;
	return r;
}

static void test_idle_slopes(void **state)
{
	static const struct {
		const char *model;
		int idle;
		long mem_kb;
		double cpu_us;
		const char *status;
	} t[] = {
		{ "epoll", 0, 300, 5.0, "ok" },
		{ "epoll", 1000, 375, 5.0, "ok" },
		{ "epoll", 10000, 1050, 5.1, "ok" },
		{ "poll", 0, 300, 5.0, "ok" },
		{ "poll", 10000, 1250, 85.0, "ok" },
		{ "select", 0, 300, 4.0, "ok" },
		{ "select", 10000, 900, 300.0, "refused: 8977 of 10000 idle connections" },
	};
	struct record_row rows[sizeof(t) / sizeof(t[0])];
	struct report_cell *c;
	const struct report_cell *x;
	char *text = NULL;
	size_t i, len = 0;
	int n;
	FILE *f;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rows[i] = idle_row(t[i].model, 1, t[i].idle, t[i].cpu_us, t[i].status);
		rows[i].server_mem_kb = t[i].mem_kb;
	}
	assert_int_equal(report_summarize(rows, (int)(sizeof(t) / sizeof(t[0])), &c, &n), 0);
	assert_int_equal(n, 7); /* one cell per level, though every one is c=32 */
	assert_non_null(x = report_find_cell(c, n, "epoll", "keepalive", 10000));
	assert_int_equal(report_level(x), 10000);
	assert_int_equal(x->concurrency, 32);
	assert_true(fabs(x->mem_per_idle_b - 76.8) < 0.01); /* 75 kB per 1000 */
	assert_true(fabs(x->cpu_per_1k_idle - 0.010) < 0.001);
	assert_non_null(x = report_find_cell(c, n, "poll", "keepalive", 0));
	assert_true(fabs(x->cpu_per_1k_idle - 8.0) < 1e-9);
	assert_non_null(x = report_find_cell(c, n, "select", "keepalive", 0));
	assert_true(isnan(x->mem_per_idle_b)); /* its 10000 was refused: one level left */
	assert_non_null(f = open_memstream(&text, &len));
	report_ranking(f, c, n);
	fclose(f);
	assert_non_null(strstr(text, "keepalive, idle=10000 ("));
	assert_non_null(strstr(text, "  epoll keepalive: 77 B memory, +0.010 µs/request per 1000 "
	                             "idle (5.00 µs at 0, 5.10 at 10000: +2 %)\n"));
	assert_non_null(strstr(text, "  poll keepalive: 97 B memory, +8.000 µs/request per 1000 "
	                             "idle (5.00 µs at 0, 85.00 at 10000: +1600 %)\n"));
	assert_non_null(strstr(text, "  select keepalive: memory ? (under 2 ok levels), CPU ?\n"));
	free(text);
	free(c);
}

/*
 * The paired ratio, table-driven: each N > 0 run over the N = 0 run of its
 * repetition, only where both are ok; the verdict from the model's wait= key.
 */
static void test_idle_pairs(void **state)
{
	static const struct {
		const char *model;
		int rep, idle;
		double cpu_us;
		const char *status;
	} t[] = {
		/* epoll: the machine slows from rep 2 on; the ratios stay 1.00-1.02 */
		{ "epoll", 1, 0, 5.0, "ok" },
		{ "epoll", 1, 10000, 5.1, "ok" },
		{ "epoll", 2, 10000, 7.0, "ok" },
		{ "epoll", 2, 0, 7.0, "ok" },
		{ "epoll", 3, 0, 7.0, "ok" },
		{ "epoll", 3, 10000, 7.07, "ok" },
		{ "epoll", 4, 0, 5.0, "crashed" }, /* no pair: its N = 0 failed */
		{ "epoll", 4, 10000, 9.0, "ok" },
		{ "epoll", 5, 0, 5.0, "ok" }, /* no pair: its N = 10000 failed */
		{ "epoll", 5, 10000, 9.0, "errors" },
		/* libuv, ready by its facts, pays 10 % more at 10000 */
		{ "libuv", 1, 0, 6.0, "ok" },
		{ "libuv", 1, 10000, 6.6, "ok" },
		{ "poll", 1, 0, 5.0, "ok" },
		{ "poll", 1, 10000, 85.0, "ok" },
		{ "thread", 1, 0, 10.0, "ok" },
		{ "thread", 1, 10000, 10.0, "ok" },
		{ "nofacts", 1, 0, 5.0, "ok" },
		{ "nofacts", 1, 10000, 5.0, "ok" },
		{ "select", 1, 0, 4.0, "ok" },
		{ "select", 1, 10000, 300.0, "refused: 8977 of 10000 idle connections" },
	};
	static const struct {
		const char *model;
		int pairs;
		double median, min, max;
		const char *line; /* the ranking's line of its N = 10000 */
	} want[] = {
		{ "epoll", 3, 1.01, 1.00, 1.02,
		  "    N=10000: paired CPU ratio 1.01 (1.00-1.02, 3 pairs); wait=ready: predicted "
		  "1.00, within +5 %\n" },
		{ "libuv", 1, 1.10, 1.10, 1.10,
		  "    N=10000: paired CPU ratio 1.10 (1.10-1.10, 1 pair); wait=ready: predicted "
		  "1.00, above +5 %\n" },
		{ "poll", 1, 17.0, 17.0, 17.0,
		  "    N=10000: paired CPU ratio 17.00 (17.00-17.00, 1 pair); wait=all: predicted "
		  "growth linear in N (the slope above)\n" },
		{ "thread", 1, 1.0, 1.0, 1.0,
		  "    N=10000: paired CPU ratio 1.00 (1.00-1.00, 1 pair); wait=-: no scan law\n" },
		{ "nofacts", 1, 1.0, 1.0, 1.0,
		  "    N=10000: paired CPU ratio 1.00 (1.00-1.00, 1 pair); no law (no known wait= "
		  "in "
		  "its Facts line)\n" },
		{ "select", 0, NAN, NAN, NAN,
		  "    N=10000: no paired ratio (no repetition with both runs ok)\n" },
	};
	const char *meta = "facts epoll: keepalive=yes parallel=1 workers=- wait=ready\n"
	                   "facts libuv: keepalive=yes parallel=1 workers=- wait=ready\n"
	                   "facts poll: keepalive=yes parallel=1 workers=- wait=all\n"
	                   "facts thread: keepalive=yes parallel=conn workers=- wait=-\n"
	                   "facts nofacts: keepalive=yes parallel=1 workers=-\n"
	                   "facts select: keepalive=yes parallel=1 workers=- wait=all\n";
	struct record_row rows[sizeof(t) / sizeof(t[0])];
	struct meta_env env;
	struct report_cell *c;
	const struct report_cell *x;
	char *text = NULL;
	size_t i, len = 0;
	int n;
	FILE *f;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		rows[i] = idle_row(t[i].model, t[i].rep, t[i].idle, t[i].cpu_us, t[i].status);
	assert_int_equal(report_summarize(rows, (int)(sizeof(t) / sizeof(t[0])), &c, &n), 0);
	meta_read_env(meta, &env);
	report_apply_laws(c, n, &env);
	assert_non_null(f = open_memstream(&text, &len));
	report_ranking(f, c, n);
	fclose(f);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char head[RECORD_WORD + 16];
		const char *at;

		assert_non_null(x = report_find_cell(c, n, want[i].model, "keepalive", 10000));
		if (x->pairs != want[i].pairs ||
		    (x->pairs && (fabs(x->pair_median - want[i].median) > 0.005 ||
		                  fabs(x->pair_min - want[i].min) > 0.005 ||
		                  fabs(x->pair_max - want[i].max) > 0.005)))
			fail_msg("%s: %d pairs, ratio %.3f (%.3f-%.3f)", want[i].model, x->pairs,
			         x->pair_median, x->pair_min, x->pair_max);
		snprintf(head, sizeof(head), "  %s keepalive: ", want[i].model);
		at = strstr(text, head);
		if (!at || !(at = strchr(at, '\n')) ||
		    strncmp(at + 1, want[i].line, strlen(want[i].line)))
			fail_msg("%s: ranking lacks \"%s\" after its line:\n%s", want[i].model,
			         want[i].line, text);
		assert_int_equal(report_find_cell(c, n, want[i].model, "keepalive", 0)->pairs, 0);
	}
	free(text);
	/* summary.csv: goodput (its req/s) and unknown rejections, then the paired columns of N =
	 * 10000, and empty ones for N = 0 */
	text = summary_text(c, n);
	if (!strstr(text, ",10000,,,0.104,100000.00,,1.010,1.000,1.020,3,,,,,,"))
		fail_msg("no paired N = 10000 row in:\n%s", text);
	assert_non_null(strstr(text, ",0,,,0.104,100000.00,,,,,0,,,,,,"));
	free(text);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_schema),       cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_format_small_buffer), cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_parse_old_rows),      cmocka_unit_test(test_md_footnote),
		cmocka_unit_test(test_starved_cells),       cmocka_unit_test(test_append_load),
		cmocka_unit_test(test_levels_modes),        cmocka_unit_test(test_plan_order),
		cmocka_unit_test(test_summary_and_ranking), cmocka_unit_test(test_references),
		cmocka_unit_test(test_plan_cells),          cmocka_unit_test(test_compare_verdicts),
		cmocka_unit_test(test_compare_skipped_ref), cmocka_unit_test(test_compare_client),
		cmocka_unit_test(test_md_warning),          cmocka_unit_test(test_idle_slopes),
		cmocka_unit_test(test_compare_pipeline),    cmocka_unit_test(test_plan_paired),
		cmocka_unit_test(test_idle_pairs),          cmocka_unit_test(test_round_trip_mix),
		cmocka_unit_test(test_ranking_marks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
