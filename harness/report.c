/* report.c -- summary statistics, the ranking, report.md and the gnuplot charts. */
#include "report.h"
#include "calib.h"
#include "cellstats.h"
#include "health.h"
#include "plan.h"
#include "run.h"
#include "scenario.h"
#include "util.h"

#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The charts of every scenario, those only of scenarios whose levels are idle
 * connections, and those only of open-loop ones.
 */
enum { CHART_ALL, CHART_IDLE, CHART_OPEN };
static const struct {
	const char *name;
	int only;
} chart_kinds[] = {
	{ "throughput", CHART_ALL }, { "p99", CHART_ALL },
	{ "cpu", CHART_ALL },        { "mem", CHART_IDLE }, /* memory per idle connection */
	{ "goodput", CHART_OPEN }, /* goodput and rejected against offered load */
};
#define NKINDS (int)(sizeof(chart_kinds) / sizeof(chart_kinds[0]))

/* A scenario's place in the report: its row in the table, unknown ones after, by name. */
static int scenario_rank(const char *name)
{
	const struct scenario *s = scenario_find(name);
	int n;

	return s ? (int)(s - scenario_table(&n)) : SCENARIO_MAX;
}

static int cmp_row(const void *a, const void *b)
{
	const struct record_row *x = *(const struct record_row *const *)a;
	const struct record_row *y = *(const struct record_row *const *)b;
	int c = scenario_rank(x->scenario) - scenario_rank(y->scenario);

	if (!c)
		c = strcmp(x->scenario, y->scenario);
	if (!c)
		c = strcmp(x->model, y->model);
	if (!c)
		c = strcmp(x->mode, y->mode);
	if (!c)
		c = (x->concurrency > y->concurrency) - (x->concurrency < y->concurrency);
	if (!c)
		c = (x->idle_conns > y->idle_conns) - (x->idle_conns < y->idle_conns);
	return c;
}

/* 1 if a and b are of the same cell but perhaps for their idle connections. */
static int same_group(const struct record_row *a, const struct record_row *b)
{
	return !strcmp(a->scenario, b->scenario) && !strcmp(a->model, b->model) &&
	       !strcmp(a->mode, b->mode) && a->concurrency == b->concurrency;
}

static int same_cell(const struct record_row *a, const struct record_row *b)
{
	return same_group(a, b) && a->idle_conns == b->idle_conns;
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
	/* Little's law against a level only holds when the level is connections. */
	cell->starved = !scenario_open_loop(cell->scenario) &&
	                health_starved(cell->served_median, cell->concurrency);
}

/* The mean and sample standard deviation of server CPU µs per request over the ok rows. */
static void mean_sd(const struct record_row *const *rows, int k, double *mean, double *sd)
{
	double sum = 0, sq = 0;
	int i, m = 0;

	for (i = 0; i < k; i++)
		if (!strcmp(rows[i]->status, "ok")) {
			sum += rows[i]->server_cpu_us_per_req;
			m++;
		}
	*mean = m ? sum / m : 0;
	for (i = 0; i < k; i++)
		if (!strcmp(rows[i]->status, "ok"))
			sq += pow(rows[i]->server_cpu_us_per_req - *mean, 2);
	*sd = m > 1 ? sqrt(sq / (m - 1)) : 0;
}

/*
 * The medians of the outcomes apart over the ok rows: goodput (a row without
 * it counts its req/s: an ok row had only 2xx answers) and rejected (-1 when
 * no ok row knows it).
 */
static void fill_outcomes(struct report_cell *cell, const struct record_row *const *rows, int k,
                          double *tmp)
{
	int i, m = 0;

	for (i = 0; i < k; i++)
		if (!strcmp(rows[i]->status, "ok"))
			tmp[m++] = rows[i]->goodput_rps >= 0 ? rows[i]->goodput_rps : rows[i]->rps;
	cell->goodput_median = m ? util_median(tmp, m) : -1;
	for (i = m = 0; i < k; i++)
		if (!strcmp(rows[i]->status, "ok") && rows[i]->rejected_rps >= 0)
			tmp[m++] = rows[i]->rejected_rps;
	cell->rejected_median = m ? util_median(tmp, m) : -1;
}

/* Fill cell from the k rows of one cell. */
static void fill_cell(struct report_cell *cell, const struct record_row *const *rows, int k,
                      double *tmp)
{
	const struct record_row *const *ok = rows;
	int i, m = 0;
	double sum = 0, sq = 0;

	memset(cell, 0, sizeof(*cell));
	cell->bound = -1;
	strcpy(cell->scenario, rows[0]->scenario);
	strcpy(cell->model, rows[0]->model);
	strcpy(cell->mode, rows[0]->mode);
	strcpy(cell->tool, rows[0]->tool);
	cell->reference = plan_is_reference(cell->model);
	cell->concurrency = rows[0]->concurrency;
	cell->idle_conns = rows[0]->idle_conns;
	cell->mem_kb_median = -1;
	cell->mem_per_idle_b = cell->cpu_per_1k_idle = NAN;
	cell->pair_median = cell->pair_min = cell->pair_max = NAN;
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
		cell->client_unknown += ok[i]->client_cpu_pct < 0;
		cell->run_s = fmax(cell->run_s, ok[i]->duration_s);
	}
	cell->ok = m;
	cell->goodput_median = cell->rejected_median = -1;
	if (!m) {
		cell->rps_min = 0;
		return;
	}
	cell->rps_mean = sum / m;
	for (i = 0; i < m; i++)
		sq += (tmp[i] - cell->rps_mean) * (tmp[i] - cell->rps_mean);
	cell->rps_sd = m > 1 ? sqrt(sq / (m - 1)) : 0;
	cell->rps_median = util_median(tmp, m);
	mean_sd(rows, k, &cell->cpu_us_mean, &cell->cpu_us_sd);
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
	for (i = m = 0; i < k; i++)
		if (!strcmp(rows[i]->status, "ok") && rows[i]->server_mem_kb >= 0)
			tmp[m++] = rows[i]->server_mem_kb;
	if (m)
		cell->mem_kb_median = (long)util_median(tmp, m);
	cell->client_bound = cell->client_cpu_max >= REPORT_CLIENT_BOUND_PCT;
	fill_health(cell, rows, k, tmp);
	fill_outcomes(cell, rows, k, tmp);
}

/* 1 if c's scenario's levels are idle connections (scenario.h, idle_load_c), else 0. */
static int is_idle(const struct report_cell *c)
{
	const struct scenario *s = scenario_find(c->scenario);

	return s && s->idle_load_c > 0;
}

/* 1 if chart kind i is drawn for c's scenario, else 0. */
static int chart_applies(int i, const struct report_cell *c)
{
	return chart_kinds[i].only == CHART_ALL ||
	       (chart_kinds[i].only == CHART_IDLE && is_idle(c)) ||
	       (chart_kinds[i].only == CHART_OPEN && scenario_open_loop(c->scenario));
}

int report_level(const struct report_cell *c)
{
	return is_idle(c) ? c->idle_conns : c->concurrency;
}

/* "c" or "idle": what a level of c's scenario counts. */
static const char *level_word(const struct report_cell *c)
{
	return is_idle(c) ? "idle" : "c";
}

/* The least-squares slope of y against x over n points, or NAN without 2 distinct x. */
static double slope(const double *x, const double *y, int n)
{
	double mx = 0, my = 0, sxy = 0, sxx = 0;
	int i;

	for (i = 0; i < n; i++) {
		mx += x[i] / n;
		my += y[i] / n;
	}
	for (i = 0; i < n; i++) {
		sxy += (x[i] - mx) * (y[i] - my);
		sxx += (x[i] - mx) * (x[i] - mx);
	}
	return sxx > 0 ? sxy / sxx : NAN;
}

/*
 * The idle slopes of every cell of an idle scenario: over the ok cells of its
 * scenario, model and mode (adjacent in report_summarize's order), PSS bytes
 * and CPU µs per request against the idle connections.
 */
static void fill_slopes(struct report_cell *c, int n)
{
	double x[PLAN_MAX_LEVELS], mem[PLAN_MAX_LEVELS], mx[PLAN_MAX_LEVELS], cpu[PLAN_MAX_LEVELS];
	int start, end, i, k, km;

	for (start = 0; start < n; start = end) {
		for (end = start + 1;
		     end < n && !strcmp(c[end].scenario, c[start].scenario) &&
		     !strcmp(c[end].model, c[start].model) && !strcmp(c[end].mode, c[start].mode);
		     end++)
			;
		if (!is_idle(&c[start]))
			continue;
		for (i = start, k = km = 0; i < end && k < PLAN_MAX_LEVELS; i++) {
			if (!c[i].ok)
				continue;
			if (c[i].mem_kb_median >= 0) {
				mx[km] = c[i].idle_conns;
				mem[km++] = c[i].mem_kb_median * 1024.0;
			}
			x[k] = c[i].idle_conns / 1000.0;
			cpu[k++] = c[i].cpu_us_median;
		}
		for (i = start; i < end; i++) {
			c[i].mem_per_idle_b = slope(mx, mem, km);
			c[i].cpu_per_1k_idle = slope(x, cpu, k);
		}
	}
}

/*
 * The paired ratio (report.h) of cell, an idle cell with N > 0, from its k
 * rows and the z rows of the same model's N = 0 cell: each ok row over the
 * ok N = 0 row of its run and repetition.
 */
static void fill_pairs(struct report_cell *cell, const struct record_row *const *rows, int k,
                       const struct record_row *const *zero, int z, double *tmp)
{
	int i, j, m = 0;

	for (i = 0; i < k; i++) {
		if (strcmp(rows[i]->status, "ok"))
			continue;
		for (j = 0; j < z; j++)
			if (!strcmp(zero[j]->status, "ok") && zero[j]->rep == rows[i]->rep &&
			    !strcmp(zero[j]->run_id, rows[i]->run_id) &&
			    zero[j]->server_cpu_us_per_req > 0)
				break;
		if (j < z)
			tmp[m++] = rows[i]->server_cpu_us_per_req / zero[j]->server_cpu_us_per_req;
	}
	if (!(cell->pairs = m))
		return;
	cell->pair_min = cell->pair_max = tmp[0];
	for (i = 1; i < m; i++) {
		cell->pair_min = fmin(cell->pair_min, tmp[i]);
		cell->pair_max = fmax(cell->pair_max, tmp[i]);
	}
	cell->pair_median = util_median(tmp, m);
}

int report_summarize(const struct record_row *rows, int n, struct report_cell **cells, int *ncells)
{
	const struct record_row **sorted = malloc((n ? n : 1) * sizeof(*sorted));
	double *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	int i, start, zero = 0, nzero = 0;

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
		struct report_cell *cell = &(*cells)[(*ncells)++];

		for (i = start + 1; i < n && same_cell(sorted[start], sorted[i]); i++)
			;
		fill_cell(cell, sorted + start, i - start, tmp);
		/* idle_conns ascends within a group: its N = 0 cell, if any, came first */
		if (sorted[start]->idle_conns == 0)
			zero = start, nzero = i - start;
		else if (is_idle(cell) && nzero && same_group(sorted[zero], sorted[start]))
			fill_pairs(cell, sorted + start, i - start, sorted + zero, nzero, tmp);
	}
	fill_slopes(*cells, *ncells);
	cellstats_fill(*cells, *ncells, rows, n);
	free(sorted);
	free(tmp);
	return 0;
}

/* The paired-ratio columns of cell c (empty without a pair) and the line's end to f. */
static void write_pairs(FILE *f, const struct report_cell *c)
{
	if (c->pairs)
		fprintf(f, ",%.3f,%.3f,%.3f,%d", c->pair_median, c->pair_min, c->pair_max,
		        c->pairs);
	else
		fprintf(f, ",,,,0");
	cellstats_summary_row(f, c);
	fprintf(f, "\n");
}

int report_write_summary(const char *path, const struct report_cell *c, int n)
{
	FILE *f = fopen(path, "we");
	int i;

	if (!f)
		return -1;
	fprintf(f,
	        "model,mode,concurrency,runs,reps_ok,rps_median,rps_min,rps_max,rps_mean,rps_sd,"
	        "lat_p50_ms_median,lat_p99_ms_median,cpu_us_per_req_median,maxrss_kb_max,"
	        "client_cpu_pct_max,client_bound,client_cpu_pct_median,tool,reference,statuses,"
	        "served_conns_median,starved,other_cpu_pct_max,noisy_reps,scenario,bound_rps,"
	        "run_s,idle_conns,server_mem_kb_median,mem_per_idle_conn_b,"
	        "cpu_us_per_req_per_1k_idle,goodput_rps_median,rejected_rps_median,"
	        "cpu_ratio_to_idle0_median,cpu_ratio_to_idle0_min,cpu_ratio_to_idle0_max,"
	        "cpu_ratio_pairs%s\n",
	        cellstats_summary_header());
	for (i = 0; i < n; i++) {
		char served[32] = "", other[32] = "", bound[32] = "", mem[32] = "", per[32] = "",
		     cpu[32] = "", good[32] = "", rej[32] = "";

		if (c[i].bound >= 0)
			snprintf(bound, sizeof(bound), "%.1f", c[i].bound);
		if (c[i].served_median >= 0)
			snprintf(served, sizeof(served), "%.1f", c[i].served_median);
		if (c[i].other_cpu_max >= 0)
			snprintf(other, sizeof(other), "%.1f", c[i].other_cpu_max);
		if (c[i].mem_kb_median >= 0)
			snprintf(mem, sizeof(mem), "%ld", c[i].mem_kb_median);
		if (!isnan(c[i].mem_per_idle_b))
			snprintf(per, sizeof(per), "%.0f", c[i].mem_per_idle_b);
		if (!isnan(c[i].cpu_per_1k_idle))
			snprintf(cpu, sizeof(cpu), "%.3f", c[i].cpu_per_1k_idle);
		if (c[i].goodput_median >= 0)
			snprintf(good, sizeof(good), "%.2f", c[i].goodput_median);
		if (c[i].rejected_median >= 0)
			snprintf(rej, sizeof(rej), "%.2f", c[i].rejected_median);
		fprintf(
		    f,
		    "%s,%s,%d,%d,%d,%.2f,%.2f,%.2f,%.2f,%.2f,%.3f,%.3f,%.2f,%ld,%.1f,%d,%.1f,%s,%d,"
		    "%s,%s,%d,%s,%d,%s,%s,%.3f,%d,%s,%s,%s,%s,%s",
		    c[i].model, c[i].mode, c[i].concurrency, c[i].runs, c[i].ok, c[i].rps_median,
		    c[i].rps_min, c[i].rps_max, c[i].rps_mean, c[i].rps_sd, c[i].p50_median,
		    c[i].p99_median, c[i].cpu_us_median, c[i].maxrss_kb_max, c[i].client_cpu_max,
		    c[i].client_bound, c[i].client_cpu_median, c[i].tool, c[i].reference,
		    c[i].statuses, served, c[i].starved, other, c[i].noisy, c[i].scenario, bound,
		    c[i].run_s, c[i].idle_conns, mem, per, cpu, good, rej);
		write_pairs(f, &c[i]);
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
		if (!strcmp(c[i].mode, mode) && c[i].ok && report_level(&c[i]) > top)
			top = report_level(&c[i]);
	return top;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char *report_label(const char *model, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", model, plan_is_reference(model) ? " (reference)" : "");
	return buf;
}

/* " (starved: N of C connections served; p99 >= the 2.0 s run)" for a starved cell, into buf. */
static const char *starved_words(const struct report_cell *c, char *buf, size_t len)
{
	buf[0] = '\0';
	if (c->starved)
		snprintf(buf, len,
		         " (starved: %.0f of %d connections served; p99 >= the %.1f s run)",
		         c->served_median, c->concurrency, c->run_s);
	return buf;
}

/* " = 98 % of the 3,200 bound" for rps of a cell with a bound, else "", into buf. */
static const char *bound_words(const struct report_cell *c, double rps, char *buf, size_t len)
{
	char b[32];

	buf[0] = '\0';
	if (c->ok && c->bound > 0)
		snprintf(buf, len, " = %.0f %% of the %s bound", 100 * rps / c->bound,
		         util_thousands(c->bound, b, sizeof(b)));
	return buf;
}

#define REPORT_BANDWIDTH_BYTES 65536 /* bodies this large get MB/s beside req/s */

#define NO_SPREAD " (1 repetition: no spread)"

/* What a ranking ranks by: a cell's median, its repetitions' extremes, and its direction. */
struct rank_figure {
	const char *unit; /* "req/s", "µs" */
	const char *what; /* the words of a ratio: "x faster than", "x less CPU per request than" */
	int higher_better; /* req/s: 1; CPU: 0 */
	int decimals;
	size_t median, lo, hi; /* offsets of its doubles in struct report_cell */
};

#define FIGURE(f) offsetof(struct report_cell, f)

static const struct rank_figure by_rps = { .unit = "req/s",
	                                   .what = "x faster than",
	                                   .higher_better = 1,
	                                   .median = FIGURE(rps_median),
	                                   .lo = FIGURE(rps_min),
	                                   .hi = FIGURE(rps_max) };
static const struct rank_figure by_cpu = { .unit = "µs",
	                                   .what = "x less CPU per request than",
	                                   .decimals = 1,
	                                   .median = FIGURE(cpu_us_median),
	                                   .lo = FIGURE(cpu_us_min),
	                                   .hi = FIGURE(cpu_us_max) };
static const struct rank_figure by_sys = { .unit = "µs",
	                                   .what = "x less CPU per request (whole machine) than",
	                                   .decimals = 1,
	                                   .median = FIGURE(sys_us_median),
	                                   .lo = FIGURE(sys_us_min),
	                                   .hi = FIGURE(sys_us_max) };

/* The double at offset off of c. */
static double at(const struct report_cell *c, size_t off)
{
	return *(const double *)((const char *)c + off);
}

/* c's median by fig, or -1 without an ok repetition. */
static double median_of(const struct report_cell *c, const struct rank_figure *fig)
{
	return c->ok ? at(c, fig->median) : -1;
}

/* The figure's median, best first (unknown last), for qsort through rank_sort. */
static const struct rank_figure *sort_by;

static int cmp_figure(const void *a, const void *b)
{
	const struct report_cell *x = *(const struct report_cell *const *)a;
	const struct report_cell *y = *(const struct report_cell *const *)b;
	double vx = median_of(x, sort_by), vy = median_of(y, sort_by);

	if (!sort_by->higher_better) { /* least first: flip the sign, unknown stays last */
		vx = vx > 0 ? -vx : -INFINITY;
		vy = vy > 0 ? -vy : -INFINITY;
	}
	return (vx < vy) - (vx > vy);
}

static void rank_sort(const struct report_cell **r, int k, const struct rank_figure *fig)
{
	sort_by = fig;
	qsort(r, k, sizeof(r[0]), cmp_figure);
}

/* "31,000 req/s median (30,000-32,000)" or "31,000 req/s median" (1 repetition) into buf. */
static const char *median_words(const struct report_cell *c, const struct rank_figure *fig,
                                char *buf, size_t len)
{
	char m[32], lo[32], hi[32];

	if (fig->decimals) {
		snprintf(m, sizeof(m), "%.*f", fig->decimals, at(c, fig->median));
		snprintf(lo, sizeof(lo), "%.*f", fig->decimals, at(c, fig->lo));
		snprintf(hi, sizeof(hi), "%.*f", fig->decimals, at(c, fig->hi));
	} else {
		util_thousands(at(c, fig->median), m, sizeof(m));
		util_thousands(at(c, fig->lo), lo, sizeof(lo));
		util_thousands(at(c, fig->hi), hi, sizeof(hi));
	}
	if (c->ok < 2)
		snprintf(buf, len, "%s %s median", m, fig->unit);
	else
		snprintf(buf, len, "%s %s median (%s-%s)", m, fig->unit, lo, hi);
	return buf;
}

/*
 * The marks of a ranked cell in words (" [§ noisy: others used up to 76 %
 * of a CPU; ¤ 1 repetition in a slow phase of the host]"), or "", into buf.
 * ‡ and the starved note are said by the caller.
 */
static const char *mark_words(const struct report_cell *c, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	if (c->unserved && !c->starved)
		o += snprintf(buf + o, len - o, "; † %.0f of %d connections served",
		              c->served_median, c->concurrency);
	if (c->noisy && o < len)
		o += snprintf(buf + o, len - o, "; § noisy: others used up to %.0f %% of a CPU",
		              c->other_cpu_max);
	if (c->slow && o < len)
		o += snprintf(buf + o, len - o, "; ¤ %d repetition%s in another speed of the host",
		              c->slow, c->slow == 1 ? "" : "s");
	if (c->littles_off && o < len)
		o += snprintf(buf + o, len - o,
		              "; ≠ Little's law off (%.2f): the tool's numbers "
		              "disagree",
		              c->littles_median);
	if (o && o + 1 < len) { /* "; a; b" -> " [a; b]" */
		buf[0] = ' ';
		buf[1] = '[';
		snprintf(buf + o, len - o, "]");
	}
	return buf;
}

/*
 * The comparison of best (r0) and x by fig into buf: a ratio of medians
 * with the range the repetitions' extremes allow ("1.94 x faster than thread
 * (1.76-2.13)"), or a tie where the repetitions overlap or a cell is noisy
 * or from a slow phase: a gap there is not a difference the run can tell.
 */
static const char *versus_words(const struct report_cell *r0, const struct report_cell *x,
                                const struct rank_figure *fig, const char *a, const char *b,
                                char *buf, size_t len)
{
	double ratio = at(r0, fig->median) / at(x, fig->median), lo, hi;
	double lo0 = at(r0, fig->lo), hi0 = at(r0, fig->hi), lox = at(x, fig->lo),
	       hix = at(x, fig->hi);
	int spread = r0->ok >= 2 && x->ok >= 2;

	if (!fig->higher_better)
		ratio = 1 / ratio;
	if (r0->noisy || x->noisy || r0->slow || x->slow) {
		snprintf(buf, len,
		         "%s and %s: not told apart (medians %.2f x apart, but a cell is noisy or "
		         "from a slow phase)",
		         a, b, ratio);
		return buf;
	}
	if (spread && (fig->higher_better ? lo0 <= hix : hi0 >= lox)) {
		snprintf(buf, len,
		         "%s and %s: a tie (medians %.2f x apart, inside the repetitions' "
		         "spread)",
		         a, b, ratio);
		return buf;
	}
	if (!spread) {
		snprintf(buf, len, "%s %s %.2f %s %s", a, fig->higher_better ? "ran" : "used",
		         ratio, fig->what, b);
		return buf;
	}
	lo = fig->higher_better ? lo0 / hix : lox / hi0;
	hi = fig->higher_better ? hi0 / lox : hix / lo0;
	snprintf(buf, len, "%s %s %.2f %s %s (%.2f-%.2f)", a, fig->higher_better ? "ran" : "used",
	         ratio, fig->what, b, lo, hi);
	return buf;
}

/* 1 if every cell of r[0..k) with an ok run knows the machine's CPU per request. */
static int sys_known(const struct report_cell **r, int k)
{
	for (int i = 0; i < k; i++)
		if (r[i]->ok && !(r[i]->sys_us_median > 0))
			return 0;
	return 1;
}

/*
 * When the load tool limited the top cell, req/s ranks the tool; CPU per
 * request ranks instead: the server's, or the whole machine's where the
 * split of the loopback's kernel work between client and server is an
 * artefact (close mode, large bodies) and every cell knows it.
 */
static const struct rank_figure *cpu_figure(const struct report_cell **r, int k, const char *mode,
                                            const char **why)
{
	const struct scenario *sc = scenario_find(r[0]->scenario);
	int artefact = !strcmp(mode, "close") || (sc && sc->body_bytes >= REPORT_BANDWIDTH_BYTES);

	if (artefact && sys_known(r, k)) {
		*why = "by the whole machine's CPU per request: the load generator limited req/s, "
		       "and the loopback's kernel work falls to client or server by accident here";
		return &by_sys;
	}
	*why = "by the server's CPU per request: the load generator limited req/s";
	return &by_cpu;
}

/* The ranking of one mode at concurrency level to f. */
static void rank_mode(FILE *f, const struct report_cell *c, int n, const char *mode, int level)
{
	const struct report_cell *r[n ? n : 1], *best;
	const struct rank_figure *fig = &by_rps;
	char a[RECORD_WORD + 16], b[RECORD_WORD + 16], sw[128], bw[80], head[96], m[160];
	char vs[384], mw[256];
	const char *why = NULL;
	int i, k = 0;

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].mode, mode) && report_level(&c[i]) == level)
			r[k++] = &c[i];
	rank_sort(r, k, fig);
	best = r[0];
	snprintf(head, sizeof(head), "%s, %s=%d (%s)", mode, level_word(best), level, best->tool);
	if (best->client_bound && best->ok) {
		fig = cpu_figure(r, k, mode, &why);
		rank_sort(r, k, fig);
		best = r[0];
	}
	report_label(best->model, a, sizeof(a));
	fprintf(f, "%s%s%s: %s: %s%s%s%s%s%s\n", head, why ? ", " : "", why ? why : "", a,
	        median_words(best, fig, m, sizeof(m)),
	        fig == &by_rps ? bound_words(best, best->rps_median, bw, sizeof(bw)) : "",
	        best->ok < 2 ? NO_SPREAD : "",
	        fig != &by_rps       ? ""
	        : best->client_bound ? " (limited by the load generator)"
	        : best->client_unknown
	            ? " (client-bound: unknown, the load tool's CPU was not measured)"
	            : "",
	        starved_words(best, sw, sizeof(sw)), mark_words(best, mw, sizeof(mw)));
	for (i = 1; i < k; i++) {
		report_label(r[i]->model, b, sizeof(b));
		if (!(median_of(r[i], fig) > 0) || !(median_of(best, fig) > 0)) {
			fprintf(f, "  %s: no ok run (%s)\n", b, r[i]->statuses);
			continue;
		}
		fprintf(f, "  %s; %s: %s%s%s%s%s\n",
		        versus_words(best, r[i], fig, a, b, vs, sizeof(vs)), b,
		        median_words(r[i], fig, m, sizeof(m)),
		        fig == &by_rps ? bound_words(r[i], r[i]->rps_median, bw, sizeof(bw)) : "",
		        fig == &by_rps && r[i]->client_bound ? " (load generator limited it)" : "",
		        starved_words(r[i], sw, sizeof(sw)), mark_words(r[i], mw, sizeof(mw)));
	}
}

/* The ranking of one scenario's cells c[0..n), per mode. */
static void rank_scenario(FILE *f, const struct report_cell *c, int n)
{
	const char *modes[8];
	int m, k = modes_of(c, n, modes), level;

	if (scenario_open_loop(c[0].scenario)) {
		fprintf(f, "open loop: not ranked (each model was offered shares of its own "
		           "capacity); see its table in report.md\n");
		return;
	}
	for (m = 0; m < k; m++) {
		if (!(level = top_level(c, n, modes[m])))
			fprintf(f, "%s: no ok run to rank\n", modes[m]);
		else
			rank_mode(f, c, n, modes[m], level);
	}
}

/*
 * What the wait law of c's model (report.h, wait) says of its paired ratio,
 * into buf: wait=ready predicts 1.00 and gets a verdict; the others no number.
 */
static const char *wait_verdict(const struct report_cell *c, char *buf, size_t len)
{
	switch (c->wait) {
	case FACTS_WAIT_READY:
		snprintf(buf, len, "wait=ready: predicted 1.00, %s +5 %%",
		         c->pair_median <= REPORT_READY_TOLERANCE ? "within" : "above");
		break;
	case FACTS_WAIT_ALL:
		snprintf(buf, len, "wait=all: predicted growth linear in N (the slope above)");
		break;
	case FACTS_WAIT_NONE: snprintf(buf, len, "wait=-: no scan law"); break;
	default: snprintf(buf, len, "no law (no known wait= in its Facts line)");
	}
	return buf;
}

/*
 * The paired ratios of one model and mode's idle cells c[0..n), a line per
 * N > 0: the median over the repetitions, min-max, the pairs, the law's verdict.
 */
static void idle_pairs(FILE *f, const struct report_cell *c, int n)
{
	char law[96];
	int i;

	for (i = 0; i < n; i++) {
		if (c[i].idle_conns == 0)
			continue;
		if (!c[i].pairs)
			fprintf(f, "    N=%d: no paired ratio (no repetition with both runs ok)\n",
			        c[i].idle_conns);
		else
			fprintf(f, "    N=%d: paired CPU ratio %.2f (%.2f-%.2f, %d pair%s); %s\n",
			        c[i].idle_conns, c[i].pair_median, c[i].pair_min, c[i].pair_max,
			        c[i].pairs, c[i].pairs == 1 ? "" : "s",
			        wait_verdict(&c[i], law, sizeof(law)));
	}
}

/*
 * An idle scenario's slopes, a line per model and mode of c[0..n) (one
 * scenario's): memory per idle connection, CPU per request per 1000 idle
 * connections, and CPU per request at the most idle connections against none.
 */
static void idle_slopes(FILE *f, const struct report_cell *c, int n)
{
	char label[RECORD_WORD + 16], mem[48], cpu[48], ends[96];
	int i, j;

	if (!n || !is_idle(&c[0]))
		return;
	fprintf(f, "per idle connection (slopes against N over the ok levels of this run):\n");
	for (i = 0; i < n; i = j) {
		const struct report_cell *zero = NULL, *top = NULL;

		for (j = i;
		     j < n && !strcmp(c[j].model, c[i].model) && !strcmp(c[j].mode, c[i].mode);
		     j++) {
			if (c[j].ok && c[j].idle_conns == 0)
				zero = &c[j];
			if (c[j].ok && c[j].cpu_us_median > 0 &&
			    (!top || c[j].idle_conns > top->idle_conns))
				top = &c[j];
		}
		snprintf(mem, sizeof(mem),
		         isnan(c[i].mem_per_idle_b) ? "memory ? (under 2 ok levels)"
		                                    : "%.0f B memory",
		         c[i].mem_per_idle_b);
		snprintf(cpu, sizeof(cpu),
		         isnan(c[i].cpu_per_1k_idle) ? "CPU ?" : "%+.3f µs/request per 1000 idle",
		         c[i].cpu_per_1k_idle);
		ends[0] = '\0';
		if (zero && top && top != zero && zero->cpu_us_median > 0)
			snprintf(ends, sizeof(ends), " (%.2f µs at 0, %.2f at %d: %+.0f %%)",
			         zero->cpu_us_median, top->cpu_us_median, top->idle_conns,
			         100 * (top->cpu_us_median / zero->cpu_us_median - 1));
		fprintf(f, "  %s %s: %s, %s%s\n", report_label(c[i].model, label, sizeof(label)),
		        c[i].mode, mem, cpu, ends);
		idle_pairs(f, c + i, j - i);
	}
}

int report_slice_end(const struct report_cell *c, int n, int start)
{
	int i = start + 1;

	while (i < n && !strcmp(c[i].scenario, c[start].scenario))
		i++;
	return i;
}

/* "scenario hello (GET /)" for the slice starting at c into buf. */
static const char *scenario_title(const struct report_cell *c, char *buf, size_t len)
{
	const struct scenario *s = scenario_find(c->scenario);

	snprintf(buf, len, "scenario %s (GET %s)", c->scenario, s ? s->target : "?");
	return buf;
}

void report_ranking(FILE *f, const struct report_cell *c, int n)
{
	char title[RECORD_WORD + 128];
	int start, end;

	for (start = 0; start < n; start = end) {
		end = report_slice_end(c, n, start);
		fprintf(f, "%s%s:\n", start ? "\n" : "",
		        scenario_title(&c[start], title, sizeof(title)));
		rank_scenario(f, c + start, end - start);
		idle_slopes(f, c + start, end - start);
	}
}

/* The distinct concurrency levels of mode, ascending (at most max). */
static int levels_of(const struct report_cell *c, int n, const char *mode, int *lv, int max)
{
	int i, j, k = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(c[i].mode, mode))
			continue;
		for (j = 0; j < k && lv[j] != report_level(&c[i]); j++)
			;
		if (j < k || k == max)
			continue;
		for (j = k++; j > 0 && lv[j - 1] > report_level(&c[i]); j--)
			lv[j] = lv[j - 1];
		lv[j] = report_level(&c[i]);
	}
	return k;
}

const struct report_cell *report_find_cell(const struct report_cell *c, int n, const char *model,
                                           const char *mode, int level)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].model, model) && !strcmp(c[i].mode, mode) &&
		    report_level(&c[i]) == level)
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
	int cpu; /* the table is of server CPU per request, not req/s */
	int bound, refs, shortfall, starved, noisy, law, refused, unserved, slow, littles;
	double noisy_max;
};

/* One cell of a table: "41,230 (1.20 ms)" and its marks, to f; notes them in m. */
static void md_cell(FILE *f, const struct report_cell *x, int planned, struct marks *m)
{
	const struct scenario *sc = scenario_find(x->scenario);
	char num[32];
	int shortfall = report_cell_short(x, planned);

	if (!x->ok)
		fprintf(f, " %s", x->statuses);
	else if (m->cpu)
		fprintf(f, " %.1f", x->cpu_us_median);
	else if (x->starved) /* the unserved waited the whole run: their p99 is at least that */
		fprintf(f, " %s (≥ %.1f s)", util_thousands(x->rps_median, num, sizeof(num)),
		        x->run_s);
	else
		fprintf(f, " %s (%.2f ms)", util_thousands(x->rps_median, num, sizeof(num)),
		        x->p99_median);
	if (x->ok && x->bound > 0 && !m->cpu) {
		/* what the law bounds is goodput: answers refused by design are not served */
		fprintf(f, " = %.0f %% of %s",
		        100 * (x->rejected_median > 0 ? x->goodput_median : x->rps_median) /
		            x->bound,
		        util_thousands(x->bound, num, sizeof(num)));
		m->law = 1;
	}
	if (x->ok && x->rejected_median > 0 && !m->cpu) {
		fprintf(f, ", %s refused/s", util_thousands(x->rejected_median, num, sizeof(num)));
		m->refused = 1;
	}
	if (x->ok && sc && sc->body_bytes >= REPORT_BANDWIDTH_BYTES && !m->cpu)
		fprintf(f, ", %s MB/s",
		        util_thousands(x->rps_median * sc->body_bytes / 1e6, num, sizeof(num)));
	if (x->ok && x->client_bound)
		fprintf(f, " ‡");
	if (shortfall)
		fprintf(f, " *");
	if (x->ok && (x->starved || x->unserved))
		fprintf(f, " † ~%.0f/%d", x->served_median, x->concurrency);
	if (x->noisy)
		fprintf(f, " §");
	if (x->slow)
		fprintf(f, " ¤");
	if (x->littles_off && !m->cpu)
		fprintf(f, " ≠");
	fprintf(f, " |");
	m->unserved |= x->ok && x->unserved && !x->starved;
	m->slow |= x->slow > 0;
	m->littles |= x->littles_off && !m->cpu;
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
	if (m->law)
		fprintf(f, "\n= N %% of B: the median req/s as a share of the bound B that the "
		           "scenario's law gives for the model (from its Facts line, the server's "
		           "CPUs and --workers). A model far below its bound is a finding to "
		           "explain.\n");
	if (m->refused)
		fprintf(
		    f, "\nN refused/s: 503 answers a second from a model that refuses by design "
		       "(admission=yes in its Facts); req/s counts them, the share of the bound is "
		       "that of the goodput (2xx a second) alone.\n");
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
		        "as failures. The runs stay ok because their numbers are real: req/s is "
		        "that of the N served connections, not of C. Their p99 is not shown: the "
		        "connections never served waited at least the run's length (≥ T s), and "
		        "that is the cell's latency.\n",
		        HEALTH_STARVED_FRACTION);
	if (m->noisy)
		fprintf(f,
		        "\n§ noisy: other processes used more than %.0f %% of one CPU during at "
		        "least one repetition (up to %.0f %%; other_cpu_pct in results.csv). Not "
		        "retried: compare with care.\n",
		        HEALTH_NOISY_PCT, m->noisy_max);
	if (m->unserved)
		fprintf(
		    f,
		    "\n† without starved: Little's law (req/s x the completed requests' mean "
		    "latency) accounts for only ~N of the C connections, more than %.0f %% short, "
		    "while the load tool was not saturated: the others spent part of the run "
		    "unserved (in the accept queue, waiting for a worker). Their wait is not in "
		    "the p99 shown, which is that of the requests served.\n",
		    100 * HEALTH_LITTLES_OFF);
	if (m->slow)
		fprintf(f,
		        "\n¤ slow phase: in at least one repetition the host's calibration "
		        "(calib_us: a fixed pipe ping-pong timed before the run) was more than "
		        "%.0f %% off the whole run's median: the host ran at another speed then, "
		        "which other_cpu_pct cannot see. Compare with care.\n",
		        100 * CALIB_OFF_FRAC);
	if (m->littles)
		fprintf(
		    f,
		    "\n≠ Little's law off: req/s x mean latency / connections (littles_ratio) is "
		    "more than %.0f %% away from 1: the tool's own numbers disagree (a saturated "
		    "tool holds requests its latency does not count; some tools' means are not "
		    "of the requests they count).\n",
		    100 * HEALTH_LITTLES_OFF);
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
static void md_table(FILE *f, const struct report_cell *c, int n, const char *mode, int planned,
                     int cpu)
{
	int lv[64], k = levels_of(c, n, mode, lv, 64), i, j;
	char label[RECORD_WORD + 16];
	const char *tool = "";
	struct marks m = { .cpu = cpu };

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].mode, mode))
			tool = c[i].tool;
	if (cpu)
		fprintf(f,
		        "Server CPU µs per request (the server tree's user + sys from the load's "
		        "start to its end, over requests; median of the ok repetitions), %s "
		        "mode: what the design costs per answer, whoever limited the req/s.\n\n| "
		        "model |",
		        mode);
	else
		fprintf(f,
		        "### %s (%s)\n\nMedian req/s (p99 latency) over the ok repetitions.\n\n| "
		        "model |",
		        mode, tool);
	for (j = 0; j < k; j++)
		if (!scenario_open_loop(c[0].scenario))
			fprintf(f, " %s=%d |", level_word(&c[0]), lv[j]);
		else if (lv[j])
			fprintf(f, " %d %% |", lv[j]);
		else
			fprintf(f, " capacity |");
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
	if (cpu)
		fprintf(f, "\n(Marks as in the req/s table above.)\n\n");
	else
		md_legend(f, &m, planned);
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

#define KNEE_FACTOR  10.0 /* the knee: p99 this many times its value at the lowest load */
#define GOODPUT_HELD 0.9  /* goodput held: at the highest load, this share of its peak */

/* What c's design does with offered load past its bound, in words. */
static const char *past_bound(const struct report_cell *c)
{
	if (c->bound < 0)
		return c->law; /* why there is none */
	if (c->admission && c->parallel == FACTS_CONN)
		return "refuses it: 503 (admission control, no queue: Erlang loss)";
	if (c->admission)
		return "refuses it: 503 (admission control behind a queue)";
	return c->parallel == FACTS_ONE ? "queues it (one thread: M/D/1)"
	                                : "queues it (listen backlog or work queue)";
}

/*
 * The servers of a design with admission control and no queue in front (a
 * thread or process per connection capped by --max-conns: its bound's
 * parallelism), for Erlang's loss formula; 0 for any other design.
 */
static int loss_servers(const struct report_cell *c)
{
	const struct scenario *s = scenario_find(c->scenario);
	long ms = s ? scenario_number(s) : -1;

	if (!c->admission || c->parallel != FACTS_CONN || c->bound <= 0 || ms <= 0)
		return 0;
	return (int)lround(c->bound * ms / 1000); /* the sleep law: P x 1000/ms */
}

/*
 * One open-loop cell beside its law (scenario_overload_law): offered load,
 * goodput and rejected req/s each with the law's figure, p99, and what the law
 * says past the bound. The offered req/s is the share of the measured capacity
 * (cap) the generator was asked for; run_s the schedule's length.
 */
static void md_overload_law_row(FILE *f, const struct report_cell *x, const struct report_cell *cap,
                                double run_s)
{
	double offered = cap && cap->ok ? cap->rps_median * x->concurrency / 100 : -1;
	struct overload_law law;
	int has_law = scenario_overload_law(x->bound, offered, x->admission, loss_servers(x), run_s,
	                                    &law) == 0;
	char rej[32] = "?", p99[128];

	fprintf(f, "| %s | %d %% = ", x->model, x->concurrency);
	fprintf(f, offered >= 0 ? "%.0f |" : "? |", offered);
	if (!x->ok) {
		fprintf(f, " %s | | | |\n", x->statuses);
		return;
	}
	if (x->rejected_median >= 0)
		snprintf(rej, sizeof(rej), "%.0f", x->rejected_median);
	if (!has_law) {
		fprintf(f, " %.0f | %s | %s | no law: %s |\n", x->goodput_median, rej,
		        cellstats_p99_words(x, p99, sizeof(p99)),
		        x->bound < 0 ? x->law : "the offered load is unknown (no capacity run)");
		return;
	}
	fprintf(f, " %.0f (law %.0f) | %s (law %.0f) | %s | ", x->goodput_median, law.goodput_rps,
	        rej, law.rejected_rps, cellstats_p99_words(x, p99, sizeof(p99)));
	if (loss_servers(x) > 0)
		fprintf(
		    f,
		    "no queue: refuses the arrivals that find its %d busy, %.1f %% (Erlang B) |\n",
		    loss_servers(x), 100 * law.rejected_rps / offered);
	else if (law.rejected_rps > 0)
		fprintf(f, "past the bound: refuses %.0f req/s, latency bounded by its queue |\n",
		        law.rejected_rps);
	else if (law.end_wait_s > 0)
		fprintf(f,
		        "past the bound: the queue grows %.0f req/s, the last request waits "
		        "about %.2f s |\n",
		        offered - x->bound, law.end_wait_s);
	else if (x->admission)
		fprintf(f, "within the bound: served; a burst past its queue is refused |\n");
	else
		fprintf(f, "within the bound: served, waits only for random bunching |\n");
}

/*
 * An open-loop scenario's verdicts, per model and mode (the cells c[0..n) are
 * sorted by model, mode and level; level 0 is the closed-loop run that
 * measured the capacity the other levels are shares of): its bound and what
 * its design does past it, the load at which p99 first reaches KNEE_FACTOR x
 * its value at the lowest load, and whether goodput at the highest load held
 * GOODPUT_HELD of its peak; then every cell beside its law. Only ok cells
 * count: a cell the generator could not reach (lagged, unreachable) is named,
 * never filled in.
 */
static void md_overload(FILE *f, const struct scenario *s, const struct report_cell *c, int n)
{
	double run_s = s->duration_s > 0 ? s->duration_s : 0;
	int start, end, i;

	fprintf(f,
	        "| model | mode | bound (law) | capacity measured | past the bound | p99 at the "
	        "lowest load | p99 x%.0f at | goodput at the highest load | goodput |\n"
	        "|---|---|---|---|---|---|---|---|---|\n",
	        KNEE_FACTOR);
	for (start = 0; start < n; start = end) {
		const struct report_cell *low = NULL, *knee = NULL, *top = &c[start], *cap = NULL;
		double peak = 0;
		char knee_s[192], top_s[192], p99[128];

		for (end = start; end < n && !strcmp(c[end].model, c[start].model) &&
		                  !strcmp(c[end].mode, c[start].mode);
		     end++) {
			const struct report_cell *x = &c[end];

			if (x->concurrency == 0) { /* level 0: the closed-loop capacity run */
				cap = x;
				continue;
			}
			top = x;
			if (!x->ok)
				continue;
			if (!low)
				low = x;
			else if (!knee && x->p99_median >= KNEE_FACTOR * low->p99_median)
				knee = x;
			if (x->goodput_median > peak)
				peak = x->goodput_median;
		}
		if (knee)
			snprintf(knee_s, sizeof(knee_s), "%d %%: %s", knee->concurrency,
			         cellstats_p99_words(knee, p99, sizeof(p99)));
		else
			snprintf(knee_s, sizeof(knee_s), "not within the loads run");
		if (!top->ok)
			snprintf(top_s, sizeof(top_s), "not measured at %d %% (%s) | -",
			         top->concurrency, top->statuses);
		else
			snprintf(top_s, sizeof(top_s), "%.0f req/s at %d %% | %s",
			         top->goodput_median, top->concurrency,
			         top->goodput_median >= GOODPUT_HELD * peak ? "held"
			                                                    : "fell (collapse)");
		fprintf(f, "| %s | %s | ", c[start].model, c[start].mode);
		fprintf(f, c[start].bound >= 0 ? "%.0f | " : "? | ", c[start].bound);
		if (cap && cap->ok)
			fprintf(f, "%.0f | ", cap->rps_median);
		else
			fprintf(f, "not measured (%s) | ", cap ? cap->statuses : "no run");
		fprintf(f, "%s | ", past_bound(&c[start]));
		if (low)
			fprintf(f, "%s at %d %% | %s | %s |\n",
			        cellstats_p99_words(low, p99, sizeof(p99)), low->concurrency,
			        knee_s, top_s);
		else
			fprintf(f, "- | - | %s |\n", top_s);
	}
	fprintf(f,
	        "\nCapacity: the closed-loop tool's req/s in keep-alive at %d connections (the "
	        "capacity column below); the other levels are shares of it, offered open-loop "
	        "over up to %d connections%s. A cell that is not ok (the generator lagged, or "
	        "could not carry the rate) keeps its status below and is never "
	        "extrapolated.\n\n",
	        s->capacity_conns, s->load_conns,
	        strstr(s->modes, "close") ? ", one per request" : "");
	fprintf(f, "Every measurement beside its law: goodput = min(offered, bound) 2xx a "
	           "second; past the bound a design with admission control refuses offered - "
	           "bound a second, any other queues it and a request sent at the end of the "
	           "schedule waits (offered/bound - 1) x the run. p99 is that of the 2xx "
	           "answers where the tool counts them apart (loadgen), else of every "
	           "answer.\n\n| model | offered req/s | goodput req/s | rejected "
	           "(503) req/s | p99 | the law |\n|---|---|---|---|---|---|\n");
	for (start = 0; start < n; start = end) {
		const struct report_cell *cap = NULL;

		for (end = start; end < n && !strcmp(c[end].model, c[start].model) &&
		                  !strcmp(c[end].mode, c[start].mode);
		     end++)
			if (c[end].concurrency == 0)
				cap = &c[end];
		for (i = start; i < end; i++)
			if (c[i].concurrency > 0)
				md_overload_law_row(f, &c[i], cap, run_s ? run_s : c[i].run_s);
	}
	fprintf(f, "\n");
}

/* One scenario's part of report.md: what it is, its law, a table per mode. */
static void md_scenario(FILE *f, const struct report_cell *c, int n)
{
	const struct scenario *s = scenario_find(c[0].scenario);
	const char *modes[8];
	char title[RECORD_WORD + 128];
	int k = modes_of(c, n, modes), m, i, o;

	fprintf(f, "## %s\n\n", scenario_title(&c[0], title, sizeof(title)));
	if (s)
		fprintf(f, "What it shows: %s.\n\nBound: %s.\n\n", s->shows,
		        s->law_text ? s->law_text : "no law");
	for (i = 0, o = 0; s && s->law && i < n; i++)
		if (c[i].bound < 0 && (!i || strcmp(c[i - 1].model, c[i].model)))
			o += fprintf(f, "%s%s", o ? ", " : "No bound for ", c[i].model);
	if (o)
		fprintf(f, ": %s.\n\n",
		        "their README has no Facts line, and a bound is never guessed");
	if (s && s->capacity_conns > 0)
		md_overload(f, s, c, n);
	for (m = 0; m < k; m++) {
		md_table(f, c, n, modes[m], report_planned_reps(c, n), 0);
		md_table(f, c, n, modes[m], report_planned_reps(c, n), 1);
		cellstats_cpu_table(f, c, n, modes[m]);
	}
	cellstats_fixed_cost(f, c, n);
	if (is_idle(&c[0])) {
		fprintf(
		    f,
		    "Memory is the PSS summed over the server's whole process tree with the "
		    "idle connections open (server_mem_kb); its slope against N is the memory "
		    "per idle connection. The paired CPU ratio is a model's CPU per request at "
		    "N over its CPU per request at N = 0 in the same repetition (the plan runs "
		    "a model's levels back to back), the median (min-max) over the repetitions "
		    "where both runs are ok. The law, from each model's Facts line: `wait=ready` "
		    "(a wait costs per ready descriptor: epoll, io_uring) predicts 1.00, and "
		    "the verdict is whether the median stays within +5 %%; `wait=all` (each wait "
		    "scans every watched descriptor: select, poll) predicts growth linear in N, "
		    "the slope; `wait=-` (a thread or process per connection or pool) has no "
		    "scan law: idle connections cost it memory and the scheduler.\n\n```\n");
		idle_slopes(f, c, n);
		fprintf(f, "```\n\n");
		cellstats_idle_memory(f, c, n);
	}
}

/* meta's "warning: " lines (ab on a multi-CPU client side) as quotes at the top of the report. */
static void md_warnings(FILE *f, const char *meta)
{
	const char *line = meta;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		int len = nl ? (int)(nl - line) : (int)strlen(line);

		if (!strncmp(line, "warning: ", 9))
			fprintf(f, "> **Warning:** %.*s\n\n", len - 9, line + 9);
		line = nl ? nl + 1 : NULL;
	}
}

int report_write_md(const char *path, const char *run_id, const char *charts_rel,
                    const struct report_cell *c, int n, const char *meta)
{
	const char *modes[8];
	int start, end, k, m, i;
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fprintf(f, "# Benchmark run %s\n\n", run_id);
	md_warnings(f, meta);
	for (start = 0; start < n; start = end) {
		end = report_slice_end(c, n, start);
		md_scenario(f, c + start, end - start);
	}
	fprintf(f, "## Ranking at the highest concurrency\n\n```\n");
	report_ranking(f, c, n);
	fprintf(f, "```\n\n## Charts\n\n");
	for (start = 0; start < n; start = end) {
		end = report_slice_end(c, n, start);
		k = modes_of(c + start, end - start, modes);
		for (m = 0; m < k; m++)
			for (i = 0; i < NKINDS; i++)
				if (chart_applies(i, &c[start]))
					fprintf(f, "![%s %s %s](%s/%s-%s-%s.png)\n\n",
					        c[start].scenario, chart_kinds[i].name, modes[m],
					        charts_rel, c[start].scenario, chart_kinds[i].name,
					        modes[m]);
	}
	fprintf(f, "## Machine and plan\n\n```\n%s```\n", meta ? meta : "");
	return fclose(f) == 0 ? 0 : -1;
}

/* One scenario's charts (c[0..n)): every kind for every mode. Returns how many failed. */
static int plot_scenario(const char *gnuplot_path, const char *scripts_dir, const char *summary,
                         const char *outdir, const char *run_id, const char *models,
                         const struct report_cell *c, int n)
{
	const char *modes[8];
	char vars[8192], script[PATH_MAX], style[PATH_MAX], log[PATH_MAX];
	int k = modes_of(c, n, modes), m, i, failed = 0, first = INT_MAX;
	const struct scenario *s = scenario_find(c[0].scenario);

	for (i = 0; i < n; i++)
		if (report_level(&c[i]) < first)
			first = report_level(&c[i]);
	snprintf(style, sizeof(style), "%s/style.gp", scripts_dir);
	snprintf(log, sizeof(log), "%s/gnuplot.log", outdir);
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
		for (i = 0; i < NKINDS; i++) {
			char *argv[] = { (char *)gnuplot_path, "-e", vars, script, NULL };

			if (!chart_applies(i, &c[0]))
				continue;
			snprintf(script, sizeof(script), "%s/%s.gp", scripts_dir,
			         chart_kinds[i].name);
			snprintf(vars, sizeof(vars),
			         "summary='%s'; out='%s/%s-%s-%s.png'; scenario='%s'; mode='%s'; "
			         "models='%s'; runid='%s'; tool='%s'; style='%s'; bound_marks=%d; "
			         "starved_marks=%d; law_lines=%d; levels='%s'; xcol='%s'; "
			         "first_level=%d",
			         summary, outdir, c[0].scenario, chart_kinds[i].name, modes[m],
			         c[0].scenario, modes[m], models, run_id, tool, style, bound,
			         starved, law, s && s->level_axis ? s->level_axis : "concurrency",
			         is_idle(&c[0]) ? "idle_conns" : "concurrency", first);
			failed += run_command(argv, 30000, log) != 0;
		}
	}
	return failed;
}

int report_plots(const char *gnuplot_path, const char *scripts_dir, const char *summary,
                 const char *outdir, const char *run_id, const struct report_cell *c, int n)
{
	char models[4096], log[PATH_MAX];
	int start, end, failed = 0;

	/* Every model of the run in name order: its index is its colour in every chart. */
	if (!n || models_of(c, n, models, sizeof(models)) < 0)
		return -1;
	if (snprintf(log, sizeof(log), "%s/gnuplot.log", outdir) >= (int)sizeof(log))
		return -1;
	unlink(log);
	for (start = 0; start < n; start = end) {
		end = report_slice_end(c, n, start);
		failed += plot_scenario(gnuplot_path, scripts_dir, summary, outdir, run_id, models,
		                        c + start, end - start);
	}
	return failed;
}

void report_env_parse(const char *meta, struct report_env *env)
{
	const char *line;
	char facts[512];
	int len;

	memset(env, 0, sizeof(*env));
	for (line = meta; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		struct facts *f = &env->facts[env->nfacts];
		char *model = env->model[env->nfacts];

		if (sscanf(line, "server cpus: %d", &env->server_cpus) == 1 ||
		    sscanf(line, "workers: %d", &env->workers) == 1)
			continue;
		if (env->npooled < REPORT_MAX_FACTS &&
		    sscanf(line, "scenario %63[^:]:", env->pooled[env->npooled]) == 1) {
			const char *nl = strchr(line, '\n'),
			           *p = strstr(line, "(every model: --workers");

			env->npooled += p && (!nl || p < nl);
			continue;
		}
		/* "facts MODEL: keepalive=yes ...": MODEL's Facts line as the README has it */
		if (env->nfacts == REPORT_MAX_FACTS ||
		    sscanf(line, "facts %63[^:]:%n", model, &len) != 1)
			continue;
		snprintf(facts, sizeof(facts), "Facts:%.*s", (int)strcspn(line + len, "\n"),
		         line + len);
		facts_parse(facts, f); /* a malformed one stays unknown */
		env->nfacts++;
	}
}

void report_apply_laws(struct report_cell *c, int n, const struct report_env *env)
{
	int i, j;

	for (i = 0; i < n; i++) {
		const struct scenario *s = scenario_find(c[i].scenario);
		/* (an open-loop scenario's own capacity connections replace the level) */
		struct law_input in = { .concurrency = c[i].concurrency,
			                .server_cpus = env->server_cpus > 0 ? env->server_cpus : 1,
			                .workers = env->workers,
			                .max_conns = FACTS_MAX_CONNS };

		for (j = 0; j < env->nfacts && strcmp(env->model[j], c[i].model); j++)
			;
		in.facts = j < env->nfacts ? &env->facts[j] : NULL;
		c[i].admission = in.facts && in.facts->admission;
		c[i].parallel = in.facts && in.facts->known ? in.facts->parallel : -1;
		c[i].wait = in.facts ? in.facts->wait : FACTS_WAIT_UNKNOWN;
		c[i].bound = s ? scenario_bound(s, &in, c[i].law, sizeof(c[i].law)) : -1;
		for (j = 0; j < env->npooled && strcmp(env->pooled[j], c[i].scenario); j++)
			;
		if (!s) {
			snprintf(c[i].law, sizeof(c[i].law), "no law (unknown scenario)");
		} else if (s->workers > 0 && j == env->npooled) {
			c[i].bound = -1;
			snprintf(c[i].law, sizeof(c[i].law),
			         "unknown (the run predates the scenario's --workers %d)",
			         s->workers);
		}
	}
}
