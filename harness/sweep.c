/* sweep.c -- a plan's runs one by one: warm-ups, open-loop capacities, a row each, progress. */
#include "sweep.h"

#include "health.h"
#include "mixlaw.h"
#include "record.h"
#include "report.h"
#include "scenario.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WARMUP_REQUESTS     2000    /* a warm-up run ends after this many requests or 1 s */
#define REQUESTS_PER_SECOND 250000L /* -n bound per second of run: far above any model */
#define SWEEP_STOPPED       (-2)    /* capacity(): a signal stopped its run */

/* The progress line of one measured run. */
static void progress(int done, int total, const struct record_row *row, int reps,
                     const struct run_outcome *out, double eta_s, const char *tool)
{
	const struct scenario *sc = scenario_find(row->scenario);
	char rps[32], eta[32];

	printf("[%d/%d] %s %s %s ", done, total, row->scenario, row->model, row->mode);
	if (sc && sc->churn_pct > 0) /* a level of churn is requests per connection */
		printf("%d req/conn", row->concurrency);
	else
		printf(scenario_open_loop(row->scenario) ? "at %d %%" : "c=%d", row->concurrency);
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
	    !scenario_paced(row->scenario) && health_starved(row->served_conns, row->concurrency))
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

/*
 * Open-loop scenarios: each model's capacity, measured once (0: not yet; -1: that run failed);
 * a mix's once per mode (cache_mode), the others' once in keep-alive for every mode.
 */
struct capacity_cache {
	double rps[SCENARIO_MAX][PLAN_MAX_MODELS][PLAN_NMODES];
	char why[SCENARIO_MAX][PLAN_MAX_MODELS][PLAN_NMODES][64]; /* a run_outcome's status */
};

/*
 * The mode whose capacity run r's levels are shares of: a mix's own mode, as a connection
 * per request costs the server its connect and close too, and its shares are of one server
 * CPU; else keep-alive (capacity_run says why).
 */
static int cache_mode(const struct scenario *sc, const struct plan_run *r)
{
	return sc->mix ? r->mode : PLAN_KEEPALIVE;
}

/*
 * The capacity of run r's model in its open-loop scenario: the closed-loop
 * tool's req/s (a mix: mix_capacity's, per server CPU) in keep-alive at the scenario's
 * capacity_conns connections for
 * the run's duration, measured once per model before its first measured run at
 * a share of it (the warm-up is closed-loop too), and recorded as the
 * scenario's row at level 0 in the mode it ran in, keep-alive, whatever the
 * mode of the levels it is the capacity of (a per-connection design at its
 * --max-conns would refuse a closed-loop tool's reconnect that beats its last
 * close; record_is_capacity); but a mix, which caps no connections, runs and
 * is recorded in its levels' mode (cache_mode).
 * Returns it, -1 with the run's status in cc->why when that run was not ok,
 * or SWEEP_STOPPED when a signal stopped it.
 */
/*
 * One closed-loop capacity run of run's model against target (NULL: the scenario's) into out.
 * 0, or SWEEP_STOPPED when a signal stopped it.
 */
static int capacity_run(const struct sweep *s, const struct run_spec *run, const char *target,
                        struct run_outcome *out)
{
	const struct scenario *sc = run->scenario;
	char tag[PLAN_NAME_MAX + SCENARIO_NAME + MIXLAW_PATH + 32], path[MIXLAW_PATH];
	struct run_spec spec = *run;

	/* a class's path in a file name: /cpu/10 -> -cpu-10 */
	snprintf(path, sizeof(path), "%s", target ? target : "");
	for (char *c = path; *c; c++)
		*c = *c == '/' ? '-' : *c;
	snprintf(tag, sizeof(tag), "capacity-%s-%s%s", sc->name, spec.model, path);
	spec.tool = s->tools->closed.tool;
	spec.tool_path = s->tools->closed.path;
	spec.target = target;
	spec.keepalive = sc->mix ? run->keepalive : 1; /* cache_mode */
	spec.concurrency = sc->capacity_conns;
	spec.max_requests = REQUESTS_PER_SECOND * spec.duration_s;
	spec.rate = 0;
	spec.tag = tag;
	return run_one(s->cfg, &spec, out) < 0 ? SWEEP_STOPPED : 0;
}

/*
 * What one server CPU serves of a class a second: the requests of its closed-loop run over the
 * server tree's CPU seconds in the load window, 1 / its service time. A closed-loop req/s is
 * not that: it is also bounded by the client and by the share of the CPU that other processes
 * leave the server, and on a shared machine it came out at a third of it (docs/mixed.md). -1
 * when the CPU time or the requests are unknown.
 */
static double cpu_capacity(const struct run_outcome *o)
{
	double cpu_s = o->server_user_s + o->server_sys_s;

	if (o->server_user_s < 0 || o->server_sys_s < 0 || !(cpu_s > 0) || o->res.requests <= 0)
		return -1;
	return (double)o->res.requests / cpu_s;
}

/*
 * A mix's capacity: each class's apart (capacity_run, cpu_capacity), then 1 / sum(share /
 * capacity) into out->res.rps, the short (first) class's in short_rps and the long (last)
 * one's in long_rps; out is the first class's run but for that, and its status the first that
 * is not ok (no_capacity when a class's CPU time is unknown). 0, or SWEEP_STOPPED.
 */
static int mix_capacity(const struct sweep *s, const struct run_spec *run, struct run_outcome *out)
{
	char paths[MIXLAW_MAX_CLASSES][MIXLAW_PATH];
	double shares[MIXLAW_MAX_CLASSES], caps[MIXLAW_MAX_CLASSES];
	int n = mixlaw_parse(run->scenario->mix, paths, shares, MIXLAW_MAX_CLASSES);
	struct run_outcome one;

	if (n < 1) {
		memset(out, 0, sizeof(*out));
		snprintf(out->status, sizeof(out->status), "scenario_error");
		return 0;
	}
	for (int i = 0; i < n; i++) {
		struct run_outcome *o = i ? &one : out;

		if (capacity_run(s, run, paths[i], o) == SWEEP_STOPPED)
			return SWEEP_STOPPED;
		caps[i] = cpu_capacity(o);
		printf("[capacity] %s %s %s: %.0f req/s closed-loop, %.1f us of server CPU a "
		       "request: %.0f req/s on one CPU (%s)\n",
		       run->scenario->name, run->model, paths[i], o->res.rps,
		       caps[i] > 0 ? 1e6 / caps[i] : -1.0, caps[i], o->status);
		if (i && strcmp(one.status, "ok") && !strcmp(out->status, "ok"))
			snprintf(out->status, sizeof(out->status), "%s", one.status);
		if (caps[i] < 0 && !strcmp(out->status, "ok"))
			snprintf(out->status, sizeof(out->status), "no_capacity");
	}
	out->res.nclasses = n;
	out->res.short_rps = caps[0];
	out->res.long_rps = caps[n - 1];
	out->res.short_p50_us = out->res.short_p99_us = out->res.short_mean_us = -1;
	out->res.long_p99_us = -1;
	out->res.rps = mixlaw_capacity(shares, caps, n);
	return 0;
}

static double capacity(const struct sweep *s, const struct plan_run *r, const struct run_spec *run,
                       struct capacity_cache *cc)
{
	const struct scenario *sc = run->scenario;
	int mode = cache_mode(sc, r);
	double *rps = &cc->rps[r->scenario][r->model][mode];
	struct run_spec spec = *run;
	struct run_outcome out;
	struct record_row row;

	if (*rps != 0)
		return *rps;
	spec.tool = s->tools->closed.tool;
	spec.concurrency = sc->capacity_conns;
	if ((sc->mix ? mix_capacity(s, run, &out) : capacity_run(s, run, NULL, &out)) ==
	    SWEEP_STOPPED)
		return SWEEP_STOPPED;
	record_from_run(&row,
	                &(struct record_ids){ .run_id = s->run_id,
	                                      .scenario = sc->name,
	                                      .model = spec.model,
	                                      .mode = plan_mode_name(mode), /* what ran */
	                                      .tool = spec.tool->name,
	                                      .concurrency = 0,
	                                      .rep = 1 },
	                &out);
	if (record_append(s->csv, &row) < 0)
		fprintf(stderr, "harness: cannot append to results.csv: %s\n", strerror(errno));
	*rps = strcmp(out.status, "ok") == 0 && out.res.rps > 0 ? out.res.rps : -1;
	snprintf(cc->why[r->scenario][r->model][mode], sizeof(cc->why[0][0][0]), "%s", out.status);
	printf("[capacity] %s %s: %.0f req/s (%s %s, c=%d): %s%s%s\n", sc->name, spec.model,
	       out.res.rps, spec.tool->name, plan_mode_name(mode), spec.concurrency, out.status,
	       out.detail[0] ? " " : "", out.detail);
	fflush(stdout);
	return *rps;
}

/*
 * Run r of an open-loop scenario into spec: its warm-up is closed-loop at the
 * capacity connections; a measured run offers its level's share of the
 * model's capacity (spec->rate, -1 when the capacity run was not ok). 0, or -1
 * when a signal stopped the capacity run.
 */
static int open_loop_spec(const struct sweep *s, const struct plan_run *r, struct run_spec *spec,
                          struct capacity_cache *cc)
{
	const struct scenario *sc = spec->scenario;
	double cap;

	if (r->rep == 0) {
		spec->tool = s->tools->closed.tool;
		spec->tool_path = s->tools->closed.path;
		spec->concurrency = sc->capacity_conns;
		return 0;
	}
	if ((cap = capacity(s, r, spec, cc)) == SWEEP_STOPPED)
		return -1;
	spec->concurrency = sc->load_conns;
	spec->rate = cap > 0 ? cap * scenario_offered_pct(sc, r->level) / 100 : -1;
	spec->per_conn = scenario_per_conn(sc, r->level);
	return 0;
}

/* The planned seconds of run r (and its cell's counting run): what the ETA is worked out from. */
static double planned_s(const struct sweep *s, const struct plan_run *r)
{
	return (r->duration_s + SWEEP_OVERHEAD_S) * (s->count && r->rep == 1 ? 2 : 1);
}

/* A run that is not made: its row says why (status), and what it cannot know is unknown. */
static void not_run(struct run_outcome *out, const char *status, const char *detail)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->status, sizeof(out->status), "%s", status);
	snprintf(out->detail, sizeof(out->detail), "%s", detail);
	out->other_cpu_pct = out->client_cpu_pct = -1;
	out->server_mem_kb = -1;
	out->jain = -1;
	out->disk_lat_us = out->hot_p99_ms = -1;
	out->disk_reads = out->disk_read_kb = -1;
}

/* One sweep under way: its runs, the capacities measured so far, and its pace (the ETA). */
struct sweep_state {
	const struct sweep *s;
	struct plan_run *runs;
	int n, done, total;
	struct capacity_cache *cc;
	long long t_start;                 /* when the first measured run began */
	double planned_left, planned_done; /* planned seconds of the runs to come and made */
	char tag[PLAN_NAME_MAX + SCENARIO_NAME + 64]; /* the run's raw output files' prefix */
};

_Static_assert(PLAN_FLAGS_MAX <= RUN_FLAGS_MAX, "run.c must hold a variant's flags whole");

/* Run r as the plan has it into spec: the model, the tool, the connections, the bound. */
static void plan_spec(struct sweep_state *st, const struct plan_run *r, struct run_spec *spec)
{
	const struct sweep *s = st->s;
	const struct plan_model *m = &s->plan->models[r->model];
	const struct scenario *sc = s->plan->scenarios[r->scenario];
	const struct tool_choice *tc = &s->tools->of[r->scenario][r->mode];

	*spec = (struct run_spec){ .model = m->name,
		                   .model_path = m->path,
		                   .model_flags = m->flags,
		                   .scenario = sc,
		                   .tool = tc->tool,
		                   .tool_path = tc->path,
		                   .keepalive = r->mode == PLAN_KEEPALIVE,
		                   /* the level, or the fixed load beside idle connections */
		                   .concurrency = scenario_load_conns(sc, r->level),
		                   .idle_conns = scenario_idle_conns(sc, r->level),
		                   .duration_s = r->duration_s,
		                   .max_requests = REQUESTS_PER_SECOND * r->duration_s,
		                   .admission = s->facts[r->model].admission,
		                   .seed = r->rep,
		                   .tag = st->tag };
	if (r->rep == 0) {
		snprintf(st->tag, sizeof(st->tag), "warmup-%s", m->name);
		spec->max_requests = WARMUP_REQUESTS;
		spec->idle_conns = 0; /* a warm-up warms the model, it holds nothing */
	} else {
		snprintf(st->tag, sizeof(st->tag), "r%d-%s-%s-%s-c%d", r->rep, sc->name, m->name,
		         plan_mode_name(r->mode), r->level);
	}
	if (spec->max_requests < spec->concurrency)
		spec->max_requests = spec->concurrency;
}

/* Run r's cell, the key of its counting run. */
static struct countpass_cell cell_of(const struct plan_run *r)
{
	return (struct countpass_cell){
		.scenario = r->scenario, .model = r->model, .mode = r->mode, .level = r->level
	};
}

/*
 * The counting run of run r's cell (spec as the timed run has it, perf
 * attached; made again once if it was not ok), kept by the pass and said on a
 * line of its own; its own timed figures are not recorded. 0, or -1 when a
 * signal stopped it.
 */
static int count_cell(struct sweep_state *st, const struct plan_run *r, const struct run_spec *spec)
{
	struct countpass_cell key = cell_of(r);
	struct run_spec cspec = *spec;
	struct run_outcome out;
	char tag[sizeof(st->tag) + 8];

	snprintf(tag, sizeof(tag), "count-%s", spec->tag);
	cspec.tag = tag;
	cspec.count = 1;
	if (run_one(st->s->cfg, &cspec, &out) < 0)
		return -1;
	if (strcmp(out.status, "ok") != 0) { /* once more: a cell's rows should not lack counts */
		printf("[count] %s %s %s c=%d: %s, once more\n", spec->scenario->name, spec->model,
		       plan_mode_name(r->mode), r->level, out.status);
		if (run_one(st->s->cfg, &cspec, &out) < 0)
			return -1;
	}
	countpass_add(
	    st->s->count, &key,
	    &(struct record_ids){ .scenario = spec->scenario->name,
	                          .model = spec->model,
	                          .mode = plan_mode_name(r->mode),
	                          .concurrency = scenario_load_conns(spec->scenario, r->level),
	                          .idle_conns = spec->idle_conns },
	    &out);
	printf("[count] %s %s %s c=%d: %s", spec->scenario->name, spec->model,
	       plan_mode_name(r->mode), r->level, out.status);
	if (out.res.requests > 0 && out.counts.syscalls >= 0)
		printf(", %.2f syscalls and %.2f context switches per request",
		       out.counts.syscalls / out.res.requests,
		       out.counts.ctx_switches / out.res.requests);
	else if (!strcmp(out.status, "ok"))
		printf(", nothing counted (raw/%s.perf.err says why)", tag);
	printf("\n");
	fflush(stdout);
	return 0;
}

/*
 * Make run r of spec into out, or say in out why it is not made: the model
 * would answer Hello world (skip: its status), or its capacity is unknown.
 * 0, or -1 when a signal stopped it.
 */
static int measure(struct sweep_state *st, const struct plan_run *r, struct run_spec *spec,
                   int served, const char *skip, struct run_outcome *out)
{
	if (!served) { /* it would answer Hello world: the row gets a status, no number */
		not_run(out, skip,
		        "its Facts line says targets=hello: Hello world for every target");
		return 0;
	}
	if (scenario_is_open(spec->scenario) && open_loop_spec(st->s, r, spec, st->cc) < 0)
		return -1;
	if (spec->rate < 0) { /* never guessed: the cell says why it was not run */
		not_run(out, "no_capacity", "");
		snprintf(out->detail, sizeof(out->detail), "the capacity run was %s",
		         st->cc->why[r->scenario][r->model][cache_mode(spec->scenario, r)]);
		return 0;
	}
	if (st->s->count && r->rep == 1 && count_cell(st, r, spec) < 0)
		return -1;
	return run_one(st->s->cfg, spec, out) < 0 ? -1 : 0;
}

/* Run r's row into results.csv, then its progress line with the ETA at the pace so far. */
static void record_run(struct sweep_state *st, const struct plan_run *r,
                       const struct run_spec *spec, int served, const struct run_outcome *out)
{
	const struct sweep *s = st->s;
	const char *tool = s->tools->of[r->scenario][r->mode].tool->name;
	struct countpass_cell key = cell_of(r);
	struct record_row row;

	record_from_run(
	    &row,
	    &(struct record_ids){ .run_id = s->run_id,
	                          .scenario = spec->scenario->name,
	                          .model = spec->model,
	                          .mode = plan_mode_name(r->mode),
	                          .tool = tool,
	                          /* the level, never an open loop's own conns */
	                          .concurrency = scenario_load_conns(spec->scenario, r->level),
	                          .idle_conns = spec->idle_conns,
	                          .rep = r->rep },
	    out);
	countpass_fill(s->count, &key, &row);
	if (record_append(s->csv, &row) < 0)
		fprintf(stderr, "harness: cannot append to results.csv: %s\n", strerror(errno));
	st->done++;
	if (served) {
		st->planned_done += planned_s(s, r);
		st->planned_left -= planned_s(s, r);
	}
	/* the rest of the plan at the pace measured so far against the plan */
	progress(st->done, st->total, &row, r->reps, out,
	         st->planned_done > 0
	             ? st->planned_left * (util_now_ms() - st->t_start) / 1000.0 / st->planned_done
	             : st->planned_left,
	         tool);
}

/* Run r: planned, made (or not, with its status), recorded. 0, or -1 when a signal stopped it. */
static int sweep_one(struct sweep_state *st, const struct plan_run *r)
{
	const struct sweep *s = st->s;
	const struct plan_model *m = &s->plan->models[r->model];
	struct run_spec spec;
	struct run_outcome out;
	char skip[64];
	int served =
	    facts_serves(&s->facts[r->model], m->name,
	                 scenario_work_target(s->plan->scenarios[r->scenario]), skip, sizeof(skip));

	plan_spec(st, r, &spec);
	if (r->rep > 0 && !st->t_start && served)
		st->t_start = util_now_ms();
	if (measure(st, r, &spec, served, skip, &out) < 0)
		return -1;
	if (!strcmp(out.status, "skipped"))
		note_skip(m->name, &out, s->notes->ref_why[r->model], sizeof(s->notes->ref_why[0]));
	if (r->rep == 0) {
		printf("[warm-up] %s: %s%s%s\n", m->name, out.status, out.detail[0] ? " " : "",
		       out.detail);
		fflush(stdout);
		return 0;
	}
	record_run(st, r, &spec, served, &out);
	return 0;
}

int sweep_run(const struct sweep *s)
{
	const struct plan *p = s->plan;
	int max = plan_count(p) + p->nmodels, i;
	struct sweep_state st = { .s = s, .total = plan_count(p) };
	char skip[64];

	st.runs = malloc(max * sizeof(*st.runs));
	st.cc = calloc(1, sizeof(*st.cc));
	if (!st.runs || !st.cc || (st.n = plan_runs(p, st.runs, max)) < 0) {
		free(st.runs);
		free(st.cc);
		return -1;
	}
	for (i = 0; i < st.n; i++)
		if (st.runs[i].rep &&
		    facts_serves(&s->facts[st.runs[i].model], "",
		                 scenario_work_target(p->scenarios[st.runs[i].scenario]), skip,
		                 sizeof(skip)))
			st.planned_left += planned_s(s, &st.runs[i]);
	for (i = 0; i < st.n && !run_stop; i++)
		if (sweep_one(&st, &st.runs[i]) < 0)
			break;
	free(st.runs);
	free(st.cc);
	if (run_stop)
		printf(
		    "harness: interrupted by signal %d after %d of %d runs; the finished rows are "
		    "kept\n",
		    (int)run_stop, st.done, st.total);
	return run_stop;
}
