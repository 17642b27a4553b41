/* run.h -- one benchmark run: a fresh server, the load tool, accounting, a verdict. */
#ifndef RUN_H
#define RUN_H

#include "counts.h"
#include "scenario.h"
#include "tool.h"

#include <sched.h>
#include <signal.h>
#include <stddef.h>

/* Set by SIGINT, SIGTERM or SIGHUP (the signal number): finish the run and stop. */
extern volatile sig_atomic_t run_stop;

/* Which CPUs the load tool and the server may use. */
struct run_pin {
	int enabled;
	cpu_set_t tool;
	cpu_set_t server;
	char desc[512];      /* "wrk on CPU 0-1; server on CPU 2-3" or "off" */
	char topology[2048]; /* cpus_topo_describe's line for the affinity mask */
};

/* What every run of a suite shares. */
struct run_cfg {
	const char *host; /* --host given to every model */
	int allow_remote; /* 1: load may go to a non-loopback address */
	struct run_pin pin;
	const char
	    *client_prefix;  /* CLIENT_PREFIX: the tool runs behind it (prefix.h); NULL: not */
	int client_threads;  /* the tool's threads, where it has them (wrk -t) */
	const char *raw_dir; /* results/<id>/raw */
	const char *tree;    /* the source tree's root: scenario scripts are relative to it */
	int start_wait_ms;   /* bound on waiting for the listening line */
	int stop_grace_ms;   /* SIGTERM to SIGKILL */
	int sock_timeout_s;  /* the tool's per-socket timeout */
	int workers;         /* > 0: every model gets --workers N; 0: not passed (its default) */
	int profile;         /* a counting run also records call graphs (raw/<tag>.perf.data) */
	const char
	    *tools_dir;     /* the harness's own tools (bin/tools): the scenarios' hooks use them */
	int files_mib;      /* the files scenario's set, MiB (--files-mib) */
	int files_delay_ms; /* > 0: the set through slowfs, each miss D ms (--files-delay-ms) */
};

#define RUN_DETAIL    256  /* room for a run_outcome's detail */
#define RUN_FLAGS_MAX 128  /* a variant's flags, comma-joined (room for plan_model.flags) */
#define RUN_MAX_FLAGS 12   /* at most this many flags are passed: the variant's and scenario's */
#define RUN_ARGS_MAX  1024 /* the variant's, the scenario row's and its hook's flags, joined */

/* One run. */
struct run_spec {
	const char *model;
	const char *model_path;
	const char *model_flags; /* a variant's flags, comma-joined (plan_model.flags), or "" */
	const struct scenario *scenario; /* its target, body length and run-time hooks */
	const char *target; /* NULL: the scenario's target (and mix); else this one alone */
	const struct tool *tool;
	const char *tool_path; /* the tool's executable */
	int keepalive;
	int concurrency; /* the load's connections */
	int idle_conns;  /* idle connections held beside them (scenario_idle_conns) */
	int duration_s;
	long max_requests;
	double rate; /* an open-loop tool's offered req/s (the scenario's capacity share); else 0 */
	int per_conn;    /* an open-loop tool's requests per connection (churn); 0: no limit */
	int seed;        /* an open-loop tool's schedule: the repetition's number, so that each
	                    repetition draws its own arrivals (0: the tool's default) */
	int admission;   /* 1: the model refuses with 503 by design (Facts admission=yes) */
	const char *tag; /* file names under raw_dir start with it */
	int count;       /* 1: a counting run: perf stat on the server's tree over the load */
};

struct run_outcome {
	struct tool_result res; /* zero unless the tool's output was read */
	double server_user_s;
	double server_sys_s;
	long server_maxrss_kb; /* the largest single process's peak (wait4's ru_maxrss) */
	long server_mem_kb;    /* PSS of the server's whole tree once the hooks ran; -1: unknown */
	/*
	 * The tool's CPU time over its wall time, as a % of the CPUs it can use
	 * (100: all busy; ab uses one, wrk min(threads, client CPUs)); measured
	 * where the tool ran (behind a prefix: by the prefix script); -1 unknown.
	 */
	double client_cpu_pct;
	double other_cpu_pct; /* everyone else's CPU during the run, % of one CPU; -1: unknown */
	/*
	 * How the server's workers shared its CPU over the load (workers.h): each one's share,
	 * largest first ("0.52/0.48"), and Jain's index; "" and -1 when unknown, or when there
	 * are fewer than 2 workers (the server's main thread is not one).
	 */
	char worker_shares[160];
	double jain;
	/*
	 * The load window: server_user_s and server_sys_s are the tree's CPU from
	 * just before the load starts to just after it ends (read from /proc as it
	 * runs); what it spent before (start-up, a pool's creation, an idle
	 * scenario's hook) and after (teardown and exit) is kept apart. -1: unknown.
	 */
	double server_start_cpu_s;
	double server_exit_cpu_s;
	double client_cpu_s; /* the load tool's CPU seconds (user + sys); -1: unknown */
	double system_cpu_s; /* every CPU's busy seconds over the load window (/proc/stat); -1 */
	double calib_us;     /* calib_us() just before the run: the host's speed; -1: unknown */
	long server_kmem_kb; /* the scenario hook's server_kmem_kb (scenario.h); -1: none */
	char status[64];     /* ok, errors, skipped, no_start, crashed, exited, timeout, ... */
	char detail[RUN_DETAIL]; /* why, for the terminal */
	struct counts counts;    /* a counting run's (spec->count); else all unknown */
	/* The files rows' (scenario_load's fields of the same names); -1 elsewhere or unknown. */
	double disk_lat_us, hot_p99_ms;
	long disk_reads, disk_read_kb;
};

/*
 * Block SIGINT, SIGTERM and SIGHUP and route them to run_stop: they are
 * taken only while the harness waits, so a signal is never lost between a
 * check and a wait. 0 or -1.
 */
int run_signals_init(void);

/*
 * Pinning: with enable, place the tool and the server within our affinity
 * mask (cpus_place: client_cpus and server_cpus are CLIENT_CPUS and
 * SERVER_CPUS, NULL when not given; by default the split of the mask, the
 * topology read from /sys/devices/system/cpu); tool_name names the tool in
 * desc. With fewer than 2 CPUs and nothing given, or without enable,
 * pinning is off. 0, or -1 with a sentence in err for a list that is
 * malformed, empty, overlapping or outside the mask, or given with enable 0.
 */
int run_pin_setup(struct run_pin *pin, int enable, const char *client_cpus, const char *server_cpus,
                  const char *tool_name, char *err, size_t errlen);

/* The CPUs the server may run on: its pinned set, else our affinity mask's. */
int run_server_cpus(const struct run_pin *pin);

/*
 * 1 if the text address addr ("127.0.0.1", "::1", "[::1]") is loopback, else 0.
 */
int run_is_loopback(const char *addr);

/*
 * 1 if addr is in 198.18.0.0/15, the range RFC 2544 reserves for benchmark
 * networks (scripts/netns.sh's addresses), else 0. Load may go there without
 * --allow-remote: it is not routed anywhere.
 */
int run_is_bench_net(const char *addr);

/*
 * Do one run: run the scenario's before_start hook (its flags join the model's),
 * start spec's model with --port 0 on its CPUs, read its
 * listening line (bounded wait), run the scenario's before_load hook, the
 * tool on the others against the scenario's target, the after_load hook, SIGTERM the
 * server (SIGKILL after the grace time) and wait4 it for its CPU time and
 * max RSS, take the tool's CPU time the same way, read and verify the
 * tool's output; meanwhile measure what other processes of the machine
 * used (other_cpu_pct). Nothing it started outlives it. Returns 0 with out filled,
 * or -1 if run_stop was raised meanwhile (out is then not a finished run).
 */
int run_one(const struct run_cfg *cfg, const struct run_spec *spec, struct run_outcome *out);

/*
 * Run argv[0] (a path) with stdout to /dev/null and stderr appended to
 * errpath, bounded by limit_ms. Returns its exit status (0..255), or -1 if
 * it could not run, died from a signal or timed out.
 */
int run_command(char *const argv[], int limit_ms, const char *errpath);

#endif
