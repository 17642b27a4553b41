/* cellstats.h -- a cell's load-window figures and marks: spread, three CPUs, Little, slow phase. */
#ifndef CELLSTATS_H
#define CELLSTATS_H

#include "record.h"

#include <stdio.h>

#define CELLSTATS_P99_SAMPLES 100 /* fewer latencies: the p99 is their maximum, named so */

/*
 * The load window's figures of one cell over its ok repetitions (report.h
 * embeds it in struct report_cell as w); -1 where no row knows them, as in
 * files older than those columns.
 */
struct cell_window {
	double cpu_us_min, cpu_us_max;                /* server CPU µs per request */
	double sys_us_median, sys_us_min, sys_us_max; /* every CPU's, per request */
	double client_us_median;                      /* the load tool's CPU µs per request */
	double start_cpu_median, exit_cpu_median;     /* the server's CPU s before and after */
	double littles_median;                        /* closed loop: Little's ratio */
	double p99_min, p99_max;                      /* the repetitions' p99, ms */
	double max_median;                            /* the repetitions' maximum latency, ms */
	double samples_median;  /* latencies a repetition's percentiles came from */
	double kmem_per_idle_b; /* idle: the server's kernel memory per held connection */
	double gen_wait_share;  /* open loop: the share of requests that waited in the generator */
	int slow; /* runs whose calibration was off the whole run's median (calib_off) */
	/* cellstats_marks: */
	int littles_off; /* littles_median off 1 by > HEALTH_LITTLES_OFF (and not unserved) */
	int unserved;    /* † by Little's law: some connections never served (health_unserved) */
};

/* The median calib_us of rows[0..n) (the whole run's), or -1 if none has one. */
double cellstats_calib_median(const struct record_row *rows, int n);

/*
 * Fill w from the k rows of one cell (any status: only the ok ones count)
 * and the whole run's median calibration (cellstats_calib_median): the
 * figures' medians and extremes, and how many runs ran in another of the
 * host's speed regimes (slow, calib_off). Allocates nothing.
 */
void cellstats_fill(struct cell_window *w, const struct record_row *const *rows, int k,
                    double calib_median);

/*
 * The marks of a cell that has w: unserved where Little's law leaves some of
 * concurrency connections unserved (health_unserved: served is the median
 * served_conns), not where the load tool was saturated (client_bound) nor in
 * an open loop; littles_off where Little's ratio is off 1 and the cell is
 * neither unserved nor starved. ok: the cell has ok repetitions.
 */
void cellstats_marks(struct cell_window *w, int ok, double served, int concurrency,
                     int client_bound, int starved, int open_loop);

/*
 * The p99 of a cell (median p99_median, ok repetitions) in words into buf:
 * "12.30 ms (8.10-15.00) of ~420 a repetition" (one repetition: no spread),
 * or, from fewer than CELLSTATS_P99_SAMPLES latencies a repetition, "max
 * 3.20 ms (42 latencies: too few for a p99)". Returns buf.
 */
const char *cellstats_p99_words(const struct cell_window *w, int ok, double p99_median, char *buf,
                                size_t len);

/* The summary.csv columns cellstats adds, each with a leading comma, without a newline. */
const char *cellstats_summary_header(void);

/* One cell's values of those columns to f (leading commas, no newline; empty: unknown). */
void cellstats_summary_row(FILE *f, const struct cell_window *w, int ok);

#endif
