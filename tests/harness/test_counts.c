/* test_counts.c -- the perf stat parser over output captured from real runs
 * (tests/harness/capture-counts.sh) and written cases, then perf attached for real to a
 * tree whose child is created inside the window (skipped where perf cannot count). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "counts.h"
#include "countpass.h"
#include "syscalls.h"
#include "util.h"

#include "fixture.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct parse_case {
	const char *name; /* a fixture's name, or a label for text */
	const char *text; /* NULL: read the fixture NAME.perf */
	int ret;          /* counts_parse's answer */
	double syscalls, ctx, migrations, instructions;
	int nsys;          /* breakdown lines */
	const char *first; /* the most frequent call, or NULL */
	double first_n;
};

static const struct parse_case parse_cases[] = {
	/* fork in close mode: the children's calls are in the total (28.7 per request) */
	{ "counts-fork-close", NULL, 0, 57481, 1610, 21, -1, 0, NULL, 0 },
	{ "counts-epoll-breakdown", NULL, 0, 41930, 1779, 0, -1, 7, "recvfrom", 20001 },
	/* perf could not attach: an empty -o file */
	{ "counts-gone", NULL, -1, -1, -1, -1, -1, 0, NULL, 0 },
	{ "pmu", "12,,raw_syscalls:sys_enter,1,100.00,,\n5000,,instructions:u,1,100.00,,\n", 0, 12,
	  -1, -1, 5000, 0, NULL, 0 },
	{ "not counted", "<not counted>,,context-switches,0,0.00,,\n", 0, -1, -1, -1, -1, 0, NULL,
	  0 },
	{ "a lookalike event", "7,,context-switches-x,1,100.00,,\n", -1, -1, -1, -1, -1, 0, NULL,
	  0 },
	{ "no trailing newline", "# c\n\n3,,cpu-migrations,1,100.00,,", 0, -1, -1, 3, -1, 0, NULL,
	  0 },
	{ "perf's complaint", "Problems finding threads of monitor\n", -1, -1, -1, -1, -1, 0, NULL,
	  0 },
	{ "empty", "", -1, -1, -1, -1, -1, 0, NULL, 0 },
};

static void check_value(const char *name, const char *what, double got, double want)
{
	if (got != want)
		fail_msg("%s: %s is %.0f, expected %.0f", name, what, got, want);
}

static void test_parse(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *t = &parse_cases[i];
		char *text = t->text ? strdup(t->text) : fixture(t->name, "perf");
		struct counts c;
		int r = counts_parse(text, &c), k;

		if (r != t->ret)
			fail_msg("%s: counts_parse returned %d, expected %d", t->name, r, t->ret);
		check_value(t->name, "syscalls", c.syscalls, t->syscalls);
		check_value(t->name, "context switches", c.ctx_switches, t->ctx);
		check_value(t->name, "migrations", c.migrations, t->migrations);
		check_value(t->name, "instructions", c.instructions, t->instructions);
		if (c.nsys != t->nsys)
			fail_msg("%s: %d breakdown lines, expected %d", t->name, c.nsys, t->nsys);
		if (t->first && (strcmp(c.sys[0].name, t->first) || c.sys[0].n != t->first_n))
			fail_msg("%s: first call %s %.0f, expected %s %.0f", t->name, c.sys[0].name,
			         c.sys[0].n, t->first, t->first_n);
		for (k = 1; k < c.nsys; k++)
			if (c.sys[k].n > c.sys[k - 1].n)
				fail_msg("%s: breakdown not most frequent first at %s", t->name,
				         c.sys[k].name);
		if (c.recv_sqes != -1)
			fail_msg("%s: receive SQEs %.0f without their event", t->name, c.recv_sqes);
		free(text);
	}
}

/* The receive SQEs' event: its own figure, never a call of the breakdown. */
static void test_parse_recv(void **state)
{
	struct counts c;

	(void)state;
	assert_int_equal(counts_parse("12,,raw_syscalls:sys_enter,1,100.00,,\n"
	                              "7,,io_uring:io_uring_submit_req,1,100.00,,\n",
	                              &c),
	                 0);
	assert_true(c.syscalls == 12 && c.recv_sqes == 7 && c.nsys == 0);
	assert_int_equal(counts_parse("0,,io_uring:io_uring_submit_req,1,100.00,,\n", &c), 0);
	assert_true(c.recv_sqes == 0 && c.syscalls == -1);
}

#define CALLS_BEFORE 5000 /* outside the window: must not be counted */
#define CALLS_INSIDE 1000 /* by a grandchild forked inside it: must be */

static void spin(int n)
{
	while (n-- > 0)
		syscall(SYS_getppid);
}

/*
 * The tree: a child that makes CALLS_BEFORE calls, says so, waits for "go", then forks
 * a grandchild that makes CALLS_INSIDE calls and exits, reaps it and says "done".
 */
static pid_t tree_start(int *go, int *done)
{
	int down[2], up[2];
	pid_t pid;
	char b;

	if (pipe(down) < 0 || pipe(up) < 0)
		return -1;
	if ((pid = fork()) == 0) {
		close(down[1]);
		close(up[0]);
		spin(CALLS_BEFORE);
		if (write(up[1], "r", 1) != 1 || read(down[0], &b, 1) != 1)
			_exit(1);
		pid_t g = fork();
		if (g == 0) {
			spin(CALLS_INSIDE);
			_exit(0);
		}
		waitpid(g, NULL, 0);
		if (write(up[1], "d", 1) != 1 || read(down[0], &b, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	*go = down[1];
	*done = up[0];
	return pid;
}

/*
 * One live count of tree_start's tree, with or without the breakdown (which also asks for
 * the receive SQEs where the kernel has their tracepoint: the tree submits none).
 */
static void live(int pmu, int breakdown)
{
	char out[] = "/tmp/test-counts-XXXXXX", err[sizeof(out) + 4];
	struct counts_run r;
	struct counts c;
	struct stat st;
	int go = -1, done = -1, fd;
	pid_t child;
	char b;

	if ((fd = mkstemp(out)) < 0)
		fail_msg("mkstemp");
	close(fd);
	snprintf(err, sizeof(err), "%s.err", out);
	child = tree_start(&go, &done);
	assert_true(child > 0);
	assert_int_equal(read(done, &b, 1), 1); /* CALLS_BEFORE made */
	assert_int_equal(counts_start(&r, child, out, breakdown), 0);
	assert_int_equal(counts_enable(&r), 0);
	assert_int_equal(write(go, "g", 1), 1);
	assert_int_equal(read(done, &b, 1), 1); /* the grandchild came and went */
	assert_int_equal(counts_finish(&r, &c), 0);
	close(go);
	waitpid(child, NULL, 0);
	close(done);
	unlink(out);
	unlink(err);
	/* write, read, fork, wait4 and the grandchild's exit come on top */
	if (c.syscalls < CALLS_INSIDE || c.syscalls > CALLS_INSIDE + 100)
		fail_msg("counted %.0f syscalls, expected %d and the fork's few", c.syscalls,
		         CALLS_INSIDE);
	assert_true(c.ctx_switches >= 1);
	assert_true(pmu ? c.instructions > 0 : c.instructions == -1);
	if (breakdown && stat("/sys/kernel/tracing/events/io_uring/io_uring_submit_req", &st) == 0)
		assert_true(c.recv_sqes == 0); /* the filtered tracepoint was attached */
	else
		assert_true(c.recv_sqes == -1);
}

static void test_live(void **state)
{
	char why[256];
	int pmu;

	(void)state;
	if (counts_probe(&pmu, why, sizeof(why)) < 0) {
		printf("test_counts: live test skipped: %s\n", why);
		skip();
	}
	live(pmu, 0);
	live(pmu, 1);
}

/* A tree that is gone: counts_enable fails, counts_finish says unknown and leaves nothing. */
static void test_gone(void **state)
{
	char why[256], out[] = "/tmp/test-counts-XXXXXX", err[sizeof(out) + 4];
	struct counts_run r;
	struct counts c;
	int pmu, fd;
	pid_t child;

	(void)state;
	if (counts_probe(&pmu, why, sizeof(why)) < 0)
		skip();
	if ((fd = mkstemp(out)) < 0)
		fail_msg("mkstemp");
	close(fd);
	snprintf(err, sizeof(err), "%s.err", out);
	if ((child = fork()) == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	/* the pid is reaped: perf cannot attach (or the tree list is already empty) */
	if (counts_start(&r, child, out, 1) == 0) {
		assert_int_equal(counts_enable(&r), -1);
		assert_int_equal(counts_finish(&r, &c), -1);
		assert_true(c.syscalls == -1 && c.nsys == 0);
	}
	unlink(out);
	unlink(err);
}

/*
 * perf refused (a fake perf first in PATH that says what a paranoid kernel says and exits):
 * the probe gives its words, and a counting attempt fails cleanly, without a SIGPIPE.
 */
static void test_refused(void **state)
{
	char dir[] = "/tmp/test-counts-perf-XXXXXX", path[64], why[256], *old, *saved;
	char out[] = "/tmp/test-counts-XXXXXX", err[sizeof(out) + 4];
	struct counts_run r;
	struct counts c;
	int pmu, fd;
	pid_t child;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/perf", dir);
	assert_int_equal(util_write_file(path,
	                                 "#!/bin/sh\necho 'Error: perf_event_paranoid setting is "
	                                 "4: access denied' >&2\nexit 255\n",
	                                 85),
	                 0);
	assert_int_equal(chmod(path, 0755), 0);
	old = getenv("PATH");
	saved = strdup(old ? old : "");
	setenv("PATH", dir, 1);
	assert_int_equal(counts_probe(&pmu, why, sizeof(why)), -1);
	if (!strstr(why, "perf_event_paranoid"))
		fail_msg("probe's reason: %s", why);
	if ((fd = mkstemp(out)) < 0)
		fail_msg("mkstemp");
	close(fd);
	snprintf(err, sizeof(err), "%s.err", out);
	if ((child = fork()) == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlives a test that failed */
		pause();
		_exit(0);
	}
	assert_int_equal(counts_start(&r, child, out, 1), 0);
	assert_int_equal(counts_enable(&r), -1); /* perf is gone: EPIPE or EOF, never SIGPIPE */
	assert_int_equal(counts_finish(&r, &c), -1);
	assert_true(c.syscalls == -1);
	setenv("PATH", saved, 1);
	free(saved);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	unlink(out);
	unlink(err);
	unlink(path);
	rmdir(dir);
}

/*
 * The pass keeps an ok counting run per cell, fills that cell's rows per request, never
 * another cell's, and writes its breakdown to counts.csv, "other" and "all" included.
 */
static void test_pass(void **state)
{
	char dir[] = "/tmp/test-countpass-XXXXXX", path[64], *text, *csv;
	struct countpass_cell key = { .scenario = 0, .model = 1, .mode = 1, .level = 32 };
	struct countpass_cell other = key;
	struct record_ids ids = {
		.scenario = "hello", .model = "epoll", .mode = "keepalive", .concurrency = 32
	};
	struct run_outcome out, bad;
	struct record_row row;
	struct countpass cp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(countpass_open(&cp, dir), 0);
	memset(&out, 0, sizeof(out));
	text = fixture("counts-epoll-breakdown", "perf");
	assert_int_equal(counts_parse(text, &out.counts), 0);
	free(text);
	snprintf(out.status, sizeof(out.status), "ok");
	out.res.requests = 20000;
	out.counts.recv_sqes = 80;
	bad = out;
	snprintf(bad.status, sizeof(bad.status), "errors");
	other.level = 8;
	countpass_add(&cp, &other, &ids, &bad); /* not ok: not kept */
	countpass_add(&cp, &key, &ids, &out);
	row.syscalls_per_req = row.instructions_per_req = -1;
	countpass_fill(&cp, &other, &row);
	assert_true(row.syscalls_per_req == -1);
	countpass_fill(&cp, &key, &row);
	assert_true(fabs(row.syscalls_per_req - 41930 / 20000.0) < 1e-9);
	assert_true(fabs(row.ctx_switches_per_req - 1779 / 20000.0) < 1e-9);
	assert_true(row.migrations_per_req == 0 && row.instructions_per_req == -1);
	countpass_close(&cp);
	snprintf(path, sizeof(path), "%s/counts.csv", dir);
	csv = util_read_file(path, NULL);
	assert_non_null(csv);
	assert_true(strncmp(csv, countpass_header(), strlen(countpass_header())) == 0);
	assert_non_null(strstr(csv, "\nhello,epoll,keepalive,32,0,20000,recvfrom,1.0001\n"));
	assert_non_null(strstr(csv, ",20000,other,0.0032\n")); /* 41930 less the 41865 named */
	assert_non_null(strstr(csv, ",20000,all,2.0965\n"));
	assert_non_null(strstr(csv, ",20000,sqe:recv,0.0040\n")); /* not in other, nor all */
	assert_null(strstr(csv, ",sendto,"));                     /* entered 0 times: no line */
	free(csv);
	unlink(path);
	rmdir(dir);
}

/* counts.csv back: the cell nearest c=32, calls by share first, the rest in "other". */
static void test_breakdown(void **state)
{
	static const char csv[] =
	    "scenario,model,mode,concurrency,idle_conns,requests,call,per_req\n"
	    "hello,epoll,keepalive,8,0,100,recvfrom,9.0\n"
	    "hello,epoll,keepalive,32,0,100,recvfrom,1.0001\n"
	    "hello,epoll,keepalive,32,0,100,sendmsg,1.0\n"
	    "hello,epoll,keepalive,32,0,100,epoll_pwait,0.094\n"
	    "hello,epoll,keepalive,32,0,100,other,0.003\n"
	    "hello,epoll,keepalive,32,0,100,all,2.0971\n"
	    "hello,io_uring,keepalive,32,0,100,io_uring_enter,0.55\n"
	    "hello,io_uring,keepalive,32,0,100,all,0.55\n"
	    "hello,io_uring,keepalive,32,0,100,sqe:recv,0.004\n";
	static const char *const bad[] = {
		"h\nhello,epoll,keepalive,32,0,100,recvfrom\n",
		"h\nhello,epoll,keepalive,32,0,100,recvfrom,1.0,extra\n",
		"h\nhello,epoll,keepalive,x,0,100,recvfrom,1.0\n",
	};
	struct syscalls_row *rows;
	char *text = NULL;
	size_t len = 0, i;
	int n, line;
	FILE *f;

	(void)state;
	assert_int_equal(syscalls_parse(csv, &rows, &n, &line), 0);
	assert_int_equal(n, 9);
	assert_non_null(f = open_memstream(&text, &len));
	syscalls_write_md(f, rows, n, "../plots/x");
	fclose(f);
	if (!strstr(text, "## hello, keepalive, c=32\n") ||
	    /* ranked by share of one model's calls: io_uring_enter is all of io_uring's */
	    !strstr(text, "| model | io_uring_enter | recvfrom | sendmsg | epoll_pwait | other | "
	                  "all |\n") ||
	    !strstr(text, "| epoll | 0.00 | 1.00 | 1.00 | 0.09 | 0.00 | 2.10 |\n") ||
	    !strstr(text, "| io_uring | 0.55 | 0.00 | 0.00 | 0.00 | 0.00 | 0.55 |\n") ||
	    !strstr(text, "(../plots/x/hello-syscalls-keepalive.png)") || strstr(text, "9.00") ||
	    strstr(text, "sqe:recv")) /* not a system call: no column, not in other */
		fail_msg("breakdown table:\n%s", text);
	free(text);
	free(rows);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (syscalls_parse(bad[i], &rows, &n, &line) != -1 || line != 2)
			fail_msg("malformed counts.csv accepted: %s", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),     cmocka_unit_test(test_parse_recv),
		cmocka_unit_test(test_live),      cmocka_unit_test(test_gone),
		cmocka_unit_test(test_refused),   cmocka_unit_test(test_pass),
		cmocka_unit_test(test_breakdown),
	};

	/* SIGPIPE left as it is: a perf that is gone must not kill its caller (test_gone) */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
