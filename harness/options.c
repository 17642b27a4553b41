/* options.c -- the command line as a table (nginx's directives): a row per option, generic setters.
 */
#include "options.h"

#include "compare.h"
#include "health.h"
#include "ladder.h"
#include "prefix.h"
#include "scenario.h"
#include "tool.h"

#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HELP_COLUMN 23  /* where an option's help starts, and its next lines */
#define OPTION_VAL  256 /* getopt_long's value of row i: OPTION_VAL + i (never '?') */
#define STR_(x)     #x
#define STR(x)      STR_(x)

/* How a row's argument reaches its field. */
enum option_type {
	OPTION_FLAG,   /* no argument: the int field becomes 1 */
	OPTION_INT,    /* a whole number within [lo, hi] into the int field */
	OPTION_STRING, /* the argument itself into the const char * field */
	OPTION_PARSE,  /* the row's own parse: a list's grammar (0, or -1 for bad) */
};

/* One option: what it is called, what it sets, and what --help says of it. */
struct option_row {
	const char *name; /* --name */
	const char *arg;  /* the argument's name in the help; NULL: it takes none */
	enum option_type type;
	size_t field; /* offsetof(struct options, ...) the value goes to */
	int lo, hi;   /* OPTION_INT's bounds */
	size_t given; /* offsetof an int set to 1 when the option is given; 0: none */
	int (*parse)(struct options *o, const char *arg); /* OPTION_PARSE */
	const char *bad;     /* OPTION_PARSE: the message when parse fails */
	const char *section; /* a heading printed before the row in the help */
	/*
	 * The help: lines after the first start at HELP_COLUMN; its one %s, if any,
	 * is values' words (the known scenarios, the tools).
	 */
	const char *help;
	const char *(*values)(char *buf, size_t len);
};

#define AT(f) offsetof(struct options, f)

static int set_modes(struct options *o, const char *arg);
static int set_levels(struct options *o, const char *arg);
static int set_scenarios(struct options *o, const char *arg);
static int add_model_path(struct options *o, const char *arg);
static int print_usage(struct options *o, const char *arg);
static const char *scenario_words(char *buf, size_t len);
static const char *tool_words(char *buf, size_t len);

/* The table, in --help's order. */
static const struct option_row rows[] = {
	{ .name = "scenarios",
	  .arg = "LIST",
	  .type = OPTION_PARSE,
	  .parse = set_scenarios,
	  .section = "Plan (defaults: all models, every default scenario with its own modes, "
	             "levels,\nrepetitions and run length; --modes, --levels, --reps, --duration "
	             "replace them in all):\n",
	  .help = "scenarios to run: %s\n"
	          "(default: all but opt-in ones; all: every one) [make SCENARIOS=]",
	  .values = scenario_words },
	{ .name = "models",
	  .arg = "LIST",
	  .type = OPTION_STRING,
	  .field = AT(models),
	  .help = "models to run (names, blank or comma separated)   [make MODELS=]\n"
	          "A variant is MODEL:NAME, MODEL:* every one (the Variants line of\n"
	          "its README): a row of its own, run with the variant's flags.\n"
	          "Reference servers (ref-*, e.g. ref-nginx: Debian's nginx) are\n"
	          "not in the default plan, so bench-all stays within 30 minutes:\n"
	          "name them here or pass --refs." },
	{ .name = "refs",
	  .type = OPTION_FLAG,
	  .field = AT(refs),
	  .help = "add every reference server to the plan            [make REFS=1]" },
	{ .name = "modes",
	  .arg = "LIST",
	  .type = OPTION_PARSE,
	  .parse = set_modes,
	  .bad = "bad modes (close, keepalive)",
	  .given = AT(set_cells),
	  .help = "close, keepalive                                  [make MODES=]" },
	{ .name = "levels",
	  .arg = "LIST",
	  .type = OPTION_PARSE,
	  .parse = set_levels,
	  .bad = "bad concurrency levels",
	  .given = AT(set_cells),
	  .help = "concurrency levels                                [make LEVELS=]" },
	{ .name = "reps",
	  .arg = "N",
	  .type = OPTION_INT,
	  .field = AT(plan.reps),
	  .lo = 1,
	  .hi = 1000,
	  .given = AT(set_reps),
	  .help = "repetitions of each cell (outermost loop)         [make REPS=]" },
	{ .name = "duration",
	  .arg = "S",
	  .type = OPTION_INT,
	  .field = AT(plan.duration_s),
	  .lo = 1,
	  .hi = 3600,
	  .given = AT(set_duration),
	  .help = "seconds per run (ab -t, wrk -d; whole seconds)    [make DURATION=]" },
	{ .name = "pin",
	  .arg = "0|1",
	  .type = OPTION_INT,
	  .field = AT(pin),
	  .lo = 0,
	  .hi = 1,
	  .help = "pin the load tool and the server to disjoint CPUs (default 1;\n"
	          "below 4 CPUs the tool gets one, from 4 up half each, whole\n"
	          "physical cores to each side where /sys shows them) [make PIN=]" },
	{ .name = "count",
	  .arg = "0|1",
	  .type = OPTION_INT,
	  .field = AT(count),
	  .lo = 0,
	  .hi = 1,
	  .given = AT(set_count),
	  .help = "the counting pass (default 1; 0 with --quick and --compare, whose\n"
	          "time is budgeted): one extra run per cell with perf stat attached,\n"
	          "never a timed one, for the syscalls, context switches, migrations\n"
	          "and instructions per request                  [make COUNT=]" },
	{ .name = "profile",
	  .type = OPTION_FLAG,
	  .field = AT(profile),
	  .help = "the counting runs also record call graphs with perf record -g\n"
	          "(raw/count-*.perf.data, for perf report)       [make explain]" },
	{ .name = "client-cpus",
	  .arg = "LIST",
	  .type = OPTION_STRING,
	  .field = AT(client_cpus),
	  .help = "the load tool's CPUs, a cpulist like 0-3,8   [make CLIENT_CPUS=]" },
	{ .name = "server-cpus",
	  .arg = "LIST",
	  .type = OPTION_STRING,
	  .field = AT(server_cpus),
	  .help = "the server's CPUs (one list given: the other side is the rest\n"
	          "of the affinity mask)                        [make SERVER_CPUS=]" },
	{ .name = "client-threads",
	  .arg = "N",
	  .type = OPTION_INT,
	  .field = AT(client_threads),
	  .lo = 1,
	  .hi = 1024,
	  .help = "wrk's threads (default: the client CPUs)  [make CLIENT_THREADS=]" },
	{ .name = "client-prefix",
	  .arg = "CMD",
	  .type = OPTION_STRING,
	  .field = AT(client_prefix),
	  .help = "run the load tool behind a command prefix: 'ssh loadgen' (another\n"
	          "machine), 'ip netns exec smbench-client' (scripts/netns.sh);\n"
	          "the tool's CPU share is measured where it runs [make CLIENT_PREFIX=]" },
	{ .name = "files-mib",
	  .arg = "N",
	  .type = OPTION_INT,
	  .field = AT(files_mib),
	  .lo = 1,
	  .hi = 1048576,
	  .help = "the files scenarios' set (bin/tools/fileset, in ~/.cache/server-models),\n"
	          "MiB; written once if missing, reused (default 2048)     [make FILES_MIB=]" },
	{ .name = "files-delay-ms",
	  .arg = "D",
	  .type = OPTION_INT,
	  .field = AT(files_delay_ms),
	  .lo = 0,
	  .hi = 10000,
	  .help = "serve the files rows' set through bin/tools/slowfs, a FUSE mount\n"
	          "whose every page-cache miss waits D ms (a slow disk;\n"
	          "docs/files.md); 0, the default: the set's own disk  [make FILES_DELAY_MS=]" },
	{ .name = "workers",
	  .arg = "N",
	  .type = OPTION_INT,
	  .field = AT(plan.workers),
	  .lo = 1,
	  .hi = 4096,
	  .help = "give every model --workers N (pooled models size their pool\n"
	          "with it, the others ignore it); default: not passed, each\n"
	          "model uses its own (its README's Facts line)     [make WORKERS=]" },
	{ .name = "quick",
	  .type = OPTION_FLAG,
	  .field = AT(plan.quick),
	  .given = AT(set_cells),
	  .help = "every model and scenario at its quick level, 1 rep of 1 s, no\n"
	          "warm-up                                        [make bench-quick]" },
	{ .name = "compare",
	  .type = OPTION_FLAG,
	  .field = AT(compare),
	  .help =
	      "make bench-compare: ref-nginx and our models (--models narrows\n"
	      "ours), keepalive c=64 with wrk, close c=32 with ab and the\n"
	      "pipeline scenario at c=64 with wrk, " STR(
	          COMPARE_MIN_REPS) " reps of 2 s,\n"
	                            "interleaved; prints medians, ratios to nginx and the bar's\n"
	                            "verdicts, and writes them to results/<id>/compare.md" },
	{ .name = "ladder",
	  .type = OPTION_FLAG,
	  .field = AT(ladder),
	  .help = "make bench-ladder: " LADDER_MODELS " (--models\n"
	          "replaces them) in every scenario's ladder cells: hello keep-alive\n"
	          "c=1 64 512 and close c=64, pipeline c=64, bytes c=64, idle 500\n"
	          "and 1000; " STR(LADDER_REPS) " reps of " STR(
	              LADDER_DURATION_S) " s; report.md's ladder table (issue 25)" },
	{ .name = "no-warmup",
	  .type = OPTION_FLAG,
	  .field = AT(no_warmup),
	  .help = "skip the discarded warm-up run per model" },
	{ .name = "dry-run",
	  .type = OPTION_FLAG,
	  .field = AT(dry_run),
	  .help = "print the plan and its estimated duration, run nothing" },
	{ .name = "bin",
	  .arg = "DIR",
	  .type = OPTION_STRING,
	  .field = AT(bin_dir),
	  .section = "\nModels and load:\n",
	  .help = "where the models are (default bin)" },
	{ .name = "models-dir",
	  .arg = "DIR",
	  .type = OPTION_STRING,
	  .field = AT(models_dir),
	  .help = "the models' sources, for the Facts line of each README (the\n"
	          "scenario laws; default: models beside the bin directory)" },
	{ .name = "model-path",
	  .arg = "NAME=PATH",
	  .type = OPTION_PARSE,
	  .parse = add_model_path,
	  .bad = "bad --model-path (NAME=PATH)",
	  .help = "add a model binary from outside the bin directory" },
	{ .name = "tool",
	  .arg = "NAME",
	  .type = OPTION_STRING,
	  .field = AT(tool),
	  .given = AT(set_tool),
	  .help = "load tool (default ab; available: %s). ab uses one CPU; wrk a\n"
	          "thread per client CPU, in close mode with Connection: close (it\n"
	          "connects again after each reply). [make TOOL=]",
	  .values = tool_words },
	{ .name = "host",
	  .arg = "ADDR",
	  .type = OPTION_STRING,
	  .field = AT(host),
	  .help = "address the models listen on (default 127.0.0.1)   [make HOST=]" },
	{ .name = "allow-remote",
	  .type = OPTION_FLAG,
	  .field = AT(allow_remote),
	  .help = "allow load to an address that is neither loopback nor in\n"
	          "198.18.0.0/15 (refused otherwise)          [make ALLOW_REMOTE=1]" },
	{ .name = "start-wait",
	  .arg = "MS",
	  .type = OPTION_INT,
	  .field = AT(start_wait_ms),
	  .lo = 100,
	  .hi = 600000,
	  .help = "bound on waiting for the listening line (default 5000)" },
	{ .name = "timeout",
	  .arg = "S",
	  .type = OPTION_INT,
	  .field = AT(sock_timeout_s),
	  .lo = 1,
	  .hi = 3600,
	  .help = "the tool's per-socket timeout (ab -s, wrk --timeout; default 5)" },
	{ .name = "results",
	  .arg = "DIR",
	  .type = OPTION_STRING,
	  .field = AT(results),
	  .section = "\nOutput:\n",
	  .help = "runs go to DIR/<run-id>/ (default results)" },
	{ .name = "plots",
	  .arg = "DIR",
	  .type = OPTION_STRING,
	  .field = AT(plots),
	  .help = "charts go to DIR/<run-id>/ (default plots)" },
	{ .name = "scripts",
	  .arg = "DIR",
	  .type = OPTION_STRING,
	  .field = AT(scripts),
	  .help = "the gnuplot scripts (default plots)" },
	{ .name = "compiler",
	  .arg = "TEXT",
	  .type = OPTION_STRING,
	  .field = AT(compiler),
	  .help = "compiler and flags, recorded in meta" },
	{ .name = "replot",
	  .arg = "RUN-ID",
	  .type = OPTION_STRING,
	  .field = AT(replot),
	  .help = "redraw summary, report and charts of an existing run; run nothing" },
	{ .name = "help", .type = OPTION_PARSE, .parse = print_usage, .help = "this text" },
};

#define NROWS (int)(sizeof(rows) / sizeof(rows[0]))

/* The help's head and its tail (the checks every row's numbers are annotated with). */
static const char usage_head[] =
    "usage: harness [options]\n"
    "Benchmark every model in the bin directory with a load tool and chart the results.\n"
    "\n";
static const char usage_tail[] =
    "\n"
    "Honesty checks (the status stays ok; the numbers are annotated):\n"
    "  starved  served_conns (req/s x mean latency of the completed requests, Little's law)\n"
    "           below %.2g x concurrency: the other connections waited the whole run\n"
    "  noisy    other processes used more than %.0f %% of one CPU during the run\n"
    "           (other_cpu_pct, from /proc/stat less the server, the tool and the harness)\n";

void options_die(const char *msg, const char *arg)
{
	fprintf(stderr, "harness: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	fprintf(stderr, "harness: try --help\n");
	exit(2);
}

static const char *scenario_words(char *buf, size_t len)
{
	return scenario_names(buf, len);
}

static const char *tool_words(char *buf, size_t len)
{
	snprintf(buf, len, "%s", tool_names());
	return buf;
}

/* One row's help: "  --name ARG" then its lines at HELP_COLUMN, values in place of %s. */
static void print_row(const struct option_row *r)
{
	char flag[64], words[512];
	const char *h, *values = r->values ? r->values(words, sizeof(words)) : "";

	snprintf(flag, sizeof(flag), "--%s%s%s", r->name, r->arg ? " " : "", r->arg ? r->arg : "");
	printf("%s  %-*s  ", r->section ? r->section : "", HELP_COLUMN - 4, flag);
	for (h = r->help; *h; h++)
		if (*h == '\n')
			printf("\n%*s", HELP_COLUMN, "");
		else if (h[0] == '%' && h[1] == 's' && h++)
			fputs(values, stdout);
		else
			putchar(*h);
	putchar('\n');
}

/* --help: the text generated from the rows, then exit 0. */
static int print_usage(struct options *o, const char *arg)
{
	int i;

	(void)o;
	(void)arg;
	fputs(usage_head, stdout);
	for (i = 0; i < NROWS; i++)
		print_row(&rows[i]);
	printf(usage_tail, HEALTH_STARVED_FRACTION, HEALTH_NOISY_PCT);
	exit(0);
}

static int set_modes(struct options *o, const char *arg)
{
	return plan_parse_modes(&o->plan, arg);
}

static int set_levels(struct options *o, const char *arg)
{
	o->plan.nlevels = plan_parse_levels(arg, o->plan.levels, PLAN_MAX_LEVELS);
	return o->plan.nlevels > 0 ? 0 : -1;
}

/* An unknown scenario is named with the known ones (exit 2). */
static int set_scenarios(struct options *o, const char *arg)
{
	char names[512], err[128];

	if (plan_parse_scenarios(&o->plan, arg, err, sizeof(err)) < 0) {
		fprintf(stderr, "harness: unknown scenario '%s' (known: %s)\n", err,
		        scenario_names(names, sizeof(names)));
		exit(2);
	}
	o->scenarios = arg;
	return 0;
}

static int add_model_path(struct options *o, const char *arg)
{
	if (o->nmodel_paths == PLAN_MAX_MODELS || !strchr(arg, '='))
		return -1;
	o->model_paths[o->nmodel_paths++] = arg;
	return 0;
}

/* A whole number in [lo, hi], or exit 2 naming it. */
static int parse_int(const char *s, int lo, int hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < lo || v > hi)
		options_die("bad number", s);
	return (int)v;
}

/* Row r given with arg (NULL for a flag): its value into its field, its mark set. */
static void apply(const struct option_row *r, struct options *o, const char *arg)
{
	char *base = (char *)o;

	switch (r->type) {
	case OPTION_FLAG: *(int *)(base + r->field) = 1; break;
	case OPTION_INT: *(int *)(base + r->field) = parse_int(arg, r->lo, r->hi); break;
	case OPTION_STRING: *(const char **)(base + r->field) = arg; break;
	case OPTION_PARSE:
		if (r->parse(o, arg) < 0)
			options_die(r->bad, arg);
		break;
	}
	if (r->given)
		*(int *)(base + r->given) = 1;
}

/* Before any option: what a bare `harness` runs. */
static void defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	plan_defaults(&o->plan);
	o->bin_dir = "bin";
	o->tool = tool_default()->name;
	o->host = "127.0.0.1";
	o->results = "results";
	o->plots = "plots";
	o->scripts = "plots";
	o->pin = 1;
	o->start_wait_ms = 5000;
	o->sock_timeout_s = 5;
	o->count = 1;
	o->files_mib = 2048;
}

/*
 * --compare fixes the cells and the tools (wrk for keep-alive, ab for close,
 * the pipeline scenario's own wrk script for the pipelined cell) and
 * defaults to COMPARE_MIN_REPS repetitions of 2 s; --reps and --duration
 * still apply (make bench-compare never lowers the repetitions below it).
 */
static void compare_plan(struct options *o)
{
	char why[128];

	if (o->set_cells || o->replot)
		options_die("--compare fixes its cells; it takes no --modes, --levels, --quick or "
		            "--replot",
		            NULL);
	if (o->scenarios) {
		snprintf(why, sizeof(why),
		         "--compare runs its own scenarios (%s and %s); it takes no --scenarios",
		         scenario_for_compare(SCENARIO_COMPARE_BAR)->name,
		         scenario_for_compare(SCENARIO_COMPARE_PIPELINED)->name);
		options_die(why, NULL);
	}
	if (o->set_tool && strcmp(o->tool, COMPARE_KA_TOOL) != 0)
		options_die("--compare drives keep-alive with " COMPARE_KA_TOOL, o->tool);
	o->tool = COMPARE_KA_TOOL;
	o->close_tool = COMPARE_CLOSE_TOOL;
	compare_plan_cells(&o->plan, o->set_reps, o->set_duration);
}

/*
 * --ladder fixes the cells (each scenario row's ladder cells) and the tools (wrk for
 * keep-alive, ab for close) and defaults to LADDER_MODELS, LADDER_REPS repetitions of
 * LADDER_DURATION_S; --models, --reps and --duration still apply.
 */
static void ladder_plan(struct options *o)
{
	if (o->set_cells || o->replot || o->scenarios || o->compare)
		options_die("--ladder fixes its cells; it takes no --modes, --levels, --quick, "
		            "--scenarios, --compare or --replot",
		            NULL);
	if (o->set_tool && strcmp(o->tool, "wrk") != 0)
		options_die("--ladder drives keep-alive with wrk", o->tool);
	o->tool = "wrk";
	o->close_tool = "ab";
	if (!o->models || !*o->models)
		o->models = LADDER_MODELS;
	if (ladder_plan_cells(&o->plan, o->set_reps, o->set_duration) < 0)
		options_die("a scenario's ladder cells are malformed (harness/scenario.c)", NULL);
}

int options_full_plan(const struct options *o)
{
	return !o->models && !o->scenarios && !o->plan.nmodes && !o->plan.nlevels &&
	       !o->plan.quick && !o->set_reps && !o->set_duration && !o->compare && !o->plan.ncells;
}

void options_parse(int argc, char **argv, struct options *o)
{
	struct option opts[NROWS + 1];
	char buf[1024], *words[PREFIX_MAX_WORDS];
	int c, i;

	defaults(o);
	for (i = 0; i < NROWS; i++)
		opts[i] =
		    (struct option){ rows[i].name, rows[i].arg ? required_argument : no_argument,
			             NULL, OPTION_VAL + i };
	opts[NROWS] = (struct option){ 0 };
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c < OPTION_VAL || c >= OPTION_VAL + NROWS)
			options_die("bad option", NULL);
		apply(&rows[c - OPTION_VAL], o, optarg);
	}
	if (optind < argc)
		options_die("unexpected argument", argv[optind]);
	if (o->plan.quick || o->no_warmup) /* a smoke run: no warm-up either */
		o->plan.warmup = 0;
	if ((o->plan.quick || o->compare) && !o->set_count) /* their time is budgeted */
		o->count = 0;
	if (o->client_prefix &&
	    prefix_split(o->client_prefix, buf, sizeof(buf), words, PREFIX_MAX_WORDS) < 0)
		options_die("--client-prefix: empty, or too many or too long words",
		            o->client_prefix);
	if (o->compare)
		compare_plan(o);
	if (o->ladder)
		ladder_plan(o);
}
