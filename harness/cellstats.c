/* cellstats.c -- the load-window statistics and marks of a cell, from its rows. */
#include "cellstats.h"
#include "calib.h"
#include "health.h"
#include "util.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MAX_REPS 256 /* a cell's repetitions counted at most (the plan allows fewer) */

/* The double at offset field of row r. */
static double field(const struct record_row *r, size_t off)
{
	return *(const double *)((const char *)r + off);
}

/*
 * The median, min and max of the known (>= 0) values of the double at
 * offset off over the ok rows[0..k); all -1 when none is known.
 */
static void spread(const struct record_row *const *rows, int k, size_t off, double *med, double *lo,
                   double *hi)
{
	double tmp[MAX_REPS];
	int i, m = 0;

	*lo = INFINITY;
	*hi = -1;
	for (i = 0; i < k && m < MAX_REPS; i++) {
		double v = field(rows[i], off);

		if (!strcmp(rows[i]->status, "ok") && v >= 0) {
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
 * The median of what each ok row of rows[0..k) gives by per (< 0: unknown),
 * or -1 when none gives one.
 */
static double median_by(const struct record_row *const *rows, int k,
                        double (*per)(const struct record_row *r))
{
	double tmp[MAX_REPS];
	int i, m = 0;

	for (i = 0; i < k && m < MAX_REPS; i++)
		if (!strcmp(rows[i]->status, "ok") && per(rows[i]) >= 0)
			tmp[m++] = per(rows[i]);
	return m ? util_median(tmp, m) : -1;
}

/*
 * The latencies a row's percentiles came from: its 2xx answers where the
 * tool counts them apart (goodput x duration), else every completed request.
 */
static double samples(const struct record_row *r)
{
	return r->rejected_rps >= 0 && r->goodput_rps >= 0 ? r->goodput_rps * r->duration_s
	                                                   : (double)r->requests;
}

/* The share of a row's requests that waited in the generator for a connection; -1 unknown. */
static double gen_wait_share(const struct record_row *r)
{
	return r->gen_waited >= 0 && r->requests > 0 ? (double)r->gen_waited / r->requests : -1;
}

/* The server's kernel memory per held idle connection, B; -1 unknown or none held. */
static double kmem_per_conn(const struct record_row *r)
{
	return r->server_kmem_kb >= 0 && r->idle_conns > 0
	           ? r->server_kmem_kb * 1024.0 / r->idle_conns
	           : -1;
}

double cellstats_calib_median(const struct record_row *rows, int n)
{
	double *tmp = malloc((n ? n : 1) * sizeof(*tmp)), med = -1;
	int i, m = 0;

	if (!tmp)
		return -1;
	for (i = 0; i < n; i++)
		if (rows[i].calib_us > 0)
			tmp[m++] = rows[i].calib_us;
	if (m)
		med = util_median(tmp, m);
	free(tmp);
	return med;
}

#define AT(f) offsetof(struct record_row, f)

void cellstats_fill(struct cell_window *w, const struct record_row *const *rows, int k,
                    double calib_median)
{
	double unused, med;
	int i;

	memset(w, 0, sizeof(*w));
	spread(rows, k, AT(server_cpu_us_per_req), &med, &w->cpu_us_min, &w->cpu_us_max);
	spread(rows, k, AT(system_cpu_us_per_req), &w->sys_us_median, &w->sys_us_min,
	       &w->sys_us_max);
	spread(rows, k, AT(client_cpu_us_per_req), &w->client_us_median, &unused, &unused);
	spread(rows, k, AT(server_start_cpu_s), &w->start_cpu_median, &unused, &unused);
	spread(rows, k, AT(server_exit_cpu_s), &w->exit_cpu_median, &unused, &unused);
	spread(rows, k, AT(littles_ratio), &w->littles_median, &unused, &unused);
	spread(rows, k, AT(lat_p99_ms), &med, &w->p99_min, &w->p99_max);
	spread(rows, k, AT(lat_max_ms), &w->max_median, &unused, &unused);
	w->samples_median = median_by(rows, k, samples);
	w->kmem_per_idle_b = median_by(rows, k, kmem_per_conn);
	w->gen_wait_share = median_by(rows, k, gen_wait_share);
	for (i = 0; i < k; i++)
		w->slow +=
		    !strcmp(rows[i]->status, "ok") && calib_off(rows[i]->calib_us, calib_median);
}

void cellstats_marks(struct cell_window *w, int ok, double served, int concurrency,
                     int client_bound, int starved, int open_loop)
{
	/* Little's law against a level only holds when the level is connections */
	w->unserved = ok && !open_loop && !client_bound && health_unserved(served, concurrency);
	w->littles_off =
	    ok && !open_loop && !w->unserved && !starved && health_littles_off(w->littles_median);
}

const char *cellstats_p99_words(const struct cell_window *w, int ok, double p99_median, char *buf,
                                size_t len)
{
	if (w->samples_median >= 0 && w->samples_median < CELLSTATS_P99_SAMPLES)
		snprintf(buf, len, "max %.2f ms (%.0f latencies: too few for a p99)", w->max_median,
		         w->samples_median);
	else if (ok >= 2)
		snprintf(buf, len, "%.2f ms (%.2f-%.2f) of ~%.0f a repetition", p99_median,
		         w->p99_min, w->p99_max, w->samples_median);
	else
		snprintf(buf, len, "%.2f ms of ~%.0f", p99_median, w->samples_median);
	return buf;
}

const char *cellstats_summary_header(void)
{
	return ",cpu_us_per_req_min,cpu_us_per_req_max,system_cpu_us_per_req_median,"
	       "system_cpu_us_per_req_min,system_cpu_us_per_req_max,client_cpu_us_per_req_median,"
	       "server_start_cpu_s_median,server_exit_cpu_s_median,littles_ratio_median,"
	       "littles_off,unserved,slow_reps,kernel_mem_per_idle_conn_b,"
	       "gen_wait_share_median";
}

/* ",v" with decimals, or "," when v < 0 (unknown), to f. */
static void opt(FILE *f, double v, int decimals)
{
	if (v < 0)
		fprintf(f, ",");
	else
		fprintf(f, ",%.*f", decimals, v);
}

void cellstats_summary_row(FILE *f, const struct cell_window *w, int ok)
{
	opt(f, ok ? w->cpu_us_min : -1, 2);
	opt(f, ok ? w->cpu_us_max : -1, 2);
	opt(f, w->sys_us_median, 2);
	opt(f, w->sys_us_min, 2);
	opt(f, w->sys_us_max, 2);
	opt(f, w->client_us_median, 2);
	opt(f, w->start_cpu_median, 6);
	opt(f, w->exit_cpu_median, 6);
	opt(f, w->littles_median, 3);
	fprintf(f, ",%d,%d,%d", w->littles_off, w->unserved, w->slow);
	opt(f, w->kmem_per_idle_b, 0);
	opt(f, w->gen_wait_share, 3);
}
