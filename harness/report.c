/* report.c -- from rows to cells: statistics, slopes, pairs, laws, summary.csv. */
#include "report.h"
#include "calib.h"
#include "cellstats.h"
#include "health.h"
#include "mixlaw.h"
#include "plan.h"
#include "scenario.h"
#include "util.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

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
	cell->starved = !scenario_open_loop(cell->scenario) && !scenario_paced(cell->scenario) &&
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

/* The median of the ok rows' field at offset off (a double; < 0: unknown), or -1. */
static double median_known(const struct record_row *const *rows, int k, size_t off, double *tmp)
{
	int m = 0;

	for (int i = 0; i < k; i++) {
		double v = *(const double *)((const char *)rows[i] + off);
		if (!strcmp(rows[i]->status, "ok") && v >= 0)
			tmp[m++] = v;
	}
	return m ? util_median(tmp, m) : -1;
}

/* A mix's classes and the workers' balance (issue 23) of the cell's ok rows. */
static void fill_mix(struct report_cell *cell, const struct record_row *const *rows, int k,
                     double *tmp)
{
	cell->short_p50_us = median_known(rows, k, offsetof(struct record_row, short_p50_us), tmp);
	cell->short_p99_us = median_known(rows, k, offsetof(struct record_row, short_p99_us), tmp);
	cell->short_mean_us =
	    median_known(rows, k, offsetof(struct record_row, short_mean_us), tmp);
	cell->long_p99_us = median_known(rows, k, offsetof(struct record_row, long_p99_us), tmp);
	cell->short_rps = median_known(rows, k, offsetof(struct record_row, short_rps), tmp);
	cell->long_rps = median_known(rows, k, offsetof(struct record_row, long_rps), tmp);
	cell->jain_median = median_known(rows, k, offsetof(struct record_row, jain), tmp);
	for (int i = 0; i < k && !cell->worker_shares[0]; i++)
		if (!strcmp(rows[i]->status, "ok"))
			snprintf(cell->worker_shares, sizeof(cell->worker_shares), "%s",
			         rows[i]->worker_shares);
}

/* The counts per request of the cell's ok rows (all rows of a cell carry its counting run's). */
static void fill_counts(struct report_cell *cell, const struct record_row *const *rows, int k,
                        double *tmp)
{
#define COUNT_MEDIAN(field) median_known(rows, k, offsetof(struct record_row, field), tmp)
	cell->syscalls_median = COUNT_MEDIAN(syscalls_per_req);
	cell->ctx_switches_median = COUNT_MEDIAN(ctx_switches_per_req);
	cell->migrations_median = COUNT_MEDIAN(migrations_per_req);
	cell->instructions_median = COUNT_MEDIAN(instructions_per_req);
#undef COUNT_MEDIAN
}

/* A cell without a mix's laws (report.h: -1 is unknown). */
static void mix_unknown(struct report_cell *x)
{
	x->mix_rho = x->short_service_us = x->fcfs_wait_us = x->fcfs_short_us = -1;
	x->ps_short_us = x->fcfs_p99_us = x->ps_p99_us = -1;
}

/* Fill cell from the k rows of one cell. */
static void fill_cell(struct report_cell *cell, const struct record_row *const *rows, int k,
                      double *tmp, double calib)
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
	fill_counts(cell, rows, k, tmp); /* before tmp holds the req/s */
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
	cell->short_p50_us = cell->short_p99_us = cell->short_mean_us = cell->long_p99_us = -1;
	cell->short_rps = cell->long_rps = cell->jain_median = -1;
	mix_unknown(cell); /* until report_apply_laws */
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
	fill_mix(cell, rows, k, tmp);
	cellstats_fill(&cell->w, rows, k, calib);
	cellstats_marks(&cell->w, cell->ok, cell->served_median, cell->concurrency,
	                cell->client_bound, cell->starved, scenario_open_loop(cell->scenario));
}

int report_is_idle(const struct report_cell *c)
{
	const struct scenario *s = scenario_find(c->scenario);

	return s && scenario_is_idle(s);
}

int report_level(const struct report_cell *c)
{
	return report_is_idle(c) ? c->idle_conns : c->concurrency;
}

const char *report_level_word(const struct report_cell *c)
{
	return report_is_idle(c) ? "idle" : "c";
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
		if (!report_is_idle(&c[start]))
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
	double calib = cellstats_calib_median(rows, n);

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
		fill_cell(cell, sorted + start, i - start, tmp, calib);
		/* idle_conns ascends within a group: its N = 0 cell, if any, came first */
		if (sorted[start]->idle_conns == 0)
			zero = start, nzero = i - start;
		else if (report_is_idle(cell) && nzero && same_group(sorted[zero], sorted[start]))
			fill_pairs(cell, sorted + start, i - start, sorted + zero, nzero, tmp);
	}
	fill_slopes(*cells, *ncells);
	free(sorted);
	free(tmp);
	return 0;
}

/* The paired-ratio columns of cell c (empty without a pair) to f. */
static void write_pairs(FILE *f, const struct report_cell *c)
{
	if (c->pairs)
		fprintf(f, ",%.3f,%.3f,%.3f,%d", c->pair_median, c->pair_min, c->pair_max,
		        c->pairs);
	else
		fprintf(f, ",,,,0");
}

/* A mix's columns (issue 23): the short class's p99 and mean, the load, both laws' means and
 * simulated p99s; "" unknown. */
static void write_mix(FILE *f, const struct report_cell *c)
{
	const double v[] = { c->short_p99_us, c->short_mean_us, c->mix_rho,  c->fcfs_short_us,
		             c->ps_short_us,  c->fcfs_p99_us,   c->ps_p99_us };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (v[i] >= 0)
			fprintf(f, i == 2 ? ",%.3f" : ",%.1f", v[i]);
		else
			fprintf(f, ",");
}

/* The counts-per-request columns of cell c (empty: unknown) and the line's end to f. */
static void write_counts(FILE *f, const struct report_cell *c)
{
	const double v[] = { c->syscalls_median, c->ctx_switches_median, c->migrations_median,
		             c->instructions_median };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (v[i] >= 0)
			fprintf(f, ",%.3f", v[i]);
		else
			fprintf(f, ",");
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
	        "cpu_ratio_pairs,short_p99_us_median,short_mean_us_median,rho,"
	        "fcfs_short_us,ps_short_us,fcfs_p99_us,ps_p99_us%s,syscalls_per_req_median,ctx_"
	        "switches_per_req_median,"
	        "migrations_per_req_median,instructions_per_req_median\n",
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
		write_mix(f, &c[i]);
		cellstats_summary_row(f, &c[i].w, c[i].ok);
		write_counts(f, &c[i]);
	}
	return fclose(f) == 0 ? 0 : -1;
}

int report_is_capacity(const struct report_cell *c)
{
	return c->concurrency == 0 && scenario_open_loop(c->scenario);
}

int report_in_mode(const struct report_cell *c, const char *mode)
{
	return !strcmp(c->mode, mode) && !report_is_capacity(c);
}

const struct report_cell *report_capacity(const struct report_cell *c, int n,
                                          const struct report_cell *x)
{
	const struct report_cell *any = NULL;

	for (int i = 0; i < n; i++)
		if (report_is_capacity(&c[i]) && !strcmp(c[i].model, x->model) &&
		    !strcmp(c[i].scenario, x->scenario)) {
			if (!strcmp(c[i].mode, x->mode))
				return &c[i]; /* a mix's, measured in each mode */
			any = any ? any : &c[i];
		}
	return any;
}

int report_modes(const struct report_cell *c, int n, const char *modes[REPORT_MAX_MODES])
{
	int i, j, k = 0;

	for (i = 0; i < n; i++) {
		if (report_is_capacity(&c[i]))
			continue;
		for (j = 0; j < k && strcmp(modes[j], c[i].mode); j++)
			;
		if (j == k && k < REPORT_MAX_MODES)
			modes[k++] = c[i].mode;
	}
	return k;
}

const char *report_label(const char *model, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", model, plan_is_reference(model) ? " (reference)" : "");
	return buf;
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

void report_idle_slopes(FILE *f, const struct report_cell *c, int n)
{
	char label[RECORD_WORD + 16], mem[48], cpu[48], ends[96];
	int i, j;

	if (!n || !report_is_idle(&c[0]))
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

const char *report_title(const struct report_cell *c, char *buf, size_t len)
{
	const struct scenario *s = scenario_find(c->scenario);

	snprintf(buf, len, "scenario %s (GET %s)", c->scenario, s ? s->target : "?");
	return buf;
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

/*
 * A mix cell's laws (mixlaw.h): service times 1 / each class's capacity (the level-0 cell),
 * shares and arrival rate the cell's measured class rates. Left at -1 when a figure is missing.
 */
static void mix_laws(struct report_cell *x, const struct report_cell *cap)
{
	double lambda = x->short_rps + x->long_rps;
	struct mixlaw_class k[2];
	struct mixlaw m;
	struct mixlaw_sim sim;

	mix_unknown(x);
	if (!cap || !x->ok || !cap->ok || !(cap->short_rps > 0) || !(cap->long_rps > 0) ||
	    x->short_rps < 0 || x->long_rps < 0 || !(lambda > 0))
		return;
	k[0] = (struct mixlaw_class){ x->short_rps / lambda, 1 / cap->short_rps };
	k[1] = (struct mixlaw_class){ x->long_rps / lambda, 1 / cap->long_rps };
	if (mixlaw_predict(lambda, k, 2, 0, &m) < 0)
		return;
	x->mix_rho = m.rho;
	x->short_service_us = 1e6 / cap->short_rps;
	if (m.fcfs_wait_s < 0) /* saturated: no prediction */
		return;
	x->fcfs_wait_us = m.fcfs_wait_s * 1e6;
	x->fcfs_short_us = m.fcfs_short_s * 1e6;
	x->ps_short_us = m.ps_short_s * 1e6;
	if (mixlaw_simulate(lambda, k, 2, 0, MIXLAW_SIM_ARRIVALS, &sim) == 0) {
		x->fcfs_p99_us = sim.fcfs_p99_s * 1e6;
		x->ps_p99_us = sim.ps_p99_s * 1e6;
	}
}

void report_apply_laws(struct report_cell *c, int n, const struct meta_env *env)
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
		c[i].family = facts_family(in.facts);
		c[i].discipline = in.facts ? in.facts->discipline : FACTS_DISCIPLINE_UNKNOWN;
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
	for (i = 0; i < n; i++) {
		const struct scenario *s = scenario_find(c[i].scenario);
		if (s && s->mix && !report_is_capacity(&c[i]))
			mix_laws(&c[i], report_capacity(c, n, &c[i]));
		else
			mix_unknown(&c[i]);
	}
}
