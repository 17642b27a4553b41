/* ladder.c -- a model's variants step by step against epoll: table, verdicts, chart (ladder.h). */
#include "ladder.h"
#include "countpass.h"
#include "scenario.h"
#include "util.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_KEYS 64 /* cells of the ladder: a scenario, mode and level a variant ran in */

/* One cell of the ladder, as every step's report_cell names it. */
struct key {
	const char *scenario, *mode;
	int concurrency, idle;
};

enum ladder_verdict ladder_judge(const struct ladder_spread *step,
                                 const struct ladder_spread *anchor, int higher_is_better)
{
	int better;

	if (step->n < 2 || anchor->n < 2 || step->min < 0 || step->max < 0 || anchor->min < 0 ||
	    anchor->max < 0)
		return LADDER_NO_VERDICT;
	if (step->min <= anchor->max && anchor->min <= step->max)
		return LADDER_TIE;
	better = higher_is_better ? step->min > anchor->max : step->max < anchor->min;
	return better ? LADDER_FASTER : LADDER_SLOWER;
}

const char *ladder_verdict_word(enum ladder_verdict v)
{
	switch (v) {
	case LADDER_TIE: return "tie";
	case LADDER_FASTER: return "faster";
	case LADDER_SLOWER: return "slower";
	default: return "-";
	}
}

/* 1 if model is one of env's variants, else 0. */
static int is_variant(const struct meta_env *env, const char *model)
{
	int i;

	for (i = 0; i < env->nvariants; i++)
		if (!strcmp(env->variant[i], model))
			return 1;
	return 0;
}

static int has_model(const struct report_cell *c, int n, const char *model)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].model, model))
			return 1;
	return 0;
}

static int has_step(const struct ladder_step *st, int n, const char *model)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(st[i].model, model))
			return 1;
	return 0;
}

int ladder_steps(const struct report_cell *c, int n, const struct meta_env *env,
                 struct ladder_step *out, int max)
{
	int i, k = 0, any = 0;

	for (i = 0; i < env->nvariants; i++)
		any |= has_model(c, n, env->variant[i]);
	if (!any)
		return 0;
	if (has_model(c, n, LADDER_ANCHOR) && k < max)
		out[k++] = (struct ladder_step){ .model = LADDER_ANCHOR, .note = "the anchor" };
	for (i = 0; i < n && k < max; i++) /* the references, each once */
		if (c[i].reference && !has_step(out, k, c[i].model))
			out[k++] =
			    (struct ladder_step){ .model = c[i].model, .note = "a reference" };
	for (i = 0; i < env->nvariants && k < max; i++)
		if (has_model(c, n, env->variant[i]))
			out[k++] = (struct ladder_step){ .model = env->variant[i],
				                         .note = env->variant_note[i] };
	return k;
}

/* The scenario table's order of name (unknown names last). */
static int scenario_rank(const char *name)
{
	const struct scenario *s = scenario_find(name);
	int n;

	return s ? (int)(s - scenario_table(&n)) : SCENARIO_MAX;
}

static int key_cmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int d = scenario_rank(x->scenario) - scenario_rank(y->scenario);

	if (!d)
		d = -strcmp(x->mode, y->mode); /* keepalive before close */
	if (!d)
		d = x->idle - y->idle;
	return d ? d : x->concurrency - y->concurrency;
}

static int same_key(const struct report_cell *c, const struct key *k)
{
	return !strcmp(c->scenario, k->scenario) && !strcmp(c->mode, k->mode) &&
	       c->concurrency == k->concurrency && c->idle_conns == k->idle;
}

/* The cells a variant ran in, in the scenario table's order, keep-alive first: how many. */
static int ladder_keys(const struct report_cell *c, int n, const struct meta_env *env,
                       struct key *out)
{
	int i, j, k = 0;

	for (i = 0; i < n; i++) {
		if (!is_variant(env, c[i].model))
			continue;
		for (j = 0; j < k && !same_key(&c[i], &out[j]); j++)
			;
		if (j == k && k < MAX_KEYS)
			out[k++] = (struct key){ .scenario = c[i].scenario,
				                 .mode = c[i].mode,
				                 .concurrency = c[i].concurrency,
				                 .idle = c[i].idle_conns };
	}
	qsort(out, k, sizeof(*out), key_cmp);
	return k;
}

static const struct report_cell *find(const struct report_cell *c, int n, const char *model,
                                      const struct key *k)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].model, model) && same_key(&c[i], k))
			return &c[i];
	return NULL;
}

static struct ladder_spread rps_spread(const struct report_cell *x)
{
	return (struct ladder_spread){ x->rps_median, x->rps_min, x->rps_max, x->ok };
}

static struct ladder_spread cpu_spread(const struct report_cell *x)
{
	return (struct ladder_spread){ x->cpu_us_median, x->w.cpu_us_min, x->w.cpu_us_max, x->ok };
}

/*
 * counts.csv's figure call per request of x's counting run; absent when the cell was
 * counted without a line for call (0 for a system call it never entered, -1 for the
 * receive SQEs: not counted here); -1 when the cell was not counted.
 */
static double count_of(const struct syscalls_row *r, int nr, const struct report_cell *x,
                       const char *call, double absent)
{
	int i, counted = 0;

	for (i = 0; i < nr; i++)
		if (!strcmp(r[i].scenario, x->scenario) && !strcmp(r[i].model, x->model) &&
		    !strcmp(r[i].mode, x->mode) && r[i].concurrency == x->concurrency &&
		    r[i].idle_conns == x->idle_conns) {
			if (!strcmp(r[i].call, call))
				return r[i].per_req;
			counted = 1;
		}
	return counted ? absent : -1;
}

/* "4.10 [3.90-4.30]" (digits after the point; 0: with thousands separators), "?" unknown. */
static const char *spread_text(const struct ladder_spread *s, int digits, char *buf, size_t len)
{
	char a[32], b[32], c[32];

	if (s->n < 1 || s->median < 0) {
		snprintf(buf, len, "?");
		return buf;
	}
	if (digits == 0) {
		util_thousands(s->median, a, sizeof(a));
		util_thousands(s->min, b, sizeof(b));
		util_thousands(s->max, c, sizeof(c));
	} else {
		snprintf(a, sizeof(a), "%.*f", digits, s->median);
		snprintf(b, sizeof(b), "%.*f", digits, s->min);
		snprintf(c, sizeof(c), "%.*f", digits, s->max);
	}
	if (s->n < 2 || s->min < 0 || s->max < 0)
		snprintf(buf, len, "%s (1 repetition)", a);
	else
		snprintf(buf, len, "%s [%s-%s]", a, b, c);
	return buf;
}

/* v with digits after the point, or "?" when unknown (negative). */
static const char *num(double v, int digits, char *buf, size_t len)
{
	return util_fixed(v, digits, "?", buf, len);
}

/* A step's phrase, its '|' escaped for a table. */
static void note_cell(FILE *f, const char *note)
{
	for (; *note; note++)
		fprintf(f, *note == '|' ? "\\|" : "%c", *note);
}

static const char *mode_words(const char *mode)
{
	return !strcmp(mode, "keepalive") ? "keep-alive" : mode;
}

/* The verdict of step's figure against the anchor's ("anchor" for the anchor itself). */
static const char *verdict(const struct report_cell *x, const struct report_cell *a,
                           struct ladder_spread (*fig)(const struct report_cell *),
                           int higher_is_better)
{
	struct ladder_spread s, t;

	if (x == a)
		return "anchor";
	if (!a)
		return "- (no epoll)";
	s = fig(x);
	t = fig(a);
	return ladder_verdict_word(ladder_judge(&s, &t, higher_is_better));
}

static void table_row(FILE *f, const struct ladder_step *st, const struct report_cell *x,
                      const struct report_cell *a, const struct syscalls_row *r, int nr)
{
	struct ladder_spread rps, cpu;
	char b1[128], b2[128], b3[32], b4[32], b5[32], b6[32], b7[32];

	fprintf(f, "| %s%s | ", st->model, x && x->noisy ? " §" : "");
	note_cell(f, st->note);
	if (!x || !x->ok) {
		fprintf(f, " | %s | | | | | | | | |\n", x ? x->statuses : "not run");
		return;
	}
	rps = rps_spread(x);
	cpu = cpu_spread(x);
	fprintf(f, " | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
	        spread_text(&rps, 0, b1, sizeof(b1)), verdict(x, a, rps_spread, 1),
	        spread_text(&cpu, 2, b2, sizeof(b2)), verdict(x, a, cpu_spread, 0),
	        num(x->w.client_us_median, 2, b7, sizeof(b7)),
	        num(x->w.sys_us_median, 2, b3, sizeof(b3)),
	        num(x->syscalls_median, 2, b4, sizeof(b4)),
	        num(count_of(r, nr, x, "io_uring_enter", 0), 3, b5, sizeof(b5)),
	        num(count_of(r, nr, x, COUNTPASS_RECV_SQES, -1), 3, b6, sizeof(b6)));
}

/* The variant with the least median server CPU per request in key k, against the anchor. */
static void best_line(FILE *f, const struct report_cell *c, int n, const struct meta_env *env,
                      const struct key *k, const struct report_cell *a)
{
	const struct report_cell *best = NULL, *x;
	struct ladder_spread s, t;
	char b1[128], b2[128], b3[32], b4[32];
	int i;

	for (i = 0; i < env->nvariants; i++)
		if ((x = find(c, n, env->variant[i], k)) && x->ok && x->cpu_us_median >= 0 &&
		    (!best || x->cpu_us_median < best->cpu_us_median))
			best = x;
	if (!best)
		return;
	s = cpu_spread(best);
	fprintf(f, "\nLeast server CPU per request of the steps: `%s`, %s µs", best->model,
	        spread_text(&s, 2, b1, sizeof(b1)));
	if (!a || !a->ok) {
		fprintf(f, " (no epoll cell to judge it against).\n");
		return;
	}
	t = cpu_spread(a);
	fprintf(f,
	        " against epoll's %s: %s (%d and %d repetitions); system calls %s per request "
	        "against epoll's %s.\n",
	        spread_text(&t, 2, b2, sizeof(b2)), ladder_verdict_word(ladder_judge(&s, &t, 0)),
	        best->ok, a->ok, num(best->syscalls_median, 2, b3, sizeof(b3)),
	        num(a->syscalls_median, 2, b4, sizeof(b4)));
}

/* An idle cell of model (the most idle connections), or NULL. */
static const struct report_cell *idle_cell(const struct report_cell *c, int n, const char *model)
{
	const struct report_cell *best = NULL;
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].model, model) && report_is_idle(&c[i]) && c[i].ok &&
		    (!best || c[i].idle_conns > best->idle_conns))
			best = &c[i];
	return best;
}

/* Memory per idle connection per step, from the idle scenario's cells (none: nothing). */
static void memory_table(FILE *f, const struct report_cell *c, int n, const struct ladder_step *st,
                         int ns)
{
	const struct report_cell *a = idle_cell(c, n, LADDER_ANCHOR), *x;
	char b1[32], b2[32];
	int i, any = 0;

	for (i = 0; i < ns; i++)
		any |= idle_cell(c, n, st[i].model) != NULL;
	if (!any)
		return;
	fprintf(f, "\n### Memory per idle connection\n\n"
	           "The idle scenario's slope of the server's PSS against the idle connections "
	           "held (one figure from the medians: no spread, so no verdict), and the kernel's "
	           "memory per held connection at the most idle connections.\n\n"
	           "| step | what it changed | PSS per idle connection (B) | kernel memory per "
	           "idle connection (B) | PSS against epoll's |\n|---|---|---:|---:|---|\n");
	for (i = 0; i < ns; i++) {
		if (!(x = idle_cell(c, n, st[i].model)))
			continue;
		fprintf(f, "| %s | ", st[i].model);
		note_cell(f, st[i].note);
		if (isnan(x->mem_per_idle_b))
			snprintf(b1, sizeof(b1), "?");
		else
			snprintf(b1, sizeof(b1), "%.0f", x->mem_per_idle_b);
		fprintf(f, " | %s | %s | ", b1, num(x->w.kmem_per_idle_b, 0, b2, sizeof(b2)));
		if (x == a)
			fprintf(f, "anchor |\n");
		else if (!a || isnan(a->mem_per_idle_b) || isnan(x->mem_per_idle_b))
			fprintf(f, "? |\n");
		else
			fprintf(f, "%+.0f B (%s 1 KiB) |\n", x->mem_per_idle_b - a->mem_per_idle_b,
			        fabs(x->mem_per_idle_b - a->mem_per_idle_b) <= 1024 ? "within"
			                                                            : "over");
	}
}

void ladder_write_md(FILE *f, const struct report_cell *c, int n, const struct meta_env *env,
                     const struct syscalls_row *counts, int ncounts, const char *charts)
{
	struct ladder_step st[LADDER_MAX_STEPS];
	struct key keys[MAX_KEYS];
	int ns = ladder_steps(c, n, env, st, LADDER_MAX_STEPS), nk, i, j;

	if (!ns)
		return;
	nk = ladder_keys(c, n, env, keys);
	fprintf(f,
	        "\n## The ladder: each variant against %s\n\n"
	        "A row per step in the order of its model's Variants line (each adds to the one "
	        "before: the model's README), %s and the references first. Per cell: req/s and "
	        "server CPU µs per request as median [min-max] of the ok repetitions, each "
	        "with its verdict against %s's: \"faster\" or \"slower\" only where the two "
	        "min-max ranges do not overlap (less CPU per request is faster), else \"tie\"; "
	        "\"-\" from fewer than 2 repetitions; § after a step: a repetition was noisy "
	        "(other processes shared the machine). Then the load tool's and the whole "
	        "machine's CPU per request, "
	        "and the counting pass's system calls, io_uring_enter calls and receive SQEs "
	        "per request (perf's tracepoint " COUNTS_RECV_EVENT
	        " filtered on " COUNTS_RECV_FILTER ", IORING_OP_RECV; \"?\": not counted).\n",
	        LADDER_ANCHOR, LADDER_ANCHOR, LADDER_ANCHOR);
	if (charts)
		fprintf(f, "\n![server CPU per request against epoll's](%s/ladder-cpu.png)\n",
		        charts);
	for (i = 0; i < nk; i++) {
		const struct report_cell *a = find(c, n, LADDER_ANCHOR, &keys[i]);

		fprintf(f, "\n### %s %s c=%d", keys[i].scenario, mode_words(keys[i].mode),
		        keys[i].concurrency);
		if (keys[i].idle)
			fprintf(f, ", %d idle", keys[i].idle);
		fprintf(f,
		        "\n\n| step | what it changed | req/s median [min-max] | req/s vs %s | "
		        "server CPU µs/req median [min-max] | CPU vs %s | client CPU µs/req | "
		        "machine CPU µs/req | syscalls/req | io_uring_enter/req | recv SQEs/req |\n"
		        "|---|---|---:|---|---:|---|---:|---:|---:|---:|---:|\n",
		        LADDER_ANCHOR, LADDER_ANCHOR);
		if (a && !a->ok)
			a = NULL;
		for (j = 0; j < ns; j++)
			table_row(f, &st[j], find(c, n, st[j].model, &keys[i]), a, counts, ncounts);
		best_line(f, c, n, env, &keys[i], a);
	}
	memory_table(f, c, n, st, ns);
}

/* A key's label for the chart's legend, without commas: "hello keep-alive c=64". */
static void key_label(const struct key *k, char *buf, size_t len)
{
	if (k->idle)
		snprintf(buf, len, "%s %s c=%d %d idle", k->scenario, mode_words(k->mode),
		         k->concurrency, k->idle);
	else
		snprintf(buf, len, "%s %s c=%d", k->scenario, mode_words(k->mode), k->concurrency);
}

/* The chart's data: a row per step, per key its ratio to the anchor's median, min and max. */
static int write_data(const char *path, const struct report_cell *c, int n,
                      const struct ladder_step *st, int ns, const struct key *keys, int nk)
{
	FILE *f = fopen(path, "we");
	char label[128];
	int i, j;

	if (!f)
		return -1;
	fprintf(f, "step");
	for (j = 0; j < nk; j++) {
		key_label(&keys[j], label, sizeof(label));
		fprintf(f, ",%s,min,max", label);
	}
	fprintf(f, "\n");
	for (i = 0; i < ns; i++) {
		fprintf(f, "%s", st[i].model);
		for (j = 0; j < nk; j++) {
			const struct report_cell *a = find(c, n, LADDER_ANCHOR, &keys[j]),
			                         *x = find(c, n, st[i].model, &keys[j]);

			if (!a || !x || !a->ok || !x->ok || a->cpu_us_median <= 0 ||
			    x->cpu_us_median < 0 || x->w.cpu_us_min < 0 || x->w.cpu_us_max < 0)
				fprintf(f, ",NaN,NaN,NaN");
			else
				fprintf(f, ",%.4f,%.4f,%.4f", x->cpu_us_median / a->cpu_us_median,
				        x->w.cpu_us_min / a->cpu_us_median,
				        x->w.cpu_us_max / a->cpu_us_median);
		}
		fprintf(f, "\n");
	}
	return fclose(f) == 0 ? 0 : -1;
}

int ladder_plot(const struct plot_job *job, const struct report_cell *c, int n,
                const struct meta_env *env)
{
	struct ladder_step st[LADDER_MAX_STEPS];
	struct key keys[MAX_KEYS];
	char data[PATH_MAX], vars[PATH_MAX * 3], script[PATH_MAX], log[PATH_MAX];
	char *argv[] = { (char *)job->gnuplot, "-e", vars, script, NULL };
	int ns = ladder_steps(c, n, env, st, LADDER_MAX_STEPS), nk;

	if (!ns || !(nk = ladder_keys(c, n, env, keys)))
		return 0;
	snprintf(script, sizeof(script), "%s/ladder.gp", job->scripts);
	snprintf(log, sizeof(log), "%s/gnuplot.log", job->outdir);
	snprintf(data, sizeof(data), "%s/ladder-cpu.csv", job->outdir);
	if (write_data(data, c, n, st, ns, keys, nk) < 0)
		return 1;
	snprintf(vars, sizeof(vars), "data='%s'; out='%s/ladder-cpu.png'; runid='%s'; ncells=%d",
	         data, job->outdir, job->run_id, nk);
	return job->exec(argv, 30000, log) != 0;
}

int ladder_plan_cells(struct plan *p, int set_reps, int set_duration)
{
	const struct scenario *t;
	int nt, i;

	if (!set_reps)
		p->reps = LADDER_REPS;
	if (!set_duration)
		p->duration_s = LADDER_DURATION_S;
	t = scenario_table(&nt);
	p->nscenarios = p->ncells = 0;
	for (i = 0; i < nt; i++) {
		char copy[256], *grp, *save;

		if (!t[i].ladder)
			continue;
		if (p->nscenarios == SCENARIO_MAX)
			return -1;
		snprintf(copy, sizeof(copy), "%s", t[i].ladder);
		for (grp = strtok_r(copy, ";", &save); grp; grp = strtok_r(NULL, ";", &save)) {
			char mode[16];
			int lv[PLAN_MAX_LEVELS], used = 0, nl, m, k;

			if (sscanf(grp, " %15s %n", mode, &used) != 1 ||
			    (m = plan_mode_parse(mode)) < 0 ||
			    (nl = plan_parse_levels(grp + used, lv, PLAN_MAX_LEVELS)) <= 0)
				return -1;
			for (k = 0; k < nl; k++) {
				if (p->ncells == PLAN_MAX_CELLS)
					return -1;
				p->cells[p->ncells++] =
				    (struct plan_cell){ .scenario = p->nscenarios,
					                .mode = m,
					                .level = lv[k],
					                .reps = p->reps,
					                .duration_s = p->duration_s };
			}
		}
		p->scenarios[p->nscenarios++] = &t[i];
	}
	return p->ncells ? 0 : -1;
}
