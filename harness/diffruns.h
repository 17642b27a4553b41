/* diffruns.h -- `make diff-runs A=<run> B=<run>`: what changed between two runs, cell by cell. */
#ifndef DIFFRUNS_H
#define DIFFRUNS_H

#include "record.h"

#include <stdio.h>

#define DIFFRUNS_ALPHA     0.05 /* a change with a larger p is "~": not shown to be one */
#define DIFFRUNS_SEPARATED 1.20 /* an ordering counts when two models are > 20 % apart in A */

/* A figure compared: a row's value of it (< 0 or 0 where stated: unknown) and its direction. */
struct diffruns_metric {
	const char *name;                            /* "req/s" */
	const char *field;                           /* its results.csv column */
	double (*get)(const struct record_row *row); /* < 0: unknown in this row */
	int higher_better;
};

/* The figures diff-runs compares, in its order; *n gets their count. */
const struct diffruns_metric *diffruns_metrics(int *n);

/*
 * 1 if the medians a1 and a2 of two models in run A are more than sep (a
 * ratio, e.g. DIFFRUNS_SEPARATED) apart and run B's b1 and b2 order them the
 * other way round (strictly); else 0. A median <= 0 or NAN: 0. Pure.
 */
int diffruns_flipped(double a1, double a2, double b1, double b2, double sep);

/* 1 if a1 and a2 are both > 0 and more than sep (a ratio) apart, else 0. Pure. */
int diffruns_separated(double a1, double a2, double sep);

/*
 * Compare the ok rows of run A (a[0..na), named ida) with those of run B to
 * f as markdown: per figure of diffruns_metrics a table with a row per cell
 * (scenario, mode, tool, concurrency, idle connections and model) present in
 * either run: the median and repetitions of each side, the change of B's
 * median over A's in % where the rank-sum test (ranktest.h) gives p <= alpha,
 * else "~", and p; then per figure a summary (better, worse, ~, and how many
 * cells could not reach alpha with their repetitions) and the orderings: of
 * the pairs of models of a cell more than DIFFRUNS_SEPARATED apart in A, how
 * many B reverses, each named. Rows of any age are compared (record_load
 * fills what older files lack as unknown). 0, or -1 out of memory.
 */
int diffruns_write(FILE *f, const char *ida, const struct record_row *a, int na, const char *idb,
                   const struct record_row *b, int nb, double alpha);

#endif
