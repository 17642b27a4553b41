/* test_diffruns.c -- the rank-sum test's p-values and diff-runs' verdicts and orderings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "diffruns.h"
#include "ranktest.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXV 64

/* Exact p-values worked out by hand from the rank sums' distribution (C(n, na) splits). */
static void test_p_exact(void **state)
{
	static const struct {
		const char *name;
		double a[8], b[8];
		int na, nb;
		double p;
	} cases[] = {
		/* fully separated: 2 of the 20 splits are as extreme */
		{ "3 below 3", { 1, 2, 3 }, { 4, 5, 6 }, 3, 3, 0.1 },
		{ "3 above 3", { 40, 50, 60 }, { 1, 2, 3 }, 3, 3, 0.1 },
		{ "4 below 4", { 1, 2, 3, 4 }, { 5, 6, 7, 8 }, 4, 4, 2.0 / 70 },
		{ "5 below 5", { 1, 2, 3, 4, 5 }, { 6, 7, 8, 9, 10 }, 5, 5, 2.0 / 252 },
		/* rank sum 9 of mean 10.5: all but the 6 splits summing to 10 or 11 */
		{ "interleaved", { 1, 3, 5 }, { 2, 4, 6 }, 3, 3, 0.7 },
		{ "the same", { 7, 8, 9 }, { 7, 8, 9 }, 3, 3, 1 },
		{ "all tied", { 5, 5, 5 }, { 5, 5, 5 }, 3, 3, 1 },
		{ "one side of one", { 1 }, { 2 }, 1, 1, 1 },
		{ "1 against 3 below", { 1 }, { 2, 3, 4 }, 1, 3, 0.5 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double p = -1;

		assert_int_equal(ranktest_p(cases[i].a, cases[i].na, cases[i].b, cases[i].nb, &p),
		                 0);
		if (fabs(p - cases[i].p) > 1e-9)
			fail_msg("%s: p %.6f, want %.6f", cases[i].name, p, cases[i].p);
	}
}

/* Ties keep the test exact: {1,2,2} v {2,3,4} by enumerating the 20 splits here. */
static void test_p_ties(void **state)
{
	double a[] = { 1, 2, 2 }, b[] = { 2, 3, 4 }, r[] = { 1, 3, 3, 3, 5, 6 }, p;
	int hit = 0, all = 0;

	(void)state;
	for (int i = 0; i < 6; i++)
		for (int j = i + 1; j < 6; j++)
			for (int k = j + 1; k < 6; k++) {
				double s = r[i] + r[j] + r[k];

				all++;
				hit += fabs(s - 10.5) >= fabs(7 - 10.5);
			}
	assert_int_equal(ranktest_p(a, 3, b, 3, &p), 0);
	assert_int_equal(all, 20);
	if (fabs(p - (double)hit / all) > 1e-9)
		fail_msg("ties: p %.6f, want %d/20", p, hit);
}

/* Beyond RANKTEST_EXACT_MAX values: the normal approximation, at its extremes and middle. */
static void test_p_normal(void **state)
{
	double a[MAXV], b[MAXV], p;

	(void)state;
	for (int i = 0; i < 40; i++) {
		a[i] = i;
		b[i] = 100 + i;
	}
	assert_int_equal(ranktest_p(a, 40, b, 40, &p), 0);
	if (!(p < 1e-9))
		fail_msg("separated 40 v 40: p %g, want < 1e-9", p);
	for (int i = 0; i < 40; i++)
		b[i] = i + 0.5; /* interleaved: no difference */
	assert_int_equal(ranktest_p(a, 40, b, 40, &p), 0);
	if (!(p > 0.8))
		fail_msg("interleaved 40 v 40: p %g, want > 0.8", p);
	assert_int_equal(ranktest_p(a, 40, a, 40, &p), 0);
	if (fabs(p - 1) > 1e-9)
		fail_msg("40 v the same 40: p %g, want 1", p);
}

static void test_p_refused(void **state)
{
	double a[] = { 1 }, p;

	(void)state;
	assert_int_equal(ranktest_p(a, 0, a, 1, &p), -1);
	assert_int_equal(ranktest_p(a, 1, a, 0, &p), -1);
}

static void test_min_p(void **state)
{
	static const struct {
		int na, nb;
		double p;
	} cases[] = {
		{ 3, 3, 0.1 }, { 4, 4, 2.0 / 70 }, { 5, 5, 2.0 / 252 }, { 1, 1, 1 }, { 2, 3, 0.2 }
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (fabs(ranktest_min_p(cases[i].na, cases[i].nb) - cases[i].p) > 1e-9)
			fail_msg("%d v %d: %g, want %g", cases[i].na, cases[i].nb,
			         ranktest_min_p(cases[i].na, cases[i].nb), cases[i].p);
}

static void test_flipped(void **state)
{
	static const struct {
		double a1, a2, b1, b2;
		int separated, flipped;
	} cases[] = {
		{ 100, 130, 100, 130, 1, 0 },   /* 30 % apart, same order */
		{ 100, 130, 130, 100, 1, 1 },   /* reversed */
		{ 130, 100, 90, 95, 1, 1 },     /* reversed, however little */
		{ 100, 115, 115, 100, 0, 0 },   /* 15 % apart: not counted */
		{ 100, 130, 110, 110, 1, 0 },   /* a tie in B is no reversal */
		{ 100, 130, NAN, 100, 1, 0 },   /* missing in B */
		{ 0, 130, 130, 100, 0, 0 },     /* unknown in A */
		{ 100, 120.1, 120, 100, 1, 1 }, /* just over 20 % */
		{ 100, 120, 120, 100, 0, 0 },   /* exactly 20 %: not more */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (diffruns_separated(cases[i].a1, cases[i].a2, DIFFRUNS_SEPARATED) !=
		    cases[i].separated)
			fail_msg("case %zu: separated is not %d", i, cases[i].separated);
		if (diffruns_flipped(cases[i].a1, cases[i].a2, cases[i].b1, cases[i].b2,
		                     DIFFRUNS_SEPARATED) != cases[i].flipped)
			fail_msg("case %zu: flipped is not %d", i, cases[i].flipped);
	}
}

/* A row of a run: model's repetition rep in hello keep-alive c=8 (wrk). */
static struct record_row row(const char *model, int rep, double rps, double cpu)
{
	struct record_row r = { .concurrency = 8, .rep = rep, .rps = rps };

	strcpy(r.model, model);
	strcpy(r.mode, "keepalive");
	strcpy(r.tool, "wrk");
	strcpy(r.status, "ok");
	strcpy(r.scenario, "hello");
	r.server_cpu_us_per_req = cpu;
	r.lat_p99_ms = -1;
	return r;
}

/*
 * Two small runs: epoll halves its req/s in B (4 reps a side: p = 2/70), thread does not
 * change, a crashed repetition is left out, a cell of B alone is counted, not shown.
 */
static void test_write(void **state)
{
	static const double thread_rps[] = { 69500, 70000, 70500, 70000 };
	struct record_row a[9], b[9];
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	static const char *const want[] = {
		"| hello keepalive c=8 (wrk) | epoll | 100,000 (4) | 50,000 (4) | -50.0 % | 0.029 "
		"|",
		"| hello keepalive c=8 (wrk) | thread | 70,000 (4) | 70,000 (4) | ~ | 1.000 |",
		"- hello keepalive c=8 (wrk): epoll 100,000 vs thread 70,000 in A, 50,000 vs "
		"70,000 in B",
		"req/s: 2 cells in both runs: 0 better, 1 worse, 1 ~ (p > 0.05); 1 cells with it "
		"in "
		"one run only",
		"whole machine's CPU µs per request: no row of either run has it",
		"Orderings by req/s: 1 of 1 pairs of models more than 20 % apart in A are reversed "
		"in "
		"B (100.0 %).",
		"Orderings by server CPU µs per request: 0 of 1 pairs",
		"| hello keepalive c=8 (wrk) | epoll | 10.0 (4) | 10.0 (4) | ~ | 1.000 |",
	};

	(void)state;
	assert_non_null(f);
	for (int i = 0; i < 4; i++) {
		a[i] = row("epoll", i, 99000 + 1000 * i - (i == 3 ? 2000 : 0), 10);
		b[i] = row("epoll", i, 49000 + 1000 * i - (i == 3 ? 2000 : 0), 10);
		a[4 + i] = b[4 + i] = row("thread", i, thread_rps[i], 20);
	}
	a[8] = row("thread", 4, 1, 20);
	strcpy(a[8].status, "crashed");
	b[8] = row("poll", 0, 1, 1);
	assert_int_equal(diffruns_write(f, "A", a, 9, "B", b, 9, DIFFRUNS_ALPHA), 0);
	fclose(f);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(text, want[i]))
			fail_msg("missing \"%s\" in:\n%s", want[i], text);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_p_exact),  cmocka_unit_test(test_p_ties),
		cmocka_unit_test(test_p_normal), cmocka_unit_test(test_p_refused),
		cmocka_unit_test(test_min_p),    cmocka_unit_test(test_flipped),
		cmocka_unit_test(test_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
