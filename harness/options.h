/* options.h -- bin/harness's command line: one table row per option, its help generated. */
#ifndef OPTIONS_H
#define OPTIONS_H

#include "plan.h"

/* What the command line chose; options_parse fills it from the table in options.c. */
struct options {
	struct plan plan; /* first: an option row's given offset 0 means "none" */
	const char *bin_dir, *models, *tool, *host, *results, *plots, *scripts, *compiler, *replot;
	const char *close_tool;                /* close mode's tool when it must differ: ab */
	const char *client_cpus, *server_cpus; /* --client-cpus, --server-cpus; NULL: the split */
	const char *client_prefix;             /* --client-prefix; NULL: none */
	int client_threads;                    /* --client-threads; 0: the client CPUs */
	const char *scenarios, *models_dir;
	const char *model_paths[PLAN_MAX_MODELS];
	int nmodel_paths, allow_remote, pin, dry_run, start_wait_ms, sock_timeout_s;
	int no_warmup;      /* --no-warmup (--quick implies it) */
	int refs;           /* --refs: reference servers (ref-*) join the default plan */
	int compare;        /* --compare: the bench-compare plan and table */
	int ladder;         /* --ladder: the bench-ladder plan (ladder.h) */
	int count;          /* --count: the counting pass (1, the default) or none (0) */
	int profile;        /* --profile: the counting runs also perf record -g (make explain) */
	int files_mib;      /* --files-mib: the files scenarios' set size */
	int files_delay_ms; /* --files-delay-ms: the set behind bin/tools/slowfs; 0: not */
	int set_reps, set_duration, set_cells, set_tool, set_count; /* given on the command line */
};

/*
 * Parse argv into o (the defaults first, then each option by its row), check
 * what the rows cannot (--client-prefix's words, --compare's exclusions) and
 * apply --compare's or --ladder's plan. Exits 2 with a message on bad input, 0 after --help.
 */
void options_parse(int argc, char **argv, struct options *o);

/*
 * 1 if o runs the full default plan: every model and default scenario with
 * their own modes, levels, repetitions and run length (no --models,
 * --scenarios, --modes, --levels, --reps, --duration, --quick or --compare),
 * else 0. Such a run is the one results/last-full names.
 */
int options_full_plan(const struct options *o);

/* "harness: msg: arg" and "try --help" on stderr, then exit 2 (arg may be NULL). */
void options_die(const char *msg, const char *arg);

#endif
