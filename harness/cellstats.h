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

/* The summary.csv columns cellstats adds, each with a leading comma, without a newline. */
const char *cellstats_summary_header(void);

/* One cell's values of those columns to f (leading commas, no newline; empty: unknown). */
void cellstats_summary_row(FILE *f, const struct report_cell *c);

#endif
