/* cellstats.h -- a cell's load-window figures and marks: spread, three CPUs, Little, slow phase. */
#ifndef CELLSTATS_H
#define CELLSTATS_H

#include "record.h"
#include "report.h"

#include <stdio.h>

/*
 * Fill the load-window fields of every cell of c[0..n) (report.h, after
 * report_summarize's) from rows[0..nrows), the rows of the same run(s):
 * min and max of server CPU per request, median and min-max of the
 * machine's, the medians of the client's, the start-up and exit CPU and
 * Little's ratio, whether that ratio is off (littles_off), whether Little's
 * law leaves connections unserved (unserved, health_unserved, not where the
 * load tool was saturated), and how many runs ran in another of the host's
 * speed regimes than the run's median calibration (slow, calib_off).
 */
void cellstats_fill(struct report_cell *c, int n, const struct record_row *rows, int nrows);

#define CELLSTATS_P99_SAMPLES 100 /* fewer latencies: the p99 is their maximum, named so */

/*
 * The p99 of cell c in words into buf: "12.30 ms (8.10-15.00) of ~420 a
 * repetition" (the median and the repetitions' min-max; one repetition: no
 * spread), or, from fewer than CELLSTATS_P99_SAMPLES latencies a repetition,
 * "max 3.20 ms (42 latencies: too few for a p99)". Returns buf.
 */
const char *cellstats_p99_words(const struct report_cell *c, char *buf, size_t len);

/*
 * report.md's table of where the CPU went, for one scenario's cells
 * c[0..n) in mode at its highest level with an ok run: per model the
 * server's, the load tool's and the whole machine's CPU µs per request
 * (medians), so that a reader sees the loopback's kernel work moving between
 * client and server while the machine's total does not. Nothing when no cell
 * knows the machine's (files older than the load window).
 */
void cellstats_cpu_table(FILE *f, const struct report_cell *c, int n, const char *mode);

/*
 * report.md's table of the fixed cost, for one scenario's cells c[0..n): per
 * model and mode the median CPU before the load (start-up, a pool's creation)
 * and after it (teardown, exit) at the lowest level, and what they would add
 * per request had they been charged to that cell's requests. Nothing when no
 * cell knows them.
 */
void cellstats_fixed_cost(FILE *f, const struct report_cell *c, int n);

/*
 * An idle scenario's memory per idle connection, for its cells c[0..n): per
 * model and mode at the most idle connections, the user-space figure (the
 * slope of the tree's PSS), the kernel's (the server's share of slab, stacks
 * and page tables, kmem.h) and their total. Nothing when no cell knows the
 * kernel's.
 */
void cellstats_idle_memory(FILE *f, const struct report_cell *c, int n);

/* The summary.csv columns cellstats adds, each with a leading comma, without a newline. */
const char *cellstats_summary_header(void);

/* One cell's values of those columns to f (leading commas, no newline; empty: unknown). */
void cellstats_summary_row(FILE *f, const struct report_cell *c);

#endif
