/* main.c -- bin/harness: plan the runs, do them one by one, then summarize, chart and rank. */
#include "compare.h"
#include "cpus.h"
#include "facts.h"
#include "health.h"
#include "meta.h"
#include "plan.h"
#include "plot.h"
#include "prefix.h"
#include "record.h"
#include "report.h"
#include "report_md.h"
#include "run.h"
#include "scenario.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WARMUP_REQUESTS     2000    /* a warm-up run ends after this many requests or 1 s */
#define REQUESTS_PER_SECOND 250000L /* -n bound per second of run: far above any model */
#define OVERHEAD_S          0.1 /* start and stop of one run, measured at c=512, for the estimate */

struct options {
	const char *bin_dir, *models, *tool, *host, *results, *plots, *scripts, *compiler, *replot;
	const char *close_tool;                /* close mode's tool when it must differ: ab */
	const char *client_cpus, *server_cpus; /* --client-cpus, --server-cpus; NULL: the split */
	const char *client_prefix;             /* --client-prefix; NULL: none */
	int client_threads;                    /* --client-threads; 0: the client CPUs */
	const char *scenarios, *models_dir;
	const char *model_paths[PLAN_MAX_MODELS];
	int nmodel_paths, allow_remote, pin, dry_run, start_wait_ms, sock_timeout_s;
	int refs;    /* --refs: reference servers (ref-*) join the default plan */
	int compare; /* --compare: the bench-compare plan and table */
	int set_reps, set_duration, set_cells, set_tool; /* given on the command line */
	struct plan plan;
};

/* What main keeps of the runs for the end: why each reference was skipped, if it was. */
struct run_notes {
	char ref_why[PLAN_MAX_MODELS][256];
};

/* The load tool of one scenario in one mode, resolved in PATH. */
struct tool_choice {
	const struct tool *tool;
	char path[PATH_MAX];
};

/* Every scenario's tool per mode; the closed-loop tool that measures open-loop capacities. */
struct tool_plan {
	struct tool_choice of[SCENARIO_MAX][PLAN_NMODES];
	struct tool_choice closed;
};

static const char usage[] =
    "usage: harness [options]\n"
    "Benchmark every model in the bin directory with a load tool and chart the results.\n"
    "\n"
    "Plan (defaults: all models, every default scenario with its own modes, levels,\n"
    "repetitions and run length; --modes, --levels, --reps, --duration replace them in all):\n"
    "  --scenarios LIST     scenarios to run: %s\n"
    "                       (default: all but opt-in ones; all: every one) [make SCENARIOS=]\n"
    "  --models LIST        models to run (names, blank or comma separated)   [make MODELS=]\n"
    "                       Reference servers (ref-*, e.g. ref-nginx: Debian's nginx) are\n"
    "                       not in the default plan, so bench-all stays within 30 minutes:\n"
    "                       name them here or pass --refs.\n"
    "  --refs               add every reference server to the plan            [make REFS=1]\n"
    "  --modes LIST         close, keepalive                                  [make MODES=]\n"
    "  --levels LIST        concurrency levels                                [make LEVELS=]\n"
    "  --reps N             repetitions of each cell (outermost loop)         [make REPS=]\n"
    "  --duration S         seconds per run (ab -t, wrk -d; whole seconds)    [make DURATION=]\n"
    "  --pin 0|1            pin the load tool and the server to disjoint CPUs (default 1;\n"
    "                       below 4 CPUs the tool gets one, from 4 up half each, whole\n"
    "                       physical cores to each side where /sys shows them) [make PIN=]\n"
    "  --client-cpus LIST   the load tool's CPUs, a cpulist like 0-3,8   [make CLIENT_CPUS=]\n"
    "  --server-cpus LIST   the server's CPUs (one list given: the other side is the rest\n"
    "                       of the affinity mask)                        [make SERVER_CPUS=]\n"
    "  --client-threads N   wrk's threads (default: the client CPUs)  [make CLIENT_THREADS=]\n"
    "  --client-prefix CMD  run the load tool behind a command prefix: 'ssh loadgen' (another\n"
    "                       machine), 'ip netns exec smbench-client' (scripts/netns.sh);\n"
    "                       the tool's CPU share is measured where it runs [make CLIENT_PREFIX=]\n"
    "  --workers N          give every model --workers N (pooled models size their pool\n"
    "                       with it, the others ignore it); default: not passed, each\n"
    "                       model uses its own (its README's Facts line)     [make WORKERS=]\n"
    "  --quick              every model and scenario at its quick level, 1 rep of 1 s, no\n"
    "                       warm-up                                        [make bench-quick]\n"
    "  --compare            make bench-compare: ref-nginx and our models (--models narrows\n"
    "                       ours), keepalive c=64 with wrk, close c=32 with ab and the\n"
    "                       pipeline scenario at c=64 with wrk, %d reps of 2 s,\n"
    "                       interleaved; prints medians, ratios to nginx and the bar's\n"
    "                       verdicts, and writes them to results/<id>/compare.md\n"
    "  --no-warmup          skip the discarded warm-up run per model\n"
    "  --dry-run            print the plan and its estimated duration, run nothing\n"
    "\n"
    "Models and load:\n"
    "  --bin DIR            where the models are (default bin)\n"
    "  --models-dir DIR     the models' sources, for the Facts line of each README (the\n"
    "                       scenario laws; default: models beside the bin directory)\n"
    "  --model-path NAME=PATH  add a model binary from outside the bin directory\n"
    "  --tool NAME          load tool (default ab; available: %s). ab uses one CPU; wrk a\n"
    "                       thread per client CPU, in close mode with Connection: close (it\n"
    "                       connects again after each reply). [make TOOL=]\n"
    "  --host ADDR          address the models listen on (default 127.0.0.1)   [make HOST=]\n"
    "  --allow-remote       allow load to an address that is neither loopback nor in\n"
    "                       198.18.0.0/15 (refused otherwise)          [make ALLOW_REMOTE=1]\n"
    "  --start-wait MS      bound on waiting for the listening line (default 5000)\n"
    "  --timeout S          the tool's per-socket timeout (ab -s, wrk --timeout; default 5)\n"
    "\n"
    "Output:\n"
    "  --results DIR        runs go to DIR/<run-id>/ (default results)\n"
    "  --plots DIR          charts go to DIR/<run-id>/ (default plots)\n"
    "  --scripts DIR        the gnuplot scripts (default plots)\n"
    "  --compiler TEXT      compiler and flags, recorded in meta\n"
    "  --replot RUN-ID      redraw summary, report and charts of an existing run; run nothing\n"
    "  --help               this text\n"
    "\n"
    "Honesty checks (the status stays ok; the numbers are annotated):\n"
    "  starved  served_conns (req/s x mean latency of the completed requests, Little's law)\n"
    "           below %.2g x concurrency: the other connections waited the whole run\n"
    "  noisy    other processes used more than %.0f %% of one CPU during the run\n"
    "           (other_cpu_pct, from /proc/stat less the server, the tool and the harness)\n";

static void die_usage(const char *msg, const char *arg)
{
	fprintf(stderr, "harness: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	fprintf(stderr, "harness: try --help\n");
	exit(2);
}

static int parse_int(const char *s, int lo, int hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < lo || v > hi)
		die_usage("bad number", s);
	return (int)v;
}

/*
 * --compare fixes the cells and the tools (wrk for keep-alive, ab for close,
 * the pipeline scenario's own wrk script for the pipelined cell) and
 * defaults to COMPARE_MIN_REPS repetitions of 2 s; --reps and --duration
 * still apply (make bench-compare never lowers the repetitions below it).
 */
static void compare_plan(struct options *o)
{
	struct plan *p = &o->plan;

	if (o->set_cells || o->replot)
		die_usage("--compare fixes its cells; it takes no --modes, --levels, --quick or "
		          "--replot",
		          NULL);
	if (o->scenarios)
		die_usage("--compare runs its own scenarios (" COMPARE_SCENARIO
		          " and " COMPARE_PIPE_SCENARIO "); it takes no "
		          "--scenarios",
		          NULL);
	if (o->set_tool && strcmp(o->tool, COMPARE_KA_TOOL) != 0)
		die_usage("--compare drives keep-alive with " COMPARE_KA_TOOL, o->tool);
	o->tool = COMPARE_KA_TOOL;
	o->close_tool = COMPARE_CLOSE_TOOL;
	compare_plan_cells(p, o->set_reps, o->set_duration);
}

static void parse_options(int argc, char **argv, struct options *o)
{
	enum {
		O_MODELS = 256,
		O_MODES,
		O_LEVELS,
		O_REPS,
		O_DURATION,
		O_PIN,
		O_QUICK,
		O_NOWARM,
		O_DRY,
		O_BIN,
		O_MPATH,
		O_TOOL,
		O_HOST,
		O_REMOTE,
		O_WAIT,
		O_TIMEOUT,
		O_RESULTS,
		O_PLOTS,
		O_SCRIPTS,
		O_COMPILER,
		O_REPLOT,
		O_HELP,
		O_REFS,
		O_COMPARE,
		O_WORKERS,
		O_CCPUS,
		O_SCPUS,
		O_CTHREADS,
		O_CPREFIX,
		O_SCENARIOS,
		O_MODELS_DIR
	};
	/* clang-format off */
	static const struct option opts[] = {
		{ "models", 1, 0, O_MODELS },
		{ "modes", 1, 0, O_MODES },
		{ "levels", 1, 0, O_LEVELS },
		{ "reps", 1, 0, O_REPS },
		{ "duration", 1, 0, O_DURATION },
		{ "pin", 1, 0, O_PIN },
		{ "quick", 0, 0, O_QUICK },
		{ "no-warmup", 0, 0, O_NOWARM },
		{ "dry-run", 0, 0, O_DRY },
		{ "bin", 1, 0, O_BIN },
		{ "model-path", 1, 0, O_MPATH },
		{ "tool", 1, 0, O_TOOL },
		{ "host", 1, 0, O_HOST },
		{ "allow-remote", 0, 0, O_REMOTE },
		{ "start-wait", 1, 0, O_WAIT },
		{ "timeout", 1, 0, O_TIMEOUT },
		{ "results", 1, 0, O_RESULTS },
		{ "plots", 1, 0, O_PLOTS },
		{ "scripts", 1, 0, O_SCRIPTS },
		{ "compiler", 1, 0, O_COMPILER },
		{ "replot", 1, 0, O_REPLOT },
		{ "help", 0, 0, O_HELP },
		{ "refs", 0, 0, O_REFS },
		{ "compare", 0, 0, O_COMPARE },
		{ "workers", 1, 0, O_WORKERS },
		{ "client-cpus", 1, 0, O_CCPUS },
		{ "server-cpus", 1, 0, O_SCPUS },
		{ "client-threads", 1, 0, O_CTHREADS },
		{ "client-prefix", 1, 0, O_CPREFIX },
		{ "scenarios", 1, 0, O_SCENARIOS },
		{ "models-dir", 1, 0, O_MODELS_DIR },
		{ 0, 0, 0, 0 },
	};
	/* clang-format on */
	struct plan *p = &o->plan;
	char names[512], err[128];
	int c;

	memset(o, 0, sizeof(*o));
	plan_defaults(p);
	o->bin_dir = "bin";
	o->tool = tool_default()->name;
	o->host = "127.0.0.1";
	o->results = "results";
	o->plots = "plots";
	o->scripts = "plots";
	o->pin = 1;
	o->start_wait_ms = 5000;
	o->sock_timeout_s = 5;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_MODELS: o->models = optarg; break;
		case O_MODES:
			if (plan_parse_modes(p, optarg) < 0)
				die_usage("bad modes (close, keepalive)", optarg);
			o->set_cells = 1;
			break;
		case O_LEVELS:
			if ((p->nlevels = plan_parse_levels(optarg, p->levels, PLAN_MAX_LEVELS)) <=
			    0)
				die_usage("bad concurrency levels", optarg);
			o->set_cells = 1;
			break;
		case O_REPS:
			p->reps = parse_int(optarg, 1, 1000);
			o->set_reps = 1;
			break;
		case O_DURATION:
			p->duration_s = parse_int(optarg, 1, 3600);
			o->set_duration = 1;
			break;
		case O_PIN: o->pin = parse_int(optarg, 0, 1); break;
		case O_WORKERS: p->workers = parse_int(optarg, 1, 4096); break;
		case O_CCPUS: o->client_cpus = optarg; break;
		case O_SCPUS: o->server_cpus = optarg; break;
		case O_CTHREADS: o->client_threads = parse_int(optarg, 1, 1024); break;
		case O_CPREFIX: o->client_prefix = optarg; break;
		case O_QUICK: /* a smoke run: no warm-up either */
			p->quick = 1;
			p->warmup = 0;
			o->set_cells = 1;
			break;
		case O_SCENARIOS:
			if (plan_parse_scenarios(p, optarg, err, sizeof(err)) < 0) {
				fprintf(stderr, "harness: unknown scenario '%s' (known: %s)\n", err,
				        scenario_names(names, sizeof(names)));
				exit(2);
			}
			o->scenarios = optarg;
			break;
		case O_MODELS_DIR: o->models_dir = optarg; break;
		case O_REFS: o->refs = 1; break;
		case O_COMPARE: o->compare = 1; break;
		case O_NOWARM: p->warmup = 0; break;
		case O_DRY: o->dry_run = 1; break;
		case O_BIN: o->bin_dir = optarg; break;
		case O_MPATH:
			if (o->nmodel_paths == PLAN_MAX_MODELS || !strchr(optarg, '='))
				die_usage("bad --model-path (NAME=PATH)", optarg);
			o->model_paths[o->nmodel_paths++] = optarg;
			break;
		case O_TOOL:
			o->tool = optarg;
			o->set_tool = 1;
			break;
		case O_HOST: o->host = optarg; break;
		case O_REMOTE: o->allow_remote = 1; break;
		case O_WAIT: o->start_wait_ms = parse_int(optarg, 100, 600000); break;
		case O_TIMEOUT: o->sock_timeout_s = parse_int(optarg, 1, 3600); break;
		case O_RESULTS: o->results = optarg; break;
		case O_PLOTS: o->plots = optarg; break;
		case O_SCRIPTS: o->scripts = optarg; break;
		case O_COMPILER: o->compiler = optarg; break;
		case O_REPLOT: o->replot = optarg; break;
		case O_HELP:
			printf(usage, scenario_names(names, sizeof(names)), COMPARE_MIN_REPS,
			       tool_names(), HEALTH_STARVED_FRACTION, HEALTH_NOISY_PCT);
			exit(0);
		default: die_usage("bad option", NULL);
		}
	}
	if (optind < argc)
		die_usage("unexpected argument", argv[optind]);
	if (o->client_prefix) {
		char buf[1024], *words[PREFIX_MAX_WORDS];

		if (prefix_split(o->client_prefix, buf, sizeof(buf), words, PREFIX_MAX_WORDS) < 0)
			die_usage("--client-prefix: empty, or too many or too long words",
			          o->client_prefix);
	}
	if (o->compare)
		compare_plan(o);
}

/* Keep only the models in list; exits on an unknown name. */
static void select_models(struct options *o, const char *list)
{
	char err[PLAN_NAME_MAX + 64];

	if (plan_select(&o->plan, list, err, sizeof(err)) < 0) {
		fprintf(stderr, "harness: no model called %s (in %s or --model-path)\n", err,
		        o->bin_dir);
		exit(2);
	}
}

/*
 * --compare's models: COMPARE_REF first, then ours (every one, or those in
 * --models); other references only when named. Exits without COMPARE_REF.
 */
static void compare_models(struct options *o)
{
	struct plan *p = &o->plan;
	char list[PLAN_MAX_MODELS * (PLAN_NAME_MAX + 1) + 1024];
	int i;

	if (compare_model_list(p, o->models, list, sizeof(list)) < 0)
		die_usage("too many models", NULL);
	for (i = 0; i < p->nmodels && strcmp(p->models[i].name, COMPARE_REF); i++)
		;
	if (i == p->nmodels) {
		fprintf(stderr, "harness: --compare needs %s/%s (make builds it from models/%s)\n",
		        o->bin_dir, COMPARE_REF, COMPARE_REF);
		exit(2);
	}
	select_models(o, list);
}

/* Discover and add models, then apply --models. Exits on a bad selection. */
static void build_models(struct options *o)
{
	struct plan *p = &o->plan;
	char name[PLAN_NAME_MAX];
	int i, dropped = 0, found = plan_discover(p, o->bin_dir);

	if (found < 0 && o->nmodel_paths == 0) {
		fprintf(stderr, "harness: cannot read the bin directory %s: %s\n", o->bin_dir,
		        strerror(errno));
		exit(1);
	}
	/* References found in the bin directory join only when asked for. */
	if (!o->compare && !(o->models && *o->models) && !o->refs)
		dropped = plan_drop_references(p);
	for (i = 0; i < o->nmodel_paths; i++) {
		const char *eq = strchr(o->model_paths[i], '=');

		snprintf(name, sizeof(name), "%.*s", (int)(eq - o->model_paths[i]),
		         o->model_paths[i]);
		if (access(eq + 1, X_OK) < 0 || plan_add_model(p, name, eq + 1) < 0) {
			fprintf(stderr,
			        "harness: --model-path %s: not an executable or a duplicate name\n",
			        o->model_paths[i]);
			exit(2);
		}
	}
	if (o->compare)
		compare_models(o);
	else if (o->models && *o->models)
		select_models(o, o->models);
	if (dropped)
		printf("plan: %d reference server%s left out (name %s in --models/MODELS= or pass "
		       "--refs/REFS=1)\n",
		       dropped, dropped == 1 ? "" : "s", dropped == 1 ? "it" : "them");
	if (p->nmodels == 0) {
		fprintf(stderr, "harness: no models found in %s (build them with make)\n",
		        o->bin_dir);
		exit(1);
	}
}

/*
 * From the rows on disk: summary.csv, charts, report.md; the ranking to
 * stdout; with compare, the comparison too. 0 or -1.
 */
static int finish(const char *run_dir, const char *run_id, const char *plot_dir,
                  const char *scripts, int compare, const char *ref_why)
{
	char path[PATH_MAX], summary[PATH_MAX], gnuplot[PATH_MAX], rel[PATH_MAX], *meta;
	struct plot_job job = { .gnuplot = gnuplot,
		                .scripts = scripts,
		                .summary = summary,
		                .outdir = plot_dir,
		                .run_id = run_id,
		                .exec = run_command };
	static struct meta_env env;
	struct record_row *rows;
	struct report_cell *cells;
	int n, ncells, bad, failed;

	snprintf(path, sizeof(path), "%s/results.csv", run_dir);
	if (record_load(path, &rows, &n, &bad) < 0) {
		fprintf(stderr, "harness: cannot read %s (line %d)\n", path, bad);
		return -1;
	}
	if ((bad = record_backfill_served(run_dir, rows, n)) > 0)
		printf("served_conns worked out from the raw output for %d rows recorded without "
		       "it\n",
		       bad);
	if (report_summarize(rows, n, &cells, &ncells) < 0) {
		free(rows);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/meta", run_dir);
	meta = util_read_file(path, NULL);
	meta_read_env(meta, &env);
	report_apply_laws(cells, ncells, &env);
	snprintf(summary, sizeof(summary), "%s/summary.csv", run_dir);
	if (report_write_summary(summary, cells, ncells) < 0)
		fprintf(stderr, "harness: cannot write %s\n", summary);
	if (util_mkdir_p(plot_dir) < 0 || util_which("gnuplot", gnuplot, sizeof(gnuplot)) < 0)
		fprintf(stderr, "harness: gnuplot not found or %s not writable: no charts\n",
		        plot_dir);
	else if (ncells && (failed = plot_charts(&job, cells, ncells)) != 0)
		fprintf(stderr, "harness: %d chart(s) could not be drawn (see %s/gnuplot.log)\n",
		        failed, plot_dir);
	util_relative_path(run_dir, plot_dir, rel, sizeof(rel));
	snprintf(path, sizeof(path), "%s/report.md", run_dir);
	if (report_write_md(path, run_id, rel, cells, ncells, meta) < 0)
		fprintf(stderr, "harness: cannot write %s\n", path);
	if (ncells) {
		printf(
		    "\nRanking at the highest concurrency (req/s, mean ± sd of ok repetitions):\n");
		report_ranking(stdout, cells, ncells);
	}
	if (compare)
		compare_finish(run_dir, run_id, cells, ncells, ref_why, meta);
	printf("\nresults: %s/results.csv, %s, %s\ncharts: %s/\n", run_dir, summary, path,
	       plot_dir);
	free(meta);
	free(cells);
	free(rows);
	return 0;
}

static int replot(const struct options *o)
{
	char run_dir[PATH_MAX], plot_dir[PATH_MAX], target[PATH_MAX], cmp[PATH_MAX + 16];
	const char *id = strrchr(o->replot, '/') ? strrchr(o->replot, '/') + 1 : o->replot;
	ssize_t n;
	int compare;

	/* "latest" names the run it points at. */
	snprintf(run_dir, sizeof(run_dir), "%s/%s", o->results, id);
	if ((n = readlink(run_dir, target, sizeof(target) - 1)) > 0) {
		target[n] = '\0';
		id = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
		if (snprintf(run_dir, sizeof(run_dir), "%s/%s", o->results, id) >=
		    (int)sizeof(run_dir))
			return 1;
	}
	if (snprintf(plot_dir, sizeof(plot_dir), "%s/%s", o->plots, id) >= (int)sizeof(plot_dir))
		return 1;
	if (access(run_dir, F_OK) < 0) {
		fprintf(stderr, "harness: no run %s in %s\n", id, o->results);
		return 1;
	}
	/* A run made by --compare has its compare.md: redraw it too. */
	snprintf(cmp, sizeof(cmp), "%s/compare.md", run_dir);
	compare = access(cmp, F_OK) == 0;
	return finish(run_dir, id, plot_dir, o->scripts, compare, NULL) < 0 ? 1 : 0;
}

/* The progress line of one measured run. */
static void progress(int done, int total, const struct record_row *row, int reps,
                     const struct run_outcome *out, double eta_s, const char *tool)
{
	char rps[32], eta[32];

	printf("[%d/%d] %s %s %s %s%d%s", done, total, row->scenario, row->model, row->mode,
	       scenario_open_loop(row->scenario) ? "at " : "c=", row->concurrency,
	       scenario_open_loop(row->scenario) ? " %" : "");
	if (row->idle_conns > 0)
		printf(" idle=%d", row->idle_conns);
	printf(" rep %d/%d: ", row->rep, reps);
	if (strcmp(row->status, "ok") != 0)
		printf("%s (%s)", row->status, out->detail);
	else
		printf("%s req/s, p99 %.2f ms", util_thousands(row->rps, rps, sizeof(rps)),
		       row->lat_p99_ms);
	if (!strcmp(row->status, "ok") && row->rejected_rps > 0) /* refused by design */
		printf(" (goodput %s, rejected %.0f req/s)",
		       util_thousands(row->goodput_rps, rps, sizeof(rps)), row->rejected_rps);
	if (row->client_cpu_pct >= REPORT_CLIENT_BOUND_PCT)
		printf(" [%s at %.0f%% CPU: load generator bound]", tool, row->client_cpu_pct);
	/* Annotations, not verdicts: a starved or noisy run's numbers are real, just partial. */
	if (!strcmp(row->status, "ok") && !scenario_open_loop(row->scenario) &&
	    health_starved(row->served_conns, row->concurrency))
		printf(" [starved: ~%.0f of %d connections served]", row->served_conns,
		       row->concurrency);
	if (health_noisy(row->other_cpu_pct))
		printf(" [noisy: other processes used %.0f%% CPU]", row->other_cpu_pct);
	printf(", ETA %s\n", util_duration(eta_s, eta, sizeof(eta)));
	fflush(stdout);
}

/*
 * A reference skipped (exit 77): say so once, with how to get it, and keep
 * the reason for the comparison.
 */
static void note_skip(const char *model, const struct run_outcome *out, char *why, size_t len)
{
	const char *reason = strstr(out->detail, "skipped: ");
	int n;

	if (why[0] || !plan_is_reference(model))
		return;
	reason = reason ? reason + strlen("skipped: ") : out->detail;
	/* The model's own install hint is replaced by the project's one command. */
	n = strstr(reason, " (") ? (int)(strstr(reason, " (") - reason) : (int)strlen(reason);
	snprintf(why, len, "%.*s (OPTIONAL=1 scripts/install-deps.sh installs it)", n, reason);
	printf("%s skipped: %s\n", model, why);
	fflush(stdout);
}

/* Open-loop scenarios: each model's capacity, measured once (0: not yet; -1: that run failed). */
struct capacity_cache {
	double rps[SCENARIO_MAX][PLAN_MAX_MODELS];
	char why[SCENARIO_MAX][PLAN_MAX_MODELS][64]; /* a run_outcome's status */
};

/*
 * The capacity of run r's model in its open-loop scenario: the closed-loop
 * tool's req/s in keep-alive at the scenario's capacity_conns connections for
 * the run's duration, measured once per model before its first measured run at
 * a share of it (the warm-up is closed-loop too), and recorded as the
 * scenario's row at level 0 in the mode of the levels it is the capacity of
 * (keep-alive whatever that mode: a per-connection design at its --max-conns
 * would refuse a closed-loop tool's reconnect that beats its last close).
 * Returns it, -1 with the run's status in cc->why when that run was not ok,
 * or -2 when a signal stopped it.
 */
static double capacity(const struct run_cfg *cfg, const struct tool_plan *tp, const char *run_id,
                       FILE *csv, const struct plan_run *r, const struct run_spec *run,
                       struct capacity_cache *cc)
{
	const struct scenario *sc = run->scenario;
	double *rps = &cc->rps[r->scenario][r->model];
	char tag[PLAN_NAME_MAX + SCENARIO_NAME + 32];
	struct run_spec spec = *run;
	struct run_outcome out;
	struct record_row row;

	if (*rps != 0)
		return *rps;
	snprintf(tag, sizeof(tag), "capacity-%s-%s", sc->name, spec.model);
	spec.tool = tp->closed.tool;
	spec.tool_path = tp->closed.path;
	spec.keepalive = 1;
	spec.concurrency = sc->capacity_conns;
	spec.max_requests = REQUESTS_PER_SECOND * spec.duration_s;
	spec.rate = 0;
	spec.tag = tag;
	if (run_one(cfg, &spec, &out) < 0)
		return -2;
	record_from_run(&row,
	                &(struct record_ids){ .run_id = run_id,
	                                      .scenario = sc->name,
	                                      .model = spec.model,
	                                      .mode = plan_mode_name(r->mode),
	                                      .tool = spec.tool->name,
	                                      .concurrency = 0,
	                                      .rep = 1 },
	                &out);
	if (record_append(csv, &row) < 0)
		fprintf(stderr, "harness: cannot append to results.csv: %s\n", strerror(errno));
	*rps = strcmp(out.status, "ok") == 0 && out.res.rps > 0 ? out.res.rps : -1;
	snprintf(cc->why[r->scenario][r->model], sizeof(cc->why[0][0]), "%s", out.status);
	printf("[capacity] %s %s: %.0f req/s (%s keep-alive, c=%d): %s%s%s\n", sc->name, spec.model,
	       out.res.rps, spec.tool->name, spec.concurrency, out.status, out.detail[0] ? " " : "",
	       out.detail);
	fflush(stdout);
	return *rps;
}

/*
 * Run r of an open-loop scenario into spec: its warm-up is closed-loop at the
 * capacity connections; a measured run offers its level's share of the
 * model's capacity (spec->rate, -1 when the capacity run was not ok). 0, or -1
 * when a signal stopped the capacity run.
 */
static int open_loop_spec(const struct run_cfg *cfg, const struct tool_plan *tp, const char *run_id,
                          FILE *csv, const struct plan_run *r, struct run_spec *spec,
                          struct capacity_cache *cc)
{
	const struct scenario *sc = spec->scenario;
	double cap;

	if (r->rep == 0) {
		spec->tool = tp->closed.tool;
		spec->tool_path = tp->closed.path;
		spec->concurrency = sc->capacity_conns;
		return 0;
	}
	if ((cap = capacity(cfg, tp, run_id, csv, r, spec, cc)) == -2)
		return -1;
	spec->concurrency = sc->load_conns;
	spec->rate = cap > 0 ? cap * r->level / 100 : -1;
	return 0;
}

/* The planned seconds of run r: what the ETA is worked out from. */
static double planned_s(const struct plan_run *r)
{
	return r->duration_s + OVERHEAD_S;
}

/* A run that is not made: its row says why (status), and what it cannot know is unknown. */
static void not_run(struct run_outcome *out, const char *status, const char *detail)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->status, sizeof(out->status), "%s", status);
	snprintf(out->detail, sizeof(out->detail), "%s", detail);
	out->other_cpu_pct = out->client_cpu_pct = -1;
	out->server_mem_kb = -1;
}

/*
 * Do every run of the plan, appending rows to csv; facts[i] are the Facts of
 * p->models[i]. Returns the signal that stopped it, or 0.
 */
static int run_plan(const struct options *o, const struct run_cfg *cfg, const struct tool_plan *tp,
                    const struct facts *facts, const char *run_id, FILE *csv,
                    struct run_notes *notes)
{
	const struct plan *p = &o->plan;
	int max = plan_count(p) + p->nmodels, n, i, done = 0, total = plan_count(p);
	struct plan_run *runs = malloc(max * sizeof(*runs));
	struct capacity_cache *cc = calloc(1, sizeof(*cc));
	long long t_start = 0;
	double planned_left = 0, planned_done = 0;
	char skip[64];

	if (!runs || !cc || (n = plan_runs(p, runs, max)) < 0) {
		free(runs);
		free(cc);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (runs[i].rep &&
		    facts_serves(&facts[runs[i].model], "", p->scenarios[runs[i].scenario]->target,
		                 skip, sizeof(skip)))
			planned_left += planned_s(&runs[i]);
	for (i = 0; i < n && !run_stop; i++) {
		const struct plan_run *r = &runs[i];
		const struct plan_model *m = &p->models[r->model];
		const struct scenario *sc = p->scenarios[r->scenario];
		const struct tool_choice *tc = &tp->of[r->scenario][r->mode];
		const char *mode = plan_mode_name(r->mode);
		/* the row's concurrency: the level, or the fixed load beside idle connections */
		int load_c = scenario_load_conns(sc, r->level);
		char tag[PLAN_NAME_MAX + SCENARIO_NAME + 64];
		struct run_spec spec = { .model = m->name,
			                 .model_path = m->path,
			                 .scenario = sc,
			                 .tool = tc->tool,
			                 .tool_path = tc->path,
			                 .keepalive = r->mode == PLAN_KEEPALIVE,
			                 .concurrency = load_c,
			                 .idle_conns = scenario_idle_conns(sc, r->level),
			                 .duration_s = r->duration_s,
			                 .max_requests = REQUESTS_PER_SECOND * r->duration_s,
			                 .admission = facts[r->model].admission,
			                 .tag = tag };
		struct run_outcome out;
		struct record_row row;
		int served =
		    facts_serves(&facts[r->model], m->name, sc->target, skip, sizeof(skip));

		if (r->rep == 0) {
			snprintf(tag, sizeof(tag), "warmup-%s", m->name);
			spec.max_requests = WARMUP_REQUESTS;
			spec.idle_conns = 0; /* a warm-up warms the model, it holds nothing */
		} else {
			snprintf(tag, sizeof(tag), "r%d-%s-%s-%s-c%d", r->rep, sc->name, m->name,
			         mode, r->level);
			if (!t_start && served)
				t_start = util_now_ms();
		}
		if (spec.max_requests < spec.concurrency)
			spec.max_requests = spec.concurrency;
		if (!served) { /* it would answer Hello world: the row gets a status, no number */
			not_run(&out, skip,
			        "its Facts line says targets=hello: Hello world for every target");
		} else if (scenario_is_open(sc) &&
		           open_loop_spec(cfg, tp, run_id, csv, r, &spec, cc) < 0) {
			break;
		} else if (spec.rate < 0) { /* never guessed: the cell says why it was not run */
			not_run(&out, "no_capacity", "");
			snprintf(out.detail, sizeof(out.detail), "the capacity run was %s",
			         cc->why[r->scenario][r->model]);
		} else if (run_one(cfg, &spec, &out) < 0) {
			break;
		}
		if (!strcmp(out.status, "skipped"))
			note_skip(m->name, &out, notes->ref_why[r->model],
			          sizeof(notes->ref_why[0]));
		if (r->rep == 0) {
			printf("[warm-up] %s: %s%s%s\n", m->name, out.status,
			       out.detail[0] ? " " : "", out.detail);
			fflush(stdout);
			continue;
		}
		record_from_run(&row,
		                &(struct record_ids){ .run_id = run_id,
		                                      .scenario = sc->name,
		                                      .model = m->name,
		                                      .mode = mode,
		                                      .tool = tc->tool->name,
		                                      .concurrency = load_c,
		                                      .idle_conns = spec.idle_conns,
		                                      .rep = r->rep },
		                &out);
		if (record_append(csv, &row) < 0)
			fprintf(stderr, "harness: cannot append to results.csv: %s\n",
			        strerror(errno));
		done++;
		if (served) {
			planned_done += planned_s(r);
			planned_left -= planned_s(r);
		}
		/* the rest of the plan at the pace measured so far against the plan */
		progress(done, total, &row, r->reps, &out,
		         planned_done > 0
		             ? planned_left * (util_now_ms() - t_start) / 1000.0 / planned_done
		             : planned_left,
		         tc->tool->name);
	}
	free(runs);
	free(cc);
	if (run_stop)
		printf(
		    "harness: interrupted by signal %d after %d of %d runs; the finished rows are "
		    "kept\n",
		    (int)run_stop, done, total);
	return run_stop;
}

/*
 * Find tool t's executable for tc: <bin>/tools/ for one built in the tree, its bare name behind
 * a client prefix, else PATH. Exits when it is missing.
 */
static void resolve_tool(const struct options *o, const struct tool *t, struct tool_choice *tc)
{
	tc->tool = t;
	if (t->in_tree) {
		snprintf(tc->path, sizeof(tc->path), "%s/tools/%s", o->bin_dir, t->exe);
		if (access(tc->path, X_OK) < 0) {
			fprintf(stderr, "harness: %s is not built (make)\n", tc->path);
			exit(1);
		}
	} else if (o->client_prefix) {
		/* the tool runs behind the prefix, on its own host: its PATH finds it there */
		snprintf(tc->path, sizeof(tc->path), "%s", t->exe);
	} else if (util_which(t->exe, tc->path, sizeof(tc->path)) < 0) {
		fprintf(stderr, "harness: %s not found in PATH (Debian: scripts/install-deps.sh)\n",
		        t->exe);
		exit(1);
	}
}

/*
 * The tool of each scenario and mode: the scenario's own when it names one,
 * else --compare's close tool in close mode, else --tool where it can measure
 * the mode, else the table's tool that can (tool_for_mode: close mode is never
 * measured by a keep-alive-only tool). Exits on an unknown tool, one that
 * cannot measure a planned mode, or one PATH lacks (behind a prefix the far
 * side's PATH is not checked: a missing tool is a run's tool_error).
 */
static void setup_tools(const struct options *o, struct tool_plan *tp)
{
	const struct plan *p = &o->plan;
	const struct tool *chosen = tool_find(o->tool);
	static struct plan_cell cells[PLAN_MAX_CELLS];
	int n = plan_cells(p, cells), i;

	if (!chosen)
		die_usage("unknown tool", o->tool);
	memset(tp, 0, sizeof(*tp));
	for (i = 0; i < n; i++) {
		const struct scenario *sc = p->scenarios[cells[i].scenario];
		struct tool_choice *tc = &tp->of[cells[i].scenario][cells[i].mode];
		int mode = cells[i].mode == PLAN_CLOSE ? TOOL_CLOSE : TOOL_KEEPALIVE;
		const struct tool *t = sc->tool ? tool_find(sc->tool)
		                       : mode == TOOL_CLOSE && o->close_tool
		                           ? tool_find(o->close_tool)
		                           : tool_for_mode(chosen, mode);

		if (tc->tool)
			continue;
		if (!t || !(t->modes & mode) || (sc->script && !t->scripts)) {
			fprintf(stderr,
			        "harness: scenario %s needs the tool %s, which cannot run it "
			        "in %s mode\n",
			        sc->name, sc->tool ? sc->tool : o->tool,
			        plan_mode_name(cells[i].mode));
			exit(2);
		}
		if (t->open_loop != scenario_is_open(sc)) {
			fprintf(stderr,
			        "harness: scenario %s is %s-loop, and the tool %s is not: an "
			        "open-loop tool runs only the scenarios that offer a rate "
			        "(overload)\n",
			        sc->name, scenario_is_open(sc) ? "open" : "closed", t->name);
			exit(2);
		}
		resolve_tool(o, t, tc);
		/* An open-loop scenario's capacity is measured in keep-alive, closed loop. */
		if (scenario_is_open(sc) && !tp->closed.tool)
			resolve_tool(
			    o, tool_for_mode(chosen->open_loop ? NULL : chosen, TOOL_KEEPALIVE),
			    &tp->closed);
	}
}

/* The distinct tools of tp, " and " separated, into buf (for the pinning line). */
static void tool_words(const struct tool_plan *tp, char *buf, size_t len)
{
	const struct tool *seen[SCENARIO_MAX * PLAN_NMODES];
	int i, j, k = 0;
	size_t o = 0;

	buf[0] = '\0';
	for (i = 0; i < SCENARIO_MAX * PLAN_NMODES; i++) {
		const struct tool *t = tp->of[i / PLAN_NMODES][i % PLAN_NMODES].tool;

		for (j = 0; t && j < k && seen[j] != t; j++)
			;
		if (!t || j < k || o >= len)
			continue;
		seen[k++] = t;
		o += snprintf(buf + o, len - o, "%s%s", o ? " and " : "", t->name);
	}
}

/* Check the tools, the address and the CPU lists; fill cfg. Exits on what makes a suite pointless.
 */
static void setup_cfg(const struct options *o, struct run_cfg *cfg, struct tool_plan *tp)
{
	char names[128], err[512];

	memset(cfg, 0, sizeof(*cfg));
	setup_tools(o, tp);
	if (!o->allow_remote && !run_is_loopback(o->host) && !run_is_bench_net(o->host)) {
		fprintf(stderr,
		        "harness: refusing to send load to %s, which is neither a loopback "
		        "address nor in 198.18.0.0/15; pass --allow-remote if you mean it\n",
		        o->host);
		exit(2);
	}
	/* The pinning line names the tools that will run. */
	tool_words(tp, names, sizeof(names));
	if (run_pin_setup(&cfg->pin, o->pin, o->client_cpus, o->server_cpus, names, err,
	                  sizeof(err)) < 0) {
		fprintf(stderr, "harness: %s\n", err);
		exit(2);
	}
	cfg->host = o->host;
	cfg->allow_remote = o->allow_remote || run_is_bench_net(o->host);
	cfg->client_prefix = o->client_prefix;
	cfg->client_threads = o->client_threads  ? o->client_threads
	                      : cfg->pin.enabled ? CPU_COUNT(&cfg->pin.tool)
	                                         : 1;
	cfg->start_wait_ms = o->start_wait_ms;
	cfg->stop_grace_ms = 2000;
	cfg->sock_timeout_s = o->sock_timeout_s;
	cfg->workers = o->plan.workers;
}

/* The models' directory: --models-dir, else models beside the bin directory, into buf. */
static void models_dir(const struct options *o, char *buf, size_t len)
{
	char bin[PATH_MAX], *slash;

	if (o->models_dir) {
		snprintf(buf, len, "%s", o->models_dir);
		return;
	}
	snprintf(bin, sizeof(bin), "%s", o->bin_dir);
	while ((slash = strrchr(bin, '/')) && !slash[1] && slash != bin)
		*slash = '\0'; /* "bin/" is "bin" */
	slash = strrchr(bin, '/');
	if (!slash)
		snprintf(buf, len, "models");
	else
		snprintf(buf, len, "%.*s/models", (int)(slash - bin), bin);
}

/* Each model's Facts line into facts[i] (unknown when its README has none). */
static void load_facts(const struct options *o, struct facts *facts)
{
	char dir[PATH_MAX];
	int i;

	models_dir(o, dir, sizeof(dir));
	for (i = 0; i < o->plan.nmodels; i++)
		facts_load(dir, o->plan.models[i].name, &facts[i]);
}

/*
 * A single-threaded tool (ab) where the client side has more CPUs: the
 * warning (for the terminal and the report) into buf, naming the first
 * scenario and mode it drives; "" otherwise.
 */
static void ab_warning(const struct options *o, const struct run_cfg *cfg,
                       const struct tool_plan *tp, char *buf, size_t len)
{
	int i, m, cpus = cfg->client_threads;
	char list[256];

	buf[0] = '\0';
	for (i = 0; cpus > 1 && i < o->plan.nscenarios; i++)
		for (m = 0; m < PLAN_NMODES; m++) {
			const struct tool *t = tp->of[i][m].tool;

			if (!t || t->threaded)
				continue;
			snprintf(
			    buf, len,
			    "warning: %s is single-threaded: it uses 1 of the %d client CPUs (%s) "
			    "in %s %s; TOOL=wrk uses all of them, in both modes (close mode with "
			    "wrk sends Connection: close, and wrk connects again after each reply)",
			    t->name, cpus,
			    cfg->pin.enabled ? cpus_format(&cfg->pin.tool, list, sizeof(list))
			                     : "--client-threads",
			    o->plan.scenarios[i]->name, plan_mode_name(m));
			return;
		}
}

/* Write meta before the first run, so even an interrupted run says what it was. */
static void write_meta(const struct options *o, const struct run_cfg *cfg,
                       const struct tool_plan *tp, const struct facts *facts, const char *run_id,
                       const char *run_dir, const char *warning)
{
	char *plan_text = NULL, *meta, *scen = NULL, *facts_text = NULL, path[PATH_MAX + 16];
	char dir[PATH_MAX];
	char refs[PLAN_MAX_MODELS * PLAN_NAME_MAX], client[256] = "", server[256] = "";
	size_t len = 0, r = 0;
	FILE *f = open_memstream(&plan_text, &len);
	struct meta_info mi = { .run_id = run_id,
		                .compiler = o->compiler,
		                .pinning = cfg->pin.desc,
		                .client_cpus = client,
		                .server_list = server,
		                .topology = cfg->pin.topology,
		                .client_threads = cfg->client_threads,
		                .client_prefix = o->client_prefix,
		                .host = o->host,
		                .warning = warning,
		                .refs = refs,
		                .workers = o->plan.workers,
		                .server_cpus = run_server_cpus(&cfg->pin),
		                .noisy_pct = HEALTH_NOISY_PCT,
		                .starved_fraction = HEALTH_STARVED_FRACTION };
	int m, i, j;

	if (f) {
		plan_print(&o->plan, f);
		fclose(f);
	}
	if (cfg->pin.enabled) {
		cpus_format(&cfg->pin.tool, client, sizeof(client));
		cpus_format(&cfg->pin.server, server, sizeof(server));
	}
	mi.plan = plan_text;
	models_dir(o, dir, sizeof(dir));
	meta_plan_lines(&o->plan, facts, dir, &scen, &facts_text);
	mi.scenarios = scen;
	mi.facts = facts_text;
	/* A line per tool and the mode it drives (one when a tool drives every mode). */
	for (i = 0; i < o->plan.nscenarios; i++)
		for (m = 0; m < PLAN_NMODES; m++) {
			const struct tool_choice *tc = &tp->of[i][m];

			for (j = 0; tc->tool && j < mi.ntools; j++)
				if (!strcmp(mi.tools[j].path, tc->path) &&
				    !strcmp(mi.tools[j].mode, plan_mode_name(m)))
					break;
			if (tc->tool && j == mi.ntools && mi.ntools < META_MAX_TOOLS)
				mi.tools[mi.ntools++] =
				    (struct meta_tool){ .mode = plan_mode_name(m),
					                .path = tc->path,
					                .version = tc->tool->version };
		}
	if (mi.ntools == 2 && !strcmp(mi.tools[0].path, mi.tools[1].path))
		mi.ntools = 1;
	/* The closed-loop tool that measured open-loop capacities. */
	if (tp->closed.tool && mi.ntools < META_MAX_TOOLS)
		mi.tools[mi.ntools++] = (struct meta_tool){ .mode = "capacity",
			                                    .path = tp->closed.path,
			                                    .version = tp->closed.tool->version };
	refs[0] = '\0';
	for (i = 0; i < o->plan.nmodels; i++)
		if (plan_is_reference(o->plan.models[i].name) && r < sizeof(refs))
			r += snprintf(refs + r, sizeof(refs) - r, "%s%s", r ? " " : "",
			              o->plan.models[i].name);
	meta = meta_collect(&mi);
	snprintf(path, sizeof(path), "%s/meta", run_dir);
	if (!meta || util_write_file(path, meta, strlen(meta)) < 0)
		fprintf(stderr, "harness: cannot write %s\n", path);
	free(meta);
	free(plan_text);
	free(scen);
	free(facts_text);
}

/* Why COMPARE_REF was skipped, or NULL. */
static const char *compare_ref_why(const struct plan *p, const struct run_notes *notes)
{
	int i;

	for (i = 0; i < p->nmodels; i++)
		if (!strcmp(p->models[i].name, COMPARE_REF) && notes->ref_why[i][0])
			return notes->ref_why[i];
	return NULL;
}

int main(int argc, char **argv)
{
	struct options o;
	static struct run_notes notes;
	static struct tool_plan tools;
	static struct facts facts[PLAN_MAX_MODELS];
	struct run_cfg cfg;
	char run_id[64], run_dir[PATH_MAX], raw[PATH_MAX + 8];
	char plot_dir[PATH_MAX + 70], path[PATH_MAX + 16], est[32], warning[512];
	static char tree[PATH_MAX];
	char *slash;
	FILE *csv;
	int sig;

	parse_options(argc, argv, &o);
	if (run_signals_init() < 0) {
		perror("harness: signals");
		return 1;
	}
	if (o.replot)
		return replot(&o);
	build_models(&o);
	setup_cfg(&o, &cfg, &tools);
	plan_print(&o.plan, stdout);
	printf("plan: %d runs (+%d warm-up), estimated %s; pinning: %s\n", plan_count(&o.plan),
	       o.plan.warmup ? o.plan.nmodels : 0,
	       util_duration(plan_estimate_s(&o.plan, OVERHEAD_S), est, sizeof(est)), cfg.pin.desc);
	if (o.client_prefix)
		printf("plan: the load tool runs behind '%s', against %s\n", o.client_prefix,
		       o.host);
	ab_warning(&o, &cfg, &tools, warning, sizeof(warning));
	if (warning[0])
		printf("%s\n", warning);
	if (o.compare && o.plan.reps < COMPARE_MIN_REPS)
		printf(
		    "plan: %d repetition%s: the bar asks for at least %d, so the verdicts will be "
		    "indicative\n",
		    o.plan.reps, o.plan.reps == 1 ? "" : "s", COMPARE_MIN_REPS);
	fflush(stdout);
	if (o.dry_run)
		return 0;
	if (util_make_run_dir(o.results, run_id, sizeof(run_id), run_dir, sizeof(run_dir)) < 0) {
		fprintf(stderr, "harness: cannot create a run directory in %s\n", o.results);
		return 1;
	}
	snprintf(raw, sizeof(raw), "%s/raw", run_dir);
	snprintf(plot_dir, sizeof(plot_dir), "%s/%s", o.plots, run_id);
	snprintf(path, sizeof(path), "%s/results.csv", run_dir);
	if (util_mkdir_p(raw) < 0 || !(csv = record_open(path))) {
		fprintf(stderr, "harness: cannot create %s\n", path);
		return 1;
	}
	cfg.raw_dir = raw;
	models_dir(&o, tree, sizeof(tree)); /* the tree is the models directory's parent */
	if ((slash = strrchr(tree, '/')))
		*slash = '\0';
	else
		snprintf(tree, sizeof(tree), ".");
	cfg.tree = tree;
	load_facts(&o, facts); /* once for the run: meta, the skips and the sweep use them */
	write_meta(&o, &cfg, &tools, facts, run_id, run_dir, warning);
	printf("run %s -> %s\n", run_id, run_dir);
	sig = run_plan(&o, &cfg, &tools, facts, run_id, csv, &notes);
	fclose(csv);
	finish(run_dir, run_id, plot_dir, o.scripts, o.compare, compare_ref_why(&o.plan, &notes));
	snprintf(path, sizeof(path), "%s/latest", o.results);
	if (util_symlink_replace(run_id, path) < 0)
		fprintf(stderr, "harness: cannot update %s\n", path);
	snprintf(path, sizeof(path), "%s/latest", o.plots);
	if (util_symlink_replace(run_id, path) < 0)
		fprintf(stderr, "harness: cannot update %s\n", path);
	return sig > 0 ? 128 + sig : sig < 0 ? 1 : 0;
}
