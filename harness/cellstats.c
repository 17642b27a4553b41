/* cellstats.c -- the load-window statistics and marks of a cell, from its rows. */
#include "cellstats.h"
#include "calib.h"
#include "health.h"
#include "scenario.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 1 if row is one of c's ok repetitions. */
static int of_cell(const struct report_cell *c, const struct record_row *r)
{
	return !strcmp(r->status, "ok") && r->concurrency == c->concurrency &&
	       r->idle_conns == c->idle_conns && !strcmp(r->scenario, c->scenario) &&
	       !strcmp(r->model, c->model) && !strcmp(r->mode, c->mode);
}

/*
 * The median, min and max of the known (>= 0) values of field (an offset
 * into struct record_row) over c's ok rows; all -1 when none is known.
 */
static void spread(const struct report_cell *c, const struct record_row *rows, int nrows,
                   size_t field, double *tmp, double *med, double *lo, double *hi)
{
	int i, m = 0;

	*lo = INFINITY;
	*hi = -1;
	for (i = 0; i < nrows; i++) {
		double v = *(const double *)((const char *)&rows[i] + field);

		if (of_cell(c, &rows[i]) && v >= 0) {
			tmp[m++] = v;
			*lo = fmin(*lo, v);
			*hi = fmax(*hi, v);
		}
	}
	*med = m ? util_median(tmp, m) : -1;
	if (!m)
		*lo = -1;
}

/*
 * The median number of latencies c's repetitions' percentiles came from:
 * the 2xx answers where the tool counts them apart (goodput x duration), else
 * every completed request; -1 if none is known.
 */
static double samples(const struct report_cell *c, const struct record_row *rows, int nrows,
                      double *tmp)
{
	int i, m = 0;

	for (i = 0; i < nrows; i++)
		if (of_cell(c, &rows[i]))
			tmp[m++] = rows[i].rejected_rps >= 0 && rows[i].goodput_rps >= 0
			               ? rows[i].goodput_rps * rows[i].duration_s
			               : rows[i].requests;
	return m ? util_median(tmp, m) : -1;
}

/* The median of the server's kernel memory per held idle connection over c's rows, or -1. */
static double kmem_per_conn(const struct report_cell *c, const struct record_row *rows, int nrows,
                            double *tmp)
{
	int i, m = 0;

	for (i = 0; i < nrows; i++)
		if (of_cell(c, &rows[i]) && rows[i].server_kmem_kb >= 0 && rows[i].idle_conns > 0)
			tmp[m++] = rows[i].server_kmem_kb * 1024.0 / rows[i].idle_conns;
	return m ? util_median(tmp, m) : -1;
}

/* The median calibration of every run in rows, or -1 if none has one. */
static double calib_median(const struct record_row *rows, int nrows, double *tmp)
{
	int i, m = 0;

	for (i = 0; i < nrows; i++)
		if (rows[i].calib_us > 0)
			tmp[m++] = rows[i].calib_us;
	return m ? util_median(tmp, m) : -1;
}

void cellstats_fill(struct report_cell *c, int n, const struct record_row *rows, int nrows)
{
	double *tmp = malloc((nrows ? nrows : 1) * sizeof(*tmp)), calib, unused;
	int i, j;

	if (!tmp)
		return;
	calib = calib_median(rows, nrows, tmp);
	for (i = 0; i < n; i++) {
		struct report_cell *x = &c[i];
		double med;

		spread(x, rows, nrows, offsetof(struct record_row, server_cpu_us_per_req), tmp,
		       &med, &x->cpu_us_min, &x->cpu_us_max);
		spread(x, rows, nrows, offsetof(struct record_row, system_cpu_us_per_req), tmp,
		       &x->sys_us_median, &x->sys_us_min, &x->sys_us_max);
		spread(x, rows, nrows, offsetof(struct record_row, client_cpu_us_per_req), tmp,
		       &x->client_us_median, &unused, &unused);
		spread(x, rows, nrows, offsetof(struct record_row, server_start_cpu_s), tmp,
		       &x->start_cpu_median, &unused, &unused);
		spread(x, rows, nrows, offsetof(struct record_row, server_exit_cpu_s), tmp,
		       &x->exit_cpu_median, &unused, &unused);
		spread(x, rows, nrows, offsetof(struct record_row, littles_ratio), tmp,
		       &x->littles_median, &unused, &unused);
		spread(x, rows, nrows, offsetof(struct record_row, lat_p99_ms), tmp, &med,
		       &x->p99_min, &x->p99_max);
		spread(x, rows, nrows, offsetof(struct record_row, lat_max_ms), tmp, &x->max_median,
		       &unused, &unused);
		x->samples_median = samples(x, rows, nrows, tmp);
		x->kmem_per_idle_b = kmem_per_conn(x, rows, nrows, tmp);
		/* Little's law against a level only holds when the level is connections */
		x->unserved = x->ok && !scenario_open_loop(x->scenario) && !x->client_bound &&
		              health_unserved(x->served_median, x->concurrency);
		x->littles_off =
		    x->ok && !x->unserved && !x->starved && health_littles_off(x->littles_median);
		for (j = 0, x->slow = 0; j < nrows; j++)
			x->slow += of_cell(x, &rows[j]) && calib_off(rows[j].calib_us, calib);
	}
	free(tmp);
}

const char *cellstats_summary_header(void)
{
	return ",cpu_us_per_req_min,cpu_us_per_req_max,system_cpu_us_per_req_median,"
	       "system_cpu_us_per_req_min,system_cpu_us_per_req_max,client_cpu_us_per_req_median,"
	       "server_start_cpu_s_median,server_exit_cpu_s_median,littles_ratio_median,"
	       "littles_off,unserved,slow_reps,kernel_mem_per_idle_conn_b";
}

/* ",v" with decimals, or "," when v < 0 (unknown), to f. */
static void opt(FILE *f, double v, int decimals)
{
	if (v < 0)
		fprintf(f, ",");
	else
		fprintf(f, ",%.*f", decimals, v);
}

void cellstats_summary_row(FILE *f, const struct report_cell *c)
{
	opt(f, c->ok ? c->cpu_us_min : -1, 2);
	opt(f, c->ok ? c->cpu_us_max : -1, 2);
	opt(f, c->sys_us_median, 2);
	opt(f, c->sys_us_min, 2);
	opt(f, c->sys_us_max, 2);
	opt(f, c->client_us_median, 2);
	opt(f, c->start_cpu_median, 3);
	opt(f, c->exit_cpu_median, 3);
	opt(f, c->littles_median, 3);
	fprintf(f, ",%d,%d,%d", c->littles_off, c->unserved, c->slow);
	opt(f, c->kmem_per_idle_b, 0);
}

const char *cellstats_p99_words(const struct report_cell *c, char *buf, size_t len)
{
	if (c->samples_median >= 0 && c->samples_median < CELLSTATS_P99_SAMPLES)
		snprintf(buf, len, "max %.2f ms (%.0f latencies: too few for a p99)", c->max_median,
		         c->samples_median);
	else if (c->ok >= 2)
		snprintf(buf, len, "%.2f ms (%.2f-%.2f) of ~%.0f a repetition", c->p99_median,
		         c->p99_min, c->p99_max, c->samples_median);
	else
		snprintf(buf, len, "%.2f ms of ~%.0f", c->p99_median, c->samples_median);
	return buf;
}

/* The highest level of mode among c[0..n) with an ok cell, or -1. */
static int top_ok(const struct report_cell *c, int n, const char *mode)
{
	int i, top = -1;

	for (i = 0; i < n; i++)
		if (c[i].ok && !strcmp(c[i].mode, mode) && c[i].concurrency > top)
			top = c[i].concurrency;
	return top;
}

void cellstats_cpu_table(FILE *f, const struct report_cell *c, int n, const char *mode)
{
	int i, level = top_ok(c, n, mode), known = 0;

	for (i = 0; i < n; i++)
		known |=
		    !strcmp(c[i].mode, mode) && c[i].concurrency == level && c[i].sys_us_median > 0;
	if (!known)
		return;
	fprintf(f,
	        "Where the CPU went, %s mode at c=%d (µs per request, medians): the server's "
	        "tree, the load tool, and every CPU of the machine over the same window "
	        "(/proc/stat; other processes' too, see §). On loopback the kernel's work for a "
	        "connection falls to whichever side's system call ran it, so client and server "
	        "trade it; the machine's total does not.\n\n| model | server | client | whole "
	        "machine |\n|---|---:|---:|---:|\n",
	        mode, level);
	for (i = 0; i < n; i++) {
		const struct report_cell *x = &c[i];

		if (strcmp(x->mode, mode) || x->concurrency != level || !x->ok)
			continue;
		fprintf(f, "| %s | %.1f |", x->model, x->cpu_us_median);
		fprintf(f, x->client_us_median >= 0 ? " %.1f |" : " ? |", x->client_us_median);
		if (x->sys_us_median >= 0)
			fprintf(f, " %.1f%s |\n", x->sys_us_median, x->noisy ? " §" : "");
		else
			fprintf(f, " ? |\n");
	}
	fprintf(f, "\n");
}

void cellstats_fixed_cost(FILE *f, const struct report_cell *c, int n)
{
	int i, known = 0;

	for (i = 0; i < n; i++)
		known |= c[i].ok && c[i].start_cpu_median >= 0 && c[i].exit_cpu_median >= 0;
	if (!known)
		return;
	fprintf(f, "Fixed cost: the server tree's CPU before the load (start-up, a pool's "
	           "creation) and after it (teardown, exit), kept out of every CPU per request "
	           "above; at each model's lowest level, with what it would have added per "
	           "request there.\n\n| model | mode | level | start-up ms | exit ms | would add "
	           "µs/req | measured µs/req |\n|---|---|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < n; i++) {
		const struct report_cell *x = &c[i];
		double reqs = x->rps_median * x->run_s;

		if (!x->ok || x->start_cpu_median < 0 || x->exit_cpu_median < 0 ||
		    (i && !strcmp(c[i - 1].model, x->model) && !strcmp(c[i - 1].mode, x->mode)))
			continue; /* cells are sorted by model, mode, level: the first is the lowest
			           */
		fprintf(f, "| %s | %s | %d | %.1f | %.1f | ", x->model, x->mode, x->concurrency,
		        1e3 * x->start_cpu_median, 1e3 * x->exit_cpu_median);
		if (reqs > 0)
			fprintf(f, "%.1f | ",
			        1e6 * (x->start_cpu_median + x->exit_cpu_median) / reqs);
		else
			fprintf(f, "? | ");
		fprintf(f, "%.1f |\n", x->cpu_us_median);
	}
	fprintf(f, "\n");
}

void cellstats_idle_memory(FILE *f, const struct report_cell *c, int n)
{
	int i, known = 0;

	for (i = 0; i < n; i++)
		known |= c[i].kmem_per_idle_b >= 0;
	if (!known)
		return;
	fprintf(f, "Memory per idle connection, at the most idle connections: user space (the "
	           "slope of the tree's PSS), the kernel's (slab, stacks and page tables grown "
	           "while they were opened, less the holder's own sockets: on loopback both ends "
	           "live in this kernel), and the total.\n\n| model | mode | N | user B | kernel "
	           "B | total B |\n|---|---|---:|---:|---:|---:|\n");
	for (i = 0; i < n; i++) {
		const struct report_cell *x = &c[i];

		if (x->kmem_per_idle_b < 0 || (i + 1 < n && !strcmp(c[i + 1].model, x->model) &&
		                               !strcmp(c[i + 1].mode, x->mode)))
			continue; /* sorted by model, mode, level: the last is the most idle */
		fprintf(f, "| %s | %s | %d | ", x->model, x->mode, x->idle_conns);
		if (isnan(x->mem_per_idle_b))
			fprintf(f, "? | %.0f | ? |\n", x->kmem_per_idle_b);
		else
			fprintf(f, "%.0f | %.0f | %.0f |\n", x->mem_per_idle_b, x->kmem_per_idle_b,
			        x->mem_per_idle_b + x->kmem_per_idle_b);
	}
	fprintf(f, "\n");
}
