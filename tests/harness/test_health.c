/* test_health.c -- the honesty checks' pure functions: Little's law and the noise guard. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "health.h"

#include <math.h>

static void test_served(void **state)
{
	(void)state;
	/* 10,000 req/s of 50 ms each: 500 requests in flight on average. */
	assert_true(fabs(health_served_conns(10000, 50) - 500) < 1e-9);
	assert_true(health_served_conns(10000, 0) < 0); /* no mean: unknown */
	assert_true(health_served_conns(-1, 5) < 0);
	assert_true(health_served_conns(0, 5) == 0);
}

static void test_starved(void **state)
{
	(void)state;
	assert_true(health_starved(1.0, 512));
	assert_true(health_starved(255.9, 512));
	assert_false(health_starved(256, 512));
	assert_false(health_starved(505.8, 512));
	assert_false(health_starved(0.8, 1)); /* c=1: a client's own time between requests */
	assert_true(health_starved(0.4, 1));
	assert_false(health_starved(-1, 512)); /* unknown is never starved */
}

static void test_busy_jiffies(void **state)
{
	static const char stat[] = "cpu  129688 7 323488 452967 21010 0 119127 1256 0 0\n"
	                           "cpu0 57877 0 162328 227113 4887 0 71958 538 0 0\n"
	                           "intr 1 2 3\n";
	unsigned long long busy = 0;

	(void)state;
	assert_int_equal(health_busy_jiffies(stat, &busy), 0);
	/* user + nice + system + irq + softirq: not idle, iowait or steal */
	assert_true(busy == 129688ULL + 7 + 323488 + 0 + 119127);
	assert_int_equal(health_busy_jiffies("cpu0 1 2 3 4 5 6 7\n", &busy), -1); /* no "cpu " */
	assert_int_equal(health_busy_jiffies("intr 1\ncpu  1 x\n", &busy), -1);
	assert_int_equal(health_busy_jiffies("cpu  1 2 3 4\n", &busy), -1); /* too short */
	assert_int_equal(health_busy_jiffies("", &busy), -1);
	busy = 0;
	assert_int_equal(health_busy_jiffies("intr 5\ncpu  10 0 5 99 7 1 2 3 0 0\n", &busy), 0);
	assert_true(busy == 18);
	/* steal, the 8th: the host's time for someone else, noise to a run */
	assert_int_equal(health_steal_jiffies("intr 5\ncpu  10 0 5 99 7 1 2 3 0 0\n", &busy), 0);
	assert_true(busy == 3);
	assert_int_equal(health_steal_jiffies("cpu  10 0 5 99 7 1 2\n", &busy), 0); /* none */
	assert_true(busy == 0);
	assert_int_equal(health_steal_jiffies("cpu  1 2 3 4\n", &busy), -1);
}

static void test_other_cpu(void **state)
{
	(void)state;
	/* 2 s at 100 Hz: 300 busy jiffies = 3 CPU-s; ours 2.3 s; others 0.7 s = 35 % of one CPU */
	assert_true(fabs(health_other_cpu_pct(300, 100, 2.3, 2.0) - 35) < 1e-9);
	assert_true(health_noisy(health_other_cpu_pct(300, 100, 2.3, 2.0)));
	/* ticks are coarser than rusage: a small negative difference is a quiet machine */
	assert_true(health_other_cpu_pct(200, 100, 2.05, 2.0) == 0);
	assert_false(health_noisy(health_other_cpu_pct(220, 100, 2.0, 2.0))); /* 10 % */
	assert_true(health_other_cpu_pct(100, 100, 0, 0) < 0);
	assert_true(health_other_cpu_pct(100, 0, 0, 1) < 0);
	assert_false(health_noisy(-1));
	assert_false(health_noisy(HEALTH_NOISY_PCT));
	assert_true(health_noisy(HEALTH_NOISY_PCT + 0.1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_served),
		cmocka_unit_test(test_starved),
		cmocka_unit_test(test_busy_jiffies),
		cmocka_unit_test(test_other_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
