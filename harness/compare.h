/* compare.h -- `make bench-compare`: our models against a reference server, and the bar. */
#ifndef COMPARE_H
#define COMPARE_H

#include "plan.h"
#include "report.h"

#include <stdio.h>

#define COMPARE_REF         "ref-nginx" /* the reference every ratio is taken against */
#define COMPARE_KA_TOOL     "wrk"       /* the keep-alive cell's tool (close: ab, the default) */
#define COMPARE_SCENARIO    "hello"     /* the scenario the bar is set on */
#define COMPARE_MIN_REPS    5           /* fewer repetitions: the verdicts are indicative */
#define COMPARE_KA_LEVEL    64          /* keep-alive cell: wrk at c=64 */
#define COMPARE_CLOSE_LEVEL 32          /* close cell: ab at c=32 */
#define COMPARE_BAR_KA      1.25        /* fastest keep-alive model's rps over the reference's */
#define COMPARE_BAR_CLOSE   1.1         /* fastest close-mode model's rps over the reference's */
#define COMPARE_BAR_CPU     0.8         /* its CPU per request over the reference's, at most */

/* The verdict on one cell (a mode and concurrency the reference ran in). */
struct compare_verdict {
	char mode[RECORD_WORD];
	int level;
	char tool[RECORD_WORD];
	char best[RECORD_WORD]; /* our fastest model by median req/s ("" if none ran ok) */
	int measured;           /* 1: the reference and best both have ok runs */
	double rps_ratio;       /* best's median req/s / the reference's */
	double rps_bar;         /* COMPARE_BAR_KA or COMPARE_BAR_CLOSE */
	int rps_met;
	double cpu_ratio;      /* best's median server CPU us/req / the reference's */
	int cpu_met;           /* cpu_ratio <= COMPARE_BAR_CPU */
	double ref_client_pct; /* median client CPU %, the reference's and best's runs */
	double best_client_pct;
	int client_bound; /* either >= REPORT_CLIENT_BOUND_PCT: the load tool set the rps */
	int min_ok;       /* fewest ok repetitions among the reference and best */
};

/*
 * The verdicts for every cell of ref in c[0..n) (report_summarize's cells),
 * in c's order, into v (room for max). Our models are the cells that are not
 * references; best is the one with the highest median req/s. Pure. Returns
 * the count.
 */
int compare_verdicts(const struct report_cell *c, int n, const char *ref, struct compare_verdict *v,
                     int max);

/*
 * Write the comparison to f as markdown: per cell a table row per model (the
 * reference first, then ours by median req/s) with median req/s, the ratio to
 * ref, median server CPU us/req and its ratio, median client CPU %, ok
 * repetitions; then the verdict lines ("fastest keep-alive model: X at 1.04 x
 * nginx (bar 1.25): NOT met", the CPU lines, and a line per cell the load
 * generator limited). ref_why, if not NULL, says why the reference did not
 * run (it is shown when it has no ok run).
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
 * The --compare plan into p: COMPARE_SCENARIO only, keep-alive at
 * COMPARE_KA_LEVEL then close at COMPARE_CLOSE_LEVEL, COMPARE_MIN_REPS
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
