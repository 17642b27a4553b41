/* report.h -- from rows to conclusions: summary.csv, report.md, charts, the ranking. */
#ifndef REPORT_H
#define REPORT_H

#include "facts.h"
#include "record.h"

#include <stdio.h>

#define REPORT_CLIENT_BOUND_PCT 90.0 /* the load tool at this % of its CPUs limited the cell */

/* One scenario x model x mode x concurrency cell; the statistics are over its ok repetitions. */
struct report_cell {
	char scenario[RECORD_WORD];
	char model[RECORD_WORD];
	char mode[RECORD_WORD];
	int concurrency;
	int idle_conns; /* idle connections held beside the load (an idle_load_c scenario's level)
	                 */
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
	 * The load window's figures over the ok repetitions (cellstats.h; -1 where
	 * no row knows them, as in files older than those columns).
	 */
	double cpu_us_min, cpu_us_max;                /* server CPU µs per request */
	double sys_us_median, sys_us_min, sys_us_max; /* every CPU's, per request */
	double client_us_median;                      /* the load tool's CPU µs per request */
	double start_cpu_median, exit_cpu_median;     /* the server's CPU s before and after */
	double littles_median;                        /* closed loop: Little's ratio */
	int littles_off; /* littles_median off 1 by > HEALTH_LITTLES_OFF (and not unserved) */
	int unserved;    /* † by Little's law: some connections never served (health_unserved) */
	int slow;        /* runs whose calibration was off the whole run's median (calib_off) */
	double p99_min, p99_max; /* the repetitions' p99, ms */
	double max_median;       /* the repetitions' maximum latency, ms */
	double samples_median;   /* latencies a repetition's percentiles came from; -1: unknown */
	double kmem_per_idle_b;  /* idle: the server's kernel memory per held connection; -1 */
};

#define REPORT_READY_TOLERANCE 1.05 /* wait=ready: the paired ratio at most this (+5 %) */

#define REPORT_MAX_FACTS 64

/* What the laws need of a run, read back from its meta (report_env_parse). */
struct report_env {
	int server_cpus; /* 0: unknown (taken as 1) */
	int workers;     /* --workers given to every model; 0: not passed */
	int nfacts;
	char model[REPORT_MAX_FACTS][RECORD_WORD];
	struct facts facts[REPORT_MAX_FACTS]; /* model[i]'s Facts line */
	/*
	 * The scenarios whose meta line says they gave every model their own pool
	 * ("(every model: --workers N)"): a run made before a scenario had one did
	 * not, and today's law for it would not be that run's.
	 */
	int npooled;
	char pooled[REPORT_MAX_FACTS][RECORD_WORD];
};

/*
 * Read the "server cpus:", "workers:", "facts MODEL:" and "scenario NAME:"
 * lines of a run's meta text (meta.h; may be NULL: nothing known) into env.
 */
void report_env_parse(const char *meta, struct report_env *env);

/*
 * Fill every cell's bound and law from its scenario's law (scenario.h), the
 * model's facts in env (unknown without them), the server CPUs and workers,
 * and its wait from the facts' wait= key.
 */
void report_apply_laws(struct report_cell *c, int n, const struct report_env *env);

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
 * Write, per scenario and mode, the hyperfine-style ranking at the mode's highest
 * concurrency with an ok run ("epoll ran 1.84 ± 0.05 x faster than thread",
 * mean ± propagated standard deviation of req/s) to f, noting cells the load
 * tool limited and starved cells ("(starved: N of C connections served; p99 >=
 * the 2 s run)"). When the top cell is client bound, req/s ranks the load
 * generator, so the mode is ranked by server CPU per request instead, and
 * says so. With fewer than 2 ok repetitions on either side no spread is
 * printed ("1 repetition: no spread").
 * References are ranked with the rest but labelled "(reference)". Where a
 * cell has a bound, its req/s is given as a share of it ("= 98 % of the
 * 3,200 bound").
 */
void report_ranking(FILE *f, const struct report_cell *c, int n);

/*
 * Write report.md at path: per scenario its target, what it shows and its
 * law, then per mode a table of req/s and one of server CPU µs per request; a
 * starved cell's p99 is given as at least the run length; then per mode a table of req/s and p99
 * per model and concurrency (references labelled, with a note saying what they are; cells marked
 * when short of ok repetitions, starved, noisy or client bound, with a legend line for each mark
 * present), the ranking, the charts (image links relative to charts_rel) and the meta text. 0 or
 * -1.
 */
int report_write_md(const char *path, const char *run_id, const char *charts_rel,
                    const struct report_cell *c, int n, const char *meta);

/*
 * Draw the charts (<scenario>-<kind>-<mode>.png) into outdir with gnuplot (gnuplot_path) and the
 * scripts in scripts_dir from the summary.csv at summary; gnuplot's messages go to
 * outdir/gnuplot.log. Returns how many charts failed (0: all drawn), or -1
 * if nothing could be drawn.
 */
int report_plots(const char *gnuplot_path, const char *scripts_dir, const char *summary,
                 const char *outdir, const char *run_id, const struct report_cell *c, int n);

/*
 * The cell's level: its idle connections in a scenario whose levels are idle
 * connections (scenario.h, idle_load_c), else its concurrency.
 */
int report_level(const struct report_cell *c);

/* The cell of model, mode and concurrency level among c[0..n) (one scenario's), or NULL. */
const struct report_cell *report_find_cell(const struct report_cell *c, int n, const char *model,
                                           const char *mode, int level);

/* The end of the scenario slice of c[0..n) (report_summarize's order) that starts at start. */
int report_slice_end(const struct report_cell *c, int n, int start);

#endif
