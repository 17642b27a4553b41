/* plot.c -- a run's charts: one gnuplot per scenario, kind and mode, from summary.csv. */
#include "plot.h"
#include "scenario.h"

#include <limits.h>
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

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct models of c[0..n) in name order, blank separated, into buf: 0 or -1. */
static int models_of(const struct report_cell *c, int n, char *buf, size_t len)
{
	const char **names = malloc((n ? n : 1) * sizeof(*names));
	int i, j, k = 0, o = 0;

	if (!names)
		return -1;
	for (i = 0; i < n; i++) {
		for (j = 0; j < k && strcmp(names[j], c[i].model); j++)
			;
		if (j == k)
			names[k++] = c[i].model;
	}
	qsort(names, k, sizeof(names[0]), cmp_name);
	buf[0] = '\0';
	for (i = 0; i < k && o < (int)len; i++)
		o += snprintf(buf + o, len - o, "%s%s", i ? " " : "", names[i]);
	free(names);
	return k && o < (int)len ? 0 : -1;
}

/* One scenario's charts (c[0..n)): every kind for every mode. Returns how many failed. */
static int plot_scenario(const struct plot_job *job, const char *models,
                         const struct report_cell *c, int n)
{
	const char *modes[REPORT_MAX_MODES], *kinds[PLOT_MAX_KINDS];
	char vars[8192], script[PATH_MAX], style[PATH_MAX], log[PATH_MAX];
	int k = report_modes(c, n, modes), nk = plot_kinds(&c[0], kinds), m, i, failed = 0;
	int first = INT_MAX;
	const struct scenario *s = scenario_find(c[0].scenario);

	for (i = 0; i < n; i++)
		if (report_level(&c[i]) < first)
			first = report_level(&c[i]);
	snprintf(style, sizeof(style), "%s/style.gp", job->scripts);
	snprintf(log, sizeof(log), "%s/gnuplot.log", job->outdir);
	for (m = 0; m < k; m++) {
		const char *tool = "";
		int bound = 0, starved = 0, law = 0; /* the marks the chart needs */

		for (i = 0; i < n; i++)
			if (!strcmp(c[i].mode, modes[m])) {
				tool = c[i].tool;
				bound += c[i].ok && c[i].client_bound;
				starved += c[i].ok && c[i].starved;
				law += c[i].bound > 0;
			}
		for (i = 0; i < nk; i++) {
			char *argv[] = { (char *)job->gnuplot, "-e", vars, script, NULL };

			snprintf(script, sizeof(script), "%s/%s.gp", job->scripts, kinds[i]);
			snprintf(vars, sizeof(vars),
			         "summary='%s'; out='%s/%s-%s-%s.png'; scenario='%s'; mode='%s'; "
			         "models='%s'; runid='%s'; tool='%s'; style='%s'; bound_marks=%d; "
			         "starved_marks=%d; law_lines=%d; levels='%s'; xcol='%s'; "
			         "first_level=%d",
			         job->summary, job->outdir, c[0].scenario, kinds[i], modes[m],
			         c[0].scenario, modes[m], models, job->run_id, tool, style, bound,
			         starved, law, s && s->level_axis ? s->level_axis : "concurrency",
			         report_is_idle(&c[0]) ? "idle_conns" : "concurrency", first);
			failed += job->exec(argv, 30000, log) != 0;
		}
	}
	return failed;
}

int plot_charts(const struct plot_job *job, const struct report_cell *c, int n)
{
	char models[4096], log[PATH_MAX];
	int start, end, failed = 0;

	/* Every model of the run in name order: its index is its colour in every chart. */
	if (!n || models_of(c, n, models, sizeof(models)) < 0)
		return -1;
	if (snprintf(log, sizeof(log), "%s/gnuplot.log", job->outdir) >= (int)sizeof(log))
		return -1;
	unlink(log);
	for (start = 0; start < n; start = end) {
		end = report_slice_end(c, n, start);
		failed += plot_scenario(job, models, c + start, end - start);
	}
	return failed;
}
