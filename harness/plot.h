/* plot.h -- a run's charts with gnuplot: the only part of the report that starts a process. */
#ifndef PLOT_H
#define PLOT_H

#include "report.h"

/*
 * How a chart is drawn: run argv (argv[0] a path) with stdout to /dev/null
 * and stderr appended to errpath, bounded by limit_ms. Returns its exit
 * status (0..255), or -1 if it could not run, died from a signal or timed
 * out. run_command (run.h) is one; the caller passes it, so the report never
 * includes the runner.
 */
typedef int plot_exec_fn(char *const argv[], int limit_ms, const char *errpath);

/* Where a run's charts come from and go. */
struct plot_job {
	const char *gnuplot; /* gnuplot's path */
	const char *scripts; /* the directory of the <kind>.gp scripts and style.gp */
	const char *summary; /* the summary.csv the scripts read */
	const char *outdir;  /* the PNGs and gnuplot.log (gnuplot's messages) go here */
	const char *run_id;  /* named in every chart */
	plot_exec_fn *exec;  /* starts gnuplot */
};

#define PLOT_MAX_KINDS  8
#define PLOT_MAX_MODELS 64 /* models drawn in one chart */

/*
 * The kinds of chart drawn for c's scenario, in the order they are drawn and
 * linked: throughput, p99 and cpu for every scenario, mem where the levels are
 * idle connections, goodput for an open loop, short for a mix (its short requests' p99 beside
 * the FCFS and PS laws). Their names into kinds; returns
 * how many.
 */
int plot_kinds(const struct report_cell *c, const char *kinds[PLOT_MAX_KINDS]);

/*
 * Draw the charts (<scenario>-<kind>-<mode>.png, kinds as plot_kinds) of the
 * cells c[0..n) (report_summarize's order) into job->outdir; gnuplot's
 * messages go to outdir/gnuplot.log, made afresh. Returns how many charts
 * failed (0: all drawn), or -1 if nothing could be drawn.
 */
int plot_charts(const struct plot_job *job, const struct report_cell *c, int n);

#endif
