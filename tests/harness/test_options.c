/* test_options.c -- the option table: each row reaches its field, bad input exits 2, --help 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "options.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_ARGS 10

/* The fields the rows set, one canonical line, each word followed by a blank. */
static void describe(const struct options *o, char *buf, size_t len)
{
	const struct plan *p = &o->plan;
	char models[256], *b;

	/* the model list as one word: its blanks as '+' */
	snprintf(models, sizeof(models), "%s", o->models ? o->models : "-");
	for (b = models; (b = strchr(b, ' '));)
		*b = '+';
	snprintf(buf, len,
	         "reps=%d set_reps=%d dur=%d set_dur=%d quick=%d warmup=%d cells=%d tool=%s "
	         "set_tool=%d close=%s paths=%d pin=%d workers=%d threads=%d levels=%d "
	         "modes=%d scenarios=%d ncells=%d wait=%d timeout=%d bin=%s host=%s "
	         "refs=%d compare=%d dry=%d remote=%d prefix=%s replot=%s full=%d ladder=%d "
	         "models=%s ",
	         p->reps, o->set_reps, p->duration_s, o->set_duration, p->quick, p->warmup,
	         o->set_cells, o->tool, o->set_tool, o->close_tool ? o->close_tool : "-",
	         o->nmodel_paths, o->pin, p->workers, o->client_threads, p->nlevels, p->nmodes,
	         p->nscenarios, p->ncells, o->start_wait_ms, o->sock_timeout_s, o->bin_dir, o->host,
	         o->refs, o->compare, o->dry_run, o->allow_remote,
	         o->client_prefix ? o->client_prefix : "-", o->replot ? o->replot : "-",
	         options_full_plan(o), o->ladder, models);
}

/* argv[0] "harness" then args (NULL-terminated) into argv; the count. */
static int make_argv(const char *const *args, char **argv)
{
	int n = 0;

	argv[n++] = "harness";
	while (n < MAX_ARGS + 1 && args[n - 1])
		argv[n] = (char *)args[n - 1], n++;
	argv[n] = NULL;
	return n;
}

/* Good command lines: every word of want is in the description of what they set. */
static void test_rows_set_fields(void **state)
{
	static const struct {
		const char *args[MAX_ARGS];
		const char *want;
	} cases[] = {
		{ { NULL },
		  "reps=0 dur=0 quick=0 warmup=1 cells=0 tool=ab close=- pin=1 workers=0 wait=5000 "
		  "timeout=5 bin=bin host=127.0.0.1 refs=0 compare=0 dry=0 full=1" },
		{ { "--reps", "7", "--duration", "3", NULL },
		  "reps=7 set_reps=1 dur=3 set_dur=1 full=0" },
		{ { "--quick", NULL }, "quick=1 warmup=0 cells=1 full=0" },
		{ { "--no-warmup", NULL }, "quick=0 warmup=0 cells=0" },
		{ { "--tool", "wrk", NULL }, "tool=wrk set_tool=1 full=1" },
		{ { "--model-path", "a=/x", "--model-path", "b=/y", NULL }, "paths=2" },
		{ { "--pin", "0", "--workers", "8", "--client-threads", "2", NULL },
		  "pin=0 workers=8 threads=2 full=1" },
		{ { "--levels", "1,8", "--modes", "close", NULL },
		  "cells=1 levels=2 modes=1 full=0" },
		{ { "--scenarios", "idle", NULL }, "scenarios=1 full=0" },
		{ { "--models", "epoll", NULL }, "full=0" },
		{ { "--refs", NULL }, "refs=1 full=1" },
		{ { "--compare", NULL },
		  "tool=wrk close=ab ncells=3 compare=1 reps=5 dur=2 full=0" },
		{ { "--compare", "--reps", "9", NULL }, "reps=9 ncells=3" },
		{ { "--ladder", NULL },
		  "tool=wrk close=ab ncells=8 scenarios=4 ladder=1 reps=5 dur=1 full=0 "
		  "models=epoll+ref-nginx+io_uring:*" },
		{ { "--ladder", "--models", "epoll io_uring:basic", "--reps", "2", NULL },
		  "reps=2 dur=1 ncells=8 models=epoll+io_uring:basic" },
		{ { "--start-wait", "100", "--timeout", "3600", "--bin", "b", "--host", "::1",
		    NULL },
		  "wait=100 timeout=3600 bin=b host=::1" },
		{ { "--refs", "--dry-run", "--allow-remote", "--replot", "x", NULL },
		  "refs=1 dry=1 remote=1 replot=x" },
		{ { "--client-prefix", "ssh far", NULL }, "prefix=ssh far" },
	};
	char *argv[MAX_ARGS + 2], got[1024], word[128];
	const char *w, *end;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct options o;
		int argc = make_argv(cases[i].args, argv);

		optind = 0; /* getopt_long starts over */
		options_parse(argc, argv, &o);
		describe(&o, got, sizeof(got));
		for (w = cases[i].want; *w; w = *end ? end + 1 : end) {
			end = strchr(w, ' ') ? strchr(w, ' ') : w + strlen(w);
			snprintf(word, sizeof(word), "%.*s ", (int)(end - w), w);
			if (!strstr(got, word))
				fail_msg("case %zu (%s...): want '%s' in: %s", i,
				         cases[i].args[0] ? cases[i].args[0] : "no options", word,
				         got);
		}
	}
}

/* Command lines that end the process: bad ones exit 2, --help exits 0. */
static void test_exits(void **state)
{
	static const struct {
		const char *args[MAX_ARGS];
		int status;
	} cases[] = {
		{ { "--reps", "0", NULL }, 2 },
		{ { "--reps", "1001", NULL }, 2 },
		{ { "--pin", "2", NULL }, 2 },
		{ { "--duration", "x", NULL }, 2 },
		{ { "--bogus", NULL }, 2 },
		{ { "extra", NULL }, 2 },
		{ { "--modes", "sideways", NULL }, 2 },
		{ { "--levels", "x", NULL }, 2 },
		{ { "--scenarios", "nosuch", NULL }, 2 },
		{ { "--model-path", "noeq", NULL }, 2 },
		{ { "--client-prefix", "", NULL }, 2 },
		{ { "--compare", "--levels", "8", NULL }, 2 },
		{ { "--compare", "--scenarios", "hello", NULL }, 2 },
		{ { "--compare", "--tool", "ab", NULL }, 2 },
		{ { "--ladder", "--levels", "8", NULL }, 2 },
		{ { "--ladder", "--scenarios", "hello", NULL }, 2 },
		{ { "--ladder", "--compare", NULL }, 2 },
		{ { "--ladder", "--tool", "ab", NULL }, 2 },
		{ { "--help", NULL }, 0 },
		{ { "--help", "--reps", "0", NULL }, 0 },
	};
	char *argv[MAX_ARGS + 2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct options o;
		int argc = make_argv(cases[i].args, argv), status;
		pid_t pid;

		fflush(stdout);
		if ((pid = fork()) == 0) {
			/* the child's words are not the test's: quiet them */
			if (!freopen("/dev/null", "w", stdout) ||
			    !freopen("/dev/null", "w", stderr))
				_exit(99);
			optind = 0;
			options_parse(argc, argv, &o);
			_exit(42); /* parsed: it did not exit */
		}
		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != cases[i].status)
			fail_msg("case %zu (%s %s): exit %d, want %d", i, cases[i].args[0],
			         cases[i].args[1] ? cases[i].args[1] : "",
			         WIFEXITED(status) ? WEXITSTATUS(status) : -1, cases[i].status);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_set_fields),
		cmocka_unit_test(test_exits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
