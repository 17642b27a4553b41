/* report_mixed.h -- report.md's part for a mix (the mixed scenario): the short requests beside
 * the queueing laws (mixlaw.h), and, for every scenario, how evenly the workers shared the load. */
#ifndef REPORT_MIXED_H
#define REPORT_MIXED_H

#include "mixlaw.h"
#include "report.h"
#include "scenario.h"

#include <stdio.h>

/*
 * Every measured cell of the mix scenario s (c[0..n), one scenario's slice) beside its laws:
 * the short class's p50, p99 and mean, the long one's p99, P-K's mean wait against the one
 * measured (the short mean less its service time), PS's short mean, which law the measurement
 * is nearer to and whether that is the one the model's Facts line claims (discipline=).
 */
void report_mixed_md(FILE *f, const struct scenario *s, const struct report_cell *c, int n);

/*
 * The workers' balance of c[0..n): a row per cell of a pool (Facts parallel=workers, so
 * report_apply_laws first) whose runs measured two workers or more (Jain's index known), with
 * each worker's share of the server's CPU. Nothing when none did.
 */
void report_balance_md(FILE *f, const struct report_cell *c, int n);

#endif
