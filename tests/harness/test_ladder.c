/* test_ladder.c -- the ladder (harness/ladder.c): the verdict by the spread over a table of
 * ranges worked by hand, the Variant notes line, meta's variant lines read back (a variant's
 * facts line too), the tables written from cells in the ladder's order with their verdicts,
 * counts and memory, and --ladder's cells from the scenario rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "facts.h"
#include "ladder.h"
#include "meta.h"
#include "plan.h"
#include "report.h"
#include "scenario.h"
#include "syscalls.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

static void test_judge(void **state)
{
	static const struct {
		const char *what;
		struct ladder_spread step, anchor;
		int higher_is_better;
		enum ladder_verdict want;
	} cases[] = {
		{ "CPU, ranges overlap",
		  { 4.0, 3.8, 4.6, 5 },
		  { 4.5, 4.4, 4.9, 5 },
		  0,
		  LADDER_TIE },
		{ "CPU, ranges touch", { 4.0, 3.8, 4.4, 5 }, { 4.5, 4.4, 4.9, 5 }, 0, LADDER_TIE },
		{ "CPU, step below", { 3.5, 3.4, 3.6, 5 }, { 4.5, 4.4, 4.9, 5 }, 0, LADDER_FASTER },
		{ "CPU, step above", { 6.0, 5.5, 7.7, 5 }, { 4.5, 4.4, 4.9, 5 }, 0, LADDER_SLOWER },
		{ "req/s, step above",
		  { 120e3, 115e3, 125e3, 5 },
		  { 100e3, 98e3, 104e3, 5 },
		  1,
		  LADDER_FASTER },
		{ "req/s, step below",
		  { 80e3, 70e3, 85e3, 5 },
		  { 100e3, 98e3, 104e3, 5 },
		  1,
		  LADDER_SLOWER },
		{ "req/s, overlap",
		  { 101e3, 99e3, 125e3, 5 },
		  { 100e3, 98e3, 104e3, 5 },
		  1,
		  LADDER_TIE },
		{ "one repetition of the step: no verdict",
		  { 3.0, 3.0, 3.0, 1 },
		  { 4.5, 4.4, 4.9, 5 },
		  0,
		  LADDER_NO_VERDICT },
		{ "one repetition of the anchor: no verdict",
		  { 3.0, 2.9, 3.1, 5 },
		  { 4.5, 4.5, 4.5, 1 },
		  0,
		  LADDER_NO_VERDICT },
		{ "no ok repetition", { 0, 0, 0, 0 }, { 4.5, 4.4, 4.9, 5 }, 0, LADDER_NO_VERDICT },
		{ "min-max unknown: no verdict",
		  { 3.0, -1, -1, 5 },
		  { 4.5, 4.4, 4.9, 5 },
		  0,
		  LADDER_NO_VERDICT },
		{ "two repetitions apart",
		  { 3.0, 2.9, 3.1, 2 },
		  { 4.5, 4.4, 4.6, 2 },
		  0,
		  LADDER_FASTER },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(cases); i++) {
		enum ladder_verdict v =
		    ladder_judge(&cases[i].step, &cases[i].anchor, cases[i].higher_is_better);

		if (v != cases[i].want)
			fail_msg("%s: %s, want %s", cases[i].what, ladder_verdict_word(v),
			         ladder_verdict_word(cases[i].want));
	}
	assert_string_equal(ladder_verdict_word(LADDER_NO_VERDICT), "-");
}

static void test_variant_notes(void **state)
{
	static const struct {
		const char *text;
		int want; /* facts_variants' count, or -1 */
		const char *note0, *note1;
	} cases[] = {
		{ "Variants: a=--x=a b=--x=b\nVariant notes: a: one SQE per enter; b: batching, "
		  "POLL_FIRST \n",
		  2, "one SQE per enter", "batching, POLL_FIRST" },
		{ "Variants: a=--x=a b=--x=b\nVariant notes: b: only b;\n", 2, "", "only b" },
		{ "Variants: a=--x=a b=--x=b\n", 2, "", "" },
		{ "Variants: a=--x=a b=--x=b\nVariant notes: c: no such variant\n", -1, NULL,
		  NULL },
		{ "Variants: a=--x=a b=--x=b\nVariant notes: a no colon\n", -1, NULL, NULL },
		{ "Variants: a=--x=a b=--x=b\nVariant notes: a:  \n", -1, NULL, NULL },
		{ "Variant notes: a: notes but no Variants line\n", 0, NULL, NULL },
	};
	struct facts_variant v[FACTS_VARIANTS_MAX];
	size_t i;
	int n;

	(void)state;
	for (i = 0; i < N_ELEM(cases); i++) {
		n = facts_variants(cases[i].text, v, FACTS_VARIANTS_MAX);
		if (n != cases[i].want)
			fail_msg("%s: %d variants, want %d", cases[i].text, n, cases[i].want);
		if (n == 2 &&
		    (strcmp(v[0].note, cases[i].note0) || strcmp(v[1].note, cases[i].note1)))
			fail_msg("%s: notes '%s' '%s'", cases[i].text, v[0].note, v[1].note);
	}
}

static const char meta_text[] =
    "server cpus: 1\n"
    "facts epoll: keepalive=yes parallel=1 workers=- wait=ready\n"
    "facts io_uring:basic: keepalive=yes parallel=1 workers=- wait=ready\n"
    "variant io_uring:basic: --uring=basic -- one SQE per enter\n"
    "facts io_uring:fastpoll: keepalive=yes parallel=1 workers=- wait=ready\n"
    "variant io_uring:fastpoll: --uring=fastpoll -- batching | POLL_FIRST\n"
    "facts io_uring:sqpoll: keepalive=yes parallel=1 workers=- wait=ready\n"
    "variant io_uring:sqpoll: --uring=sqpoll -- \n";

static void test_meta_variants(void **state)
{
	static struct meta_env env;

	(void)state;
	meta_read_env(meta_text, &env);
	assert_int_equal(env.nfacts, 4);
	assert_string_equal(env.model[1], "io_uring:basic"); /* the name ends at ": " */
	assert_true(env.facts[1].known);
	assert_int_equal(env.nvariants, 3);
	assert_string_equal(env.variant[0], "io_uring:basic");
	assert_string_equal(env.variant_note[0], "one SQE per enter");
	assert_string_equal(env.variant[1], "io_uring:fastpoll");
	assert_string_equal(env.variant_note[1], "batching | POLL_FIRST");
	assert_string_equal(env.variant_note[2], "");
	meta_read_env("facts epoll: keepalive=yes parallel=1 workers=- wait=ready\n", &env);
	assert_int_equal(env.nvariants, 0);
}

/* A keep-alive hello cell at level c of model with its req/s and CPU min-median-max. */
static struct report_cell cell(const char *model, int c, int ok, double r0, double r1, double r2,
                               double c0, double c1, double c2, double sys)
{
	struct report_cell x;

	memset(&x, 0, sizeof(x));
	snprintf(x.scenario, sizeof(x.scenario), "hello");
	snprintf(x.model, sizeof(x.model), "%s", model);
	snprintf(x.mode, sizeof(x.mode), "keepalive");
	snprintf(x.statuses, sizeof(x.statuses), "ok:%d", ok);
	x.concurrency = c;
	x.runs = x.ok = ok;
	x.rps_min = r0, x.rps_median = r1, x.rps_max = r2;
	x.w.cpu_us_min = c0, x.cpu_us_median = c1, x.w.cpu_us_max = c2;
	x.w.sys_us_median = 9.5;
	x.w.client_us_median = 3.25;
	x.syscalls_median = sys;
	x.mem_per_idle_b = NAN;
	x.w.kmem_per_idle_b = -1;
	return x;
}

/* ladder_write_md of c[0..n) with meta_text's variants and counts as a string. */
static char *ladder_md(const struct report_cell *c, int n, const struct syscalls_row *r, int nr)
{
	static struct meta_env env;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	meta_read_env(meta_text, &env);
	ladder_write_md(f, c, n, &env, r, nr, "../plots/x");
	fclose(f);
	return text;
}

/* The position of line in text, failing when it is not there. */
static long line_at(const char *text, const char *line)
{
	const char *p = strstr(text, line);

	if (!p)
		fail_msg("no line\n%s\nin\n%s", line, text);
	return p - text;
}

static void test_table(void **state)
{
	/* report_summarize's order: by model name, so the ladder's order is the table's own */
	struct report_cell c[] = {
		cell("epoll", 64, 5, 98e3, 100e3, 104e3, 4.4, 4.5, 4.9, 2.20),
		cell("io_uring:basic", 64, 5, 80e3, 85e3, 90e3, 6.6, 7.0, 7.7, 2.01),
		cell("io_uring:fastpoll", 64, 5, 99e3, 110e3, 125e3, 3.6, 3.9, 4.0, 0.08),
		cell("io_uring:sqpoll", 64, 1, 50e3, 50e3, 50e3, 30, 30, 30, 0.20),
		cell("ref-nginx", 64, 5, 90e3, 95e3, 99e3, 3.9, 4.1, 4.3, 2.10),
		cell("ref-nginx", 1, 5, 9e3, 9.5e3, 9.9e3, 4.0, 4.2, 4.4, 2.10),
	};
	struct syscalls_row r[] = {
		{ "hello", "io_uring:fastpoll", "keepalive", 64, 0, 1000, "io_uring_enter", 0.07 },
		{ "hello", "io_uring:fastpoll", "keepalive", 64, 0, 1000, "all", 0.08 },
		{ "hello", "io_uring:fastpoll", "keepalive", 64, 0, 1000, "sqe:recv", 0.004 },
		{ "hello", "epoll", "keepalive", 64, 0, 1000, "sqe:recv", 0 },
		{ "hello", "epoll", "keepalive", 64, 0, 1000, "epoll_wait", 0.1 },
		{ "hello", "epoll", "keepalive", 64, 0, 1000, "all", 2.2 },
	};
	char *text;
	long a, b, f, s, n;

	(void)state;
	c[4].reference = c[5].reference = 1;
	c[3].noisy = 1;
	snprintf(c[5].scenario, sizeof(c[5].scenario), "pipeline"); /* no variant ran there */
	text = ladder_md(c, N_ELEM(c), r, N_ELEM(r));
	a = line_at(text, "| epoll | the anchor | 100,000 [98,000-104,000] | anchor | 4.50 "
	                  "[4.40-4.90] | anchor | 3.25 | 9.50 | 2.20 | 0.000 | 0.000 |");
	b = line_at(text,
	            "| io_uring:basic | one SQE per enter | 85,000 [80,000-90,000] | slower | "
	            "7.00 [6.60-7.70] | slower | 3.25 | 9.50 | 2.01 | ? | ? |");
	f = line_at(text,
	            "| io_uring:fastpoll | batching \\| POLL_FIRST | 110,000 [99,000-125,000] "
	            "| tie | 3.90 [3.60-4.00] | faster | 3.25 | 9.50 | 0.08 | 0.070 | 0.004 |");
	s = line_at(text, "| io_uring:sqpoll § |  | 50,000 (1 repetition) | - | 30.00 (1 "
	                  "repetition) | - |");
	n = line_at(text, "| ref-nginx | a reference | 95,000 [90,000-99,000] | tie | 4.10 "
	                  "[3.90-4.30] | faster |");
	if (!(a < n && n < b && b < f && f < s))
		fail_msg("rows out of the ladder's order:\n%s", text);
	if (strstr(text + n + 1, "| ref-nginx |") || strstr(text, "pipeline"))
		fail_msg("a reference twice, or a cell no variant ran in:\n%s", text);
	line_at(text, "### hello keep-alive c=64\n");
	line_at(text, "Least server CPU per request of the steps: `io_uring:fastpoll`, 3.90 "
	              "[3.60-4.00] µs against epoll's 4.50 [4.40-4.90]: faster (5 and 5 "
	              "repetitions); system calls 0.08 per request against epoll's 2.20.");
	line_at(text, "![server CPU per request against epoll's](../plots/x/ladder-cpu.png)");
	if (strstr(text, "Memory per idle connection"))
		fail_msg("a memory table without idle cells:\n%s", text);
	free(text);
}

static void test_memory_and_missing(void **state)
{
	struct report_cell c[] = {
		cell("epoll", 64, 5, 98e3, 100e3, 104e3, 4.4, 4.5, 4.9, 2.20),
		cell("epoll", 32, 5, 98e3, 100e3, 104e3, 4.4, 4.5, 4.9, 2.20),
		cell("io_uring:basic", 32, 5, 80e3, 85e3, 90e3, 6.6, 7.0, 7.7, 2.01),
		cell("io_uring:basic", 64, 0, 0, 0, 0, -1, -1, -1, -1),
		cell("io_uring:fastpoll", 32, 5, 80e3, 85e3, 90e3, 6.6, 7.0, 7.7, 2.01),
	};
	static const int idle[] = { 1, 2, 4 }; /* the idle scenario's, beside c=32 */
	char *text;
	size_t i;

	(void)state;
	snprintf(c[3].statuses, sizeof(c[3].statuses), "crashed:5");
	for (i = 0; i < N_ELEM(idle); i++) {
		snprintf(c[idle[i]].scenario, sizeof(c[idle[i]].scenario), "idle");
		c[idle[i]].idle_conns = 1000;
	}
	c[1].mem_per_idle_b = 73, c[1].w.kmem_per_idle_b = 3900;
	c[2].mem_per_idle_b = 212, c[2].w.kmem_per_idle_b = 4100;
	c[4].mem_per_idle_b = 1400, c[4].w.kmem_per_idle_b = 4000;
	text = ladder_md(c, N_ELEM(c), NULL, 0);
	line_at(text, "| io_uring:basic | one SQE per enter | crashed:5 | | | | | | | | |");
	line_at(text, "| io_uring:fastpoll | batching \\| POLL_FIRST | not run |");
	line_at(text, "### idle keep-alive c=32, 1000 idle");
	line_at(text, "| epoll | the anchor | 73 | 3900 | anchor |");
	line_at(text,
	        "| io_uring:basic | one SQE per enter | 212 | 4100 | +139 B (within 1 KiB) |");
	line_at(text, "| io_uring:fastpoll | batching \\| POLL_FIRST | 1400 | 4000 | +1327 B (over "
	              "1 KiB) |");
	if (strstr(text, "io_uring:sqpoll"))
		fail_msg("a step with no cell got a row:\n%s", text);
	free(text);
}

static void test_no_variants(void **state)
{
	struct report_cell c[] = { cell("epoll", 64, 5, 98e3, 100e3, 104e3, 4.4, 4.5, 4.9, 2.2) };
	struct ladder_step st[4];
	static struct meta_env env;
	char *text;

	(void)state;
	text = ladder_md(c, N_ELEM(c), NULL, 0);
	assert_string_equal(text, ""); /* variants in meta but none ran: no ladder */
	free(text);
	meta_read_env(meta_text, &env);
	assert_int_equal(ladder_steps(c, N_ELEM(c), &env, st, 4), 0);
}

static void test_plan_cells(void **state)
{
	static const struct {
		const char *scenario, *mode;
		int level;
	} want[] = {
		{ "hello", "keepalive", 1 },   { "hello", "keepalive", 64 },
		{ "hello", "keepalive", 512 }, { "hello", "close", 64 },
		{ "bytes", "keepalive", 64 },  { "pipeline", "keepalive", 64 },
		{ "idle", "keepalive", 500 },  { "idle", "keepalive", 1000 },
	};
	static struct plan p;
	size_t i;

	(void)state;
	plan_defaults(&p);
	assert_int_equal(ladder_plan_cells(&p, 0, 0), 0);
	assert_int_equal(p.ncells, (int)N_ELEM(want));
	for (i = 0; i < N_ELEM(want); i++) {
		const struct plan_cell *x = &p.cells[i];

		if (strcmp(p.scenarios[x->scenario]->name, want[i].scenario) ||
		    strcmp(plan_mode_name(x->mode), want[i].mode) || x->level != want[i].level ||
		    x->reps != LADDER_REPS || x->duration_s != LADDER_DURATION_S)
			fail_msg("cell %zu: %s %s %d x%d %d s, want %s %s %d", i,
			         p.scenarios[x->scenario]->name, plan_mode_name(x->mode), x->level,
			         x->reps, x->duration_s, want[i].scenario, want[i].mode,
			         want[i].level);
	}
	p.reps = 3; /* given on the command line: kept */
	assert_int_equal(ladder_plan_cells(&p, 1, 0), 0);
	assert_int_equal(p.cells[0].reps, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_variant_notes),
		cmocka_unit_test(test_meta_variants),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_memory_and_missing),
		cmocka_unit_test(test_no_variants),
		cmocka_unit_test(test_plan_cells),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
