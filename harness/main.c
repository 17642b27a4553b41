/* main.c -- bin/harness: plan the runs, do them one by one, then summarize, chart and rank. */
#include "compare.h"
#include "countpass.h"
#include "cpus.h"
#include "facts.h"
#include "health.h"
#include "ladder.h"
#include "meta.h"
#include "options.h"
#include "plan.h"
#include "plot.h"
#include "record.h"
#include "report.h"
#include "report_files.h"
#include "report_md.h"
#include "report_rank.h"
#include "run.h"
#include "scenario.h"
#include "sweep.h"
#include "syscalls.h"
#include "toolplan.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
		options_die("too many models", NULL);
	for (i = 0; i < p->nmodels && strcmp(p->models[i].name, COMPARE_REF); i++)
		;
	if (i == p->nmodels) {
		fprintf(stderr, "harness: --compare needs %s/%s (make builds it from models/%s)\n",
		        o->bin_dir, COMPARE_REF, COMPARE_REF);
		exit(2);
	}
	select_models(o, list);
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

/*
 * Add the variants list names (MODEL:NAME, MODEL:* for every one; the Variants
 * line of models_dir/MODEL/README.md) to the plan, and write list into out
 * with each MODEL:* replaced by its variants' names. Exits 2 on a variant
 * that is not there.
 */
static void add_variants(struct options *o, const char *dir, const char *list, char *out,
                         size_t len)
{
	struct facts_variant v[FACTS_VARIANTS_MAX];
	char copy[PLAN_MAX_MODELS * (PLAN_NAME_MAX + 1)], *w, *save, *colon;
	size_t used = 0;
	int n, i, hit;

	snprintf(copy, sizeof(copy), "%s", list);
	out[0] = '\0';
	for (w = strtok_r(copy, " ,\t", &save); w; w = strtok_r(NULL, " ,\t", &save)) {
		if (!(colon = strchr(w, ':'))) {
			used += snprintf(out + used, used < len ? len - used : 0, "%s ", w);
			continue;
		}
		*colon = '\0';
		n = facts_variants_load(dir, w, v, FACTS_VARIANTS_MAX);
		for (i = 0, hit = 0; i < n; i++) {
			if (strcmp(colon + 1, "*") && strcmp(colon + 1, v[i].name))
				continue;
			if (plan_add_variant(&o->plan, w, v[i].name, v[i].flags) < 0)
				break;
			used += snprintf(out + used, used < len ? len - used : 0, "%s:%s ", w,
			                 v[i].name);
			hit++;
		}
		if (!hit || i < n) {
			fprintf(stderr,
			        "harness: no variant %s of %s (%s/%s/README.md: Variants line; "
			        "and the model in %s)\n",
			        colon + 1, w, dir, w, o->bin_dir);
			exit(2);
		}
	}
	if (used >= len)
		options_die("too many models", NULL);
}

/* Discover and add models, then apply --models. Exits on a bad selection. */
static void build_models(struct options *o)
{
	static char
	    list[PLAN_MAX_MODELS * (PLAN_NAME_MAX + 1)]; /* --models, variants spelled out */
	struct plan *p = &o->plan;
	char name[PLAN_NAME_MAX], dir[PATH_MAX];
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
	if (o->models && *o->models) {
		models_dir(o, dir, sizeof(dir));
		add_variants(o, dir, o->models, list, sizeof(list));
		o->models = list;
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
 * The counting pass's breakdown of run_dir (counts.csv) into *rows (malloc'ed, count in
 * *n; none: NULL and 0, also when it is malformed, which is said).
 */
static void load_counts(const char *run_dir, struct syscalls_row **rows, int *n)
{
	char path[PATH_MAX + 16], *text;
	int bad;

	*rows = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "%s/counts.csv", run_dir);
	if (!(text = util_read_file(path, NULL)))
		return; /* no counting pass */
	if (syscalls_parse(text, rows, n, &bad) < 0)
		fprintf(stderr, "harness: %s: line %d is malformed: no breakdown\n", path, bad);
	free(text);
}

/*
 * The counting pass's breakdown (rows[0..n) of counts.csv): its tables in syscalls.md
 * beside report.md (a line there links them) and its stacked bars drawn (job: NULL when
 * gnuplot is missing).
 */
static void breakdown(const char *run_dir, const char *report, const struct plot_job *job,
                      const char *charts, const struct syscalls_row *rows, int n)
{
	char path[PATH_MAX + 16];
	int failed;
	FILE *f;

	if (!n)
		return;
	if (job && (failed = syscalls_plot(job, rows, n)) != 0)
		fprintf(stderr, "harness: %d syscall chart(s) could not be drawn\n", failed);
	snprintf(path, sizeof(path), "%s/syscalls.md", run_dir);
	if ((f = fopen(path, "we"))) { /* beside report.md, which stays short */
		syscalls_write_md(f, rows, n, job ? charts : NULL);
		fclose(f);
		if ((f = fopen(report, "ae"))) {
			fprintf(f,
			        "\nSystem calls per request, by name, per scenario and mode (the "
			        "counting pass): [syscalls.md](syscalls.md).\n");
			fclose(f);
		}
	}
}

/*
 * The files rows' part (report_files.h), when the run has one: its tables in files.md beside
 * report.md (a line there links them) and the hot-p99 chart (job: NULL without gnuplot).
 */
static void files_part(const char *run_dir, const char *report, const struct plot_job *job,
                       const char *charts, const struct record_row *rows, int n,
                       const struct report_cell *cells, int ncells)
{
	static struct report_files_model m[REPORT_FILES_MAX];
	char path[PATH_MAX + 16];
	int k = report_files_collect(rows, n, cells, ncells, m, REPORT_FILES_MAX), drawn;
	FILE *f;

	if (!k)
		return;
	drawn = job && report_files_plot(job, m, k) == 0;
	if (job && !drawn)
		fprintf(stderr, "harness: the files chart could not be drawn\n");
	snprintf(path, sizeof(path), "%s/files.md", run_dir);
	if (!(f = fopen(path, "we")))
		return;
	report_files_md(f, m, k, drawn ? charts : NULL);
	fclose(f);
	if ((f = fopen(report, "ae"))) {
		fprintf(f, "\nThe files scenarios: sendfile against read, cold against warm, with "
		           "the law: [files.md](files.md).\n");
		fclose(f);
	}
}

/*
 * A run with variants (MODELS="epoll io_uring:*"): the ladder's tables appended to
 * report.md and its chart drawn (job: NULL when gnuplot is missing).
 */
static void ladder(const char *report, const struct plot_job *job, const char *charts,
                   const struct report_cell *cells, int ncells, const struct meta_env *env,
                   const struct syscalls_row *rows, int n)
{
	FILE *f;

	if (!env->nvariants)
		return;
	if (job && ladder_plot(job, cells, ncells, env) != 0)
		fprintf(stderr, "harness: the ladder's chart could not be drawn\n");
	if ((f = fopen(report, "ae"))) {
		ladder_write_md(f, cells, ncells, env, rows, n, job ? charts : NULL);
		fclose(f);
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
	struct syscalls_row *counts;
	int n, ncells, bad, failed, charts, ncounts;

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
	charts =
	    util_mkdir_p(plot_dir) == 0 && util_which("gnuplot", gnuplot, sizeof(gnuplot)) == 0;
	if (!charts)
		fprintf(stderr, "harness: gnuplot not found or %s not writable: no charts\n",
		        plot_dir);
	else if (ncells && (failed = plot_charts(&job, cells, ncells)) != 0)
		fprintf(stderr, "harness: %d chart(s) could not be drawn (see %s/gnuplot.log)\n",
		        failed, plot_dir);
	util_relative_path(run_dir, plot_dir, rel, sizeof(rel));
	snprintf(path, sizeof(path), "%s/report.md", run_dir);
	load_counts(run_dir, &counts, &ncounts);
	if (report_write_md(path, run_id, rel, cells, ncells, meta) < 0) {
		fprintf(stderr, "harness: cannot write %s\n", path);
	} else {
		ladder(path, charts ? &job : NULL, rel, cells, ncells, &env, counts, ncounts);
		breakdown(run_dir, path, charts ? &job : NULL, rel, counts, ncounts);
	}
	files_part(run_dir, path, charts ? &job : NULL, rel, rows, n, cells, ncells);
	free(counts);
	if (ncells) {
		printf("\nRanking at the highest concurrency (medians of the ok repetitions, "
		       "min-max):\n");
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

/* Check the tools, the address and the CPU lists; fill cfg. Exits on what makes a suite pointless.
 */
static void setup_cfg(const struct options *o, struct run_cfg *cfg, struct tool_plan *tp)
{
	static char tools_dir[PATH_MAX];
	char names[128], err[512];

	struct tool_want want = { .tool = o->tool,
		                  .close_tool = o->close_tool,
		                  .bin_dir = o->bin_dir,
		                  .client_prefix = o->client_prefix };

	memset(cfg, 0, sizeof(*cfg));
	if (toolplan_setup(&o->plan, &want, tp) < 0)
		options_die("unknown tool", o->tool);
	if (!o->allow_remote && !run_is_loopback(o->host) && !run_is_bench_net(o->host)) {
		fprintf(stderr,
		        "harness: refusing to send load to %s, which is neither a loopback "
		        "address nor in 198.18.0.0/15; pass --allow-remote if you mean it\n",
		        o->host);
		exit(2);
	}
	/* The pinning line names the tools that will run. */
	toolplan_words(tp, names, sizeof(names));
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
	cfg->profile = o->profile;
	snprintf(tools_dir, sizeof(tools_dir), "%s/tools", o->bin_dir);
	cfg->tools_dir = tools_dir;
	cfg->files_mib = o->files_mib;
	cfg->files_delay_ms = o->files_delay_ms;
}

/* Each model's Facts line into facts[i] (unknown when its README has none). */
static void load_facts(const struct options *o, struct facts *facts)
{
	char dir[PATH_MAX];
	int i;

	models_dir(o, dir, sizeof(dir));
	for (i = 0; i < o->plan.nmodels; i++) /* a variant's are its model's */
		facts_load(dir, o->plan.models[i].base, &facts[i]);
}

/* Write meta before the first run, so even an interrupted run says what it was. */
static void write_meta(const struct options *o, const struct run_cfg *cfg,
                       const struct tool_plan *tp, const struct facts *facts, const char *run_id,
                       const char *run_dir, const char *warning, const char *counts)
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
		                .counts = counts,
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
static const char *compare_ref_why(const struct plan *p, const struct sweep_notes *notes)
{
	int i;

	for (i = 0; i < p->nmodels; i++)
		if (!strcmp(p->models[i].name, COMPARE_REF) && notes->ref_why[i][0])
			return notes->ref_why[i];
	return NULL;
}

/* What the counting pass adds to the plan: one run per cell (its first repetition's twin). */
static void announce_count(const struct plan *p)
{
	int max = plan_count(p) + p->nmodels, n, i, runs = 0;
	struct plan_run *r = malloc(max * sizeof(*r));
	double s = 0;
	char est[32];

	if (r && (n = plan_runs(p, r, max)) > 0)
		for (i = 0; i < n; i++)
			if (r[i].rep == 1) {
				runs++;
				s += r[i].duration_s + SWEEP_OVERHEAD_S;
			}
	free(r);
	printf("plan: the counting pass adds %d runs, about %s (--count 0 / COUNT=0: none)\n", runs,
	       util_duration(s, est, sizeof(est)));
}

/* The plan on stdout: its cells, runs, estimate and pinning, and ab's warning into warning. */
static void announce(const struct options *o, const struct run_cfg *cfg,
                     const struct tool_plan *tools, char *warning, size_t len)
{
	char est[32];

	plan_print(&o->plan, stdout);
	printf("plan: %d runs (+%d warm-up), estimated %s; pinning: %s\n", plan_count(&o->plan),
	       o->plan.warmup ? o->plan.nmodels : 0,
	       util_duration(plan_estimate_s(&o->plan, SWEEP_OVERHEAD_S), est, sizeof(est)),
	       cfg->pin.desc);
	if (o->count)
		announce_count(&o->plan);
	if (o->client_prefix)
		printf("plan: the load tool runs behind '%s', against %s\n", o->client_prefix,
		       o->host);
	toolplan_ab_warning(&o->plan, cfg, tools, warning, len);
	if (warning[0])
		printf("%s\n", warning);
	if (o->compare && o->plan.reps < COMPARE_MIN_REPS)
		printf(
		    "plan: %d repetition%s: the bar asks for at least %d, so the verdicts will be "
		    "indicative\n",
		    o->plan.reps, o->plan.reps == 1 ? "" : "s", COMPARE_MIN_REPS);
	fflush(stdout);
}

/* Where one run's files go: results/<id>/ (raw/ and results.csv open), plots/<id>/, the tree. */
struct run_files {
	char id[64], dir[PATH_MAX], raw[PATH_MAX + 8], plot_dir[PATH_MAX + 70];
	char tree[PATH_MAX]; /* the source tree: the models directory's parent */
	FILE *csv;
};

/* Create the run's directory, raw/ and results.csv into f. 0, or -1 (said on stderr). */
static int open_run(const struct options *o, struct run_files *f)
{
	char path[PATH_MAX + 16], *slash;

	if (util_make_run_dir(o->results, f->id, sizeof(f->id), f->dir, sizeof(f->dir)) < 0) {
		fprintf(stderr, "harness: cannot create a run directory in %s\n", o->results);
		return -1;
	}
	snprintf(f->raw, sizeof(f->raw), "%s/raw", f->dir);
	snprintf(f->plot_dir, sizeof(f->plot_dir), "%s/%s", o->plots, f->id);
	snprintf(path, sizeof(path), "%s/results.csv", f->dir);
	if (util_mkdir_p(f->raw) < 0 || !(f->csv = record_open(path))) {
		fprintf(stderr, "harness: cannot create %s\n", path);
		return -1;
	}
	models_dir(o, f->tree, sizeof(f->tree));
	if ((slash = strrchr(f->tree, '/')))
		*slash = '\0';
	else
		snprintf(f->tree, sizeof(f->tree), ".");
	return 0;
}

/*
 * results/<name> and plots/<name> name run id: "latest" after every run,
 * "last-full" after a complete run of the full default plan, so that a
 * narrowed run never hides the last full one.
 */
static void link_run(const struct options *o, const char *name, const char *id)
{
	const char *dirs[] = { o->results, o->plots };
	char path[PATH_MAX + 16];
	int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		if (util_symlink_replace(id, path) < 0)
			fprintf(stderr, "harness: cannot update %s\n", path);
	}
}

/*
 * The counting pass, unless --count 0: perf asked once whether it can count
 * here; when it cannot, the run says why once (and meta keeps it) and its
 * count columns stay empty. 1 with cp open, else 0; what says which for meta.
 */
static int open_count(const struct options *o, const char *run_dir, struct countpass *cp,
                      char *what, size_t len)
{
	if (!o->count)
		return 0;
	if (countpass_probe(what, len) < 0) {
		printf("harness: counts %s (the count columns stay empty)\n", what);
		return 0;
	}
	if (countpass_open(cp, run_dir) < 0) {
		snprintf(what, len, "off: cannot create counts.csv in %.200s", run_dir);
		printf("harness: counts %s\n", what);
		return 0;
	}
	return 1;
}

/* The wiring: options, the models and tools, the sweep, then finish. */
int main(int argc, char **argv)
{
	struct options o;
	static struct sweep_notes notes;
	static struct tool_plan tools;
	static struct facts facts[PLAN_MAX_MODELS];
	static struct run_files run;
	static struct countpass count;
	struct run_cfg cfg;
	char warning[512], counts[512];
	int sig, counting;

	options_parse(argc, argv, &o);
	if (run_signals_init() < 0) {
		perror("harness: signals");
		return 1;
	}
	if (o.replot)
		return replot(&o);
	build_models(&o);
	setup_cfg(&o, &cfg, &tools);
	announce(&o, &cfg, &tools, warning, sizeof(warning));
	if (o.dry_run)
		return 0;
	if (open_run(&o, &run) < 0)
		return 1;
	cfg.raw_dir = run.raw;
	cfg.tree = run.tree;
	load_facts(&o, facts); /* once for the run: meta, the skips and the sweep use them */
	counting = open_count(&o, run.dir, &count, counts, sizeof(counts));
	write_meta(&o, &cfg, &tools, facts, run.id, run.dir, warning, o.count ? counts : NULL);
	printf("run %s -> %s\n", run.id, run.dir);
	sig = sweep_run(&(struct sweep){ .plan = &o.plan,
	                                 .cfg = &cfg,
	                                 .tools = &tools,
	                                 .facts = facts,
	                                 .run_id = run.id,
	                                 .csv = run.csv,
	                                 .notes = &notes,
	                                 .count = counting ? &count : NULL });
	fclose(run.csv);
	countpass_close(&count);
	finish(run.dir, run.id, run.plot_dir, o.scripts, o.compare,
	       compare_ref_why(&o.plan, &notes));
	link_run(&o, "latest", run.id);
	if (sig == 0 && options_full_plan(&o))
		link_run(&o, "last-full", run.id);
	return sig > 0 ? 128 + sig : sig < 0 ? 1 : 0;
}
