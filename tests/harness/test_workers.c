/* test_workers.c -- per-worker CPU over a window (harness/workers.c): Jain's index, the window
 * between two snapshots and the shares' CSV text over tables; then the /proc reader against a
 * real tree, two child processes and a thread that burn known, unequal amounts of CPU. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "workers.h"

#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

static void test_jain(void **state)
{
	static const struct {
		double x[4];
		int n;
		double jain;
	} cases[] = {
		{ { 1, 1, 1, 1 }, 4, 1.0 },
		{ { 5, 0, 0, 0 }, 4, 0.25 },    /* one took everything: 1/n */
		{ { 3, 1 }, 2, 0.8 },           /* 16 / (2 * 10) */
		{ { 87, 5, 4, 4 }, 4, 0.3278 }, /* 10000 / (4 * 7626) */
		{ { 2 }, 1, 1.0 },
		{ { 0, 0 }, 2, WORKERS_JAIN_UNDEFINED },
		{ { 0 }, 0, WORKERS_JAIN_UNDEFINED },
	};
	(void)state;
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		double j = workers_jain(cases[i].x, cases[i].n);
		if (fabs(j - cases[i].jain) > 1e-4)
			fail_msg("case %zu (%g %g %g %g over %d): %.4f, expected %.4f", i,
			         cases[i].x[0], cases[i].x[1], cases[i].x[2], cases[i].x[3],
			         cases[i].n, j, cases[i].jain);
	}
}

/* Two snapshots as tables: (tid, ticks) before and after, the main thread (tid 100) left out. */
static void test_window(void **state)
{
	static const struct {
		const char *name;
		struct workers_task before[4], after[4];
		int nb, na;
		int n;           /* workers in the window */
		double cpu_s[4]; /* largest first */
		double total_s;
		const char *shares;
	} cases[] = {
		{ "even pair",
		  { { 100, 50 }, { 101, 10 }, { 102, 20 } },
		  { { 100, 90 }, { 101, 110 }, { 102, 120 } },
		  3,
		  3,
		  2,
		  { 1.0, 1.0 },
		  2.0,
		  "0.50/0.50" },
		{ "one took it",
		  { { 101, 0 }, { 102, 0 }, { 103, 0 } },
		  { { 101, 300 }, { 102, 0 }, { 103, 100 } },
		  3,
		  3,
		  3,
		  { 3.0, 1.0, 0 },
		  4.0,
		  "0.75/0.25/0.00" },
		{ "born in the window",
		  { { 101, 40 } },
		  { { 101, 60 }, { 104, 60 } },
		  1,
		  2,
		  2,
		  { 0.6, 0.2 },
		  0.8,
		  "0.75/0.25" },
		{ "gone by the end",
		  { { 101, 40 }, { 105, 70 } },
		  { { 101, 60 } },
		  2,
		  1,
		  1,
		  { 0.2 },
		  0.2,
		  "1.00" },
		{ "idle",
		  { { 101, 5 }, { 102, 5 } },
		  { { 101, 5 }, { 102, 5 } },
		  2,
		  2,
		  2,
		  { 0, 0 },
		  0,
		  "" },
		{ "main only", { { 100, 5 } }, { { 100, 50 } }, 1, 1, 0, { 0 }, 0, "" },
	};
	(void)state;
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		static struct workers_snap before, after;
		static struct workers_window w;
		char shares[64];

		before.n = cases[i].nb;
		after.n = cases[i].na;
		memcpy(before.task, cases[i].before, sizeof(cases[i].before));
		memcpy(after.task, cases[i].after, sizeof(cases[i].after));
		workers_window_of(&before, &after, 100, 100, &w);
		workers_format_shares(&w, shares, sizeof(shares));
		if (w.n != cases[i].n || fabs(w.total_s - cases[i].total_s) > 1e-9 ||
		    strcmp(shares, cases[i].shares))
			fail_msg("%s: %d workers, %.2f s, shares \"%s\"", cases[i].name, w.n,
			         w.total_s, shares);
		for (int k = 0; k < w.n; k++)
			if (fabs(w.cpu_s[k] - cases[i].cpu_s[k]) > 1e-9)
				fail_msg("%s: worker %d: %.2f s, expected %.2f", cases[i].name, k,
				         w.cpu_s[k], cases[i].cpu_s[k]);
		if (fabs(w.jain - workers_jain(cases[i].cpu_s, cases[i].n)) > 1e-9)
			fail_msg("%s: Jain %.4f", cases[i].name, w.jain);
	}
}

/* A buffer too small for every share holds the whole ones that fit, never half of one, then
 * how many it left out; workers_count reads the total back. */
static void test_shares_truncated(void **state)
{
	static struct workers_window w = { .n = 3, .cpu_s = { 2, 1, 1 }, .total_s = 4 };
	static const struct {
		size_t len;
		const char *text;
	} cases[] = { { 64, "0.50/0.25/0.25" },
		      { 15, "0.50/0.25/0.25" },
		      { 14, "0.50/+2" },
		      { 13, "0.50/+2" },
		      { 12, "+3" },
		      { 4, "+3" },
		      { 3, "+3" },
		      { 1, "" } };
	(void)state;
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		char buf[64];
		workers_format_shares(&w, buf, cases[i].len);
		if (strcmp(buf, cases[i].text) || (buf[0] && workers_count(buf) != 3))
			fail_msg("in %zu bytes: \"%s\" (%d workers), expected \"%s\"", cases[i].len,
			         buf, workers_count(buf), cases[i].text);
	}
	assert_int_equal(workers_count(""), 0);
	assert_int_equal(workers_count("0.87/0.05/0.04/0.04"), 4);
	assert_int_equal(workers_count("0.01/0.01/+254"), 256);
}

/* Burn about `ms` of CPU. */
static void burn(long ms)
{
	struct timespec t0, t;
	volatile unsigned long spin = 0;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	do {
		for (int i = 0; i < 100000; i++)
			spin += (unsigned long)i;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
}

/* A thread that burns 100 ms, says so on done[1], and lives on until quit[0] is readable: a
 * thread that has been joined is gone from /proc with its CPU time. */
struct burner {
	int done[2], quit[2];
};

static void *thread_burn(void *arg)
{
	struct burner *b = arg;
	char c;

	burn(100);
	if (write(b->done[1], "x", 1) != 1 || read(b->quit[0], &c, 1) != 1)
		return NULL;
	return NULL;
}

/* Children that wait for a byte on go, burn ms of CPU, say so on done, and wait to be killed. */
static pid_t child(long ms, int go, int done)
{
	pid_t pid = fork();
	char c;

	if (pid != 0)
		return pid;
	if (read(go, &c, 1) != 1)
		_exit(1);
	burn(ms);
	if (write(done, "x", 1) != 1)
		_exit(1);
	pause();
	_exit(0);
}

/* The real /proc: this process (its main thread left out) with a thread burning 100 ms and
 * children burning 300 and 100 ms, all inside the window: 3 workers of 0.3, 0.1 and 0.1 s within
 * a few ticks (on a shared machine CPU times stay what they are, only the wall time grows). A
 * tree whose root is gone is -1. */
static void test_snapshot_real_tree(void **state)
{
	static struct workers_snap before, after;
	static struct workers_window w;
	struct burner t;
	int go[2];
	pthread_t th;
	char c, shares[64];

	(void)state;
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(t.done), 0);
	assert_int_equal(pipe(t.quit), 0);
	pid_t a = child(300, go[0], t.done[1]), b = child(100, go[0], t.done[1]);
	assert_true(a > 0 && b > 0);
	assert_int_equal(workers_snapshot(getpid(), &before), 0);
	assert_int_equal(write(go[1], "xx", 2), 2);
	assert_int_equal(pthread_create(&th, NULL, thread_burn, &t), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(read(t.done[0], &c, 1), 1);
	assert_int_equal(workers_snapshot(getpid(), &after), 0);
	assert_int_equal(write(t.quit[1], "x", 1), 1);
	pthread_join(th, NULL);
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
	for (int i = 0; i < 2; i++) {
		close(go[i]);
		close(t.done[i]);
		close(t.quit[i]);
	}
	workers_window_of(&before, &after, getpid(), (double)sysconf(_SC_CLK_TCK), &w);
	workers_format_shares(&w, shares, sizeof(shares));
	/* Jain: 0.5^2 / (3 * (0.09 + 0.01 + 0.01)) = 0.758 */
	if (w.n != 3 || fabs(w.cpu_s[0] - 0.3) > 0.04 || fabs(w.cpu_s[1] - 0.1) > 0.04 ||
	    fabs(w.cpu_s[2] - 0.1) > 0.04 || fabs(w.jain - 0.758) > 0.08)
		fail_msg("%d workers, %.2f %.2f %.2f s (shares %s), Jain %.3f", w.n, w.cpu_s[0],
		         w.cpu_s[1], w.cpu_s[2], shares, w.jain);
	assert_int_equal(workers_snapshot(999999999, &after), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jain),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_shares_truncated),
		cmocka_unit_test(test_snapshot_real_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
