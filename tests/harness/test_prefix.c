/* test_prefix.c -- CLIENT_PREFIX: its words, the script behind it (run by a real sh), the
 * accounting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "prefix.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_split(void **state)
{
	static const struct {
		const char *in;
		int n;              /* -1: refused */
		const char *joined; /* the words joined by '|' */
	} cases[] = {
		{ "ssh loadgen", 2, "ssh|loadgen" },
		{ "ip netns exec smbench-client", 4, "ip|netns|exec|smbench-client" },
		{ "  ssh\t-p 2222  box \n", 4, "ssh|-p|2222|box" },
		{ "taskset", 1, "taskset" },
		{ "", -1, "" },
		{ " \t\n", -1, "" },
		{ "a b c d e", -1, "" }, /* more than max (4) */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[128], joined[128] = "", *words[4];
		int n = prefix_split(cases[i].in, buf, sizeof(buf), words, 4), k;

		for (k = 0; k < n; k++) {
			strcat(joined, k ? "|" : "");
			strcat(joined, words[k]);
		}
		if (n != cases[i].n || (n > 0 && strcmp(joined, cases[i].joined)))
			fail_msg("'%s': %d words '%s'; want %d '%s'", cases[i].in, n, joined,
			         cases[i].n, cases[i].joined);
	}
	{
		char small[4], *words[4];

		assert_int_equal(prefix_split("ssh loadgen", small, sizeof(small), words, 4), -1);
	}
}

/* Run script with `sh -s` (as behind a prefix); its stdout and stderr into out and err. */
static int run_sh(const char *script, char *out, size_t outlen, char *err, size_t errlen)
{
	char tmpl_o[] = "/tmp/test_prefix.o.XXXXXX", tmpl_e[] = "/tmp/test_prefix.e.XXXXXX";
	int in[2], fo = mkstemp(tmpl_o), fe = mkstemp(tmpl_e), status = -1;
	FILE *f;
	pid_t pid;
	size_t n;

	if (fo < 0 || fe < 0 || pipe(in) < 0)
		fail_msg("mkstemp/pipe");
	if (write(in[1], script, strlen(script)) != (ssize_t)strlen(script))
		fail_msg("write script");
	close(in[1]);
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(fo, 1);
		dup2(fe, 2);
		execlp("sh", "sh", "-s", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	waitpid(pid, &status, 0);
	f = fopen(tmpl_o, "r");
	n = f ? fread(out, 1, outlen - 1, f) : 0;
	out[n] = '\0';
	if (f)
		fclose(f);
	f = fopen(tmpl_e, "r");
	n = f ? fread(err, 1, errlen - 1, f) : 0;
	err[n] = '\0';
	if (f)
		fclose(f);
	close(fo);
	close(fe);
	unlink(tmpl_o);
	unlink(tmpl_e);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_script_runs(void **state)
{
	/* Words a naive join would break: blanks, quotes, $, globs, a header with a colon. */
	char *argv[] = { "printf", "[%s]", "Connection: close", "it's", "$HOME", "*", "a\"b", "",
		         "-H",     NULL };
	char *fail[] = { "sh", "-c", "echo oops >&2; exit 3", NULL };
	char script[1024], out[256], err[512];
	double cpu, wall;

	(void)state;
	assert_true(prefix_script(argv, script, sizeof(script)) > 0);
	assert_int_equal(run_sh(script, out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "[Connection: close][it's][$HOME][*][a\"b][][-H]");
	assert_int_equal(prefix_account(err, &cpu, &wall), 0);
	assert_string_equal(err, ""); /* only the tool's own lines stay */
	assert_true(cpu >= 0 && cpu < 5);
	assert_true(wall >= 0 && wall < 5);

	/* The tool's status and stderr come through; the script's lines do not. */
	assert_true(prefix_script(fail, script, sizeof(script)) > 0);
	assert_int_equal(run_sh(script, out, sizeof(out), err, sizeof(err)), 3);
	assert_int_equal(prefix_account(err, &cpu, &wall), 0);
	assert_string_equal(err, "oops\n");

	assert_int_equal(prefix_script(argv, script, 40), -1); /* too small: refused */
}

static void test_account(void **state)
{
	static const struct {
		const char *err;
		int rc;
		double cpu, wall; /* -1: unknown */
		const char *left; /* err after */
	} cases[] = {
		/* bash's times */
		{ "smbench-prefix-ran\nsmbench-prefix-wall 1000000000 3500000000\n0m0.001s "
		  "0m0.002s\n"
		  "0m1.250s 0m0.500s\n",
		  0, 1.75, 2.5, "" },
		/* dash's times, minutes, the tool's own stderr kept */
		{ "smbench-prefix-ran\nwarn: x\nsmbench-prefix-wall 5 2000000005\n"
		  "0m0.000000s 0m0.000000s\n1m2.500000s 0m0.500000s\n",
		  0, 63, 2, "warn: x\n" },
		/* a date without %N (busybox prints "%N" or nothing): wall unknown */
		{ "smbench-prefix-ran\nsmbench-prefix-wall 17N 19N\n0m0s 0m0s\n0m1.0s 0m1.0s\n", 0,
		  2, -1, "" },
		{ "smbench-prefix-ran\nsmbench-prefix-wall  \n0m0s 0m0s\n0m1.0s 0m1.0s\n", 0, 2, -1,
		  "" },
		/* killed before the end: nothing measured */
		{ "smbench-prefix-ran\nwrk: partial\n", 0, -1, -1, "wrk: partial\n" },
		/* the stamps run backwards: unknown */
		{ "smbench-prefix-ran\nsmbench-prefix-wall 9 5\n0m0s 0m0s\n0m1s 0m0s\n", 0, 1, -1,
		  "" },
		/* never started: the prefix failed, its words stay */
		{ "Cannot open network namespace \"x\": No such file or directory\n", -1, -1, -1,
		  "Cannot open network namespace \"x\": No such file or directory\n" },
		{ "", -1, -1, -1, "" },
		{ "ssh: Could not resolve hostname loadgen\n", -1, -1, -1,
		  "ssh: Could not resolve hostname loadgen\n" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[512];
		double cpu, wall;
		int rc;

		snprintf(err, sizeof(err), "%s", cases[i].err);
		rc = prefix_account(err, &cpu, &wall);
		if (rc != cases[i].rc || fabs(cpu - cases[i].cpu) > 1e-6 ||
		    fabs(wall - cases[i].wall) > 1e-6 || strcmp(err, cases[i].left))
			fail_msg("'%s': rc %d cpu %g wall %g left '%s'; want %d %g %g '%s'",
			         cases[i].err, rc, cpu, wall, err, cases[i].rc, cases[i].cpu,
			         cases[i].wall, cases[i].left);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_script_runs),
		cmocka_unit_test(test_account),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
