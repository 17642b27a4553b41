/* record.h -- results.csv: one row per run, in docs/design.md's schema. */
#ifndef RECORD_H
#define RECORD_H

#include <stddef.h>
#include <stdio.h>

#define RECORD_WORD          64
#define RECORD_CAPACITY_MODE "keepalive" /* a capacity row's mode (record_is_capacity) */
#define RECORD_SHARES        160         /* worker_shares: 32 workers' "0.00/" */

struct record_row {
	char run_id[RECORD_WORD];
	char model[RECORD_WORD];
	char mode[RECORD_WORD];
	int concurrency;
	int rep;
	char tool[RECORD_WORD];
	long requests;
	long failed;
	long non_2xx;
	double duration_s;
	double rps;
	double lat_mean_ms;
	double lat_p50_ms;
	double lat_p90_ms;
	double lat_p99_ms;
	double lat_max_ms;
	double server_user_s;
	double server_sys_s;
	double server_cpu_us_per_req;
	long server_maxrss_kb;
	double client_cpu_pct;
	char status[RECORD_WORD];
	/* Appended after status (older files lack them: -1, written as an empty field). */
	double served_conns;  /* rps x mean latency of completed requests (health.h); -1: unknown */
	double other_cpu_pct; /* other processes' CPU during the run, % of one CPU; -1: unknown */
	char scenario[RECORD_WORD]; /* rows of older files: scenario_legacy() (hello) */
	int idle_conns;             /* idle connections held beside the load (older files: 0) */
	long server_mem_kb;         /* PSS of the server's whole tree, hooks done; -1: unknown */
	double goodput_rps;         /* 2xx answers a second; -1: unknown (older files) */
	double rejected_rps;        /* 503 answers a second; -1: unknown (ab, wrk, older files) */
	/*
	 * A mix's classes (the mixed scenario; -1 elsewhere and in older files): the short
	 * (first) class's p50, p99 and mean latency, the long (last) class's p99, microseconds,
	 * and each class's replies a second. The level-0 row of the mixed scenario (its capacity)
	 * carries each class's closed-loop capacity in short_rps and long_rps instead.
	 */
	double short_p50_us;
	double short_p99_us;
	double short_mean_us;
	double long_p99_us;
	double short_rps;
	double long_rps;
	/* Each worker's share of the server's CPU over the load, largest first ("0.52/0.48"; ""
	 * unknown or one worker: workers.h), and their Jain's index (-1: unknown). */
	char worker_shares[RECORD_SHARES];
	double jain;
	/*
	 * The load window (issue 20; older files: -1, and their server CPU covers
	 * the server's whole life outside the idle scenario): the server tree's CPU
	 * before the load (start-up) and after it (teardown and exit), in seconds.
	 */
	double server_start_cpu_s;
	double server_exit_cpu_s;
	double client_cpu_us_per_req; /* the load tool's CPU per request */
	double system_cpu_us_per_req; /* every CPU's busy time over the load window, per request */
	/*
	 * Closed loop: req/s x the completed requests' mean latency / connections,
	 * which Little's law makes 1 when the tool's numbers agree with each other
	 * (served_conns / concurrency); -1: open loop or unknown.
	 */
	double littles_ratio;
	double calib_us; /* the host's speed before the run (calib.h); -1: unknown */
	/*
	 * The idle scenario: the server's share of the kernel memory its held
	 * connections took (kmem.h: slab, stacks, page tables less the holder's own
	 * sockets), kB; -1: unknown or none held (older files: -1).
	 */
	long server_kmem_kb;
	/*
	 * Open loop: requests that waited inside the generator for a free
	 * connection (tool_result.gen_waited); -1: unknown (older files too).
	 */
	long gen_waited;
	/* the cell's counting pass (countpass.h), per request; -1: unknown (empty) */
	double syscalls_per_req;
	double ctx_switches_per_req; /* voluntary and involuntary */
	double migrations_per_req;
	double instructions_per_req; /* -1 also where the PMU is absent (a VM) */
	/*
	 * The files rows (issue 24; -1 elsewhere, unknown, and in older files): the body bytes
	 * received (any row whose tool counts them: ab, the files script), the disk's
	 * random-read latency measured before a cold run (µs), the hot clients' p99 beside the
	 * load (ms), and the reads and kB the docroot's device did over the load.
	 */
	long body_bytes;
	double disk_lat_us;
	double hot_p99_ms;
	long disk_reads;
	long disk_read_kb;
};

/* The header line of results.csv, without the newline. */
const char *record_header(void);

/*
 * Format row as one CSV line with its newline into buf. A text field holding
 * a comma, quote or newline is quoted with quotes doubled. Returns the length,
 * or -1 if buf is too small.
 */
int record_format(const struct record_row *row, char *buf, size_t buflen);

/*
 * Parse one CSV line (newline optional) written by record_format into row.
 * Returns 0, or -1 if it does not have the schema's 54 fields; the 49 of a
 * file written before the files rows' five (all -1), the 45 of a
 * file written before the four counts per request (all -1), the 37 of a
 * file written before the load window's columns (server_start_cpu_s to
 * gen_waited, all -1), the 29 of a
 * file written before the mix's and the workers' columns (all unknown), the 27 of a
 * file written before goodput_rps and rejected_rps (both -1), the 25 of a
 * file written before idle_conns and server_mem_kb (0 and -1), the 24 of a
 * file written before scenario existed (scenario_legacy(): hello) and the 22 of one
 * written before served_conns and other_cpu_pct existed (both -1) are
 * accepted, so older runs can still be replotted. A capacity row
 * (record_is_capacity) written before it was recorded under its own mode
 * carries the levels' mode (close in overload): it is read as keep-alive, the
 * mode it ran in; but a mix's, which runs in its levels' mode, is read as written.
 */
int record_parse(const char *line, struct record_row *row);

/*
 * 1 if r is an open-loop scenario's capacity row: level 0, the closed-loop
 * run in keep-alive (whatever the levels' mode; a mix's in its levels' mode)
 * that measured the capacity the levels are shares of; else 0.
 */
int record_is_capacity(const struct record_row *r);

/* Open path for appending, writing the header first if the file is new: the FILE or NULL. */
FILE *record_open(const char *path);

/* Append row to f and flush it, so an interrupted suite keeps every finished row: 0 or -1. */
int record_append(FILE *f, const struct record_row *row);

/*
 * Read every row of the results.csv at path into *rows (malloc'ed, count in
 * *n), skipping the header. 0, or -1 if the file cannot be read or a line is
 * malformed (its line number in *bad_line).
 */
int record_load(const char *path, struct record_row **rows, int *n, int *bad_line);

struct run_outcome; /* run.h */

/* What names a row: the run, the scenario, model, mode, tool, concurrency and repetition. */
struct record_ids {
	const char *run_id;
	const char *scenario;
	const char *model;
	const char *mode;
	const char *tool;
	int concurrency;
	int idle_conns; /* idle connections held beside the load */
	int rep;
};

/*
 * Fill row from a finished run: id's names, out's status, the tool's
 * numbers, the server's CPU time (and per request), memory, the tool's CPU,
 * the connections served (health_served_conns) and the others' CPU.
 */
void record_from_run(struct record_row *row, const struct record_ids *id,
                     const struct run_outcome *out);

/*
 * Rows of a run recorded before served_conns existed: work it out again from
 * the tool's raw output when it is still there (a tool whose mean is that of
 * the completed requests, wrk, carries it in lat_mean_ms). Only in memory: results.csv stays as
 * recorded. Returns how many rows got it (record_load's rows of run_dir/results.csv).
 */
int record_backfill_served(const char *run_dir, struct record_row *rows, int n);

#endif
