/* scenario.h -- the workloads the harness measures: one table, a row per scenario. */
#ifndef SCENARIO_H
#define SCENARIO_H

#include "facts.h"

#include <sched.h>
#include <signal.h>
#include <stddef.h>

#define SCENARIO_MAX  16 /* rows the table may grow to */
#define SCENARIO_NAME 32

/*
 * What a scenario's levels are, and so how a run of it is made. Every part of
 * the harness asks the predicates below (scenario_is_open, ...), never the
 * fields a kind happens to need (capacity_conns, idle_load_c, the hooks).
 */
enum scenario_kind {
	SCENARIO_CLOSED_LOOP =
	    0, /* a closed loop: a level is concurrency, the tool's connections */
	SCENARIO_IDLE_BESIDE_LOAD, /* idle connections (the level) beside a closed loop of
	                              idle_load_c */
	SCENARIO_OPEN_LOOP, /* an open loop: a level is a share of capacity, offered as a rate */
};

/* What --compare (compare.h) measures a scenario for, if anything. */
enum scenario_compare {
	SCENARIO_COMPARE_NONE = 0,
	SCENARIO_COMPARE_BAR,       /* the cells the bar is set on: keep-alive and close */
	SCENARIO_COMPARE_PIPELINED, /* the pipelined cell (the row brings its tool and script) */
};

/* What a law is given to bound one cell: the model's facts and the run's conditions. */
struct law_input {
	const struct facts *facts; /* NULL or !facts->known: the bound is unknown, never guessed */
	int concurrency;
	int server_cpus; /* CPUs the server may run on (its pinned set) */
	int workers;     /* --workers given to every model; 0: not passed (the Facts default) */
	int max_conns;   /* --max-conns of the models (FACTS_MAX_CONNS: not passed) */
};

/* What a scenario's run-time hooks see of one run. */
struct scenario_load {
	const char *addr; /* the server's address ("127.0.0.1") and port */
	int port;
	int concurrency;
	int idle; /* idle connections to hold beside the load (idle_load_c scenarios) */
	int duration_s;
	volatile sig_atomic_t *stop; /* raised by a signal: the hooks give up waiting */
	void *state;                 /* the hooks' own, from before_load to after_load */
	void *start_state;           /* before_start's own, until after_stop */
	/*
	 * Set by before_load when it holds connections (idle): the server's share
	 * of the kernel memory they took (kmem.h), in kB; -1: unknown or none.
	 */
	long server_kmem_kb;
	/* From the run's configuration, for the hooks (the files rows): */
	const char *tools_dir;      /* the harness's own tools (bin/tools: fileset) */
	int files_mib;              /* the file set's size in MiB (--files-mib) */
	int files_delay_ms;         /* > 0: the set served through slowfs (--files-delay-ms) */
	const char *raw_prefix;     /* raw/<tag>: a hook's own files start with it */
	const char *tool_path;      /* the row's load tool: a second one runs the hot clients */
	const char *script;         /* the row's script, resolved from the tree's root */
	const cpu_set_t *tool_cpus; /* where the tool runs; NULL: anywhere */
	/* Set by before_start, before the server starts: */
	char docroot[512];
	char server_args[640]; /* comma-joined flags after the model's own ("--docroot,DIR") */
	char script_args[128]; /* the tool script's arguments, blank separated; "": none */
	/* Set by the hooks, -1 unknown or not measured (results.csv's columns of the same names):
	 */
	double disk_lat_us; /* the disk's random-read latency (fileset --disk-latency's median) */
	double hot_p99_ms;  /* the hot clients' p99 beside the load */
	long disk_reads; /* reads the docroot's device completed over the load (/proc/diskstats) */
	long disk_read_kb; /* and the kB they read */
};

/* What a files row is for in the report (report_files.h): which column it fills. */
enum scenario_files_role {
	SCENARIO_FILES_NONE = 0, /* not a files row */
	SCENARIO_FILES_SENDFILE, /* warm, as fast as it goes, sendfile */
	SCENARIO_FILES_READ,     /* the same with read + write */
	SCENARIO_FILES_HOT_WARM, /* paced beside the hot clients, the set cached */
	SCENARIO_FILES_HOT_COLD, /* the same, the set evicted */
};

/*
 * A files row (issue 24): how the set is cached before the run and how the load is made.
 * Every model then gets --docroot (the set) and the row's server_args (--file-io).
 */
struct scenario_files {
	enum scenario_files_role role;
	int cold;         /* 1: the set evicted file by file, the hot subset kept; 0: all cached */
	int pause_ms;     /* each mix connection's pause between a reply and its next request */
	int hot_conns;    /* > 0: this many connections ask only for the hot subset beside it */
	int hot_pause_ms; /* and pause this long between requests */
};

/*
 * One scenario. Adding one is adding a row to the table in scenario.c: every
 * part of the harness (plan, run, verification, summary, report, charts,
 * ranking) reads the row, none names a scenario.
 */
struct scenario {
	const char *name;         /* results.csv's scenario column, chart names */
	enum scenario_kind kind;  /* closed loop (the default), idle beside a load, open loop */
	const char *target;       /* the request target ("/sleep/10") */
	const char *modes;        /* the modes it runs in ("close keepalive") */
	const char *levels;       /* concurrency levels of make bench-all */
	const char *quick_levels; /* ... of make bench-quick */
	int reps;                 /* repetitions; 0: the plan's default */
	int duration_s;           /* seconds per run; 0: the plan's default */
	long body_bytes;          /* the body length every answer must have (verification) */
	int opt_in;               /* 1: runs only when named in --scenarios */
	const char *group; /* a name --scenarios also takes for every row of it ("files"); NULL */
	enum scenario_compare compare; /* what --compare runs it for; 0: nothing */
	int legacy; /* 1: what every run measured before there were scenarios (old rows) */
	/*
	 * SCENARIO_IDLE_BESIDE_LOAD: the levels are idle keep-alive connections held open beside a
	 * load of this many keep-alive connections (results.csv: concurrency is this, idle_conns
	 * the level). The model then gets --timeout longer than the run and --max-conns above both,
	 * and both sides a raised RLIMIT_NOFILE.
	 */
	int idle_load_c;
	/*
	 * 1: the runs of one repetition go model by model, each model's levels
	 * back to back, in reverse order on even repetitions (ABBA: 0 1000 10000,
	 * then 10000 1000 0), so that a level is compared with its neighbours
	 * seconds apart and a slow drift favours none. 0: the levels of a cell
	 * run across every model before the next (plan.h, plan_runs).
	 */
	int paired;
	const char *shows; /* one line: what the scenario shows */
	/*
	 * The law: the most req/s a model can serve in this scenario, from its
	 * facts and the run's conditions, with how it was worked out in how
	 * ("min(c=32, W=256) x 1000/10 ms"). Returns -1 when there is no law or
	 * the facts are unknown (how says which). NULL: no law at all.
	 */
	double (*law)(const struct scenario *s, const struct law_input *in, char *how, size_t len);
	const char *law_text; /* the law in words for the report; NULL without one */
	/* Special run-time needs; NULL members are not needed. */
	const char *tool;   /* this load tool in every mode (an open-loop tool), not the plan's */
	const char *script; /* a file given to the tool (a wrk Lua script), from the tree's root */
	/*
	 * An open loop of a mix of targets (loadgen --mix, "/cpu/10:995,/cpu/10000:5"; target is
	 * then "/"): each class is run apart, closed-loop as above, its capacity being what one
	 * server CPU serves of it (its requests over the server's CPU seconds), and the mix's is
	 * 1 / sum(share / capacity) (mixlaw.h). NULL: the one target.
	 */
	const char *mix;
	/*
	 * > 0: an open loop whose levels are requests per connection (loadgen
	 * --requests-per-conn: connection churn), each offered at this % of the
	 * model's capacity. 0: the levels are the % of capacity.
	 */
	int churn_pct;
	/*
	 * SCENARIO_OPEN_LOOP (tool is an open-loop one): each level is a percentage of
	 * the model's capacity, measured closed-loop in keep-alive at this many
	 * connections; the tool offers that share as a rate over load_conns
	 * connections.
	 */
	int capacity_conns;
	/*
	 * The open-loop tool's connections: more than the pool's workers, so that
	 * the tool's own connections are not what limits a pool and the excess
	 * reaches the model (its backlog, its queue or its 503).
	 */
	int load_conns;
	/* > 0: every model gets --workers this (over the plan's --workers): a small pool to
	 * overload */
	int workers;
	/* > 0: every model gets --max-conns this (a per-connection design's cap, a queue's depth)
	 */
	int max_conns;
	const char *level_axis; /* what the levels are, for the charts; NULL: concurrency */
	/*
	 * The cells `make bench-ladder` (--ladder, ladder.h) runs of this row: MODE LEVEL...
	 * groups separated by ';' ("keepalive 1 64 512; close 64"). NULL: none.
	 */
	const char *ladder;
	const char *server_args; /* comma-joined flags every model gets here ("--file-io,read") */
	/* 1: the tool runs a thread per connection (a script that pairs replies with requests) */
	int thread_per_conn;
	const struct scenario_files *files; /* a files row's set and load; NULL: not one */
	/*
	 * Before the server starts (the files rows: the set made ready, the server's and the
	 * script's arguments in l): 0, or -1 (why in why; the run is a scenario_error).
	 */
	int (*before_start)(const struct scenario *s, struct scenario_load *l, char *why,
	                    size_t len);
	/* After the server listens, before the load (idle connections): 0, or -1 (why in why). */
	int (*before_load)(const struct scenario *s, struct scenario_load *l, char *why,
	                   size_t len);
	/*
	 * After the load, before the server is stopped: frees what before_load
	 * holds. 1 with the run's status in verdict ("refused: 8977 of 10000 idle
	 * connections"; it replaces ok or errors, never a crash), else 0.
	 */
	int (*after_load)(const struct scenario *s, struct scenario_load *l, char *verdict,
	                  size_t len);
	/*
	 * After the server is gone, on every path once before_start succeeded (an interrupt,
	 * a server that never listened): undoes before_start (a files row's slowfs mount).
	 */
	void (*after_stop)(const struct scenario *s, struct scenario_load *l);
};

/* The table's rows in order: *n of them. */
const struct scenario *scenario_table(int *n);

/* The scenario called name, or NULL. */
const struct scenario *scenario_find(const char *name);

/* The row --compare runs for what (scenario.compare), or NULL. */
const struct scenario *scenario_for_compare(enum scenario_compare what);

/* The row whose name a results.csv row written before the scenario column gets (legacy). */
const struct scenario *scenario_legacy(void);

/*
 * Parse a blank/comma separated list of names ("hello sleep"; "all" is every
 * row, opt-in ones too; a group, "files", each of its rows) into out (room for max), in table
 * order, each once. Returns the count, or -1 with the unknown name in err.
 */
int scenario_parse_list(const char *list, const struct scenario **out, int max, char *err,
                        size_t errlen);

/* The default scenarios (every row that is not opt-in), in table order, into out: the count. */
int scenario_defaults(const struct scenario **out, int max);

/*
 * Every name of the table, blank separated, opt-in ones marked "(opt-in)", then each group
 * marked "(its rows)", into buf.
 */
const char *scenario_names(char *buf, size_t len);

/*
 * 1 if s is open-loop (SCENARIO_OPEN_LOOP): its levels are shares of capacity, not
 * connections, so the checks and the ranking that read a level as concurrency
 * do not apply; its runs need a capacity run first. Else 0.
 */
int scenario_is_open(const struct scenario *s);

/* 1 if s's levels are idle connections held beside a closed-loop load (SCENARIO_IDLE_BESIDE_LOAD),
 * else 0. */
int scenario_is_idle(const struct scenario *s);

/* The names of kind's rows, blank separated, into buf ("overload"). */
const char *scenario_kind_names(enum scenario_kind kind, char *buf, size_t len);

/* scenario_is_open of the scenario called name; 0 for unknown names. */
int scenario_open_loop(const char *name);

/*
 * 1 if the scenario called name paces its load (a files row whose mix connections pause
 * between requests), else 0 (unknown names too): Little's law then counts only their time in
 * flight, so served connections below the concurrency are the pause, not starvation.
 */
int scenario_paced(const char *name);

/* The files role of the scenario called name (SCENARIO_FILES_NONE: none, or unknown). */
enum scenario_files_role scenario_files_role(const char *name);

/* The connections of s's closed-loop load at level: idle_load_c beside idle ones, else level. */
int scenario_load_conns(const struct scenario *s, int level);

/* The idle connections s holds beside its load at level: the level when idle, else 0. */
int scenario_idle_conns(const struct scenario *s, int level);

/*
 * The target whose work a model must do to be measured in s (facts_serves): a mix's text
 * ("/cpu/10:995,...", never "/" that a hello-only model serves), else the target.
 */
const char *scenario_work_target(const struct scenario *s);

/*
 * The offered % of capacity of an open-loop level of s, and the requests each connection
 * carries there (0: as many as it likes): the level and 0, or for a churn scenario
 * (churn_pct) churn_pct and the level.
 */
int scenario_offered_pct(const struct scenario *s, int level);
int scenario_per_conn(const struct scenario *s, int level);

/* The number that ends the target ("/sleep/10": 10), or -1 when it ends in none. */
long scenario_number(const struct scenario *s);

/*
 * The bound of s for in (s->law), or -1 with the reason in how: "no law"
 * when the scenario has none, "unknown (...)" when the model's facts are.
 * The scenario's own workers, max_conns and capacity_conns replace in's.
 */
double scenario_bound(const struct scenario *s, const struct law_input *in, char *how, size_t len);

/* What the overload law expects of one open-loop cell (scenario_overload_law). */
struct overload_law {
	double goodput_rps;  /* min(offered, bound): 2xx answers a second */
	double rejected_rps; /* admission control: offered - bound past it (503 a second); else 0 */
	/*
	 * Without admission control, past the bound the queue grows by offered -
	 * bound a second, so a request sent at the schedule's end waits
	 * (offered/bound - 1) x the run's seconds; 0 at or below the bound.
	 */
	double end_wait_s;
};

/*
 * The law of an open-loop cell offered offered req/s to a model whose bound is
 * bound req/s (scenario_bound), for run_s seconds: everything is served up to
 * the bound; past it a model with admission control refuses the excess and
 * one without queues it. loss_servers > 0: admission control with no queue in
 * front of that many servers (a thread or process per connection capped by
 * --max-conns): random arrivals that find them all busy are refused even below
 * the bound, Erlang's loss formula B(c, A) with A = offered x c / bound; 0: a
 * queue in front. 0, or -1 (law zeroed) when bound or offered is not positive.
 */
int scenario_overload_law(double bound, double offered, int admission, int loss_servers,
                          double run_s, struct overload_law *law);

#endif
