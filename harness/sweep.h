/* sweep.h -- a plan's runs one by one: warm-ups, open-loop capacities, a row each, progress. */
#ifndef SWEEP_H
#define SWEEP_H

#include "countpass.h"
#include "facts.h"
#include "plan.h"
#include "run.h"
#include "toolplan.h"

#include <stdio.h>

#define SWEEP_OVERHEAD_S 0.1 /* start and stop of one run, measured at c=512, for the estimate */

/* What the sweep keeps for the end: why each reference was skipped, if it was. */
struct sweep_notes {
	char ref_why[PLAN_MAX_MODELS][256];
};

/* One sweep: the plan, how to run it, and where its rows go. */
struct sweep {
	const struct plan *plan;
	const struct run_cfg *cfg;
	const struct tool_plan *tools;
	const struct facts *facts; /* facts[i]: plan->models[i]'s Facts line */
	const char *run_id;
	FILE *csv;                 /* results.csv, open for appending */
	struct sweep_notes *notes; /* filled as the runs go */
	struct countpass *count;   /* the counting pass; NULL: none (off, or perf cannot) */
};

/*
 * Do every run of s->plan (plan_runs' order) and append a row per measured
 * run to s->csv, with a progress line each on stdout; an open-loop scenario's
 * capacity is measured (and recorded at level 0) before a model's first run
 * at a share of it; with s->count, each cell's counting run comes just before
 * its first timed one, and every row of the cell carries its counts. Returns the signal that
 * stopped it, 0 when every run was made, or -1 when out of memory.
 */
int sweep_run(const struct sweep *s);

#endif
