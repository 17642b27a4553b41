/* compare.h -- `make bench-compare`: our models against a reference server, and the bar. */
#ifndef COMPARE_H
#define COMPARE_H

#include "plan.h"
#include "report.h"

#include <stdio.h>

#define COMPARE_REF         "ref-nginx" /* the reference every ratio is taken against */
#define COMPARE_KA_TOOL     "wrk"       /* the keep-alive cell's tool */
#define COMPARE_CLOSE_TOOL  "ab"        /* the close cell's tool */
#define COMPARE_MIN_REPS    5           /* fewer repetitions: the verdicts are indicative */
#define COMPARE_KA_LEVEL    64          /* keep-alive cell: wrk at c=64 */
#define COMPARE_CLOSE_LEVEL 32          /* close cell: ab at c=32 */
#define COMPARE_PIPE_LEVEL  64          /* pipelined cell: wrk, 16 requests a write, at c=64 */
#define COMPARE_BAR_KA      1.25        /* fastest keep-alive model's rps over the reference's */
#define COMPARE_BAR_CLOSE   1.1         /* fastest close-mode model's rps over the reference's */
#define COMPARE_BAR_CPU     0.8         /* least CPU per request over the reference's, at most */

/* The verdict on one cell (a scenario, mode and concurrency the reference ran in). */
struct compare_verdict {
	char scenario[RECORD_WORD];
	char mode[RECORD_WORD];
	int level;
	char tool[RECORD_WORD];
	char best[RECORD_WORD]; /* our fastest model by median req/s ("" if none ran ok) */
	char lean[RECORD_WORD]; /* our model with the least median server CPU per request */
	int measured;           /* 1: the reference and best both have ok runs */
	double rps_ratio;       /* best's median req/s / the reference's */
	double rps_bar; /* COMPARE_BAR_KA (keep-alive, pipelined too) or COMPARE_BAR_CLOSE */
	int rps_met;
	double cpu_ratio;      /* lean's median server CPU us/req / the reference's: the headline */
	int cpu_met;           /* cpu_ratio <= COMPARE_BAR_CPU */
	double ref_client_pct; /* highest client CPU % (of the tool's CPUs), the reference's and */
	double best_client_pct; /* best's runs */
	/*
	 * 1: the load tool reached REPORT_CLIENT_BOUND_PCT of its CPUs in a run of
	 * the reference or of best, so it, not the server, set the req/s: the req/s
	 * ratio is not stated. -1: unknown (its CPU was not measured in a run), not
	 * stated either. 0: both below in every run.
	 */
	int client_bound;
	int min_ok; /* fewest ok repetitions among the reference and best */
};

/*
 * The verdicts for every cell of ref in c[0..n) (report_summarize's cells)
 * into v (room for max): the bar's scenario's (SCENARIO_COMPARE_BAR) keep-alive cells, then its
 * close cells, then those of other scenarios (the pipelined cell). A cell is a scenario, mode and
 * concurrency: our models are the cells that are not references; best is the one with the highest
 * median req/s, lean the one with the least median server CPU per request. Pure. Returns the count.
 */
int compare_verdicts(const struct report_cell *c, int n, const char *ref, struct compare_verdict *v,
                     int max);

/*
 * Write the comparison to f as markdown: per cell a table row per model (the
 * reference first, then ours by median req/s) with median req/s, the ratio to
 * ref ("client-bound" where the load tool was at REPORT_CLIENT_BOUND_PCT of
 * its CPUs in either row, "unknown" where its CPU is), median server CPU
 * us/req and its ratio, median client CPU %, ok repetitions; then per cell the
 * headline, server CPU per request ("keep-alive c=64 (wrk): least server CPU
 * per request of ours (epoll): 0.84 x nginx (bar 0.8): NOT met"; a scenario
 * other than the bar's names itself: "pipeline keep-alive c=64 (wrk)"),
 * and the req/s verdict ("fastest keep-alive model: X at 1.04 x nginx (bar 1.25): NOT
 * met") only where the tool was below REPORT_CLIENT_BOUND_PCT in both the
 * reference's and X's runs, else "client-bound: req/s not comparable"; under
 * each verdict its caveats: a compared cell (the reference's, best's, lean's)
 * noisy (§) or from a slow phase of the host (¤), and a lean model that serves
 * one connection at a time (Facts parallel=1 wait=-).
 * ref_why, if not NULL, says why the reference did not run (it is shown when
 * it has no ok run).
 */
void compare_write(FILE *f, const struct report_cell *c, int n, const char *ref,
                   const char *ref_why);

/*
 * Write compare.md at path: a title, the meta lines that place the numbers
 * (date, CPU, kernel, pinning, tool and reference versions, commit) from the
 * run's meta text, and compare_write's table and verdicts. 0 or -1.
 */
int compare_write_md(const char *path, const char *run_id, const struct report_cell *c, int n,
                     const char *ref, const char *ref_why, const char *meta);

/*
 * The --compare plan into p: the bar's scenario (scenario.h, SCENARIO_COMPARE_BAR)
 * keep-alive at COMPARE_KA_LEVEL then close at COMPARE_CLOSE_LEVEL, then the
 * pipelined one (SCENARIO_COMPARE_PIPELINED) keep-alive at
 * COMPARE_PIPE_LEVEL (the scenario brings its tool and script), COMPARE_MIN_REPS
 * repetitions of 2 s unless given (set_reps, set_duration: p's are kept).
 */
void compare_plan_cells(struct plan *p, int set_reps, int set_duration);

/*
 * The models of a --compare run into list: COMPARE_REF first, then those
 * named in models (blank/comma separated; NULL or empty: every model of p
 * that is not a reference). 0, or -1 if list is too small.
 */
int compare_model_list(const struct plan *p, const char *models, char *list, size_t len);

/*
 * The comparison with COMPARE_REF at the end of a --compare run: to stdout and
 * as compare.md in run_dir (compare_write_md). ref_why (may be NULL) says why
 * the reference was skipped.
 */
void compare_finish(const char *run_dir, const char *run_id, const struct report_cell *cells,
                    int ncells, const char *ref_why, const char *meta);

#endif
