/* countpass.h -- the counting pass: one extra run per cell with perf attached (counts.h),
 * never one of the timed repetitions (docs/performance.md: counting costs 5-40 % of CPU). */
#ifndef COUNTPASS_H
#define COUNTPASS_H

#include "counts.h"
#include "record.h"
#include "run.h"

#include <stdio.h>

/*
 * counts.csv's line of the receive SQEs per request (counts.h, recv_sqes), where perf
 * counted them: not a system call, so neither in "other" nor in "all".
 */
#define COUNTPASS_RECV_SQES "sqe:recv"

/* A cell's counts per request, from its counting run; -1: unknown. */
struct countpass_cell {
	int scenario, model, mode, level; /* the plan's indexes and level */
	double syscalls, ctx_switches, migrations, instructions;
};

/* The pass under way: the cells counted so far and counts.csv. */
struct countpass {
	FILE *csv; /* counts.csv, open for appending */
	struct countpass_cell *cells;
	int n, cap;
};

/*
 * Can the pass run here (counts_probe)? 0 with a line for meta in what ("perf stat ..."),
 * or -1 with the reason there ("off: perf not found"): the run then says it once and
 * its count columns stay empty.
 */
int countpass_probe(char *what, size_t len);

/* Open run_dir/counts.csv (its header first): 0, or -1. */
int countpass_open(struct countpass *cp, const char *run_dir);

void countpass_close(struct countpass *cp);

/*
 * Keep the counting run out of one cell (its counts per completed request, only when it
 * was ok) and append its breakdown to counts.csv: a row per system call named, "other"
 * for the rest and "all" for every one, then COUNTPASS_RECV_SQES where counted, each per
 * request.
 */
void countpass_add(struct countpass *cp, const struct countpass_cell *key,
                   const struct record_ids *ids, const struct run_outcome *out);

/* Fill row's four counts from its cell's counting run (left unknown without one). */
void countpass_fill(const struct countpass *cp, const struct countpass_cell *key,
                    struct record_row *row);

/* The header of counts.csv, without the newline. */
const char *countpass_header(void);

#endif
