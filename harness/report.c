/* report.c -- summary statistics, the ranking, report.md and the gnuplot charts. */
#include "report.h"
#include "health.h"
#include "plan.h"
#include "run.h"
#include "util.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const chart_kinds[] = { "throughput", "p99", "cpu" };
#define NKINDS (int)(sizeof(chart_kinds) / sizeof(chart_kinds[0]))

static int cmp_row(const void *a, const void *b)
{
	const struct record_row *x = *(const struct record_row *const *)a;
	const struct record_row *y = *(const struct record_row *const *)b;
	int c = strcmp(x->model, y->model);

	if (!c)
		c = strcmp(x->mode, y->mode);
	if (!c)
		c = (x->concurrency > y->concurrency) - (x->concurrency < y->concurrency);
	return c;
}

static int same_cell(const struct record_row *a, const struct record_row *b)
{
	return !strcmp(a->model, b->model) && !strcmp(a->mode, b->mode) &&
	       a->concurrency == b->concurrency;
}

/* Count status words of rows[0..n) into "ok:2 errors:1" form. */
static void count_statuses(const struct record_row *const *rows, int n, char *buf, size_t len)
{
	int i, j, o = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		int seen = 0, count = 0;

		for (j = 0; j < i; j++)
			seen |= !strcmp(rows[j]->status, rows[i]->status);
		if (seen)
			continue;
		for (j = i; j < n; j++)
			count += !strcmp(rows[j]->status, rows[i]->status);
		o += snprintf(buf + o, len - o, "%s%s:%d", o ? " " : "", rows[i]->status, count);
		if (o >= (int)len)
			return;
	}
}

/*
 * The honesty checks of a cell from its k rows: the median served_conns of
 * the ok runs that know it, the highest other_cpu_pct and the noisy runs.
 */
static void fill_health(struct report_cell *cell, const struct record_row *const *rows, int k,
                        double *tmp)
{
	int i, m = 0;

	cell->served_median = -1;
	cell->other_cpu_max = -1;
	for (i = 0; i < k; i++) {
		if (!strcmp(rows[i]->status, "ok") && rows[i]->served_conns >= 0)
			tmp[m++] = rows[i]->served_conns;
		cell->other_cpu_max = fmax(cell->other_cpu_max, rows[i]->other_cpu_pct);
		cell->noisy += health_noisy(rows[i]->other_cpu_pct);
	}
	if (m)
		cell->served_median = util_median(tmp, m);
	cell->starved = health_starved(cell->served_median, cell->concurrency);
}

/* Fill cell from the k rows of one cell. */
static void fill_cell(struct report_cell *cell, const struct record_row *const *rows, int k,
                      double *tmp)
{
	const struct record_row *const *ok = rows;
	int i, m = 0;
	double sum = 0, sq = 0;

	memset(cell, 0, sizeof(*cell));
	strcpy(cell->model, rows[0]->model);
	strcpy(cell->mode, rows[0]->mode);
	strcpy(cell->tool, rows[0]->tool);
	cell->reference = plan_is_reference(cell->model);
	cell->concurrency = rows[0]->concurrency;
	cell->runs = k;
	count_statuses(rows, k, cell->statuses, sizeof(cell->statuses));
	cell->rps_min = INFINITY;
	for (i = 0; i < k; i++) {
		if (strcmp(ok[i]->status, "ok") != 0)
			continue;
		tmp[m++] = ok[i]->rps;
		sum += ok[i]->rps;
		cell->rps_min = fmin(cell->rps_min, ok[i]->rps);
		cell->rps_max = fmax(cell->rps_max, ok[i]->rps);
		if (ok[i]->server_maxrss_kb > cell->maxrss_kb_max)
			cell->maxrss_kb_max = ok[i]->server_maxrss_kb;
		cell->client_cpu_max = fmax(cell->client_cpu_max, ok[i]->client_cpu_pct);
	}
	cell->ok = m;
	if (!m) {
		cell->rps_min = 0;
		return;
	}
	cell->rps_mean = sum / m;
	for (i = 0; i < m; i++)
		sq += (tmp[i] - cell->rps_mean) * (tmp[i] - cell->rps_mean);
	cell->rps_sd = m > 1 ? sqrt(sq / (m - 1)) : 0;
	cell->rps_median = util_median(tmp, m);
#define MEDIAN_OF(field, dst)                                                                      \
	do {                                                                                       \
		int j_ = 0;                                                                        \
		for (i = 0; i < k; i++)                                                            \
			if (!strcmp(rows[i]->status, "ok"))                                        \
				tmp[j_++] = rows[i]->field;                                        \
		dst = util_median(tmp, j_);                                                        \
	} while (0)
	MEDIAN_OF(lat_p50_ms, cell->p50_median);
	MEDIAN_OF(lat_p99_ms, cell->p99_median);
	MEDIAN_OF(server_cpu_us_per_req, cell->cpu_us_median);
	MEDIAN_OF(client_cpu_pct, cell->client_cpu_median);
#undef MEDIAN_OF
	cell->client_bound = cell->client_cpu_max >= REPORT_CLIENT_BOUND_PCT;
	fill_health(cell, rows, k, tmp);
}

int report_summarize(const struct record_row *rows, int n, struct report_cell **cells, int *ncells)
{
	const struct record_row **sorted = malloc((n ? n : 1) * sizeof(*sorted));
	double *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	int i, start;

	*ncells = 0;
	*cells = malloc((n ? n : 1) * sizeof(**cells));
	if (!sorted || !tmp || !*cells) {
		free(sorted);
		free(tmp);
		free(*cells);
		*cells = NULL;
		return -1;
	}
	for (i = 0; i < n; i++)
		sorted[i] = &rows[i];
	qsort(sorted, n, sizeof(*sorted), cmp_row);
	for (start = 0; start < n; start = i) {
		for (i = start + 1; i < n && same_cell(sorted[start], sorted[i]); i++)
			;
		fill_cell(&(*cells)[(*ncells)++], sorted + start, i - start, tmp);
	}
	free(sorted);
	free(tmp);
	return 0;
}

int report_write_summary(const char *path, const struct report_cell *c, int n)
{
	FILE *f = fopen(path, "we");
	int i;

	if (!f)
		return -1;
	fprintf(f, "model,mode,concurrency,runs,reps_ok,rps_median,rps_min,rps_max,rps_mean,rps_sd,"
	           "lat_p50_ms_median,lat_p99_ms_median,cpu_us_per_req_median,maxrss_kb_max,"
	           "client_cpu_pct_max,client_bound,client_cpu_pct_median,tool,reference,statuses,"
	           "served_conns_median,starved,other_cpu_pct_max,noisy_reps\n");
	for (i = 0; i < n; i++) {
		char served[32] = "", other[32] = "";

		if (c[i].served_median >= 0)
			snprintf(served, sizeof(served), "%.1f", c[i].served_median);
		if (c[i].other_cpu_max >= 0)
			snprintf(other, sizeof(other), "%.1f", c[i].other_cpu_max);
		fprintf(
		    f,
		    "%s,%s,%d,%d,%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.3f,%.3f,%.2f,%ld,%.1f,%d,%.1f,%s,%d,"
		    "%s,%s,%d,%s,%d\n",
		    c[i].model, c[i].mode, c[i].concurrency, c[i].runs, c[i].ok, c[i].rps_median,
		    c[i].rps_min, c[i].rps_max, c[i].rps_mean, c[i].rps_sd, c[i].p50_median,
		    c[i].p99_median, c[i].cpu_us_median, c[i].maxrss_kb_max, c[i].client_cpu_max,
		    c[i].client_bound, c[i].client_cpu_median, c[i].tool, c[i].reference,
		    c[i].statuses, served, c[i].starved, other, c[i].noisy);
	}
	return fclose(f) == 0 ? 0 : -1;
}

/* The distinct modes of the cells, in order of first appearance (at most 8). */
static int modes_of(const struct report_cell *c, int n, const char *modes[8])
{
	int i, j, k = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < k && strcmp(modes[j], c[i].mode); j++)
			;
		if (j == k && k < 8)
			modes[k++] = c[i].mode;
	}
	return k;
}

/* The highest concurrency of mode with an ok run, or 0. */
static int top_level(const struct report_cell *c, int n, const char *mode)
{
	int i, top = 0;

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].mode, mode) && c[i].ok && c[i].concurrency > top)
			top = c[i].concurrency;
	return top;
}

static int cmp_mean_desc(const void *a, const void *b)
{
	const struct report_cell *x = *(const struct report_cell *const *)a;
	const struct report_cell *y = *(const struct report_cell *const *)b;

	return (x->rps_mean < y->rps_mean) - (x->rps_mean > y->rps_mean);
}

const char *report_label(const char *model, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", model, plan_is_reference(model) ? " (reference)" : "");
	return buf;
}

/* " (starved: N of C connections served)" for a starved cell, else "", into buf. */
static const char *starved_words(const struct report_cell *c, char *buf, size_t len)
{
	buf[0] = '\0';
	if (c->starved)
		snprintf(buf, len, " (starved: %.0f of %d connections served)", c->served_median,
		         c->concurrency);
	return buf;
}

/* The ranking of one mode at concurrency level to f. */
static void rank_mode(FILE *f, const struct report_cell *c, int n, const char *mode, int level)
{
	const struct report_cell *r[n ? n : 1], *best;
	char a[RECORD_WORD + 16], b[RECORD_WORD + 16], sw[80];
	int i, k = 0;

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].mode, mode) && c[i].concurrency == level)
			r[k++] = &c[i];
	qsort(r, k, sizeof(r[0]), cmp_mean_desc);
	best = r[0];
	report_label(best->model, a, sizeof(a));
	fprintf(f, "%s, c=%d (%s): %s: %.0f ± %.0f req/s%s%s\n", mode, level, best->tool, a,
	        best->rps_mean, best->rps_sd,
	        best->client_bound ? " (limited by the load generator)" : "",
	        starved_words(best, sw, sizeof(sw)));
	for (i = 1; i < k; i++) {
		double ratio, sd;

		if (!r[i]->ok || r[i]->rps_mean <= 0) {
			fprintf(f, "  %s: no ok run (%s)\n",
			        report_label(r[i]->model, b, sizeof(b)), r[i]->statuses);
			continue;
		}
		ratio = best->rps_mean / r[i]->rps_mean;
		sd = ratio * sqrt(pow(best->rps_sd / best->rps_mean, 2) +
		                  pow(r[i]->rps_sd / r[i]->rps_mean, 2));
		fprintf(f, "  %s ran %.2f ± %.2f x faster than %s%s%s\n", a, ratio, sd,
		        report_label(r[i]->model, b, sizeof(b)),
		        r[i]->client_bound ? " (load generator limited it)" : "",
		        starved_words(r[i], sw, sizeof(sw)));
	}
}

void report_ranking(FILE *f, const struct report_cell *c, int n)
{
	const char *modes[8];
	int m, k = modes_of(c, n, modes), level;

	for (m = 0; m < k; m++) {
		if (!(level = top_level(c, n, modes[m])))
			fprintf(f, "%s: no ok run to rank\n", modes[m]);
		else
			rank_mode(f, c, n, modes[m], level);
	}
}

/* The distinct concurrency levels of mode, ascending (at most max). */
static int levels_of(const struct report_cell *c, int n, const char *mode, int *lv, int max)
{
	int i, j, k = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(c[i].mode, mode))
			continue;
		for (j = 0; j < k && lv[j] != c[i].concurrency; j++)
			;
		if (j < k || k == max)
			continue;
		for (j = k++; j > 0 && lv[j - 1] > c[i].concurrency; j--)
			lv[j] = lv[j - 1];
		lv[j] = c[i].concurrency;
	}
	return k;
}

const struct report_cell *report_find_cell(const struct report_cell *c, int n, const char *model,
                                           const char *mode, int level)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].model, model) && !strcmp(c[i].mode, mode) &&
		    c[i].concurrency == level)
			return &c[i];
	return NULL;
}

int report_planned_reps(const struct report_cell *c, int n)
{
	int i, planned = 0;

	for (i = 0; i < n; i++)
		if (c[i].runs > planned)
			planned = c[i].runs;
	return planned;
}

int report_cell_short(const struct report_cell *cell, int planned)
{
	return cell->ok < cell->runs || cell->ok < planned;
}

/* Which marks a table used, for its legend. */
struct marks {
	int bound, refs, shortfall, starved, noisy;
	double noisy_max;
};

/* One cell of a table: "41,230 (1.20 ms)" and its marks, to f; notes them in m. */
static void md_cell(FILE *f, const struct report_cell *x, int planned, struct marks *m)
{
	char num[32];
	int shortfall = report_cell_short(x, planned);

	if (!x->ok)
		fprintf(f, " %s", x->statuses);
	else
		fprintf(f, " %s (%.2f ms)", util_thousands(x->rps_median, num, sizeof(num)),
		        x->p99_median);
	if (x->ok && x->client_bound)
		fprintf(f, " ‡");
	if (shortfall)
		fprintf(f, " *");
	if (x->ok && x->starved)
		fprintf(f, " † ~%.0f/%d", x->served_median, x->concurrency);
	if (x->noisy)
		fprintf(f, " §");
	fprintf(f, " |");
	m->bound |= x->ok && x->client_bound;
	m->shortfall |= shortfall;
	m->starved |= x->ok && x->starved;
	if (x->noisy) {
		m->noisy = 1;
		m->noisy_max = fmax(m->noisy_max, x->other_cpu_max);
	}
}

/* The legend of the marks a table used. */
static void md_legend(FILE *f, const struct marks *m, int planned)
{
	if (m->shortfall)
		fprintf(f,
		        "\n* fewer ok repetitions than the %d planned (see summary.csv, "
		        "statuses).\n",
		        planned);
	if (m->starved)
		fprintf(f,
		        "\n† starved: ~N/C means only about N of the C connections were being "
		        "served (served_conns = req/s x mean latency of the completed requests, "
		        "Little's law; marked below %.2g x C). The others waited the whole run, "
		        "e.g. a fixed pool of blocking workers each holding one keep-alive "
		        "connection, and the tool stopped at its time limit without counting them "
		        "as failures. The runs stay ok because their numbers are real: req/s and "
		        "latency are those of the N served connections, not of C.\n",
		        HEALTH_STARVED_FRACTION);
	if (m->noisy)
		fprintf(f,
		        "\n§ noisy: other processes used more than %.0f %% of one CPU during at "
		        "least one repetition (up to %.0f %%; other_cpu_pct in results.csv). Not "
		        "retried: compare with care.\n",
		        HEALTH_NOISY_PCT, m->noisy_max);
	if (m->refs)
		fprintf(f, "\n(reference): a production server run behind the same contract (e.g. "
		           "ref-nginx is Debian's nginx), the yardstick, not a model of ours.\n");
	if (m->bound)
		fprintf(
		    f,
		    "\n‡ the load generator used >= %.0f %% of one core: the load generator, not "
		    "the server, limited this cell.\n",
		    REPORT_CLIENT_BOUND_PCT);
	fprintf(f, "\n");
}

/* One mode's table: a row per model, a column per level. */
static void md_table(FILE *f, const struct report_cell *c, int n, const char *mode, int planned)
{
	int lv[64], k = levels_of(c, n, mode, lv, 64), i, j;
	char label[RECORD_WORD + 16];
	const char *tool = "";
	struct marks m = { 0 };

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].mode, mode))
			tool = c[i].tool;
	fprintf(f, "## %s (%s)\n\nMedian req/s (p99 latency) over the ok repetitions.\n\n| model |",
	        mode, tool);
	for (j = 0; j < k; j++)
		fprintf(f, " c=%d |", lv[j]);
	fprintf(f, "\n|---|");
	for (j = 0; j < k; j++)
		fprintf(f, "---:|");
	fprintf(f, "\n");
	for (i = 0; i < n; i++) {
		if (strcmp(c[i].mode, mode) ||
		    (i > 0 && !strcmp(c[i - 1].model, c[i].model) && !strcmp(c[i - 1].mode, mode)))
			continue;
		fprintf(f, "| %s |", report_label(c[i].model, label, sizeof(label)));
		m.refs |= c[i].reference;
		for (j = 0; j < k; j++) {
			const struct report_cell *x =
			    report_find_cell(c, n, c[i].model, mode, lv[j]);

			if (!x)
				fprintf(f, " |");
			else
				md_cell(f, x, planned, &m);
		}
		fprintf(f, "\n");
	}
	md_legend(f, &m, planned);
}

int report_write_md(const char *path, const char *run_id, const char *charts_rel,
                    const struct report_cell *c, int n, const char *meta)
{
	const char *modes[8];
	int k = modes_of(c, n, modes), m, i;
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fprintf(f, "# Benchmark run %s\n\n", run_id);
	for (m = 0; m < k; m++)
		md_table(f, c, n, modes[m], report_planned_reps(c, n));
	fprintf(f, "## Ranking at the highest concurrency\n\n```\n");
	report_ranking(f, c, n);
	fprintf(f, "```\n\n## Charts\n\n");
	for (m = 0; m < k; m++)
		for (i = 0; i < NKINDS; i++)
			fprintf(f, "![%s %s](%s/%s-%s.png)\n\n", chart_kinds[i], modes[m],
			        charts_rel, chart_kinds[i], modes[m]);
	fprintf(f, "## Machine and plan\n\n```\n%s```\n", meta ? meta : "");
	return fclose(f) == 0 ? 0 : -1;
}

int report_plots(const char *gnuplot_path, const char *scripts_dir, const char *summary,
                 const char *outdir, const char *run_id, const struct report_cell *c, int n)
{
	const char *modes[8];
	char models[4096] = "", vars[8192], script[PATH_MAX], style[PATH_MAX], log[PATH_MAX];
	int k = modes_of(c, n, modes), m, i, o = 0, failed = 0;

	/* Every model of the run in name order: its index is its colour in every chart. */
	for (i = 0; i < n; i++)
		if (!i || strcmp(c[i - 1].model, c[i].model))
			o += snprintf(models + o, sizeof(models) - o, "%s%s", o ? " " : "",
			              c[i].model);
	if (!k || o >= (int)sizeof(models))
		return -1;
	snprintf(style, sizeof(style), "%s/style.gp", scripts_dir);
	if (snprintf(log, sizeof(log), "%s/gnuplot.log", outdir) >= (int)sizeof(log))
		return -1;
	unlink(log);
	for (m = 0; m < k; m++) {
		const char *tool = "";

		for (i = 0; i < n; i++)
			if (!strcmp(c[i].mode, modes[m]))
				tool = c[i].tool;
		for (i = 0; i < NKINDS; i++) {
			char *argv[] = { (char *)gnuplot_path, "-e", vars, script, NULL };

			snprintf(script, sizeof(script), "%s/%s.gp", scripts_dir, chart_kinds[i]);
			snprintf(vars, sizeof(vars),
			         "summary='%s'; out='%s/%s-%s.png'; mode='%s'; models='%s'; "
			         "runid='%s'; tool='%s'; style='%s'",
			         summary, outdir, chart_kinds[i], modes[m], modes[m], models,
			         run_id, tool, style);
			failed += run_command(argv, 30000, log) != 0;
		}
	}
	return failed;
}
