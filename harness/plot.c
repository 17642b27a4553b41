/* plot.c -- a run's charts: one gnuplot per scenario, kind and mode, from summary.csv. */
#include "plot.h"
#include "scenario.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The charts of every scenario, those only of scenarios whose levels are idle
 * connections, and those only of open-loop ones.
 */
enum { CHART_ALL, CHART_IDLE, CHART_OPEN, CHART_MIX };
static const struct {
	const char *name;
	int only;
} chart_kinds[] = {
	{ "throughput", CHART_ALL }, { "p99", CHART_ALL },
	{ "cpu", CHART_ALL },        { "mem", CHART_IDLE }, /* memory per idle connection */
	{ "goodput", CHART_OPEN }, /* goodput and rejected against offered load */
	{ "short", CHART_MIX },    /* a mix's short requests' p99 beside the FCFS and PS laws */
};
#define NKINDS (int)(sizeof(chart_kinds) / sizeof(chart_kinds[0]))

int plot_kinds(const struct report_cell *c, const char *kinds[PLOT_MAX_KINDS])
{
	int i, k = 0;

	for (i = 0; i < NKINDS && k < PLOT_MAX_KINDS; i++)
		if (chart_kinds[i].only == CHART_ALL ||
		    (chart_kinds[i].only == CHART_IDLE && report_is_idle(c)) ||
		    (chart_kinds[i].only == CHART_OPEN && scenario_open_loop(c->scenario)) ||
		    (chart_kinds[i].only == CHART_MIX && scenario_find(c->scenario) &&
		     scenario_find(c->scenario)->mix))
			kinds[k++] = chart_kinds[i].name;
	return k;
}

/* A family's colour in every chart (enum facts_family order); references are black. */
static const char *const family_colour[FACTS_NFAMILIES] = {
	[FACTS_FAMILY_UNKNOWN] = "#7f7f7f", [FACTS_FAMILY_ITERATIVE] = "#8c564b",
	[FACTS_FAMILY_LOOP] = "#1f77b4",    [FACTS_FAMILY_CONN] = "#d62728",
	[FACTS_FAMILY_POOL] = "#2ca02c",    [FACTS_FAMILY_LOOP_CPU] = "#9467bd",
	[FACTS_FAMILY_HELPERS] = "#ff7f0e",
};
/* A model's marker: the k-th model of its family (in name order) gets the k-th. */
static const int family_marker[] = { 7, 5, 9, 11, 13, 15, 4, 6, 8, 10, 12, 14, 1, 3 };
#define NMARKERS (int)(sizeof(family_marker) / sizeof(family_marker[0]))

#define CHART_SPAN_LOG 10.0 /* a chart whose values span this factor or more gets a log y axis */

/*
 * The marks every chart draws (style.gp's table, in this order): a point
 * style and a legend entry each, passed as how many of the chart's cells
 * carry it (0: no legend entry).
 */
enum { MARK_BOUND, MARK_STARVED, MARK_NOISY, MARK_SLOW, MARK_LITTLES, NMARKS };
static const char *const mark_var[NMARKS] = {
	[MARK_BOUND] = "bound_marks",     [MARK_STARVED] = "starved_marks",
	[MARK_NOISY] = "noisy_marks",     [MARK_SLOW] = "slow_marks",
	[MARK_LITTLES] = "littles_marks",
};

/*
 * 1 if the ok cell x carries mark k: ‡ the load tool was the ceiling, † some
 * connections never served (starved or unserved), § noisy, ¤ a repetition in
 * a slow phase, ≠ Little's law off. style.gp's marked() asks summary.csv's
 * columns the same.
 */
static int has_mark(const struct report_cell *x, int k)
{
	if (!x->ok)
		return 0;
	switch (k) {
	case MARK_BOUND: return x->client_bound;
	case MARK_STARVED: return x->starved || x->w.unserved;
	case MARK_NOISY: return x->noisy > 0;
	case MARK_SLOW: return x->w.slow > 0;
	default: return x->w.littles_off;
	}
}

/* One model of a chart: how it is drawn and where its legend entry goes. */
struct chart_model {
	const char *model;
	int family, reference, marker;
	double value; /* at its highest level with a value: the legend's order; NAN: none */
};

/* The value the chart of kind draws for the ok cell x; NAN where it draws none. */
static double chart_value(const char *kind, const struct report_cell *x)
{
	double v = NAN;

	if (!x->ok || report_is_capacity(x)) /* a capacity run is no level */
		return NAN;
	if (!strcmp(kind, "throughput"))
		v = x->rps_median;
	else if (!strcmp(kind, "p99"))
		v = x->starved ? 1000 * x->run_s : x->p99_median; /* p99.gp's starved cross */
	else if (!strcmp(kind, "cpu"))
		v = x->cpu_us_median;
	else if (!strcmp(kind, "goodput"))
		v = x->concurrency > 0 ? x->goodput_median : NAN;
	else if (!strcmp(kind, "mem"))
		v = x->mem_per_idle_b;
	else if (!strcmp(kind, "short"))
		v = x->concurrency > 0 ? x->short_p99_us : NAN; /* short.gp: the offered levels */
	return v > 0 ? v : NAN;
}

static int cmp_chart_model(const void *a, const void *b)
{
	const struct chart_model *x = a, *y = b;

	if (isnan(x->value) != isnan(y->value))
		return isnan(x->value) ? 1 : -1;
	if (!isnan(x->value) && x->value != y->value)
		return x->value > y->value ? -1 : 1; /* the highest first, as the lines end */
	return strcmp(x->model, y->model);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct chart_model *)a)->model,
	              ((const struct chart_model *)b)->model);
}

/*
 * The distinct models of c[0..n) into m (at most max) in name order, each
 * with its family, reference flag and marker (its rank within its family).
 * How many.
 */
static int models_of(const struct report_cell *c, int n, struct chart_model *m, int max)
{
	int i, j, k = 0, rank;

	for (i = 0; i < n; i++) {
		for (j = 0; j < k && strcmp(m[j].model, c[i].model); j++)
			;
		if (j == k && k < max)
			m[k++] = (struct chart_model){ .model = c[i].model,
				                       .family = c[i].family,
				                       .reference = c[i].reference };
	}
	qsort(m, k, sizeof(m[0]), cmp_name);
	for (i = 0; i < k; i++) {
		for (j = 0, rank = 0; j < i; j++)
			rank += m[j].family == m[i].family;
		m[i].marker = family_marker[rank % NMARKERS];
	}
	return k;
}

/*
 * Which marks any cell of model in mode carries: NMARKS characters, '1' for
 * each mark it carries, '0' for the others (a static buffer, valid until the next call).
 */
static const char *model_marks(const struct report_cell *c, int n, const char *model,
                               const char *mode)
{
	static char word[NMARKS + 1];
	int i, k;

	memset(word, '0', NMARKS);
	word[NMARKS] = '\0';
	for (i = 0; i < n; i++)
		for (k = 0; k < NMARKS; k++)
			if (!strcmp(c[i].model, model) && report_in_mode(&c[i], mode) &&
			    has_mark(&c[i], k))
				word[k] = '1';
	return word;
}

/*
 * The variables that say how one chart (kind, mode) of one scenario's cells
 * c[0..n) draws its models, appended to vars at *o: the models ordered by
 * their value at their highest level (the legend reads as the lines end),
 * their labels ("epoll (one loop)"; an iterative design in a keep-alive mode
 * "closes"), colours by family, markers by model; logy when the values span
 * CHART_SPAN_LOG or more; lines only through three levels or more; spread
 * when a cell had two ok repetitions; empty when no cell has a value to draw
 * (style.gp's EMPTY draws the axes and says so); how many of the mode's cells carry each
 * mark (mark_var); and per model which marks any of its cells carries
 * (slope_marks, a word of NMARKS 0/1 each: mem.gp's bars are slopes over them).
 */
static void chart_vars(const struct chart_model *all, int nm, const struct report_cell *c, int n,
                       const char *kind, const char *mode, char *vars, size_t len, int *o)
{
	struct chart_model m[PLOT_MAX_MODELS];
	double lo = INFINITY, hi = 0;
	int i, j, k, levels = 0, top, spread = 0, marks[NMARKS] = { 0 };
	const char *lists[] = { "models", "labels", "colours", "pts", "slope_marks" };
	int l;

	for (i = 0; i < nm; i++) {
		m[i] = all[i];
		m[i].value = NAN;
		for (j = 0, top = -1; j < n; j++) {
			double v = chart_value(kind, &c[j]);

			if (strcmp(c[j].model, m[i].model) || !report_in_mode(&c[j], mode) ||
			    isnan(v))
				continue;
			if (report_level(&c[j]) > top)
				top = report_level(&c[j]), m[i].value = v;
			lo = fmin(lo, v);
			hi = fmax(hi, v);
			if (!strcmp(kind, "throughput") && c[j].bound > 0)
				lo = fmin(lo, c[j].bound), hi = fmax(hi, c[j].bound);
		}
	}
	qsort(m, nm, sizeof(m[0]), cmp_chart_model);
	for (j = 0; j < n; j++) {
		if (!report_in_mode(&c[j], mode))
			continue;
		for (i = 0; i < j && (!report_in_mode(&c[i], mode) ||
		                      report_level(&c[i]) != report_level(&c[j]));
		     i++)
			;
		levels += i == j; /* the first cell of its level */
		spread |= c[j].ok >= 2;
		for (k = 0; k < NMARKS; k++)
			marks[k] += has_mark(&c[j], k);
	}
	for (l = 0; l < (int)(sizeof(lists) / sizeof(lists[0])); l++) {
		*o += snprintf(vars + *o, len - *o, "; %s='", lists[l]);
		for (i = 0; i < nm && *o < (int)len; i++) {
			const char *sep = i ? " " : "";

			if (l == 0)
				*o += snprintf(vars + *o, len - *o, "%s%s", sep, m[i].model);
			else if (l == 1)
				*o += snprintf(vars + *o, len - *o, "%s\"%s (%s%s%s)\"", sep,
				               m[i].model, m[i].reference ? "reference, " : "",
				               facts_family_name(m[i].family),
				               m[i].family == FACTS_FAMILY_ITERATIVE &&
				                       strcmp(mode, "close")
				                   ? ", closes"
				                   : "");
			else if (l == 2)
				*o += snprintf(
				    vars + *o, len - *o, "%s%s", sep,
				    m[i].reference
				        ? "#000000"
				        : family_colour[m[i].family >= 0 &&
				                                m[i].family < FACTS_NFAMILIES
				                            ? m[i].family
				                            : 0]);
			else if (l == 3)
				*o += snprintf(vars + *o, len - *o, "%s%d", sep, m[i].marker);
			else
				*o += snprintf(vars + *o, len - *o, "%s%s", sep,
				               model_marks(c, n, m[i].model, mode));
		}
		if (*o < (int)len)
			*o += snprintf(vars + *o, len - *o, "'");
	}
	if (*o < (int)len)
		*o += snprintf(vars + *o, len - *o, "; logy=%d; lines=%d; spread=%d; empty=%d",
		               hi > 0 && lo < INFINITY && hi / lo >= CHART_SPAN_LOG, levels >= 3,
		               spread, lo == INFINITY);
	for (k = 0; k < NMARKS && *o < (int)len; k++)
		*o += snprintf(vars + *o, len - *o, "; %s=%d", mark_var[k], marks[k]);
}

/* One scenario's charts (c[0..n)): every kind for every mode. Returns how many failed. */
static int plot_scenario(const struct plot_job *job, const struct report_cell *c, int n)
{
	const char *modes[REPORT_MAX_MODES], *kinds[PLOT_MAX_KINDS];
	char vars[16384], script[PATH_MAX], style[PATH_MAX], log[PATH_MAX];
	struct chart_model all[PLOT_MAX_MODELS];
	int k = report_modes(c, n, modes), nk = plot_kinds(&c[0], kinds), m, i, failed = 0;
	int first = INT_MAX, nm = models_of(c, n, all, PLOT_MAX_MODELS), o;
	const struct scenario *s = scenario_find(c[0].scenario);

	for (i = 0; i < n; i++)
		if (!report_is_capacity(&c[i]) && report_level(&c[i]) < first)
			first = report_level(&c[i]);
	snprintf(style, sizeof(style), "%s/style.gp", job->scripts);
	snprintf(log, sizeof(log), "%s/gnuplot.log", job->outdir);
	for (m = 0; m < k; m++) {
		const char *tool = "";
		int law = 0; /* cells with a law's bound: its dotted lines */

		for (i = 0; i < n; i++)
			if (report_in_mode(&c[i], modes[m])) {
				tool = c[i].tool;
				law += c[i].bound > 0;
			}
		for (i = 0; i < nk; i++) {
			char *argv[] = { (char *)job->gnuplot, "-e", vars, script, NULL };

			snprintf(script, sizeof(script), "%s/%s.gp", job->scripts, kinds[i]);
			o = snprintf(
			    vars, sizeof(vars),
			    "summary='%s'; out='%s/%s-%s-%s.png'; scenario='%s'; mode='%s'; "
			    "runid='%s'; tool='%s'; style='%s'; law_lines=%d; levels='%s'; "
			    "xcol='%s'; first_level=%d",
			    job->summary, job->outdir, c[0].scenario, kinds[i], modes[m],
			    c[0].scenario, modes[m], job->run_id, tool, style, law,
			    s && s->level_axis ? s->level_axis : "concurrency",
			    report_is_idle(&c[0]) ? "idle_conns" : "concurrency", first);
			chart_vars(all, nm, c, n, kinds[i], modes[m], vars, sizeof(vars), &o);
			if (o >= (int)sizeof(vars)) {
				failed++;
				continue;
			}
			failed += job->exec(argv, 30000, log) != 0;
		}
	}
	return failed;
}

int plot_charts(const struct plot_job *job, const struct report_cell *c, int n)
{
	char log[PATH_MAX];
	int start, end, failed = 0;

	if (!n)
		return -1;
	if (snprintf(log, sizeof(log), "%s/gnuplot.log", job->outdir) >= (int)sizeof(log))
		return -1;
	unlink(log);
	for (start = 0; start < n; start = end) {
		end = report_slice_end(c, n, start);
		failed += plot_scenario(job, c + start, end - start);
	}
	return failed;
}
