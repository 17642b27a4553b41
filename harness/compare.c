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

/* The reference's short name for ratios: "nginx" for ref-nginx. */
static const char *short_name(const char *ref)
{
	const char *dash = strchr(ref, '-');

	return dash && dash[1] ? dash + 1 : ref;
}

/* Our model with the highest median req/s in the cell, among those with an ok run, or NULL. */
static const struct report_cell *fastest(const struct report_cell *c, int n, const char *mode,
                                         int level)
{
	const struct report_cell *best = NULL;
	int i;

	for (i = 0; i < n; i++)
		if (!c[i].reference && c[i].ok && !strcmp(c[i].mode, mode) &&
		    c[i].concurrency == level && (!best || c[i].rps_median > best->rps_median))
			best = &c[i];
	return best;
}

static void judge(const struct report_cell *ref, const struct report_cell *best,
                  struct compare_verdict *v)
{
	memset(v, 0, sizeof(*v));
	strcpy(v->mode, ref->mode);
	strcpy(v->tool, ref->tool);
	v->level = ref->concurrency;
	v->rps_bar = !strcmp(ref->mode, "keepalive") ? COMPARE_BAR_KA : COMPARE_BAR_CLOSE;
	if (best)
		strcpy(v->best, best->model);
	if (!best || !ref->ok || ref->rps_median <= 0 || ref->cpu_us_median <= 0)
		return;
	v->measured = 1;
	v->rps_ratio = best->rps_median / ref->rps_median;
	v->rps_met = v->rps_ratio >= v->rps_bar;
	v->cpu_ratio = best->cpu_us_median / ref->cpu_us_median;
	v->cpu_met = v->cpu_ratio <= COMPARE_BAR_CPU;
	v->ref_client_pct = ref->client_cpu_median;
	v->best_client_pct = best->client_cpu_median;
	v->client_bound = ref->client_cpu_median >= REPORT_CLIENT_BOUND_PCT ||
	                  best->client_cpu_median >= REPORT_CLIENT_BOUND_PCT;
	v->min_ok = ref->ok < best->ok ? ref->ok : best->ok;
}

int compare_verdicts(const struct report_cell *c, int n, const char *ref, struct compare_verdict *v,
                     int max)
{
	int pass, i, k = 0;

	/* Keep-alive cells first: the bar is stated in that order. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n && k < max; i++)
			if (!strcmp(c[i].model, ref) &&
			    !strcmp(c[i].mode, "keepalive") == (pass == 0))
				judge(&c[i], fastest(c, n, c[i].mode, c[i].concurrency), &v[k++]);
	return k;
}

/* One table row: a model in a cell, with its ratios to the reference's cell r. */
static void table_row(FILE *f, const struct report_cell *x, const struct report_cell *r)
{
	char cell[RECORD_WORD * 2 + 16], label[RECORD_WORD + 16], rps[32];
	int ratios = r && r->ok && r->rps_median > 0 && r->cpu_us_median > 0;

	snprintf(cell, sizeof(cell), "%s c=%d (%s)", x->mode, x->concurrency, x->tool);
	report_label(x->model, label, sizeof(label));
	if (!x->ok) {
		fprintf(f, "| %-24s | %-24s | %d/%d | %s | - | - | - | - |\n", cell, label, x->ok,
		        x->runs, x->statuses);
		return;
	}
	fprintf(f, "| %-24s | %-24s | %d/%d | %10s |", cell, label, x->ok, x->runs,
	        util_thousands(x->rps_median, rps, sizeof(rps)));
	if (ratios)
		fprintf(f, " %5.2f | %6.2f | %5.2f |", x->rps_median / r->rps_median,
		        x->cpu_us_median, x->cpu_us_median / r->cpu_us_median);
	else
		fprintf(f, " - | %6.2f | - |", x->cpu_us_median);
	fprintf(f, " %3.0f |\n", x->client_cpu_median);
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
			if (!done[j] && &c[j] != r && !strcmp(c[j].mode, r->mode) &&
			    c[j].concurrency == r->concurrency &&
			    (pick < 0 || c[j].rps_median > c[pick].rps_median))
				pick = j;
		if (pick < 0)
			return;
		done[pick] = 1;
		table_row(f, &c[pick], r);
	}
}

/* Every cell of the reference, keep-alive first as in the verdicts. */
static void write_table(FILE *f, const struct report_cell *c, int n, const char *ref)
{
	const char *s = short_name(ref);
	int pass, i;

	fprintf(f,
	        "| cell (load tool) | model | ok runs | req/s (median) | x %s | server CPU "
	        "µs/req (median) | x %s | load tool CPU %% (median) |\n",
	        s, s);
	fprintf(f, "|---|---|---:|---:|---:|---:|---:|---:|\n");
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++)
			if (!strcmp(c[i].model, ref) &&
			    !strcmp(c[i].mode, "keepalive") == (pass == 0))
				cell_rows(f, c, n, &c[i]);
}

static void write_verdict(FILE *f, const struct compare_verdict *v, const char *ref,
                          const char *why_not)
{
	const char *m = mode_words(v->mode), *s = short_name(ref);

	if (!v->measured) {
		fprintf(f, "- fastest %s model: not measured (%s)\n", m, why_not);
		return;
	}
	fprintf(f, "- fastest %s model: %s at %.2f x %s (bar %g): %s\n", m, v->best, v->rps_ratio,
	        s, v->rps_bar, v->rps_met ? "met" : "NOT met");
	fprintf(f, "- CPU per request of the fastest %s model (%s): %.2f x %s (bar %g): %s\n", m,
	        v->best, v->cpu_ratio, s, COMPARE_BAR_CPU, v->cpu_met ? "met" : "NOT met");
	if (v->client_bound)
		fprintf(f,
		        "- %s c=%d: the load generator (%s) used %.0f %% of its core for %s and "
		        "%.0f %% for %s: the load generator, not the server, limited this cell "
		        "(compare the CPU per request)\n",
		        m, v->level, v->tool, v->ref_client_pct, ref, v->best_client_pct, v->best);
}

void compare_write(FILE *f, const struct report_cell *c, int n, const char *ref,
                   const char *ref_why)
{
	struct compare_verdict v[16];
	int k = compare_verdicts(c, n, ref, v, 16), i, min_ok = 0;
	char why[512];

	if (k == 0) {
		fprintf(f, "No run of %s: nothing to compare with.\n", ref);
		return;
	}
	write_table(f, c, n, ref);
	fprintf(f, "\n");
	for (i = 0; i < k; i++) {
		const struct report_cell *r = report_find_cell(c, n, ref, v[i].mode, v[i].level);

		if (!v[i].best[0])
			snprintf(why, sizeof(why), "no model of ours has an ok run");
		else
			snprintf(why, sizeof(why), "%s has no ok run: %s%s%s", ref,
			         r ? r->statuses : "?", ref_why ? "; " : "",
			         ref_why ? ref_why : "");
		write_verdict(f, &v[i], ref, why);
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
	fprintf(
	    f,
	    "Medians over the ok repetitions; server CPU is user + sys from wait4 of the "
	    "server process tree; the load tool's CPU is %% of the one core it is pinned to.\n\n");
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
	p->scenarios[0] = scenario_find(COMPARE_SCENARIO);
	p->nscenarios = 1;
	p->cells[0] = (struct plan_cell){ .scenario = 0,
		                          .mode = PLAN_KEEPALIVE,
		                          .level = COMPARE_KA_LEVEL,
		                          .reps = p->reps,
		                          .duration_s = p->duration_s };
	p->cells[1] = p->cells[0];
	p->cells[1].mode = PLAN_CLOSE;
	p->cells[1].level = COMPARE_CLOSE_LEVEL;
	p->ncells = 2;
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
