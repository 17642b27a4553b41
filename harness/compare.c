/* compare.c -- the comparison with the reference server: ratios, the bar, compare.md. */
#include "compare.h"
#include "scenario.h"
#include "util.h"

#include <limits.h>
#include <string.h>

/* "keep-alive" / "close-mode": the bar's own words for a mode. */
static const char *mode_words(const char *mode)
{
	if (!strcmp(mode, "keepalive"))
		return "keep-alive";
	if (!strcmp(mode, "close"))
		return "close-mode";
	return mode;
}

/* 1 if the scenario called name is the one the bar is set on (SCENARIO_COMPARE_BAR), else 0. */
static int is_bar(const char *name)
{
	const struct scenario *s = scenario_find(name);

	return s && s->compare == SCENARIO_COMPARE_BAR;
}

/*
 * The verdicts' name of a cell into buf: the mode's words, after the scenario's
 * name where it is not the bar's ("pipeline keep-alive").
 */
static const char *cell_words(const char *scenario, const char *mode, char *buf, size_t len)
{
	if (is_bar(scenario))
		snprintf(buf, len, "%s", mode_words(mode));
	else
		snprintf(buf, len, "%s %s", scenario, mode_words(mode));
	return buf;
}

/* 1 if a and b are rows of one cell: the same scenario, mode and concurrency. */
static int same_cell(const struct report_cell *a, const struct report_cell *b)
{
	return !strcmp(a->scenario, b->scenario) && !strcmp(a->mode, b->mode) &&
	       a->concurrency == b->concurrency;
}

/*
 * Where a cell comes in the comparison: the bar's scenario's keep-alive (0),
 * then its close mode (1), then the other scenarios' (2: the pipelined cell).
 */
static int cell_rank(const struct report_cell *x)
{
	if (!is_bar(x->scenario))
		return 2;
	return strcmp(x->mode, "keepalive") ? 1 : 0;
}

/* The cells of ref among c[0..n) in cell_rank's order, into out (room for max): the count. */
static int ref_cells(const struct report_cell *c, int n, const char *ref,
                     const struct report_cell **out, int max)
{
	int rank, i, k = 0;

	for (rank = 0; rank < 3; rank++)
		for (i = 0; i < n && k < max; i++)
			if (!strcmp(c[i].model, ref) && cell_rank(&c[i]) == rank)
				out[k++] = &c[i];
	return k;
}

/* The reference's short name for ratios: "nginx" for ref-nginx. */
static const char *short_name(const char *ref)
{
	const char *dash = strchr(ref, '-');

	return dash && dash[1] ? dash + 1 : ref;
}

/*
 * Our model in r's cell with an ok run that comes first by better (the
 * highest median req/s, or the least CPU per request), or NULL.
 */
static const struct report_cell *
pick(const struct report_cell *c, int n, const struct report_cell *r,
     int (*better)(const struct report_cell *, const struct report_cell *))
{
	const struct report_cell *best = NULL;
	int i;

	for (i = 0; i < n; i++)
		if (!c[i].reference && c[i].ok && same_cell(&c[i], r) &&
		    (!best || better(&c[i], best)))
			best = &c[i];
	return best;
}

static int faster(const struct report_cell *a, const struct report_cell *b)
{
	return a->rps_median > b->rps_median;
}

static int leaner(const struct report_cell *a, const struct report_cell *b)
{
	return a->cpu_us_median < b->cpu_us_median;
}

/* 1 bound, -1 unknown, 0 neither: x's load tool against REPORT_CLIENT_BOUND_PCT. */
static int bound_of(const struct report_cell *x)
{
	return x->client_bound ? 1 : x->client_unknown ? -1 : 0;
}

static void judge(const struct report_cell *ref, const struct report_cell *best,
                  const struct report_cell *lean, struct compare_verdict *v)
{
	int rb = bound_of(ref), bb;

	memset(v, 0, sizeof(*v));
	strcpy(v->scenario, ref->scenario);
	strcpy(v->mode, ref->mode);
	strcpy(v->tool, ref->tool);
	v->level = ref->concurrency;
	v->rps_bar = !strcmp(ref->mode, "keepalive") ? COMPARE_BAR_KA : COMPARE_BAR_CLOSE;
	if (best)
		strcpy(v->best, best->model);
	if (lean)
		strcpy(v->lean, lean->model);
	if (!best || !ref->ok || ref->rps_median <= 0 || ref->cpu_us_median <= 0)
		return;
	v->measured = 1;
	v->rps_ratio = best->rps_median / ref->rps_median;
	v->rps_met = v->rps_ratio >= v->rps_bar;
	v->cpu_ratio = lean->cpu_us_median / ref->cpu_us_median;
	v->cpu_met = v->cpu_ratio <= COMPARE_BAR_CPU;
	v->ref_client_pct = ref->client_cpu_max;
	v->best_client_pct = best->client_cpu_max;
	bb = bound_of(best);
	v->client_bound = rb > 0 || bb > 0 ? 1 : rb < 0 || bb < 0 ? -1 : 0;
	v->min_ok = ref->ok < best->ok ? ref->ok : best->ok;
}

int compare_verdicts(const struct report_cell *c, int n, const char *ref, struct compare_verdict *v,
                     int max)
{
	const struct report_cell *r[max > 0 ? max : 1];
	int k = ref_cells(c, n, ref, r, max), i;

	for (i = 0; i < k; i++)
		judge(r[i], pick(c, n, r[i], faster), pick(c, n, r[i], leaner), &v[i]);
	return k;
}

/* One table row: a model in a cell, with its ratios to the reference's cell r. */
static void table_row(FILE *f, const struct report_cell *x, const struct report_cell *r)
{
	char cell[RECORD_WORD * 3 + 24], label[RECORD_WORD + 16], rps[32];
	int ratios = r && r->ok && r->rps_median > 0 && r->cpu_us_median > 0;

	if (is_bar(x->scenario))
		snprintf(cell, sizeof(cell), "%s c=%d (%s)", x->mode, x->concurrency, x->tool);
	else
		snprintf(cell, sizeof(cell), "%s %s c=%d (%s)", x->scenario, x->mode,
		         x->concurrency, x->tool);
	report_label(x->model, label, sizeof(label));
	if (!x->ok) {
		fprintf(f, "| %-24s | %-24s | %d/%d | %s | - | - | - | - |\n", cell, label, x->ok,
		        x->runs, x->statuses);
		return;
	}
	fprintf(f, "| %-24s | %-24s | %d/%d | %10s |", cell, label, x->ok, x->runs,
	        util_thousands(x->rps_median, rps, sizeof(rps)));
	if (ratios && (bound_of(x) > 0 || bound_of(r) > 0))
		fprintf(f, " client-bound |");
	else if (ratios && (bound_of(x) < 0 || bound_of(r) < 0))
		fprintf(f, " unknown |");
	else if (ratios)
		fprintf(f, " %5.2f |", x->rps_median / r->rps_median);
	else
		fprintf(f, " - |");
	if (ratios)
		fprintf(f, " %6.2f | %5.2f |", x->cpu_us_median,
		        x->cpu_us_median / r->cpu_us_median);
	else
		fprintf(f, " %6.2f | - |", x->cpu_us_median);
	if (x->client_cpu_median >= 0)
		fprintf(f, " %3.0f |\n", x->client_cpu_median);
	else
		fprintf(f, " |\n");
}

/* The reference's row r, then ours in r's cell by median req/s, descending. */
static void cell_rows(FILE *f, const struct report_cell *c, int n, const struct report_cell *r)
{
	int done[n], j;

	table_row(f, r, r);
	memset(done, 0, sizeof(done));
	for (;;) {
		int pick = -1;

		for (j = 0; j < n; j++)
			if (!done[j] && &c[j] != r && same_cell(&c[j], r) &&
			    (pick < 0 || c[j].rps_median > c[pick].rps_median))
				pick = j;
		if (pick < 0)
			return;
		done[pick] = 1;
		table_row(f, &c[pick], r);
	}
}

/* Every cell of the reference, r[0..k), in the verdicts' order. */
static void write_table(FILE *f, const struct report_cell *c, int n,
                        const struct report_cell *const *r, int k, const char *ref)
{
	const char *s = short_name(ref);
	int i;

	fprintf(f,
	        "| cell (load tool) | model | ok runs | req/s (median) | x %s | server CPU "
	        "µs/req (median) | x %s | load tool CPU %% (median) |\n",
	        s, s);
	fprintf(f, "|---|---|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < k; i++)
		cell_rows(f, c, n, r[i]);
}

/* The cell's headline, CPU per request, then req/s where the load tool left it comparable. */
static void write_verdict(FILE *f, const struct compare_verdict *v, const char *ref,
                          const char *why_not)
{
	char words[RECORD_WORD * 2 + 2];
	const char *m = cell_words(v->scenario, v->mode, words, sizeof(words));
	const char *s = short_name(ref);

	if (!v->measured) {
		fprintf(f, "- fastest %s model: not measured (%s)\n", m, why_not);
		return;
	}
	fprintf(
	    f,
	    "- %s c=%d (%s): least server CPU per request of ours (%s): %.2f x %s (bar %g): %s\n",
	    m, v->level, v->tool, v->lean, v->cpu_ratio, s, COMPARE_BAR_CPU,
	    v->cpu_met ? "met" : "NOT met");
	if (v->client_bound > 0)
		fprintf(
		    f,
		    "- %s c=%d: client-bound: req/s not comparable (the load generator, %s, used "
		    "up to %.0f %% of its CPUs for %s and %.0f %% for %s, the fastest: it, not "
		    "the server, set the req/s)\n",
		    m, v->level, v->tool, v->ref_client_pct, ref, v->best_client_pct, v->best);
	else if (v->client_bound < 0)
		fprintf(f,
		        "- %s c=%d: client-bound: unknown (the load tool's CPU was not measured "
		        "behind its prefix): req/s not comparable\n",
		        m, v->level);
	else
		fprintf(f, "- fastest %s model: %s at %.2f x %s (bar %g): %s\n", m, v->best,
		        v->rps_ratio, s, v->rps_bar, v->rps_met ? "met" : "NOT met");
}

/* The cell of v's scenario, mode and level run by model among c[0..n), or NULL. */
static const struct report_cell *verdict_cell(const struct report_cell *c, int n,
                                              const struct compare_verdict *v, const char *model)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(c[i].scenario, v->scenario) && !strcmp(c[i].mode, v->mode) &&
		    c[i].concurrency == v->level && !strcmp(c[i].model, model))
			return &c[i];
	return NULL;
}

/*
 * What a verdict's figures cannot carry, under it: a compared cell that was
 * noisy (§) or ran in a slow phase of the host (¤), and a least-CPU model
 * that serves one connection at a time (its Facts: parallel=1 wait=-), whose
 * economy is not that of a design serving the cell's connections at once.
 */
static void write_caveats(FILE *f, const struct report_cell *c, int n,
                          const struct compare_verdict *v, const char *ref)
{
	const char *names[3] = { ref, v->best, v->lean };
	const struct report_cell *lean = verdict_cell(c, n, v, v->lean);

	for (int i = 0; i < 3; i++) {
		const struct report_cell *x = names[i][0] ? verdict_cell(c, n, v, names[i]) : NULL;

		if (!x || (i && !strcmp(names[i], names[i - 1])))
			continue;
		if (x->noisy)
			fprintf(
			    f,
			    "  - § %s c=%d: %s's runs were noisy (others used up to %.0f %% of a "
			    "CPU): compare with care\n",
			    v->mode, v->level, x->model, x->other_cpu_max);
		if (x->w.slow)
			fprintf(f,
			        "  - ¤ %s c=%d: %d of %s's runs came in another speed of the host "
			        "(calib_us): compare with care\n",
			        v->mode, v->level, x->w.slow, x->model);
	}
	if (lean && lean->parallel == FACTS_ONE && lean->wait == FACTS_WAIT_NONE)
		fprintf(f,
		        "  - %s serves one connection at a time (Facts: parallel=1 wait=-): the "
		        "least CPU per request, from a design that keeps the other connections "
		        "waiting\n",
		        lean->model);
}

void compare_write(FILE *f, const struct report_cell *c, int n, const char *ref,
                   const char *ref_why)
{
	struct compare_verdict v[16];
	const struct report_cell *r[16];
	int k = compare_verdicts(c, n, ref, v, 16), i, min_ok = 0;
	char why[512];

	if (k == 0) {
		fprintf(f, "No run of %s: nothing to compare with.\n", ref);
		return;
	}
	ref_cells(c, n, ref, r, 16); /* v[i] is the verdict on r[i] */
	write_table(f, c, n, r, k, ref);
	fprintf(f, "\n");
	for (i = 0; i < k; i++) {
		if (!v[i].best[0])
			snprintf(why, sizeof(why), "no model of ours has an ok run");
		else
			snprintf(why, sizeof(why), "%s has no ok run: %s%s%s", ref, r[i]->statuses,
			         ref_why ? "; " : "", ref_why ? ref_why : "");
		write_verdict(f, &v[i], ref, why);
		if (v[i].measured)
			write_caveats(f, c, n, &v[i], ref);
		if (v[i].measured && (!min_ok || v[i].min_ok < min_ok))
			min_ok = v[i].min_ok;
	}
	if (min_ok && min_ok < COMPARE_MIN_REPS)
		fprintf(f,
		        "- only %d ok repetition%s per cell (the bar asks for >= %d): the verdicts "
		        "above are indicative\n",
		        min_ok, min_ok == 1 ? "" : "s", COMPARE_MIN_REPS);
}

/* The meta lines whose key is one of keys, as a markdown list. */
static void meta_lines(FILE *f, const char *meta)
{
	static const char *const keys[] = { "date:",    "cpu:",      "cpus:",      "kernel:",
		                            "pinning:", "load tool", "reference ", "compiler:",
		                            "git:",     "plan:" };
	const char *line = meta;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		int len = nl ? (int)(nl - line) : (int)strlen(line);
		size_t i;

		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncmp(line, keys[i], strlen(keys[i]))) {
				fprintf(f, "- %.*s\n", len, line);
				break;
			}
		line = nl ? nl + 1 : NULL;
	}
}

int compare_write_md(const char *path, const char *run_id, const struct report_cell *c, int n,
                     const char *ref, const char *ref_why, const char *meta)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fprintf(f, "# Our models against %s (make bench-compare, run %s)\n\n", short_name(ref),
	        run_id);
	fprintf(f,
	        "Medians over the ok repetitions; server CPU is the user + sys time of the "
	        "server's process tree from the load's start to its end; the load tool's CPU is %% "
	        "of the CPUs it can use (ab: one; "
	        "wrk: a thread per client CPU). A req/s ratio is stated only where the load tool "
	        "stayed below %.0f %% of them in both runs compared.\n\n",
	        REPORT_CLIENT_BOUND_PCT);
	compare_write(f, c, n, ref, ref_why);
	fprintf(f, "\nMeasured on:\n\n");
	meta_lines(f, meta ? meta : "");
	return fclose(f) == 0 ? 0 : -1;
}

void compare_finish(const char *run_dir, const char *run_id, const struct report_cell *cells,
                    int ncells, const char *ref_why, const char *meta)
{
	char path[PATH_MAX];

	printf("\nComparison with %s (medians of the ok repetitions):\n\n", COMPARE_REF);
	compare_write(stdout, cells, ncells, COMPARE_REF, ref_why);
	snprintf(path, sizeof(path), "%s/compare.md", run_dir);
	if (compare_write_md(path, run_id, cells, ncells, COMPARE_REF, ref_why, meta) < 0)
		fprintf(stderr, "harness: cannot write %s\n", path);
	else
		printf("\ncomparison: %s\n", path);
}

void compare_plan_cells(struct plan *p, int set_reps, int set_duration)
{
	if (!set_reps)
		p->reps = COMPARE_MIN_REPS;
	if (!set_duration)
		p->duration_s = 2;
	p->scenarios[0] = scenario_for_compare(SCENARIO_COMPARE_BAR);
	p->scenarios[1] = scenario_for_compare(SCENARIO_COMPARE_PIPELINED);
	p->nscenarios = 2;
	p->cells[0] = (struct plan_cell){ .scenario = 0,
		                          .mode = PLAN_KEEPALIVE,
		                          .level = COMPARE_KA_LEVEL,
		                          .reps = p->reps,
		                          .duration_s = p->duration_s };
	p->cells[1] = p->cells[0];
	p->cells[1].mode = PLAN_CLOSE;
	p->cells[1].level = COMPARE_CLOSE_LEVEL;
	p->cells[2] = p->cells[0];
	p->cells[2].scenario = 1;
	p->cells[2].level = COMPARE_PIPE_LEVEL;
	p->ncells = 3;
}

int compare_model_list(const struct plan *p, const char *models, char *list, size_t len)
{
	char copy[1024], *w, *save;
	size_t o = snprintf(list, len, "%s", COMPARE_REF);
	int i;

	if (models && *models) {
		snprintf(copy, sizeof(copy), "%s", models);
		for (w = strtok_r(copy, " ,\t", &save); w && o < len;
		     w = strtok_r(NULL, " ,\t", &save))
			if (strcmp(w, COMPARE_REF) != 0)
				o += snprintf(list + o, len - o, " %s", w);
	} else {
		for (i = 0; i < p->nmodels && o < len; i++)
			if (!plan_is_reference(p->models[i].name))
				o += snprintf(list + o, len - o, " %s", p->models[i].name);
	}
	return o < len ? 0 : -1;
}
