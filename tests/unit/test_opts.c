/* test_opts.c -- the shared command line with a model's own option (opts_parse_choice). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <getopt.h>

#include "opts.h"

#define MAX_ARGS 8

static const char *const steps[] = { "basic", "fastpoll", "sqpoll", NULL };

struct choice_case {
	const char *args[MAX_ARGS]; /* after argv[0], NULL-terminated */
	int index;                  /* the choice's index after parsing */
	int timeout;                /* --timeout, to see the rest still parsed */
};

/*
 * Well-formed command lines only: a bad value exits 2 (docs/design.md),
 * which a forked child under the suite's valgrind cannot report (its
 * inherited cmocka state counts as a leak); the integration suite's
 * io_uring run and `--uring nosuch` by hand cover that path.
 */
static const struct choice_case cases[] = {
	{ { NULL }, 1, 10 }, /* the default index is kept */
	{ { "--uring", "basic", NULL }, 0, 10 },
	{ { "--uring=sqpoll", NULL }, 2, 10 },
	{ { "--timeout", "3", "--uring", "fastpoll", NULL }, 1, 3 },
	{ { "--uring", "basic", "--uring", "sqpoll", NULL }, 2, 10 }, /* the last one wins */
	{ { "--urin", "basic", NULL }, 0, 10 }, /* getopt_long takes an unambiguous prefix */
	{ { "--uring", "fastpoll", "--timeout=7", NULL }, 1, 7 },
};

static void test_choice_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct choice_case *c = &cases[i];
		struct opts_choice ch = {
			.name = "uring", .values = steps, .index = 1, .help = "h"
		};
		char *argv[MAX_ARGS + 2] = { "model" };
		struct opts o;
		int argc = 1;

		for (int j = 0; c->args[j]; j++)
			argv[argc++] = (char *)c->args[j];
		optind = 1;
		opts_parse_choice(argc, argv, "model", "summary", &ch, &o);
		if (ch.index != c->index || o.timeout != c->timeout)
			fail_msg("case %zu (%s %s): index %d timeout %d, expected %d %d", i,
			         c->args[0] ? c->args[0] : "",
			         c->args[0] && c->args[1] ? c->args[1] : "", ch.index, o.timeout,
			         c->index, c->timeout);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_choice_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
