/*
 * report.h -- from rows to conclusions: the cells' statistics, their laws,
 * summary.csv and the ranking. report.md (report_md.h) and the charts
 * (plot.h) are written from these cells.
 */
#ifndef REPORT_H
#define REPORT_H

#include "cellstats.h"
#include "facts.h"
#include "meta.h"
#include "record.h"

#include <stdio.h>

#define REPORT_CLIENT_BOUND_PCT 90.0 /* the load tool at this % of its CPUs limited the cell */
#define REPORT_BANDWIDTH_BYTES                                                                     \
	65536 /* bodies this large: MB/s beside req/s; ranked by the                               \
	         machine's CPU where the client limited req/s */

/* One scenario x model x mode x concurrency cell; the statistics are over its ok repetitions. */
struct report_cell {
	char scenario[RECORD_WORD];
	char model[RECORD_WORD];
	char mode[RECORD_WORD];
	int concurrency;
	int idle_conns; /* idle connections held beside the load (an idle scenario's level) */
	int runs;
	int ok;
	double rps_median, rps_min, rps_max, rps_mean, rps_sd;
	double p50_median, p99_median, cpu_us_median;
	double cpu_us_mean, cpu_us_sd; /* server CPU µs per request over the ok repetitions */
	double run_s;                  /* the longest ok repetition's run length */
	long maxrss_kb_max;
	double client_cpu_max;
	double client_cpu_median;
	int client_bound;       /* client_cpu_max >= REPORT_CLIENT_BOUND_PCT */
	int client_unknown;     /* ok runs whose load tool's CPU is unknown (client_cpu_pct < 0) */
	int reference;          /* a reference server (plan_is_reference), not a model of ours */
	char tool[RECORD_WORD]; /* the load tool of the cell's rows */
	char statuses[96];      /* "ok:3", "ok:2 crashed:1" */
	/*
	 * Honesty checks (health.h). A starved or noisy cell keeps its ok runs:
	 * the numbers are what was measured; the marks say what they mean.
	 */
	double served_median; /* median served_conns of the ok runs; -1: unknown */
	int starved;          /* served_median below HEALTH_STARVED_FRACTION x concurrency */
	double other_cpu_max; /* highest other_cpu_pct of the cell's runs; -1: unknown */
	int noisy;            /* how many of the cell's runs were noisy (health_noisy) */
	/* The scenario's law (report_apply_laws): the most req/s the model can serve here. */
	double bound;       /* req/s; -1: no law, or the model's facts are unknown */
	char law[128];      /* how it was worked out, or why there is none */
	long mem_kb_median; /* the server tree's PSS (server_mem_kb), median of the ok runs; -1 */
	/*
	 * Slopes against idle_conns over the ok cells of the same scenario, model
	 * and mode (least squares; NAN with fewer than 2 levels): what one more idle
	 * connection costs.
	 */
	double mem_per_idle_b;  /* bytes of PSS per idle connection */
	double cpu_per_1k_idle; /* server CPU µs per request per 1000 idle connections */
	/*
	 * Outcomes apart, medians over the ok repetitions: 2xx answers a second
	 * (an older row without it: its req/s, as an ok row had only 2xx) and 503
	 * answers a second (-1: unknown, the tool cannot tell them apart).
	 */
	double goodput_median;
	double rejected_median;
	int admission; /* the model's Facts say admission=yes (report_apply_laws) */
	int parallel;  /* its Facts' enum facts_parallel; -1: unknown (report_apply_laws) */
	int family;    /* its Facts' enum facts_family (report_apply_laws) */
	/*
	 * The paired ratio of an idle scenario's cell with N > 0 idle connections:
	 * its server CPU per request over that at N = 0 of the same model, mode
	 * and repetition (the plan runs them seconds apart: scenario.h, paired),
	 * over the repetitions where both runs are ok. NAN without a pair.
	 */
	double pair_median, pair_min, pair_max;
	int pairs;
	int wait; /* the model's enum facts_wait (report_apply_laws); UNKNOWN until then */
	/*
	 * A mix's classes (record.h), medians over the ok repetitions; -1: none. The level-0
	 * cell of the mixed scenario holds each class's capacity in short_rps and long_rps.
	 */
	double short_p50_us, short_p99_us, short_mean_us, long_p99_us, short_rps, long_rps;
	/* The workers' balance: the median Jain's index of the ok repetitions (-1: unknown) and
	 * the shares of the first ok repetition that has them ("" : none). */
	double jain_median;
	char worker_shares[RECORD_SHARES];
	int discipline; /* the model's enum facts_discipline (report_apply_laws) */
	/*
	 * A mix's laws (report_apply_laws, mixlaw.h) from the capacity cell's service times and
	 * this cell's class rates: the load, the short class's service time, P-K's mean wait and
	 * short mean (FCFS), processor sharing's short mean, and the short p99 each discipline
	 * gives in a simulation of the same arrivals (mixlaw_simulate), in us. -1: no law (no
	 * mix, a cell or capacity not ok, or saturated).
	 */
	double mix_rho, short_service_us, fcfs_wait_us, fcfs_short_us, ps_short_us;
	double fcfs_p99_us, ps_p99_us;
	struct cell_window w; /* the load window's figures and marks (cellstats.h) */
	/* The counting pass's counts per request (countpass.h), medians of the ok rows; -1. */
	double syscalls_median, ctx_switches_median, migrations_median, instructions_median;
};

#define REPORT_READY_TOLERANCE 1.05 /* wait=ready: the paired ratio at most this (+5 %) */

/*
 * Fill every cell's bound and law from its scenario's law (scenario.h), the
 * model's facts in env (meta_read_env; unknown without them), the server CPUs and workers,
 * and its wait from the facts' wait= key.
 */
void report_apply_laws(struct report_cell *c, int n, const struct meta_env *env);

/*
 * Group rows into cells, sorted by scenario, model, mode and concurrency (so
 * a scenario's cells are one slice). *cells is malloc'ed; bound is -1 until
 * report_apply_laws. 0, or -1 when out of memory.
 */
int report_summarize(const struct record_row *rows, int n, struct report_cell **cells, int *ncells);

/*
 * The repetitions planned per cell, as far as the rows tell: the most rows
 * any cell has (every cell of a plan has the same repetitions).
 */
int report_planned_reps(const struct report_cell *c, int n);

/* 1 if cell has fewer ok repetitions than planned (or any run not ok), else 0. */
int report_cell_short(const struct report_cell *cell, int planned);

/* Write cells as summary.csv at path: 0 or -1. */
int report_write_summary(const char *path, const struct report_cell *c, int n);

/* model's name for tables and legends: "ref-nginx (reference)" for a reference, into buf. */
const char *report_label(const char *model, char *buf, size_t len);

/*
 * The cell's level: its idle connections in a scenario whose levels are idle
 * connections (report_is_idle), else its concurrency.
 */
int report_level(const struct report_cell *c);

/* 1 if c's scenario's levels are idle connections (scenario_is_idle), else 0. */
int report_is_idle(const struct report_cell *c);

/* "c" or "idle": what a level of c's scenario counts. */
const char *report_level_word(const struct report_cell *c);

/*
 * 1 if c is an open-loop scenario's capacity cell (level 0: the closed-loop
 * keep-alive run that measured the capacity its levels are shares of,
 * record_is_capacity), else 0. It is no level of any mode's table, chart or
 * ranking: report.md gives it a table of its own.
 */
int report_is_capacity(const struct report_cell *c);

/* 1 if c is a cell of mode's tables, charts and ranking: of mode, and no capacity cell. */
int report_in_mode(const struct report_cell *c, const char *mode);

/*
 * The capacity cell of x's model and scenario among c[0..n): that of x's mode (a mix measures
 * one in each mode), else the one there is whatever its mode (keep-alive), or NULL.
 */
const struct report_cell *report_capacity(const struct report_cell *c, int n,
                                          const struct report_cell *x);

#define REPORT_MAX_MODES 8

/*
 * The distinct modes of the cells c[0..n) (capacity cells left out: they are
 * of no mode's levels), in order of first appearance, into modes: how many.
 */
int report_modes(const struct report_cell *c, int n, const char *modes[REPORT_MAX_MODES]);

/* "scenario hello (GET /)" for the scenario of cell c, into buf; returns buf. */
const char *report_title(const struct report_cell *c, char *buf, size_t len);

/*
 * An idle scenario's slopes to f, a line per model and mode of c[0..n) (one
 * scenario's; nothing for another kind): memory per idle connection, CPU per
 * request per 1000 idle connections, and CPU per request at the most idle
 * connections against none; then its paired ratios with the wait law's verdict.
 */
void report_idle_slopes(FILE *f, const struct report_cell *c, int n);

/* The cell of model, mode and concurrency level among c[0..n) (one scenario's), or NULL. */
const struct report_cell *report_find_cell(const struct report_cell *c, int n, const char *model,
                                           const char *mode, int level);

/* The end of the scenario slice of c[0..n) (report_summarize's order) that starts at start. */
int report_slice_end(const struct report_cell *c, int n, int start);

#endif
