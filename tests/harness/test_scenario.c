/* test_scenario.c -- the scenario table, the Facts line, the laws, the per-scenario summary,
 * ranking and report, and the meta lines the laws are read back from. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "facts.h"
#include "meta.h"
#include "plan.h"
#include "plot.h"
#include "report.h"
#include "mdtext.h"
#include "report_md.h"
#include "report_rank.h"
#include "run.h"
#include "scenario.h"
#include "verify.h"
#include "tool.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every row is complete and runnable: its modes and levels parse, its target is a path. */
static void test_table_rows(void **state)
{
	const struct scenario *t, *d[SCENARIO_MAX];
	struct plan p;
	int n, i, j, v[PLAN_MAX_LEVELS];

	(void)state;
	t = scenario_table(&n);
	assert_true(n >= 4 && n <= SCENARIO_MAX);
	for (i = 0; i < n; i++) {
		const char *name = t[i].name;

		if (!name || !*name || strlen(name) >= SCENARIO_NAME || !t[i].target ||
		    t[i].target[0] != '/' || !t[i].shows || !*t[i].shows ||
		    (t[i].body_bytes < 0 &&
		     !(t[i].body_bytes == VERIFY_BODY_VARIES && t[i].script)))
			fail_msg("scenario %d (%s): incomplete row", i, name ? name : "?");
		if (plan_parse_modes(&p, t[i].modes) < 0 ||
		    plan_parse_levels(t[i].levels, v, PLAN_MAX_LEVELS) <= 0 ||
		    plan_parse_levels(t[i].quick_levels, v, PLAN_MAX_LEVELS) <= 0)
			fail_msg("scenario %s: modes or levels do not parse", name);
		if (t[i].law && !t[i].law_text)
			fail_msg("scenario %s: a law without its words", name);
		/* the kind is named, and the numbers it needs are there (and only then) */
		if (scenario_is_idle(&t[i]) != (t[i].idle_load_c > 0) ||
		    scenario_is_open(&t[i]) != (t[i].capacity_conns > 0) ||
		    scenario_is_open(&t[i]) != (t[i].load_conns > 0) ||
		    scenario_is_idle(&t[i]) != (t[i].before_load != NULL && !t[i].files) ||
		    (t[i].files != NULL) != (t[i].before_start != NULL))
			fail_msg("scenario %s: its kind %d and its fields disagree", name,
			         (int)t[i].kind);
		for (j = 0; j < i; j++)
			if (!strcmp(t[j].name, name))
				fail_msg("scenario %s twice", name);
		assert_ptr_equal(scenario_find(name), &t[i]);
	}
	/* The four defaults of issue 9, in this order, with their targets and body lengths. */
	static const struct {
		const char *name, *target;
		long body;
	} want[] = {
		{ "hello", "/", 11 },
		{ "sleep", "/sleep/10", 11 },
		{ "cpu", "/cpu/200", 11 },
		{ "bytes", "/bytes/1048576", 1048576 },
	};
	n = scenario_defaults(d, SCENARIO_MAX);
	assert_true(n >= 4);
	for (i = 0; i < 4; i++)
		if (strcmp(d[i]->name, want[i].name) || strcmp(d[i]->target, want[i].target) ||
		    d[i]->body_bytes != want[i].body)
			fail_msg("default %d: %s %s %ld, want %s %s %ld", i, d[i]->name,
			         d[i]->target, d[i]->body_bytes, want[i].name, want[i].target,
			         want[i].body);
	assert_null(scenario_find("nosuch"));
	/* a level is the load's connections, except beside idle ones */
	static const struct {
		const char *name;
		int level, load, idle;
	} conns[] = {
		{ "hello", 128, 128, 0 },
		{ "overload", 150, 150, 0 },
		{ "idle", 1000, 32, 1000 },
		{ "idle", 0, 32, 0 },
	};
	for (i = 0; i < (int)(sizeof(conns) / sizeof(conns[0])); i++) {
		const struct scenario *s = scenario_find(conns[i].name);

		if (scenario_load_conns(s, conns[i].level) != conns[i].load ||
		    scenario_idle_conns(s, conns[i].level) != conns[i].idle)
			fail_msg("%s at %d: load %d idle %d, want %d %d", conns[i].name,
			         conns[i].level, scenario_load_conns(s, conns[i].level),
			         scenario_idle_conns(s, conns[i].level), conns[i].load,
			         conns[i].idle);
	}
	/* --compare's two rows and the legacy one: named by a property, asked by it */
	assert_ptr_equal(scenario_for_compare(SCENARIO_COMPARE_BAR), scenario_find("hello"));
	assert_ptr_equal(scenario_for_compare(SCENARIO_COMPARE_PIPELINED),
	                 scenario_find("pipeline"));
	assert_ptr_equal(scenario_legacy(), scenario_find("hello"));
	t = scenario_table(&n);
	for (i = j = 0; i < n; i++)
		j += t[i].legacy;
	assert_int_equal(j, 1);
	assert_int_equal(scenario_number(scenario_find("sleep")), 10);
	assert_int_equal(scenario_number(scenario_find("hello")), -1);
}

/*
 * Open-loop rows (issue 13): their tool exists and offers a rate, they are
 * opt-in (make bench-all's 30 minutes leave no room), and their levels are
 * shares of capacity up to 150 %; every other row's tool holds concurrency.
 */
static void test_open_loop_rows(void **state)
{
	const struct scenario *t = NULL, *d[SCENARIO_MAX];
	int n, i, j, k, v[PLAN_MAX_LEVELS], open = 0;

	(void)state;
	t = scenario_table(&n);
	for (i = 0; i < n; i++) {
		const struct tool *tool = t[i].tool ? tool_find(t[i].tool) : NULL;

		if (t[i].tool && !tool)
			fail_msg("scenario %s: no tool %s", t[i].name, t[i].tool);
		if (scenario_open_loop(t[i].name) != (t[i].capacity_conns > 0) ||
		    (tool && tool->open_loop != (t[i].capacity_conns > 0)))
			fail_msg("scenario %s: open loop and its tool disagree", t[i].name);
		if (t[i].capacity_conns <= 0)
			continue;
		open++;
		if (!tool || !t[i].opt_in || !t[i].level_axis)
			fail_msg("scenario %s: open loop without its tool, opt-in or axis",
			         t[i].name);
		k = plan_parse_levels(t[i].levels, v, PLAN_MAX_LEVELS);
		for (j = 0; j < k; j++)
			if (scenario_offered_pct(&t[i], v[j]) <= 0 ||
			    scenario_offered_pct(&t[i], v[j]) > 150 ||
			    scenario_per_conn(&t[i], v[j]) < 0)
				fail_msg("scenario %s: level %d is not a share of capacity",
				         t[i].name, v[j]);
		k = scenario_defaults(d, SCENARIO_MAX);
		for (j = 0; j < k; j++)
			if (d[j] == &t[i])
				fail_msg("scenario %s runs by default", t[i].name);
	}
	assert_int_equal(open, 3);
	/* churn: a level is requests per connection, offered at a fixed share of capacity */
	t = scenario_find("churn");
	assert_true(t->churn_pct > 0 && t->churn_pct < 100);
	assert_int_equal(scenario_offered_pct(t, 10), t->churn_pct);
	assert_int_equal(scenario_per_conn(t, 10), 10);
	assert_int_equal(scenario_offered_pct(scenario_find("overload"), 80), 80);
	assert_int_equal(scenario_per_conn(scenario_find("overload"), 80), 0);
	/* mixed: a mix of two classes at "/", whose work a hello-only model does not do */
	t = scenario_find("mixed");
	assert_non_null(t->mix);
	assert_string_equal(t->target, "/");
	assert_string_equal(scenario_work_target(t), t->mix);
	assert_true(t->load_conns > t->capacity_conns);
	/* overload: capacity at as many connections as workers, and more connections than that */
	t = scenario_find("overload");
	assert_true(t->workers > 0 && t->capacity_conns == t->workers);
	assert_true(t->load_conns >= 4 * t->workers && t->max_conns > 0);
	assert_true(scenario_open_loop("overload"));
	assert_false(scenario_open_loop("hello"));
	assert_false(scenario_open_loop("nosuch"));
	/* --tool names only tools that hold concurrency. */
	assert_null(strstr(tool_names(), "loadgen"));
}

/* Lists: table order, each once, "all", unknown names named. */
static void test_parse_list(void **state)
{
	const struct scenario *out[SCENARIO_MAX];
	char err[64];
	int n, total;

	(void)state;
	scenario_table(&total);
	assert_int_equal(scenario_parse_list("cpu,hello cpu", out, SCENARIO_MAX, err, sizeof(err)),
	                 2);
	assert_string_equal(out[0]->name, "hello");
	assert_string_equal(out[1]->name, "cpu");
	assert_int_equal(scenario_parse_list("all", out, SCENARIO_MAX, err, sizeof(err)), total);
	assert_int_equal(scenario_parse_list("hello epol", out, SCENARIO_MAX, err, sizeof(err)),
	                 -1);
	assert_string_equal(err, "epol");
	assert_int_equal(scenario_parse_list(" , ", out, SCENARIO_MAX, err, sizeof(err)), -1);
	n = scenario_parse_list("sleep", out, SCENARIO_MAX, err, sizeof(err));
	assert_int_equal(n, 1);
}

/* The Facts line: every valid form, and malformed ones unknown. */
static void test_facts(void **state)
{
	static const struct {
		const char *text;
		int rc, keepalive, parallel, workers;
	} cases[] = {
		{ "# epoll\n\nFacts: keepalive=yes parallel=1 workers=-\n", 0, 1, FACTS_ONE, 0 },
		{ "Facts: keepalive=no parallel=1 workers=-", 0, 0, FACTS_ONE, 0 },
		{ "x\nFacts: keepalive=yes parallel=conn workers=-\r\n", 0, 1, FACTS_CONN, 0 },
		{ "Facts: keepalive=yes parallel=workers workers=256 future=1\n", 0, 1,
		  FACTS_WORKERS, 256 },
		{ "Facts: parallel=workers workers=cpus keepalive=yes\n", 0, 1, FACTS_WORKERS,
		  FACTS_WORKERS_CPUS },
		{ "no facts here\n", -1, 0, 0, 0 },
		{ "  Facts: keepalive=yes parallel=1 workers=-\n", -1, 0, 0, 0 }, /* not at start */
		{ "Facts: keepalive=yes parallel=1\n", -1, 0, 0, 0 },             /* missing key */
		{ "Facts: keepalive=maybe parallel=1 workers=-\n", -1, 0, 0, 0 },
		{ "Facts: keepalive=yes parallel=workers workers=-\n", -1, 0, 0, 0 }, /* no size */
		{ "Facts: keepalive=yes parallel=1 workers=8\n", -1, 0, 0, 0 }, /* size, no pool */
		{ "Facts: keepalive=yes parallel=workers workers=0\n", -1, 0, 0, 0 },
		{ "Facts: keepalive=yes parallel=workers workers=12x\n", -1, 0, 0, 0 },
	};
	struct facts f;
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = facts_parse(cases[i].text, &f);

		if (rc != cases[i].rc || f.known != (rc == 0) ||
		    (rc == 0 && (f.keepalive != cases[i].keepalive ||
		                 f.parallel != cases[i].parallel || f.workers != cases[i].workers)))
			fail_msg("facts case %zu (%s): rc %d known %d ka %d par %d w %d", i,
			         cases[i].text, rc, f.known, f.keepalive, f.parallel, f.workers);
	}
	facts_parse("Facts: keepalive=yes parallel=workers workers=cpus\n", &f);
	assert_string_equal(facts_format(&f, buf, sizeof(buf)),
	                    "keepalive=yes parallel=workers workers=cpus");
	/* admission: optional, yes or no, and said back only when yes */
	assert_int_equal(facts_parse("Facts: keepalive=yes parallel=conn workers=- "
	                             "admission=yes\n",
	                             &f),
	                 0);
	assert_true(f.admission);
	assert_string_equal(facts_format(&f, buf, sizeof(buf)),
	                    "keepalive=yes parallel=conn workers=- admission=yes");
	assert_int_equal(
	    facts_parse("Facts: admission=no keepalive=yes parallel=1 workers=-\n", &f), 0);
	assert_false(f.admission);
	assert_int_equal(
	    facts_parse("Facts: keepalive=yes parallel=1 workers=- admission=503\n", &f), -1);
	assert_int_equal(facts_load("/nonexistent", "epoll", &f), -1);
	assert_false(f.known);
}

/* The Variants line: NAME=FLAGS words; anything else makes the whole line bad. */
static void test_variants(void **state)
{
	static const struct {
		const char *text;
		int n;             /* facts_variants' return */
		const char *first; /* with n > 0: "name flags" of the first variant */
		const char *last;  /* and of the last */
	} cases[] = {
		{ "# io_uring\nFacts: keepalive=yes\nVariants: a=--x=1 b=--x=2,--y\n", 2, "a --x=1",
		  "b --x=2,--y" },
		{ "Variants: only=--uring=basic\r\n", 1, "only --uring=basic",
		  "only --uring=basic" },
		{ "Variants:\n", 0, NULL, NULL },
		{ "no line\n", 0, NULL, NULL },
		{ " Variants: a=--x\n", 0, NULL, NULL }, /* not at the start of a line */
		{ "Variants: a\n", -1, NULL, NULL },     /* no flags */
		{ "Variants: =--x\n", -1, NULL, NULL },  /* no name */
		{ "Variants: a=\n", -1, NULL, NULL },
		{ "Variants: a:b=--x\n", -1, NULL, NULL }, /* a name with the separator */
		{ "Variants: a=--x a=--y\n", -1, NULL, NULL },
		{ "Variants: a=1 b=2 c=3 d=4 e=5\n", -1, NULL, NULL }, /* more than max (4) */
		{ "Variants: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=--x\n", -1, NULL, NULL },
	};
	struct facts_variant v[4];
	char got[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = facts_variants(cases[i].text, v, 4);

		if (n != cases[i].n)
			fail_msg("variants case %zu (%s): %d, expected %d", i, cases[i].text, n,
			         cases[i].n);
		if (n <= 0)
			continue;
		snprintf(got, sizeof(got), "%s %s", v[0].name, v[0].flags);
		if (strcmp(got, cases[i].first))
			fail_msg("variants case %zu: first '%s', expected '%s'", i, got,
			         cases[i].first);
		snprintf(got, sizeof(got), "%s %s", v[n - 1].name, v[n - 1].flags);
		if (strcmp(got, cases[i].last))
			fail_msg("variants case %zu: last '%s', expected '%s'", i, got,
			         cases[i].last);
	}
	assert_int_equal(facts_variants_load("/nonexistent", "io_uring", v, 4), -1);
}

/* The Facts line's wait= key: optional, and an unknown value is no law, never a guess. */
static void test_facts_wait(void **state)
{
	static const struct {
		const char *line;
		int wait;
		const char *format; /* facts_format's words after workers= */
	} cases[] = {
		{ "Facts: keepalive=yes parallel=1 workers=- wait=ready\n", FACTS_WAIT_READY,
		  " wait=ready" },
		{ "Facts: wait=all keepalive=yes parallel=1 workers=-\r\n", FACTS_WAIT_ALL,
		  " wait=all" },
		{ "Facts: keepalive=yes parallel=conn workers=- wait=-", FACTS_WAIT_NONE,
		  " wait=-" },
		{ "Facts: keepalive=yes parallel=1 workers=-\n", FACTS_WAIT_UNKNOWN, "" },
		{ "Facts: keepalive=yes parallel=1 workers=- wait=readyish\n", FACTS_WAIT_UNKNOWN,
		  "" },
		{ "Facts: keepalive=yes parallel=1 workers=- wait=\n", FACTS_WAIT_UNKNOWN, "" },
		{ "Facts: keepalive=yes parallel=1 workers=- wait=O(1)\n", FACTS_WAIT_UNKNOWN, "" },
		{ "Facts: keepalive=yes parallel=1 workers=- nowait=all\n", FACTS_WAIT_UNKNOWN,
		  "" },
		/* the key on the next line is not this line's */
		{ "Facts: keepalive=yes parallel=1 workers=-\nwait=ready\n", FACTS_WAIT_UNKNOWN,
		  "" },
	};
	struct facts f;
	char buf[128], want[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "keepalive=yes parallel=%s workers=-%s",
		         strstr(cases[i].line, "conn") ? "conn" : "1", cases[i].format);
		if (facts_parse(cases[i].line, &f) != 0 || !f.known || f.wait != cases[i].wait ||
		    strcmp(facts_format(&f, buf, sizeof(buf)), want))
			fail_msg("wait case %zu (%s): known %d wait %d, formatted \"%s\"", i,
			         cases[i].line, f.known, f.wait, buf);
	}
	assert_null(facts_wait_name(FACTS_WAIT_UNKNOWN));
	assert_string_equal(facts_wait_name(FACTS_WAIT_NONE), "-");
}

/* A model's family from its Facts line's keys alone, older lines (no wait=) included. */
static void test_facts_family(void **state)
{
	static const struct {
		const char *line;
		int family;
		const char *name;
	} cases[] = {
		{ "Facts: keepalive=no parallel=1 workers=- wait=-\n", FACTS_FAMILY_ITERATIVE,
		  "iterative" },
		{ "Facts: keepalive=yes parallel=1 workers=- wait=ready\n", FACTS_FAMILY_LOOP,
		  "one loop" },
		{ "Facts: keepalive=yes parallel=1 workers=- wait=all\n", FACTS_FAMILY_LOOP,
		  "one loop" },
		{ "Facts: keepalive=yes parallel=conn workers=- wait=- admission=yes\n",
		  FACTS_FAMILY_CONN, "per connection" },
		{ "Facts: keepalive=yes parallel=workers workers=256 wait=-\n", FACTS_FAMILY_POOL,
		  "blocking pool" },
		{ "Facts: keepalive=yes parallel=workers workers=256\n", FACTS_FAMILY_POOL,
		  "blocking pool" },
		{ "Facts: keepalive=yes parallel=workers workers=cpus wait=ready\n",
		  FACTS_FAMILY_LOOP_CPU, "loop per CPU" },
		{ "Facts: keepalive=yes parallel=workers workers=cpus\n", FACTS_FAMILY_LOOP_CPU,
		  "loop per CPU" },
		{ "Facts: keepalive=yes parallel=workers workers=256 wait=ready\n",
		  FACTS_FAMILY_HELPERS, "loop + helpers" },
		{ "no facts here\n", FACTS_FAMILY_UNKNOWN, "unknown" },
	};
	struct facts f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		facts_parse(cases[i].line, &f);
		if (facts_family(&f) != cases[i].family ||
		    strcmp(facts_family_name(facts_family(&f)), cases[i].name))
			fail_msg("family case %zu (%s): %d \"%s\", want %d \"%s\"", i,
			         cases[i].line, facts_family(&f),
			         facts_family_name(facts_family(&f)), cases[i].family,
			         cases[i].name);
	}
	assert_int_equal(facts_family(NULL), FACTS_FAMILY_UNKNOWN);
	assert_string_equal(facts_family_name(-1), "unknown");
	assert_string_equal(facts_family_name(FACTS_NFAMILIES), "unknown");
}

/* The discipline= key (issue 23): optional like wait=, kept by facts_format after it. */
static void test_facts_discipline(void **state)
{
	static const struct {
		const char *line;
		int discipline;
		const char *format; /* facts_format's words after workers= */
	} cases[] = {
		{ "Facts: keepalive=yes parallel=1 workers=- wait=ready discipline=fcfs\n",
		  FACTS_DISCIPLINE_FCFS, " wait=ready discipline=fcfs" },
		{ "Facts: discipline=ps keepalive=yes parallel=1 workers=-\n", FACTS_DISCIPLINE_PS,
		  " discipline=ps" },
		{ "Facts: keepalive=yes parallel=1 workers=-\n", FACTS_DISCIPLINE_UNKNOWN, "" },
		{ "Facts: keepalive=yes parallel=1 workers=- discipline=lifo\n",
		  FACTS_DISCIPLINE_UNKNOWN, "" },
		{ "Facts: keepalive=yes parallel=1 workers=- discipline=\n",
		  FACTS_DISCIPLINE_UNKNOWN, "" },
		{ "Facts: keepalive=yes parallel=1 workers=- discipline=FCFS\n",
		  FACTS_DISCIPLINE_UNKNOWN, "" },
	};
	struct facts f;
	char buf[128], want[128];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(want, sizeof(want), "keepalive=yes parallel=1 workers=-%s",
		         cases[i].format);
		if (facts_parse(cases[i].line, &f) != 0 || !f.known ||
		    f.discipline != cases[i].discipline ||
		    strcmp(facts_format(&f, buf, sizeof(buf)), want))
			fail_msg(
			    "discipline case %zu (%s): known %d discipline %d, formatted \"%s\"", i,
			    cases[i].line, f.known, f.discipline, buf);
	}
	assert_null(facts_discipline_name(FACTS_DISCIPLINE_UNKNOWN));
	assert_string_equal(facts_discipline_name(FACTS_DISCIPLINE_PS), "ps");
}

/*
 * targets=: parsed (absent is all), kept by facts_format, and facts_serves
 * skips a hello-only model in every scenario whose target is not "/".
 */
static void test_targets(void **state)
{
	static const struct {
		const char *text;
		int rc, targets;
	} cases[] = {
		{ "Facts: keepalive=yes parallel=1 workers=-\n", 0, FACTS_TARGETS_ALL },
		{ "Facts: keepalive=yes parallel=1 workers=- targets=all\n", 0, FACTS_TARGETS_ALL },
		{ "Facts: targets=hello keepalive=yes parallel=workers workers=cpus\n", 0,
		  FACTS_TARGETS_HELLO },
		{ "Facts: keepalive=yes parallel=1 workers=- targets=sleep\n", -1, 0 },
		{ "Facts: keepalive=yes parallel=1 workers=- targets=\n", -1, 0 },
		{ "Facts: targets=hello\n", -1, 0 }, /* the three keys stay required */
	};
	static const struct {
		const char *facts; /* NULL: no Facts line */
		const char *target, *status;
	} skips[] = {
		{ "keepalive=yes parallel=workers workers=cpus targets=hello", "/", NULL },
		{ "keepalive=yes parallel=workers workers=cpus targets=hello", "/sleep/10",
		  "skipped: ref-nginx serves only /" },
		{ "keepalive=yes parallel=workers workers=cpus targets=hello", "/bytes/1048576",
		  "skipped: ref-nginx serves only /" },
		{ "keepalive=yes parallel=workers workers=cpus targets=all", "/cpu/200", NULL },
		{ "keepalive=yes parallel=1 workers=-", "/sleep/10", NULL },
		{ NULL, "/sleep/10", NULL }, /* unknown facts: never a guessed skip */
	};
	const struct scenario *t;
	struct facts f;
	char buf[128], line[256];
	size_t i;
	int n, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = facts_parse(cases[i].text, &f);

		if (rc != cases[i].rc || (rc == 0 && f.targets != cases[i].targets))
			fail_msg("targets case %zu (%s): rc %d targets %d", i, cases[i].text, rc,
			         f.targets);
	}
	for (i = 0; i < sizeof(skips) / sizeof(skips[0]); i++) {
		int served;

		snprintf(line, sizeof(line), "Facts: %s\n", skips[i].facts ? skips[i].facts : "");
		facts_parse(line, &f);
		buf[0] = '\0';
		served = facts_serves(&f, "ref-nginx", skips[i].target, buf, sizeof(buf));
		if (served != !skips[i].status || (skips[i].status && strcmp(buf, skips[i].status)))
			fail_msg("skip case %zu (%s at %s): served %d, status '%s'", i,
			         skips[i].facts ? skips[i].facts : "no facts", skips[i].target,
			         served, buf);
	}
	/* every row of the table: a hello-only model runs exactly where the target is "/" */
	facts_parse("Facts: keepalive=yes parallel=workers workers=cpus targets=hello\n", &f);
	t = scenario_table(&n);
	for (j = 0; j < n; j++)
		if (facts_serves(&f, "m", t[j].target, buf, sizeof(buf)) !=
		    !strcmp(t[j].target, "/"))
			fail_msg("scenario %s (%s): hello-only model served wrongly", t[j].name,
			         t[j].target);
	assert_string_equal(facts_format(&f, buf, sizeof(buf)),
	                    "keepalive=yes parallel=workers workers=cpus targets=hello");
}

/* The laws, table-driven: facts x concurrency x server CPUs x --workers. */
static void test_laws(void **state)
{
	static const struct {
		const char *scenario, *facts;
		int c, cpus, workers;
		double bound;
	} cases[] = {
		/* sleep 10 ms: 1000/d for one thread whatever c */
		{ "sleep", "keepalive=yes parallel=1 workers=-", 128, 1, 0, 100 },
		{ "sleep", "keepalive=no parallel=1 workers=-", 1, 1, 0, 100 },
		/* per connection: min(c, max-conns) x 100 */
		{ "sleep", "keepalive=yes parallel=conn workers=-", 32, 1, 0, 3200 },
		{ "sleep", "keepalive=yes parallel=conn workers=-", 4096, 1, 0,
		  FACTS_MAX_CONNS * 100.0 },
		/* a pool: min(c, W); W from --workers, else the Facts default, cpus = server CPUs
		 */
		{ "sleep", "keepalive=yes parallel=workers workers=256", 128, 1, 0, 12800 },
		{ "sleep", "keepalive=yes parallel=workers workers=256", 512, 1, 0, 25600 },
		{ "sleep", "keepalive=yes parallel=workers workers=256", 512, 1, 4, 400 },
		{ "sleep", "keepalive=yes parallel=workers workers=cpus", 128, 3, 0, 300 },
		/* cpu 200 µs: min(c, P, CPUs) x 5000 */
		{ "cpu", "keepalive=yes parallel=1 workers=-", 32, 4, 0, 5000 },
		{ "cpu", "keepalive=yes parallel=conn workers=-", 32, 1, 0, 5000 },
		{ "cpu", "keepalive=yes parallel=conn workers=-", 32, 3, 0, 15000 },
		{ "cpu", "keepalive=yes parallel=workers workers=256", 1, 8, 0, 5000 },
		{ "cpu", "keepalive=yes parallel=workers workers=cpus", 32, 2, 0, 10000 },
		{ "cpu", "keepalive=yes parallel=workers workers=256", 32, 2, 1, 5000 },
		/* overload: its own pool (--workers 8 --max-conns 8) at 8 connections, whatever
		 * the level or the plan's --workers */
		{ "overload", "keepalive=yes parallel=1 workers=-", 150, 1, 0, 100 },
		{ "overload", "keepalive=yes parallel=conn workers=- admission=yes", 150, 1, 0,
		  800 },
		{ "overload", "keepalive=yes parallel=workers workers=256", 10, 1, 64, 800 },
		{ "overload", "keepalive=yes parallel=workers workers=cpus", 110, 2, 0, 800 },
		/* no law, and unknown facts: -1, never a guess */
		{ "hello", "keepalive=yes parallel=1 workers=-", 8, 1, 0, -1 },
		{ "bytes", "keepalive=yes parallel=1 workers=-", 8, 1, 0, -1 },
		{ "sleep", NULL, 8, 1, 0, -1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char line[256], how[128];
		struct facts f;
		struct law_input in = { .facts = &f,
			                .concurrency = cases[i].c,
			                .server_cpus = cases[i].cpus,
			                .workers = cases[i].workers,
			                .max_conns = FACTS_MAX_CONNS };
		double b;

		memset(&f, 0, sizeof(f));
		if (cases[i].facts) {
			snprintf(line, sizeof(line), "Facts: %s\n", cases[i].facts);
			assert_int_equal(facts_parse(line, &f), 0);
		}
		b = scenario_bound(scenario_find(cases[i].scenario), &in, how, sizeof(how));
		if (fabs(b - cases[i].bound) > 1e-6 || !how[0])
			fail_msg(
			    "law case %zu (%s, %s, c=%d, cpus=%d, workers=%d): %g (%s), want %g", i,
			    cases[i].scenario, cases[i].facts ? cases[i].facts : "no facts",
			    cases[i].c, cases[i].cpus, cases[i].workers, b, how, cases[i].bound);
		if (!cases[i].facts && !strstr(how, "unknown"))
			fail_msg("law case %zu: unknown facts must say so: %s", i, how);
	}
}

/* The overload law: goodput = min(offered, bound); past it a refusal or a growing queue. */
static void test_overload_law(void **state)
{
	static const struct {
		double bound, offered;
		int admission, loss;
		double run_s, goodput, rejected, end_wait_s;
		int rc;
	} cases[] = {
		{ 800, 80, 0, 0, 5, 80, 0, 0, 0 },      /* 10 %: everything served */
		{ 800, 800, 1, 0, 5, 800, 0, 0, 0 },    /* at the bound: nothing refused */
		{ 800, 1200, 1, 0, 5, 800, 400, 0, 0 }, /* 150 %, admission: 400 a second refused */
		{ 800, 1200, 0, 0, 5, 800, 0, 2.5, 0 }, /* 150 %, queue: the last waits 0.5 x 5 s */
		{ 100, 110, 0, 0, 5, 100, 0, 0.5, 0 },  /* one loop at 110 % */
		/* no queue, 8 servers: Erlang B(8, 12) = 0.422656 refused at 150 %, B(8, 6.4) =
		 * 0.144394 at 80 % (below the bound), B(1, 1) = 1/2 */
		{ 800, 1200, 1, 8, 5, 1200 * (1 - 0.422656), 1200 * 0.422656, 0, 0 },
		{ 800, 640, 1, 8, 5, 640 * (1 - 0.144394), 640 * 0.144394, 0, 0 },
		{ 100, 100, 1, 1, 5, 50, 50, 0, 0 },
		{ -1, 100, 0, 0, 5, 0, 0, 0, -1 }, /* unknown bound: no law */
		{ 800, 0, 0, 0, 5, 0, 0, 0, -1 },  /* nothing offered: no law */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct overload_law l;
		int rc = scenario_overload_law(cases[i].bound, cases[i].offered, cases[i].admission,
		                               cases[i].loss, cases[i].run_s, &l);

		if (rc != cases[i].rc || fabs(l.goodput_rps - cases[i].goodput) > 0.01 ||
		    fabs(l.rejected_rps - cases[i].rejected) > 0.01 ||
		    fabs(l.end_wait_s - cases[i].end_wait_s) > 1e-9)
			fail_msg("overload law case %zu (bound %g, offered %g, admission %d, loss "
			         "%d): rc "
			         "%d goodput %g rejected %g wait %g s",
			         i, cases[i].bound, cases[i].offered, cases[i].admission,
			         cases[i].loss, rc, l.goodput_rps, l.rejected_rps, l.end_wait_s);
	}
}

static struct record_row row(const char *scenario, const char *model, int c, int rep, double rps)
{
	struct record_row r;

	memset(&r, 0, sizeof(r));
	strcpy(r.run_id, "x");
	strcpy(r.scenario, scenario);
	strcpy(r.model, model);
	strcpy(r.mode, "keepalive");
	strcpy(r.tool, "ab");
	strcpy(r.status, "ok");
	r.concurrency = c;
	r.rep = rep;
	r.rps = rps;
	r.lat_p99_ms = 1;
	r.server_cpu_us_per_req = 10;
	r.client_cpu_pct = 30;
	r.served_conns = c;
	r.other_cpu_pct = 1;
	return r;
}

/* The ranking of c[0..n) as a malloc'ed string in *text. */
static void ranking_of(const struct report_cell *c, int n, char **text)
{
	size_t len = 0;
	FILE *f = open_memstream(text, &len);

	assert_non_null(f);
	report_ranking(f, c, n);
	fclose(f);
}

/* A hello row with its server CPU and the load tool's CPU (>= 90: client bound). */
static struct record_row hello_row(const char *model, const char *mode, double rps, double cpu_us,
                                   double client_pct)
{
	struct record_row r = row("hello", model, 64, 1, rps);

	strcpy(r.mode, mode);
	r.server_cpu_us_per_req = cpu_us;
	r.client_cpu_pct = client_pct;
	return r;
}

/*
 * report.md's verdicts and tables: families from the Facts lines, rows grouped
 * by family (the best family first) and sorted by value; CPU leads where the
 * load tool was the ceiling; families within 5 % tie; a closing design is
 * labelled in keep-alive and left out of its verdict; the cells a verdict
 * names carry their marks (‡ here).
 */
static void test_md_verdicts(void **state)
{
	static const char meta[] = "run_id: x\nserver cpus: 1\n"
	                           "facts single: keepalive=no parallel=1 workers=- wait=-\n"
	                           "facts epoll: keepalive=yes parallel=1 workers=- wait=ready\n"
	                           "facts poll: keepalive=yes parallel=1 workers=- wait=all\n"
	                           "facts thread: keepalive=yes parallel=conn workers=- wait=-\n"
	                           "facts prefork: keepalive=yes parallel=workers workers=256 "
	                           "wait=-\n";
	const struct {
		const char *name;
		struct record_row rows[5];
		const char *want[4]; /* in this order in the text */
		const char *never;   /* NULL: no check */
	} cases[] = {
		{ "client bound: by CPU, grouped, one family separates",
		  { hello_row("epoll", "close", 20000, 20, 99),
		    hello_row("poll", "close", 21000, 30, 99),
		    hello_row("thread", "close", 19000, 40, 98),
		    hello_row("prefork", "close", 19500, 25, 97),
		    hello_row("single", "close", 24000, 15, 99) },
		  { "- **hello, close** at c=64: **iterative** first: single 15.0 µs per request "
		    "‡; "
		    "then one loop, 1.33 x behind (epoll ‡); the load tool was the ceiling in 5 of "
		    "5 cells: read CPU.",
		    "server CPU µs per request · req/s",
		    "| one loop | epoll | 20.0 · 20,000/s ‡ |\n"
		    "|  | poll | 30.0 · 21,000/s ‡ |\n| blocking pool | prefork |",
		    "| per connection | thread |" },
		  NULL },
		{ "below the ceiling: by req/s, a tie within 5 %, the closing design left out",
		  { hello_row("epoll", "keepalive", 100000, 5, 50),
		    hello_row("poll", "keepalive", 90000, 6, 50),
		    hello_row("thread", "keepalive", 97000, 8, 50),
		    hello_row("prefork", "keepalive", 50000, 10, 50),
		    hello_row("single", "keepalive", 200000, 4, 50) },
		  { "**one loop**, **per connection** tie for first (within 5 %): epoll 100,000 "
		    "req/s; then blocking pool, 2.00 x behind (prefork)",
		    "req/s · p99 · server CPU µs per request", "| iterative | single (closes) |",
		    "| one loop | epoll | 100,000/s · 1.00 ms · 5.00 µs |" },
		  "**iterative**" },
	};
	static struct meta_env env;
	struct report_cell *c;
	char *text;
	const char *at;
	size_t i, j;
	int n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(report_summarize(cases[i].rows, 5, &c, &n), 0);
		meta_read_env(meta, &env);
		report_apply_laws(c, n, &env);
		text = md_text(c, n, meta);
		for (j = 0, at = text; j < 4 && cases[i].want[j]; j++)
			if (!(at = strstr(at, cases[i].want[j])))
				fail_msg("case %zu (%s): lacks, in order, \"%s\":\n%s", i,
				         cases[i].name, cases[i].want[j], text);
		if (cases[i].never && strstr(text, cases[i].never))
			fail_msg("case %zu (%s): has \"%s\":\n%s", i, cases[i].name, cases[i].never,
			         text);
		free(text);
		if (i ==
		    0) { /* a pool whose workers were measured: its table in balance.md, linked */
			char *balance = NULL;

			assert_true(c[2].parallel == FACTS_WORKERS);
			c[2].jain_median = 0.9;
			snprintf(c[2].worker_shares, sizeof(c[2].worker_shares), "0.60/0.40");
			text = md_text_side(c, n, meta, "balance.md", &balance);
			if (!balance || !strstr(balance, "## scenario hello") ||
			    !strstr(balance, "| prefork | close | 64 | 2 | 0.60/0.40 | 0.90 |") ||
			    !strstr(text, "[balance.md](balance.md)") || strstr(text, "How evenly"))
				fail_msg("balance.md:\n%s\nreport.md:\n%s",
				         balance ? balance : "(none)", text);
			free(balance);
			free(text);
			c[2].jain_median = -1; /* none measured: no balance.md, no link */
			text = md_text_side(c, n, meta, "balance.md", &balance);
			if (balance || strstr(text, "balance.md"))
				fail_msg("balance.md without a measured pool:\n%s", text);
			free(text);
		}
		free(c);
	}
}

/* Per scenario: cells apart, in table order; laws from meta; ranking and report.md per scenario. */
static void test_per_scenario(void **state)
{
	struct record_row rows[] = {
		row("sleep", "thread", 32, 1, 3150),  row("sleep", "epoll", 32, 1, 99),
		row("hello", "thread", 32, 1, 20000), row("hello", "epoll", 32, 1, 40000),
		row("sleep", "prefork", 32, 1, 3000),
	};
	static const char meta[] = "run_id: x\nserver cpus: 1\nworkers: not passed (...)\n"
	                           "facts thread: keepalive=yes parallel=conn workers=-\n"
	                           "facts epoll: keepalive=yes parallel=1 workers=-\n";
	static struct meta_env env;
	struct report_cell *c;
	char *text = NULL, *sleep;
	int n;

	(void)state;
	assert_int_equal(report_summarize(rows, 5, &c, &n), 0);
	assert_int_equal(n, 5);
	assert_string_equal(c[0].scenario, "hello"); /* the table's order, not the names' */
	assert_int_equal(report_slice_end(c, n, 0), 2);
	assert_string_equal(c[2].scenario, "sleep");
	assert_int_equal(report_slice_end(c, n, 2), 5);
	meta_read_env(meta, &env);
	assert_int_equal(env.server_cpus, 1);
	assert_int_equal(env.workers, 0);
	assert_int_equal(env.nfacts, 2);
	report_apply_laws(c, n, &env);
	assert_true(c[0].bound < 0);                                /* hello: no law */
	assert_true(c[2].bound == 100 && c[4].bound == 3200);       /* sleep epoll, sleep thread */
	assert_true(c[3].bound < 0 && strstr(c[3].law, "unknown")); /* prefork: no facts */
	ranking_of(c, n, &text);
	if (!(sleep = strstr(text, "scenario sleep (GET /sleep/10):")) ||
	    strstr(text, "scenario hello (GET /):") > sleep ||
	    !strstr(sleep, "thread: 3,150 req/s median = 98 % of the 3,200 bound (1 repetition: "
	                   "no spread)") ||
	    !strstr(sleep, "epoll: 99 req/s median = 99 % of the 100 bound\n"))
		fail_msg("ranking:\n%s", text);
	free(text);
	text = md_text(c, n, meta);
	if (!strstr(text, "## scenario hello (GET /)") ||
	    !(sleep = strstr(text, "## scenario sleep (GET /sleep/10)")) ||
	    !strstr(sleep, "3,150/s = 98 % · 1.00 ms") || !strstr(sleep, "No bound for prefork") ||
	    !strstr(text, "(../plots/x/sleep-throughput-keepalive.png)") ||
	    !strstr(text, "(../plots/x/hello-p99-keepalive.png)") ||
	    !strstr(text, "- **sleep, keepalive** at c=") || !strstr(text, "[meta](meta)"))
		fail_msg("report.md:\n%s", text);
	free(text);
	free(c);
}

/*
 * The harness gives each chart script its scenario and the marks it needs: a
 * stand-in gnuplot records its arguments.
 */
/*
 * An overload row of model at level with goodput and rejected req/s (rejected -1: unknown);
 * the capacity row (level 0) in keep-alive, the mode it runs in.
 */
static struct record_row ov_row(const char *model, int level, double goodput, double rejected)
{
	struct record_row r = row("overload", model, level, 1, goodput + fmax(rejected, 0));

	strcpy(r.mode, level ? "close" : RECORD_CAPACITY_MODE);
	strcpy(r.tool, level ? "loadgen" : "ab");
	r.goodput_rps = goodput;
	r.rejected_rps = rejected;
	return r;
}

/*
 * The overload report: each cell beside its law. threadpool (admission=yes)
 * offered 150 % of its 800 refuses the excess; thread (admission=yes, no
 * queue) refuses Erlang B's share; prefork (no admission) queues it, and a
 * request at the end of the 5 s run waits half of it.
 */
static void test_overload_report(void **state)
{
	struct record_row rows[] = {
		ov_row("threadpool", 0, 800, -1), ov_row("threadpool", 150, 790, 410),
		ov_row("prefork", 0, 800, -1),    ov_row("prefork", 150, 780, 0),
		ov_row("thread", 0, 800, -1),     ov_row("thread", 150, 690, 500),
	};
	static const char meta[] =
	    "run_id: x\nserver cpus: 1\n"
	    "scenario overload: GET /sleep/10 -- ... (every model: --workers 8) (every model: "
	    "--max-conns 8)\n"
	    "facts threadpool: keepalive=yes parallel=workers workers=256 admission=yes\n"
	    "facts prefork: keepalive=yes parallel=workers workers=256\n"
	    "facts thread: keepalive=yes parallel=conn workers=- admission=yes\n";
	static const char *const want[] = {
		"| threadpool | close | 800 | 800 | refuses it: 503 (admission control behind a "
		"queue) |",
		"| thread | close | 800 | 800 | refuses it: 503 (admission control, no queue: "
		"Erlang loss) |",
		"| thread | 150 % = 1200 | 690 (law 693) | 500 (law 507) |",
		"refuses the arrivals that find its 8 busy, 42.3 % (Erlang B)",
		"| prefork | close | 800 | 800 | queues it (listen backlog or work queue) |",
		"| threadpool | 150 % = 1200 | 790 (law 800) | 410 (law 400) |",
		"past the bound: refuses 400 req/s",
		"| prefork | 150 % = 1200 | 780 (law 800) | 0 (law 0) |",
		"the last request waits about 2.50 s",
		"1,200/s = 99 %, 410 refused/s · 1.00 ms",
		"(../plots/x/overload-goodput-close.png)",
		"- **overload**: open loop, its verdict per model in its section.",
		/* the capacity in a table of its own, not a column of the close one */
		"### capacity (ab, keep-alive, closed loop at c=8): req/s",
		"| threadpool | 800/s = 100 % · ",
		"### close (loadgen): req/s · p99 · server CPU µs per request\n\n| family | model "
		"| "
		"150 % |\n",
	};
	static struct meta_env env;
	struct report_cell *c;
	char *text, line[2048];
	int n, old;
	size_t i;

	(void)state;
	/* today's capacity rows (keep-alive), then an older run's (under the levels' mode) */
	for (old = 0; old < 2; old++) {
		for (i = 0; old && i < sizeof(rows) / sizeof(rows[0]); i++)
			if (!rows[i].concurrency)
				strcpy(rows[i].mode, "close");
		assert_int_equal(
		    report_summarize(rows, (int)(sizeof(rows) / sizeof(rows[0])), &c, &n), 0);
		meta_read_env(meta, &env);
		report_apply_laws(c, n, &env);
		text = md_text(c, n, meta);
		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			if (!strstr(text, want[i]))
				fail_msg("%s capacity rows: report.md lacks \"%s\":\n%s",
				         old ? "older" : "today's", want[i], text);
		if (strstr(text, "### keepalive") || strstr(text, "overload-throughput-keepalive"))
			fail_msg("a capacity row made a keep-alive mode:\n%s", text);
		free(text);
		if (!old)
			free(c);
	}
	/* an older file's capacity row reads as what ran: keep-alive; a level keeps its mode */
	assert_true(record_is_capacity(&rows[0]) && !record_is_capacity(&rows[1]));
	assert_true(record_format(&rows[0], line, sizeof(line)) > 0);
	assert_non_null(strstr(line, ",close,0,"));
	assert_int_equal(record_parse(line, &rows[0]), 0);
	assert_string_equal(rows[0].mode, "keepalive");
	assert_true(record_format(&rows[1], line, sizeof(line)) > 0);
	assert_int_equal(record_parse(line, &rows[1]), 0);
	assert_string_equal(rows[1].mode, "close");
	/* a run whose meta does not say the scenario gave its pool predates it: no law */
	meta_read_env(strstr(meta, "facts "), &env);
	report_apply_laws(c, n, &env);
	for (i = 0; i < (size_t)n; i++)
		if (c[i].bound >= 0 || !strstr(c[i].law, "predates"))
			fail_msg("%s at %d: bound %g (%s) for a run without the pool", c[i].model,
			         c[i].concurrency, c[i].bound, c[i].law);
	free(c);
}

static void test_plot_marks(void **state)
{
	struct record_row rows[] = {
		row("hello", "epoll", 8, 1, 50000),
		row("hello", "prefork", 512, 1, 13000),
		row("hello", "prefork", 8, 1, 40000),
		row("sleep", "epoll", 8, 1, 99),
	};
	char dir[] = "/tmp/harness-plot-XXXXXX", fake[64], log[64], *text, *line;
	static struct meta_env env;
	struct report_cell *c;
	struct plot_job job;
	FILE *f;
	int n;

	(void)state;
	rows[0].client_cpu_pct = 95; /* hello epoll c=8: load generator bound */
	rows[1].served_conns = 1;    /* hello prefork c=512: starved */
	rows[1].duration_s = 2;      /* (its p99 is drawn at the run length) */
	rows[2].other_cpu_pct = 40;  /* hello prefork c=8: noisy */
	assert_non_null(mkdtemp(dir));
	snprintf(fake, sizeof(fake), "%s/gnuplot", dir);
	snprintf(log, sizeof(log), "%s/args", dir);
	assert_non_null(f = fopen(fake, "w"));
	fprintf(f, "#!/bin/sh\nprintf '%%s\\n' \"$2\" >> '%s'\n", log);
	fclose(f);
	assert_int_equal(chmod(fake, 0755), 0);
	assert_int_equal(report_summarize(rows, 4, &c, &n), 0);
	meta_read_env("server cpus: 1\nfacts epoll: keepalive=yes parallel=1 workers=-\n", &env);
	report_apply_laws(c, n, &env); /* sleep epoll: a bound, so a dotted line */
	job = (struct plot_job){ .gnuplot = fake,
		                 .scripts = "plots",
		                 .summary = "s.csv",
		                 .outdir = dir,
		                 .run_id = "x",
		                 .exec = run_command };
	assert_int_equal(plot_charts(&job, c, n), 0);
	text = util_read_file(log, NULL);
	assert_non_null(text);
	/*
	 * 3 kinds for hello keepalive, 3 for sleep keepalive; the legend by value
	 * at each model's top level (p99: prefork's starved cell at the run
	 * length), colour by family, a log axis only for p99's 2000 x span, points
	 * only (2 levels), every mark counted, and per model the marks of any of its
	 * cells (epoll: ‡; prefork: † and §)
	 */
	if (!(line = strstr(text, "out='")) || !strstr(text, "/hello-p99-keepalive.png'") ||
	    !strstr(text, "/sleep-throughput-keepalive.png'") ||
	    !strstr(text,
	            "hello-throughput-keepalive.png'; scenario='hello'; mode='keepalive'; ") ||
	    !strstr(text,
	            "law_lines=0; levels='concurrency'; xcol='concurrency'; first_level=8; "
	            "models='epoll prefork'; labels='\"epoll (one loop)\" \"prefork "
	            "(unknown)\"'; colours='#1f77b4 #7f7f7f'; pts='7 7'; slope_marks='10000 "
	            "01100'; logy=0; lines=0; spread=0; empty=0; bound_marks=1; starved_marks=1; "
	            "noisy_marks=1; slow_marks=0; littles_marks=0\n") ||
	    !(line = strstr(text, "hello-p99-keepalive.png'")) ||
	    !strstr(line, "models='prefork epoll'") ||
	    strstr(line, "logy=1") > strchr(line, '\n') || !strstr(line, "logy=1") ||
	    !strstr(text, "scenario='sleep'") ||
	    !strstr(text, "law_lines=1; levels='concurrency'; xcol='concurrency'; first_level=8; "
	                  "models='epoll'") ||
	    !strstr(text, "bound_marks=0; starved_marks=0; noisy_marks=0; slow_marks=0; "
	                  "littles_marks=0\n"))
		fail_msg("chart arguments:\n%s", text);
	free(text);
	free(c);
	unlink(fake);
	unlink(log);
	snprintf(log, sizeof(log), "%s/gnuplot.log", dir);
	unlink(log);
	assert_int_equal(rmdir(dir), 0);
}

/* The meta line on IRQ time: from the kernel config, else /proc/stat, else unknown. */
static void test_irq_accounting(void **state)
{
	static const struct {
		const char *config, *stat, *words;
		int rc;
	} cases[] = {
		{ "# x\nCONFIG_IRQ_TIME_ACCOUNTING=y\n", NULL, "irq time: accounted", 1 },
		{ "# x\n# CONFIG_IRQ_TIME_ACCOUNTING is not set\n", "cpu  1 2 3 4 5 6 7 0 0 0\n",
		  "irq time: not accounted", 0 },
		{ NULL, "cpu  1 2 3 4 5 66 77 0 0 0\n", "irq 66, softirq 77", -1 },
		{ "", NULL, "irq time: unknown", -1 },
	};
	char buf[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = meta_irq_accounting(cases[i].config, cases[i].stat, buf, sizeof(buf));

		if (rc != cases[i].rc || !strstr(buf, cases[i].words) ||
		    !strstr(buf, "other_cpu_pct"))
			fail_msg("irq case %zu: %d %s", i, rc, buf);
	}
}

/*
 * The facts a run read once go into meta as given (the README is not read
 * again: dir does not exist) and come back from it unchanged, beside the
 * scenario lines that say which scenarios gave every model its pool.
 */
static void test_meta_facts(void **state)
{
	static const struct {
		const char *model, *line; /* NULL: no Facts line was found */
	} cases[] = {
		{ "epoll", "Facts: keepalive=yes parallel=1 workers=- wait=ready" },
		{ "threadpool", "Facts: keepalive=yes parallel=workers workers=256 admission=yes "
		                "wait=-" },
		{ "ref-nginx", "Facts: keepalive=yes parallel=workers workers=cpus wait=ready "
		               "targets=hello" },
		{ "fork", "Facts: keepalive=no parallel=conn workers=- admission=yes wait=-" },
		{ "mystery", NULL },
	};
	enum { N = sizeof(cases) / sizeof(cases[0]) };
	static struct plan p;
	static struct meta_env env;
	struct facts facts[N];
	char err[64], *scen = NULL, *text = NULL, *meta, want[160];
	size_t i;

	(void)state;
	plan_defaults(&p);
	assert_int_equal(plan_parse_scenarios(&p, "hello overload", err, sizeof(err)), 0);
	for (i = 0; i < N; i++) {
		assert_int_equal(plan_add_model(&p, cases[i].model, "/x/m"), 0);
		if (cases[i].line)
			assert_int_equal(facts_parse(cases[i].line, &facts[i]), 0);
		else
			memset(&facts[i], 0, sizeof(facts[i]));
	}
	meta_plan_lines(&p, facts, "/nonexistent", &scen, &text);
	assert_non_null(scen);
	assert_non_null(text);
	assert_non_null(meta = malloc(strlen(scen) + strlen(text) + 1));
	strcat(strcpy(meta, scen), text);
	snprintf(want, sizeof(want),
	         "facts mystery: unknown (no Facts line in /nonexistent/mystery/README.md)\n");
	if (!strstr(text, want))
		fail_msg("meta lacks \"%s\":\n%s", want, text);
	meta_read_env(meta, &env);
	assert_int_equal(env.nfacts, N);
	for (i = 0; i < N; i++) {
		const struct facts *a = &facts[i], *b = &env.facts[i];

		assert_string_equal(env.model[i], cases[i].model);
		if (a->known != b->known || a->keepalive != b->keepalive ||
		    a->parallel != b->parallel || a->workers != b->workers ||
		    a->admission != b->admission || a->wait != b->wait || a->targets != b->targets)
			fail_msg("%s: the facts read back from meta differ:\n%s", cases[i].model,
			         text);
	}
	/* overload gives every model its pool; hello does not */
	assert_int_equal(env.npooled, 1);
	assert_string_equal(env.pooled[0], "overload");
	free(meta);
	free(scen);
	free(text);
}

/* The plan: each scenario's own modes, levels, repetitions; overrides; quick; the order. */
static void test_plan_scenarios(void **state)
{
	static struct plan p;
	static struct plan_run runs[4096];
	static struct plan_cell cells[PLAN_MAX_CELLS];
	char err[64];
	int n, i, sleep_cells = 0;

	(void)state;
	plan_defaults(&p);
	assert_int_equal(plan_add_model(&p, "epoll", "/x/epoll"), 0);
	assert_int_equal(plan_add_model(&p, "thread", "/x/thread"), 0);
	n = plan_cells(&p, cells);
	for (i = 0; i < n; i++) {
		const struct scenario *s = p.scenarios[cells[i].scenario];

		if (!strcmp(s->name, "sleep")) {
			sleep_cells++;
			assert_int_equal(cells[i].mode, PLAN_KEEPALIVE);
			assert_int_equal(cells[i].reps, 1);
		}
		if (!strcmp(s->name, "hello"))
			assert_int_equal(cells[i].reps, PLAN_REPS);
		assert_int_equal(cells[i].duration_s, PLAN_DURATION_S);
	}
	assert_int_equal(sleep_cells, 4);
	/* every run once; repetitions never go back; warm-ups first */
	n = plan_runs(&p, runs, 4096);
	assert_int_equal(n, plan_count(&p) + 2);
	for (i = 3; i < n; i++)
		assert_true(runs[i].rep >= runs[i - 1].rep && runs[i].rep <= runs[i].reps);
	/* overrides replace every scenario's own */
	p.reps = 2;
	p.nlevels = plan_parse_levels("4", p.levels, PLAN_MAX_LEVELS);
	n = plan_cells(&p, cells);
	for (i = 0; i < n; i++)
		assert_true(cells[i].level == 4 && cells[i].reps == 2);
	/* an open-loop scenario's estimate counts its capacity run per model, once; a mix's */
	plan_defaults(&p);
	p.warmup = 0;
	assert_int_equal(plan_add_model(&p, "epoll", "/x/epoll"), 0);
	assert_int_equal(plan_add_model(&p, "thread", "/x/thread"), 0);
	assert_int_equal(plan_parse_scenarios(&p, "overload", err, sizeof(err)), 0);
	n = plan_cells(&p, cells);
	assert_true(n > 1);
	assert_true(fabs(plan_estimate_s(&p, 1.0) -
	                 (plan_count(&p) + 2) * (cells[0].duration_s + 1.0)) < 1e-9);
	/* a mix's: one capacity run per class, mode and model (2 classes x 2 modes x 2 models) */
	assert_int_equal(plan_parse_scenarios(&p, "mixed", err, sizeof(err)), 0);
	n = plan_cells(&p, cells);
	assert_true(fabs(plan_estimate_s(&p, 1.0) -
	                 (plan_count(&p) + 8) * (cells[0].duration_s + 1.0)) < 1e-9);
	assert_int_equal(plan_parse_scenarios(&p, "hello", err, sizeof(err)), 0);
	assert_true(fabs(plan_estimate_s(&p, 1.0) - plan_count(&p) * (PLAN_DURATION_S + 1.0)) <
	            1e-9);
	/* quick: one level each, 1 rep of 1 s */
	plan_defaults(&p);
	p.quick = 1;
	assert_int_equal(plan_parse_scenarios(&p, "sleep bytes", err, sizeof(err)), 0);
	n = plan_cells(&p, cells);
	assert_int_equal(n, 2);
	assert_true(cells[0].reps == 1 && cells[0].duration_s == 1 && cells[0].level == 32);
	assert_int_equal(plan_parse_scenarios(&p, "sleep nosuch", err, sizeof(err)), -1);
	assert_string_equal(err, "nosuch");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_rows),
		cmocka_unit_test(test_parse_list),
		cmocka_unit_test(test_facts),
		cmocka_unit_test(test_facts_wait),
		cmocka_unit_test(test_facts_discipline),
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_laws),
		cmocka_unit_test(test_per_scenario),
		cmocka_unit_test(test_irq_accounting),
		cmocka_unit_test(test_plan_scenarios),
		cmocka_unit_test(test_plot_marks),
		cmocka_unit_test(test_open_loop_rows),
		cmocka_unit_test(test_overload_law),
		cmocka_unit_test(test_overload_report),
		cmocka_unit_test(test_meta_facts),
		cmocka_unit_test(test_facts_family),
		cmocka_unit_test(test_md_verdicts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
