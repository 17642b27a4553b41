/* test_cpus.c -- CPU placement over synthetic machines: cpulists, topology trees, the split. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cpus.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cpu_set_t set_of(const char *list)
{
	cpu_set_t s;
	char err[200];

	if (cpus_parse(list, &s, err, sizeof(err)) < 0)
		fail_msg("test table: %s: %s", list, err);
	return s;
}

static void test_parse_format(void **state)
{
	static const struct {
		const char *in;
		const char *out; /* the formatted set, or NULL: an error containing err */
		const char *err;
	} cases[] = {
		{ "0-3,8", "0-3,8", NULL },
		{ " 1 \n", "1", NULL },
		{ "0,1,2", "0-2", NULL },
		{ "5,1", "1,5", NULL },
		{ "0-0", "0", NULL },
		{ "2-3,3-4", "2-4", NULL },
		{ "0-1,3,5-7", "0-1,3,5-7", NULL },
		{ "1023", "1023", NULL },
		{ "1024", NULL, "beyond" },
		{ "0-99999999999999999999", NULL, "beyond" },
		{ "", NULL, "empty" },
		{ " \n", NULL, "empty" },
		{ "a", NULL, "not a cpulist" },
		{ "0-", NULL, "not a cpulist" },
		{ "-1", NULL, "not a cpulist" },
		{ "1,,2", NULL, "not a cpulist" },
		{ "1,", NULL, "not a cpulist" },
		{ "0-3:2", NULL, "not a cpulist" },
		{ "1 2", NULL, "not a cpulist" },
		{ "0x1", NULL, "not a cpulist" },
		{ "3-1", NULL, "backwards" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cpu_set_t s;
		char err[200] = "", buf[64];
		int rc = cpus_parse(cases[i].in, &s, err, sizeof(err));

		if (cases[i].out) {
			if (rc != 0 || strcmp(cpus_format(&s, buf, sizeof(buf)), cases[i].out))
				fail_msg("'%s': rc %d, '%s', err '%s'; want '%s'", cases[i].in, rc,
				         rc ? "" : buf, err, cases[i].out);
		} else if (rc != -1 || !strstr(err, cases[i].err)) {
			fail_msg("'%s': rc %d err '%s'; want an error with '%s'", cases[i].in, rc,
			         err, cases[i].err);
		}
	}
}

static void test_format_edges(void **state)
{
	cpu_set_t s;
	char buf[8];

	(void)state;
	CPU_ZERO(&s);
	assert_string_equal(cpus_format(&s, buf, sizeof(buf)), "");
	s = set_of("0-1,3,5-7,9,11");
	cpus_format(&s, buf, sizeof(buf)); /* truncated, never overrun */
	assert_true(strlen(buf) < sizeof(buf));
}

/* How a synthetic machine's CPUs pair up into physical cores. */
enum layout {
	NO_TREE,  /* no topology files at all */
	NO_SMT,   /* one CPU per core */
	SMT_HALF, /* N and N + ncpu/2 share a core (Intel's numbering) */
	SMT_NEXT, /* 2k and 2k+1 share a core */
	SMT_QUAD, /* four CPUs per core */
	HYBRID,   /* the first ncpu-4 CPUs in SMT_NEXT pairs, then 4 single cores */
	BROKEN,   /* like NO_SMT but the last CPU has no core_id */
	ALIEN,    /* a siblings list that leaves the CPU itself out */
};

static const char *const layout_names[] = { "no-tree",  "no-smt", "smt-half", "smt-next",
	                                    "smt-quad", "hybrid", "broken",   "alien" };

struct machine {
	int ncpu;
	enum layout layout;
	int packages;
};

static void put(const char *dir, int cpu, const char *name, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/cpu%d/topology", dir, cpu);
	if (util_mkdir_p(path) < 0)
		fail_msg("mkdir %s", path);
	snprintf(path, sizeof(path), "%s/cpu%d/topology/%s", dir, cpu, name);
	if (util_write_file(path, text, strlen(text)) < 0)
		fail_msg("write %s", path);
}

/* Write m's topology tree under dir (a fresh directory). */
static void make_tree(const char *dir, const struct machine *m)
{
	int c, first, n = m->ncpu, half = n / 2;
	int per_pkg =
	    (m->layout == SMT_HALF ? half : n) / m->packages; /* first siblings per package */
	char text[64];

	for (c = 0; c < n && m->layout != NO_TREE; c++) {
		switch (m->layout) {
		case SMT_HALF:
			snprintf(text, sizeof(text), "%d,%d\n", c % half, c % half + half);
			first = c % half;
			break;
		case SMT_NEXT:
			first = c & ~1;
			snprintf(text, sizeof(text), "%d-%d\n", first, first + 1);
			break;
		case SMT_QUAD:
			first = c & ~3;
			snprintf(text, sizeof(text), "%d-%d\n", first, first + 3);
			break;
		case HYBRID:
			first = c < n - 4 ? c & ~1 : c;
			snprintf(text, sizeof(text), c < n - 4 ? "%d-%d\n" : "%d\n", first,
			         first + 1);
			break;
		case ALIEN:
			first = c;
			snprintf(text, sizeof(text), "%d\n", (c + 1) % n);
			break;
		default:
			first = c;
			snprintf(text, sizeof(text), "%d\n", c);
			break;
		}
		put(dir, c, "thread_siblings_list", text);
		snprintf(text, sizeof(text), "%d\n", first % per_pkg);
		if (!(m->layout == BROKEN && c == n - 1))
			put(dir, c, "core_id", text);
		snprintf(text, sizeof(text), "%d\n", first / per_pkg);
		put(dir, c, "physical_package_id", text);
	}
}

static void rm_tree(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fail_msg("%s", cmd);
}

static void test_split(void **state)
{
	static const struct {
		struct machine m;
		const char *mask; /* NULL: every CPU */
		int rc;
		const char *client, *server;
	} cases[] = {
		{ { 1, NO_SMT, 1 }, NULL, -1, "", "" },
		{ { 2, NO_SMT, 1 }, NULL, 0, "0", "1" },
		{ { 2, SMT_NEXT, 1 }, NULL, 0, "0", "1" }, /* one core: nothing better */
		{ { 3, NO_SMT, 1 }, NULL, 0, "0", "1-2" },
		{ { 4, NO_SMT, 1 }, NULL, 0, "0-1", "2-3" },
		{ { 4, SMT_HALF, 1 }, NULL, 0, "0,2", "1,3" },
		{ { 4, SMT_NEXT, 1 }, NULL, 0, "0-1", "2-3" },
		{ { 4, SMT_QUAD, 1 }, NULL, 0, "0-1", "2-3" }, /* one core: by count */
		{ { 4, NO_TREE, 1 }, NULL, 0, "0-1", "2-3" },
		{ { 5, NO_SMT, 1 }, NULL, 0, "0-1", "2-4" },
		{ { 6, SMT_NEXT, 1 }, NULL, 0, "0-1", "2-5" }, /* 3 cores: the client the smaller */
		{ { 8, SMT_QUAD, 1 }, NULL, 0, "0-3", "4-7" },
		{ { 12, HYBRID, 1 }, NULL, 0, "0-5", "6-11" },
		{ { 16, NO_SMT, 1 }, NULL, 0, "0-7", "8-15" },
		{ { 16, SMT_HALF, 1 }, NULL, 0, "0-3,8-11", "4-7,12-15" },
		{ { 16, SMT_NEXT, 1 }, NULL, 0, "0-7", "8-15" },
		{ { 16, SMT_HALF, 1 }, "0-3,8-11", 0, "0-1,8-9", "2-3,10-11" },
		{ { 16, SMT_HALF, 1 }, "0-3", 0, "0-1", "2-3" },
		{ { 16, SMT_HALF, 1 }, "0-2,8-9", 0, "0,8", "1-2,9" },
		{ { 8, SMT_QUAD, 1 }, "0-4", 0, "0-1", "2-4" }, /* the first core is over half */
		{ { 16, BROKEN, 1 }, NULL, 0, "0-7", "8-15" },
		{ { 16, ALIEN, 1 }, NULL, 0, "0-7", "8-15" },
		{ { 64, SMT_HALF, 2 }, NULL, 0, "0-15,32-47", "16-31,48-63" },
		{ { 64, NO_SMT, 2 }, NULL, 0, "0-31", "32-63" },
		{ { 64, NO_TREE, 1 }, NULL, 0, "0-31", "32-63" },
		{ { 64, SMT_NEXT, 4 }, "1-62", 0, "1-31", "32-62" }, /* CPU 1's sibling 0 is out */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct machine *m = &cases[i].m;
		char dir[] = "/tmp/test_cpus.XXXXXX", c[256], s[256];
		struct cpus_topo t;
		cpu_set_t mask, client, server;
		int rc;

		if (!mkdtemp(dir))
			fail_msg("mkdtemp");
		make_tree(dir, m);
		if (cases[i].mask) {
			mask = set_of(cases[i].mask);
		} else {
			snprintf(c, sizeof(c), "0-%d", m->ncpu - 1);
			mask = set_of(c);
		}
		cpus_topo_read(dir, &mask, &t);
		rm_tree(dir);
		rc = cpus_split(&mask, &t, &client, &server);
		cpus_format(&client, c, sizeof(c));
		cpus_format(&server, s, sizeof(s));
		if (rc != cases[i].rc || strcmp(c, cases[i].client) || strcmp(s, cases[i].server))
			fail_msg("%d CPUs %s, %d package(s), mask %s: rc %d client %s server %s; "
			         "want rc %d client %s server %s",
			         m->ncpu, layout_names[m->layout], m->packages,
			         cases[i].mask ? cases[i].mask : "all", rc, c, s, cases[i].rc,
			         cases[i].client, cases[i].server);
		if (!CPU_COUNT(&client))
			continue;
		/* Whatever the machine: disjoint, together the whole mask. */
		CPU_AND(&mask, &client, &server);
		assert_int_equal(CPU_COUNT(&mask), 0);
	}
}

static void test_topo_describe(void **state)
{
	static const struct {
		struct machine m;
		int known;
		const char *want;
	} cases[] = {
		{ { 4, SMT_HALF, 1 }, 1, "1 package, 2 cores, 4 CPUs; cores 0,2 1,3" },
		{ { 2, NO_SMT, 1 }, 1, "1 package, 2 cores, 2 CPUs; cores 0 1" },
		{ { 8, SMT_NEXT, 2 }, 1, "2 packages, 4 cores, 8 CPUs; cores 0-1 2-3 4-5 6-7" },
		{ { 4, NO_TREE, 1 }, 0, "not visible" },
		{ { 4, BROKEN, 1 }, 0, "not visible" },
		{ { 4, ALIEN, 1 }, 0, "not visible" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char dir[] = "/tmp/test_cpus.XXXXXX", buf[512];
		struct cpus_topo t;
		cpu_set_t mask;

		if (!mkdtemp(dir))
			fail_msg("mkdtemp");
		make_tree(dir, &cases[i].m);
		snprintf(buf, sizeof(buf), "0-%d", cases[i].m.ncpu - 1);
		mask = set_of(buf);
		cpus_topo_read(dir, &mask, &t);
		rm_tree(dir);
		cpus_topo_describe(&t, buf, sizeof(buf));
		if (t.known != cases[i].known || strcmp(buf, cases[i].want))
			fail_msg("%d CPUs %s: known %d '%s'; want %d '%s'", cases[i].m.ncpu,
			         layout_names[cases[i].m.layout], t.known, buf, cases[i].known,
			         cases[i].want);
	}
}

static void test_place(void **state)
{
	static const struct {
		const char *mask, *client, *server; /* client, server: NULL when not given */
		int rc;
		const char *want; /* "client|server", or the error's telling part */
	} cases[] = {
		{ "0-3", NULL, NULL, 0, "0-1|2-3" },
		{ "0-3", "0", NULL, 0, "0|1-3" },
		{ "0-3", NULL, "3", 0, "0-2|3" },
		{ "0-3", "0-1", "2-3", 0, "0-1|2-3" },
		{ "0-3", "3", "0", 0, "3|0" },
		{ "0-7", "0-1", "4", 0, "0-1|4" }, /* CPUs may stay unused */
		{ "0-3", "0-1", "1-2", -1, "overlap on CPU 1" },
		{ "0-3", "0-4", NULL, -1, "CLIENT_CPUS (--client-cpus) 0-4: CPU 4 not in" },
		{ "0-3", NULL, "2,5-6", -1, "SERVER_CPUS (--server-cpus) 2,5-6: CPU 5-6 not in" },
		{ "0-3", "0-3", NULL, -1, "none is left for the server" },
		{ "0-3", NULL, "0-3", -1, "none is left for the load tool" },
		{ "0-3", "", NULL, -1, "CLIENT_CPUS (--client-cpus): empty cpulist" },
		{ "0-3", "0", "x", -1, "SERVER_CPUS (--server-cpus): 'x' is not a cpulist" },
		{ "0-3", "0", "", -1, "empty cpulist" },
		{ "0", NULL, NULL, -1, "" },
		{ "0", "0", "0", -1, "overlap on CPU 0" },
		{ "0", "0", NULL, -1, "none is left" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cpu_set_t mask = set_of(cases[i].mask), client, server;
		char err[400] = "x", c[64], s[64], got[140];
		int rc = cpus_place(&mask, NULL, cases[i].client, cases[i].server, &client, &server,
		                    err, sizeof(err));

		if (rc == 0)
			snprintf(got, sizeof(got), "%s|%s", cpus_format(&client, c, sizeof(c)),
			         cpus_format(&server, s, sizeof(s)));
		if (rc != cases[i].rc || (rc == 0 && strcmp(got, cases[i].want)) ||
		    (rc < 0 && !strstr(err, cases[i].want)) || (rc < 0 && !*cases[i].want && *err))
			fail_msg("mask %s client %s server %s: rc %d '%s'; want rc %d '%s'",
			         cases[i].mask, cases[i].client ? cases[i].client : "-",
			         cases[i].server ? cases[i].server : "-", rc, rc ? err : got,
			         cases[i].rc, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format), cmocka_unit_test(test_format_edges),
		cmocka_unit_test(test_split),        cmocka_unit_test(test_topo_describe),
		cmocka_unit_test(test_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
