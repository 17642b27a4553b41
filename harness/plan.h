/* plan.h -- what to run, in which order: scenarios x models x modes x concurrency x reps. */
#ifndef PLAN_H
#define PLAN_H

#include "scenario.h"

#include <limits.h>
#include <stdio.h>

#define PLAN_MAX_MODELS 64
#define PLAN_MAX_LEVELS 16
#define PLAN_NAME_MAX   64
#define PLAN_MAX_CELLS  (SCENARIO_MAX * PLAN_NMODES * PLAN_MAX_LEVELS)
#define PLAN_REPS       3      /* repetitions of a scenario that names none */
#define PLAN_DURATION_S 2      /* seconds per run of a scenario that names none */
#define PLAN_REF_PREFIX "ref-" /* a model named ref-* is a reference server, not one of ours */

enum plan_mode { PLAN_CLOSE, PLAN_KEEPALIVE, PLAN_NMODES };

#define PLAN_FLAGS_MAX 128 /* a variant's flags, comma-joined (facts.h) */

struct plan_model {
	char name[PLAN_NAME_MAX]; /* the row's model: "epoll", or a variant "io_uring:sqpoll" */
	char base[PLAN_NAME_MAX]; /* the model itself ("io_uring"): its README, its Facts */
	char path[PATH_MAX];
	char flags[PLAN_FLAGS_MAX]; /* a variant's flags, comma-joined; "" for the model itself */
};

/* One scenario x mode x concurrency cell, with the repetitions and run length it gets. */
struct plan_cell {
	int scenario; /* index into plan.scenarios */
	int mode;
	int level;
	int reps;
	int duration_s;
};

/*
 * Each scenario brings its own modes, levels, repetitions and run length
 * (scenario.h); what the user gives here replaces them in every scenario.
 */
struct plan {
	struct plan_model models[PLAN_MAX_MODELS];
	int nmodels;
	const struct scenario *scenarios[SCENARIO_MAX];
	int nscenarios;
	int modes[PLAN_NMODES]; /* nmodes > 0: these modes in every scenario */
	int nmodes;
	int levels[PLAN_MAX_LEVELS]; /* nlevels > 0: these levels in every scenario */
	int nlevels;
	int quick;                              /* 1: each scenario's quick levels, 1 rep of 1 s */
	struct plan_cell cells[PLAN_MAX_CELLS]; /* explicit cells (--compare): when ncells > 0 */
	int ncells;                             /* they replace the scenarios' own */
	int reps;                               /* > 0: repetitions of every cell */
	int duration_s;                         /* > 0: time bound of every run */
	int warmup;                             /* 1: one discarded warm-up run per model first */
	int workers; /* > 0: --workers N given to every model; 0: not passed (their default) */
	/*
	 * The models' order inside a cell: 0, as listed in every repetition;
	 * else shuffled afresh for every cell and repetition from this seed
	 * (plan_model_order), so that a slow phase of the host does not fall on
	 * the same model in every repetition. plan_print records it.
	 */
	unsigned order_seed;
};

#define PLAN_ORDER_SEED 20 /* plan_defaults' order_seed */

/* One run of the plan. rep is 1-based; rep 0 marks a warm-up run. */
struct plan_run {
	int model;      /* index into plan.models */
	int scenario;   /* index into plan.scenarios */
	int mode;       /* enum plan_mode */
	int level;      /* concurrency */
	int duration_s; /* time bound of the run */
	int rep;
	int reps; /* the cell's repetitions */
};

/* "close" / "keepalive". */
const char *plan_mode_name(int mode);

/* The mode called name ("keepalive" also as "ka" or "k"), or -1. */
int plan_mode_parse(const char *name);

/*
 * The defaults: no models, every default scenario with its own modes, levels,
 * repetitions and run length (hello: close and keepalive, 1 8 32 128 512, 3
 * repetitions of 2 s; the others fewer), warm-up on.
 */
void plan_defaults(struct plan *p);

/*
 * Parse a list of whole numbers separated by blanks or commas ("1 8 32",
 * "1,8") into v (at most max). Returns the count, or -1 on anything that
 * is not a number in 0..100000 or on too many. 0 is a level only of the
 * scenarios whose levels are idle connections (scenario.h, scenario_is_idle);
 * the others skip it.
 */
int plan_parse_levels(const char *s, int *v, int max);

/* Parse "close keepalive" / "close,keepalive" into p->modes: 0 or -1. */
int plan_parse_modes(struct plan *p, const char *s);

/* 1 if name is a reference server's (PLAN_REF_PREFIX), else 0. */
int plan_is_reference(const char *name);

/* Remove every reference model from p, keeping the others' order; returns how many went. */
int plan_drop_references(struct plan *p);

/*
 * Parse a scenario list (scenario_parse_list) into p->scenarios: 0, or -1
 * with the unknown name in err.
 */
int plan_parse_scenarios(struct plan *p, const char *list, char *err, size_t errlen);

/*
 * Fill out (room for PLAN_MAX_CELLS) with the cells of the plan in execution
 * order: the explicit cells if any, else every scenario, inside it every mode,
 * and inside that every level. Returns the count.
 */
int plan_cells(const struct plan *p, struct plan_cell *out);

/* 1 if some cell of the plan is in mode, else 0. */
int plan_has_mode(const struct plan *p, int mode);

/* Add model name at path: 0, or -1 if the table is full or name is taken. */
int plan_add_model(struct plan *p, const char *name, const char *path);

/*
 * Add base's variant called variant (the model at base's path, run with
 * flags, comma-joined), named "base:variant". 0 (also when it is there
 * already), or -1: no model base, the table full, a name or flags too long.
 */
int plan_add_variant(struct plan *p, const char *base, const char *variant, const char *flags);

/*
 * Add every executable regular file in dir except "harness", in name order.
 * Returns how many were added, or -1 if dir cannot be read.
 */
int plan_discover(struct plan *p, const char *dir);

/*
 * Keep only the models named in list (blank/comma separated), in list order.
 * 0, or -1 with the unknown name in err.
 */
int plan_select(struct plan *p, const char *list, char *err, size_t errlen);

/* The number of measured runs (warm-ups excluded). */
int plan_count(const struct plan *p);

/*
 * Fill out (room for max) with every run in execution order: the warm-ups
 * (one per model, in the first cell) first, then repetitions outermost and,
 * inside each, the cells (plan_cells) that have that many repetitions and
 * then models innermost (in plan_model_order's order), so the models of one
 * cell run back to back and drift over time hits them alike. A paired scenario's cells of one mode
 * (scenario.h) instead go model by model, its levels innermost and reversed on even repetitions
 * (ABBA), so that one model's levels are seconds apart and can be compared within a repetition.
 * Returns the count, or -1 if max is too small.
 */
int plan_runs(const struct plan *p, struct plan_run *out, int max);

/*
 * The order of p's models in cell (plan_cells' index) at repetition rep into
 * order[0..p->nmodels): the listed order when p->order_seed is 0, else a
 * permutation drawn from the seed, the cell and the repetition (the same
 * every time they are the same). Pure.
 */
void plan_model_order(const struct plan *p, int cell, int rep, int *order);

/*
 * Expected wall time in seconds, with overhead_s per run for starting and
 * stopping: the warm-ups, the measured runs, and an open-loop scenario's
 * capacity run per model.
 */
double plan_estimate_s(const struct plan *p, double overhead_s);

/* Print the plan in a few lines to f. */
void plan_print(const struct plan *p, FILE *f);

#endif
