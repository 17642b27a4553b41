/* test_mixlaw.c -- the mixed scenario's laws (harness/mixlaw.c) over tables worked by hand:
 * Pollaczek-Khinchine's mean wait, processor sharing's short response, the mix's capacity,
 * which law a measurement is nearer to, and the 25 % agreement; the mix's text read back; and
 * report.md's mixed table and balance table over cells whose laws are worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "facts.h"
#include "meta.h"
#include "mixlaw.h"
#include "record.h"
#include "report.h"
#include "report_mixed.h"
#include "scenario.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* a and b agree to 1e-5 of the larger. */
static int near(double a, double b)
{
	return fabs(a - b) <= 1e-5 * fmax(fmax(fabs(a), fabs(b)), 1e-9);
}

/* The mix (99.5 % of 50 us, 0.5 % of 10 ms: E[S] = 99.75 us, E[S^2] = 5.0249e-7 s^2)
 * and simpler ones whose figures are checked by hand. */
static void test_predict(void **state)
{
	static const struct {
		const char *name;
		double lambda;
		struct mixlaw_class c[2];
		int n, rc;
		double rho, wait_s, fcfs_short_s, ps_short_s;
	} cases[] = {
		/* rho = 0.5: W = 5012.531 * 5.024875e-7 / 1 = 2.51873 ms; PS: 50 us / 0.5 */
		{ .name = "issue mix at 50 %",
		  .lambda = 5012.531,
		  .c = { { 0.995, 50e-6 }, { 0.005, 10e-3 } },
		  .n = 2,
		  .rho = 0.5,
		  .wait_s = 2.51873e-3,
		  .fcfs_short_s = 2.56873e-3,
		  .ps_short_s = 100e-6 },
		/* M/D/1 at rho 0.8: W = rho S / (2 (1 - rho)) = 2 S */
		{ .name = "M/D/1 at 80 %",
		  .lambda = 80,
		  .c = { { 1, 10e-3 } },
		  .n = 1,
		  .rho = 0.8,
		  .wait_s = 20e-3,
		  .fcfs_short_s = 30e-3,
		  .ps_short_s = 50e-3 },
		/* no load: no wait, PS and FCFS agree on S */
		{ .name = "idle",
		  .c = { { 0.5, 1e-3 }, { 0.5, 3e-3 } },
		  .n = 2,
		  .fcfs_short_s = 1e-3,
		  .ps_short_s = 1e-3 },
		/* saturated: no prediction */
		{ .name = "saturated",
		  .lambda = 100,
		  .c = { { 1, 10e-3 } },
		  .n = 1,
		  .rho = 1.0,
		  .wait_s = MIXLAW_NONE,
		  .fcfs_short_s = MIXLAW_NONE,
		  .ps_short_s = MIXLAW_NONE },
		{ .name = "shares add to 0.9",
		  .lambda = 1,
		  .c = { { 0.5, 1e-3 }, { 0.4, 1e-3 } },
		  .n = 2,
		  .rc = -1 },
		{ .name = "negative service",
		  .lambda = 1,
		  .c = { { 1, -1e-3 } },
		  .n = 1,
		  .rc = -1 },
		{ .name = "negative rate", .lambda = -1, .c = { { 1, 1e-3 } }, .n = 1, .rc = -1 },
		{ .name = "no class", .lambda = 1, .c = { { 1, 1e-3 } }, .rc = -1 },
	};
	(void)state;
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		struct mixlaw m;
		int rc = mixlaw_predict(cases[i].lambda, cases[i].c, cases[i].n, 0, &m);

		if (rc != cases[i].rc)
			fail_msg("%s: returned %d, expected %d", cases[i].name, rc, cases[i].rc);
		if (rc < 0)
			continue;
		if (fabs(m.rho - cases[i].rho) > 1e-6 ||
		    fabs(m.fcfs_wait_s - cases[i].wait_s) > 1e-8 ||
		    fabs(m.fcfs_short_s - cases[i].fcfs_short_s) > 1e-8 ||
		    fabs(m.ps_short_s - cases[i].ps_short_s) > 1e-8)
			fail_msg("%s: rho %.6f wait %.6g s, short FCFS %.6g s, PS %.6g s",
			         cases[i].name, m.rho, m.fcfs_wait_s, m.fcfs_short_s, m.ps_short_s);
	}
	struct mixlaw m;
	struct mixlaw_class one = { 1, 1e-3 };
	assert_int_equal(mixlaw_predict(1, &one, 1, 1, &m), -1); /* no such short class */
}

static void test_capacity(void **state)
{
	static const struct {
		double share[2], cap[2];
		int n;
		double rps;
	} cases[] = {
		{ { 0.995, 0.005 }, { 20000, 100 }, 2, 1e6 / 99.75 }, /* E[S] = 49.75 + 50 us */
		{ { 1 }, { 100 }, 1, 100 },
		{ { 0.5, 0.5 }, { 100, 0 }, 2, MIXLAW_NONE },
		{ { 0.5, 0.5 }, { 100, -5 }, 2, MIXLAW_NONE },
	};
	(void)state;
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		double rps = mixlaw_capacity(cases[i].share, cases[i].cap, cases[i].n);
		if (fabs(rps - cases[i].rps) > 1e-6)
			fail_msg("case %zu: %.6f req/s, expected %.6f", i, rps, cases[i].rps);
	}
}

/* Nearer by ratio: with FCFS predicting 2.5 ms and PS 0.1 ms, the geometric middle is 0.5 ms. */
static void test_nearer_and_within(void **state)
{
	const struct mixlaw m = { .fcfs_short_s = 2.5e-3, .ps_short_s = 0.1e-3 };
	static const struct {
		double measured_s;
		int nearer;
	} cases[] = {
		{ 3e-3, FACTS_DISCIPLINE_FCFS }, { 0.6e-3, FACTS_DISCIPLINE_FCFS },
		{ 0.4e-3, FACTS_DISCIPLINE_PS }, { 0.05e-3, FACTS_DISCIPLINE_PS },
		{ 0, FACTS_DISCIPLINE_UNKNOWN }, { -1, FACTS_DISCIPLINE_UNKNOWN },
	};
	static const struct {
		double measured, predicted;
		int within;
	} tol[] = { { 125, 100, 1 }, { 75, 100, 1 }, { 126, 100, 0 },
		    { 74, 100, 0 },  { 1, 0, 0 },    { 1, -1, 0 } };
	(void)state;
	for (size_t i = 0; i < N_ELEM(cases); i++)
		if (mixlaw_nearer(cases[i].measured_s, &m) != cases[i].nearer)
			fail_msg("%g s: nearer %d, expected %d", cases[i].measured_s,
			         mixlaw_nearer(cases[i].measured_s, &m), cases[i].nearer);
	for (size_t i = 0; i < N_ELEM(tol); i++)
		if (mixlaw_within(tol[i].measured, tol[i].predicted, 0.25) != tol[i].within)
			fail_msg("%g against %g: within %d", tol[i].measured, tol[i].predicted,
			         !tol[i].within);
	const struct mixlaw saturated = { .fcfs_short_s = MIXLAW_NONE, .ps_short_s = MIXLAW_NONE };
	assert_int_equal(mixlaw_nearer(1e-3, &saturated), FACTS_DISCIPLINE_UNKNOWN);
}

/* a is within tol (0.03: 3 %) of b. */
static int close_to(double a, double b, double tol)
{
	return fabs(a - b) <= tol * fabs(b);
}

/*
 * The simulation against what is known in closed form. M/D/1 (one class of D = 10 ms): the
 * mean response in arrival order is D + rho D / (2 (1 - rho)) (P-K), time-sliced D / (1 - rho),
 * and the wait's distribution is Erlang's, P(W <= t) = (1 - rho) sum_{k <= t/D} (lambda (kD -
 * t))^k / k! e^{-lambda (kD - t)}, whose 0.99 point (found by bisection) is 3.3363 D at rho 0.5
 * and 10.3559 D at 0.8: a p99 response of 43.363 and 113.559 ms. The mix at 50 %: the
 * short mean is P-K's 2.5687 ms and PS's 100 us; its FCFS p99 sits behind the long requests.
 */
static void test_simulate(void **state)
{
	static const struct {
		const char *name;
		double lambda;
		struct mixlaw_class c[2];
		int n;
		double fcfs_mean_s, fcfs_p99_s, ps_mean_s, p99_above_s, tol;
	} cases[] = {
		{ "M/D/1 at 50 %", 50, { { 1, 10e-3 } }, 1, 15e-3, 43.363e-3, 20e-3, 0, 0.03 },
		{ "M/D/1 at 80 %", 80, { { 1, 10e-3 } }, 1, 30e-3, 113.559e-3, 50e-3, 0, 0.03 },
		{ "issue mix at 50 %",
		  5012.531,
		  { { 0.995, 50e-6 }, { 0.005, 10e-3 } },
		  2,
		  2.56873e-3,
		  -1,
		  100e-6,
		  5e-3,
		  0.05 }, /* its wait is mostly 5,000 long requests' residues: 3 % off here */
	};
	struct mixlaw_sim a, b;
	struct mixlaw_class one = { 1, 10e-3 };

	(void)state;
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		struct mixlaw_sim m;

		if (mixlaw_simulate(cases[i].lambda, cases[i].c, cases[i].n, 0, MIXLAW_SIM_ARRIVALS,
		                    &m) < 0)
			fail_msg("%s: refused", cases[i].name);
		if (!close_to(m.fcfs_mean_s, cases[i].fcfs_mean_s, cases[i].tol) ||
		    !close_to(m.ps_mean_s, cases[i].ps_mean_s, cases[i].tol) ||
		    (cases[i].fcfs_p99_s > 0 &&
		     !close_to(m.fcfs_p99_s, cases[i].fcfs_p99_s, 0.03)) ||
		    m.fcfs_p99_s < cases[i].p99_above_s || m.ps_p99_s < m.ps_mean_s ||
		    m.fcfs_p99_s < m.fcfs_mean_s)
			fail_msg("%s: FCFS mean %.6g p99 %.6g s, PS mean %.6g p99 %.6g s",
			         cases[i].name, m.fcfs_mean_s, m.fcfs_p99_s, m.ps_mean_s,
			         m.ps_p99_s);
	}
	/* seeded: the same input, the same figures */
	assert_int_equal(mixlaw_simulate(50, &one, 1, 0, 10000, &a), 0);
	assert_int_equal(mixlaw_simulate(50, &one, 1, 0, 10000, &b), 0);
	assert_true(a.fcfs_p99_s == b.fcfs_p99_s && a.ps_p99_s == b.ps_p99_s);
	assert_int_equal(mixlaw_simulate(100, &one, 1, 0, 10000, &a), -1); /* saturated */
	assert_int_equal(mixlaw_simulate(50, &one, 1, 0, 99, &a), -1);     /* too few */
	assert_int_equal(mixlaw_simulate(0, &one, 1, 0, 10000, &a), -1);   /* no arrivals */
}

/* The mix's text as the scenario row gives it to loadgen, read back into paths and shares. */
static void test_parse(void **state)
{
	static const struct {
		const char *mix;
		int n;
		const char *last;
		double share0;
	} cases[] = {
		{ "/cpu/10:995,/cpu/10000:5", 2, "/cpu/10000", 0.995 },
		{ "/a,/b,/c:2", 3, "/c", 0.25 },
		{ "/x", 1, "/x", 1 },
		{ .mix = "/a:0", .n = -1 },
		{ .mix = "/a:1.5", .n = -1 },
		{ .mix = "/a:", .n = -1 },
		{ .mix = "a:1", .n = -1 },
		{ .mix = "/a,", .n = -1 },
		{ .mix = "/1,/2,/3,/4,/5,/6,/7,/8,/9", .n = -1 },
		{ .mix = "/0123456789012345678901234567890123456789012345678901234567890123",
		  .n = -1 },
	};
	(void)state;
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		char paths[MIXLAW_MAX_CLASSES][MIXLAW_PATH];
		double shares[MIXLAW_MAX_CLASSES];
		int n = mixlaw_parse(cases[i].mix, paths, shares, MIXLAW_MAX_CLASSES);

		if (n != cases[i].n || (n > 0 && (strcmp(paths[n - 1], cases[i].last) ||
		                                  fabs(shares[0] - cases[i].share0) > 1e-12)))
			fail_msg("%s: %d classes, last %s, first share %g", cases[i].mix, n,
			         n > 0 ? paths[n - 1] : "-", n > 0 ? shares[0] : 0);
	}
}

/* A mixed scenario's row: a capacity row (level 0: each class's capacity) or a measured one. */
static struct record_row mix_row(const char *model, int level, double short_rps, double long_rps,
                                 double short_mean_us, const char *shares, double jain)
{
	struct record_row r;

	memset(&r, 0, sizeof(r));
	strcpy(r.run_id, "20261207-000000");
	strcpy(r.model, model);
	strcpy(r.mode, "keepalive");
	strcpy(r.tool, level ? "loadgen" : "ab");
	strcpy(r.status, "ok");
	strcpy(r.scenario, "mixed");
	r.concurrency = level;
	r.rep = 1;
	r.requests = 1000;
	r.duration_s = 5;
	r.rps = short_rps + long_rps;
	r.served_conns = r.other_cpu_pct = r.server_mem_kb = -1;
	r.goodput_rps = r.rejected_rps = -1;
	r.client_cpu_pct = 5;
	r.short_rps = short_rps;
	r.long_rps = long_rps;
	r.short_p50_us = level ? 60 : -1;
	r.short_p99_us = level ? 9000 : -1;
	r.short_mean_us = level ? short_mean_us : -1;
	r.long_p99_us = level ? 12000 : -1;
	snprintf(r.worker_shares, sizeof(r.worker_shares), "%s", shares);
	r.jain = jain;
	return r;
}

/* row, other processes having used 150 % of a CPU during it */
static struct record_row noisy_row(struct record_row r)
{
	r.other_cpu_pct = 150;
	return r;
}

/* row, its generator having fallen behind: its figures are not the server's */
static struct record_row lagged_row(struct record_row r)
{
	strcpy(r.status, "lagged");
	return r;
}

/*
 * The report's laws over cells worked by hand: capacities 20,000 and 100 req/s (S = 50 us and
 * 10 ms), offered 4,975 + 25 req/s: rho 0.49875, P-K wait 5000 x 5.024875e-7 / (2 x 0.50125)
 * = 2.5062 ms, PS short mean 50 / 0.50125 = 99.75 us. epoll measured a short mean of 2.6 ms
 * (wait 2.55 ms: within 25 %, nearer FCFS as its Facts claim); thread 0.12 ms (nearer PS, its
 * Facts say fcfs here: disagrees); the p99s their arrivals give simulated, 22.31 ms FCFS and
 * 0.36 ms PS, put both measured p99s of 9 ms nearer FCFS (above their geometric middle,
 * 2.8 ms); thread's cell was noisy. epoll's lagged cell at 80 % shows its status and no figure.
 * Balance: epoll-shared's 4 workers; fork's processes per connection are no pool and have no row.
 */
static void test_report_cells(void **state)
{
	const struct record_row rows[] = {
		mix_row("epoll", 0, 20000, 100, -1, "", -1),
		mix_row("epoll", 50, 4975, 25, 2600, "", -1),
		lagged_row(mix_row("epoll", 80, 7960, 40, 9000, "", -1)),
		mix_row("thread", 0, 20000, 100, -1, "", -1),
		noisy_row(mix_row("thread", 50, 4975, 25, 120, "", -1)),
		mix_row("epoll-shared", 50, 4975, 25, 120, "0.87/0.05/0.04/0.04", 0.3278),
		mix_row("fork", 50, 4975, 25, 120, "0.50/0.50", 1.0), /* a process per connection */
	};
	const char *meta =
	    "facts epoll: keepalive=yes parallel=1 workers=- discipline=fcfs\n"
	    "facts thread: keepalive=yes parallel=conn workers=- discipline=fcfs\n"
	    "facts fork: keepalive=yes parallel=conn workers=- discipline=ps\n"
	    "facts epoll-shared: keepalive=yes parallel=workers workers=cpus discipline=fcfs\n";
	struct report_cell *c;
	struct meta_env env;
	char *text = NULL;
	size_t len = 0;
	int n;
	FILE *f;

	(void)state;
	assert_int_equal(report_summarize(rows, (int)N_ELEM(rows), &c, &n), 0);
	meta_read_env(meta, &env);
	report_apply_laws(c, n, &env);
	const struct report_cell *e = report_find_cell(c, n, "epoll", "keepalive", 50);
	assert_non_null(e);
	if (!near(e->mix_rho, 0.49875) || fabs(e->fcfs_wait_us - 2506.2) > 0.1 ||
	    fabs(e->ps_short_us - 99.75) > 0.01 || !near(e->short_service_us, 50))
		fail_msg("epoll at 50 %%: rho %.5f, wait %.1f us, PS %.2f us, S %.1f us",
		         e->mix_rho, e->fcfs_wait_us, e->ps_short_us, e->short_service_us);
	/* no capacity cell: no law, never a guess */
	assert_true(report_find_cell(c, n, "epoll-shared", "keepalive", 50)->fcfs_wait_us < 0);
	assert_non_null(f = open_memstream(&text, &len));
	report_mixed_md(f, scenario_find("mixed"), c, n);
	report_balance_md(f, c, n);
	fclose(f);
	if (!strstr(text, "| epoll | keepalive | 50 % | 4975 + 25.0 (rho 0.50) | 0.06 | 2.60 | "
	                  "9.00 | 12.00 | 2.55 | 2.51 (within 25 %) | 0.10 | 22.31 / 0.36 | "
	                  "fcfs (agrees) | fcfs (agrees) |") ||
	    !strstr(text,
	            "| thread | keepalive | 50 % (noisy) | 4975 + 25.0 (rho 0.50) | 0.06 | 0.12 | "
	            "9.00 | 12.00 | 0.07 | 2.51 | 0.10 | 22.31 / 0.36 | ps (disagrees) | "
	            "fcfs (agrees) |") ||
	    !strstr(text, "| epoll | keepalive | 80 % | **lagged:1** | - | - | - | - | - | - | - | "
	                  "- | - | - |\n") ||
	    !strstr(text, "| epoll-shared | keepalive | 50 % | no law") ||
	    !strstr(text, "| epoll-shared | keepalive | 50 | 4 | 0.87/0.05/0.04/0.04 | 0.33 |") ||
	    strstr(text, "| epoll | keepalive | 50 | ") ||
	    strstr(text, "| fork | keepalive | 50 | "))
		fail_msg("report:\n%s", text);
	free(text);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_predict),           cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_nearer_and_within), cmocka_unit_test(test_parse),
		cmocka_unit_test(test_report_cells),      cmocka_unit_test(test_simulate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
