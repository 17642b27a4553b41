/*
 * ladder.h -- a model's variants step by step against an anchor (issue 25: the io_uring
 * ladder beside epoll): the table with its verdicts decided by the spread, the chart, and
 * the plan of `make bench-ladder` (--ladder).
 */
#ifndef LADDER_H
#define LADDER_H

#include "meta.h"
#include "plan.h"
#include "plot.h"
#include "report.h"
#include "syscalls.h"

#include <stdio.h>

#define LADDER_ANCHOR     "epoll" /* every step is judged against this model's cell */
#define LADDER_MODELS     "epoll ref-nginx io_uring:*" /* --ladder without --models */
#define LADDER_REPS       5                            /* --ladder's repetitions unless --reps */
#define LADDER_DURATION_S 1 /* --ladder's seconds per run unless --duration */
#define LADDER_MAX_STEPS  PLAN_MAX_MODELS

/* One figure's verdict against the anchor's, from the ok repetitions' min-max. */
enum ladder_verdict {
	LADDER_NO_VERDICT, /* fewer than 2 ok repetitions on either side, or a figure unknown */
	LADDER_TIE,        /* the ranges overlap (touching included) */
	LADDER_FASTER,     /* the ranges are apart, the step's on the better side */
	LADDER_SLOWER,     /* apart, on the worse side */
};

/* A figure of one cell over its ok repetitions (min, max: -1 unknown). */
struct ladder_spread {
	double median, min, max;
	int n; /* ok repetitions */
};

/*
 * step's verdict against anchor: faster or slower only when their min-max ranges do not
 * overlap (with 5 repetitions a side, a rank-sum test's p is then 0.008), the better side
 * being the higher values when higher_is_better (req/s), else the lower (CPU per request);
 * a tie when they overlap; no verdict from fewer than 2 repetitions on a side. Pure.
 */
enum ladder_verdict ladder_judge(const struct ladder_spread *step,
                                 const struct ladder_spread *anchor, int higher_is_better);

/* "faster", "slower", "tie" or "-" (no verdict). */
const char *ladder_verdict_word(enum ladder_verdict v);

/* A row of the ladder: a model of the run and what it changes ("": nothing said). */
struct ladder_step {
	const char *model;
	const char *note;
};

/*
 * The ladder's rows among the cells c[0..n) into out (room for max): LADDER_ANCHOR, the
 * references (ref-*), then env's variants in the plan's order (each adds to the one
 * before), those only that have a cell. Returns how many, 0 when the run has no variant.
 */
int ladder_steps(const struct report_cell *c, int n, const struct meta_env *env,
                 struct ladder_step *out, int max);

/*
 * The ladder as Markdown to f, nothing when the run has no variant: per cell a variant
 * ran in (scenario, mode, level) a table, a row per step with what it changed, req/s and
 * server CPU µs per request as median [min-max] each with its verdict against
 * LADDER_ANCHOR's, the whole machine's CPU, system calls, io_uring_enter calls and receive
 * SQEs per request (counts: counts.csv's rows, syscalls.h; may be empty), and a line naming the
 * step with the least CPU per request; then memory per idle connection from the idle
 * cells; the chart's link (charts: relative to the report, NULL: none).
 */
void ladder_write_md(FILE *f, const struct report_cell *c, int n, const struct meta_env *env,
                     const struct syscalls_row *counts, int ncounts, const char *charts);

/*
 * The ladder's chart, ladder-cpu.png (and ladder-cpu.csv, its data) in job->outdir from
 * job->scripts/ladder.gp: a bar group per step, a bar per cell, each the step's server
 * CPU per request over LADDER_ANCHOR's median in that cell, with the min-max as
 * whiskers; the anchor a line at 1. 0, 1 if it could not be drawn; 0 without a ladder.
 */
int ladder_plot(const struct plot_job *job, const struct report_cell *c, int n,
                const struct meta_env *env);

/*
 * --ladder's cells into p: every scenario row's ladder cells (scenario.h), in the table's
 * order, LADDER_REPS repetitions of LADDER_DURATION_S unless given (set_reps,
 * set_duration). 0, or -1 when a row's ladder text is malformed or too many cells.
 */
int ladder_plan_cells(struct plan *p, int set_reps, int set_duration);

#endif
