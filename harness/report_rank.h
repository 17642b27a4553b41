/* report_rank.h -- the ranking printed at the end of a run and in report.md. */
#ifndef REPORT_RANK_H
#define REPORT_RANK_H

#include "report.h"

#include <stdio.h>

/*
 * Write, per scenario and mode, the ranking at the mode's highest
 * concurrency with an ok run to f, by medians with the repetitions' min-max
 * ("epoll: 31,000 req/s median (30,000-32,000)"; one repetition: no spread,
 * "1 repetition: no spread"): each model against the best as a ratio of
 * medians with the range the extremes allow ("epoll ran 1.94 x faster than
 * thread (1.76-2.13)"; "at most" against a cell whose req/s the load tool
 * limited), "a tie" where the two cells' repetitions overlap or either is
 * noisy (§) or from a slow phase of the host (¤). Every line names its
 * cells' marks: the symbols (‡ † § ¤ ≠) after each name compared, the words
 * after its figures; a starved cell its served connections and its p99 as at
 * least the run. When the top cell
 * is client bound, req/s ranks the load generator, so the mode is ranked by
 * CPU per request instead, and says so: the whole machine's in close mode and
 * with large bodies (where the loopback's kernel work falls to client or
 * server by accident) when every cell knows it, else the server's.
 * References are ranked with the rest but labelled "(reference)". Where a
 * cell has a bound, its req/s is given as a share of it ("= 98 % of the 3,200
 * bound"). An open-loop scenario is not ranked; an idle one adds its slopes.
 */
void report_ranking(FILE *f, const struct report_cell *c, int n);

#endif
