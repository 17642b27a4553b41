/* syscalls.h -- the counting pass's per-syscall breakdown (counts.csv) read back: one cell
 * per scenario and mode, a table in report.md and a stacked bar per model. */
#ifndef SYSCALLS_H
#define SYSCALLS_H

#include "plot.h"
#include "record.h"

#include <stdio.h>

#define SYSCALLS_CELL_LEVEL 32 /* the cell shown: the level nearest this (hello's c=32) */
#define SYSCALLS_MAX_CALLS  16 /* columns beside "other" (the rest fold into it) */

/* One line of counts.csv: a call's entries per request in one cell. */
struct syscalls_row {
	char scenario[RECORD_WORD], model[RECORD_WORD], mode[RECORD_WORD];
	int concurrency, idle_conns;
	long requests;
	char call[32]; /* a system call, "other" (the rest of "all") or "all" */
	double per_req;
};

/*
 * Parse counts.csv's text (countpass.h writes it) into *rows (malloc'ed, count in *n),
 * the header skipped. 0, or -1 when a line is malformed (its number in *bad_line).
 */
int syscalls_parse(const char *text, struct syscalls_row **rows, int *n, int *bad_line);

/*
 * One table per scenario and mode to f, at the cell nearest SYSCALLS_CELL_LEVEL: a row per
 * model, the calls with the largest share of any one model's as columns (the rest in "other"), then
 * "all"; and the stacked chart's link (charts: plot_dir relative to report.md, or NULL).
 * Nothing when rows is empty.
 */
void syscalls_write_md(FILE *f, const struct syscalls_row *rows, int n, const char *charts);

/*
 * The same tables as stacked bars: <scenario>-syscalls-<mode>.png (and the .csv it is drawn
 * from) in job->outdir, from job->scripts/syscalls.gp. Returns how many failed.
 */
int syscalls_plot(const struct plot_job *job, const struct syscalls_row *rows, int n);

#endif
