/* parse_wrk.h -- a pure parser of wrk's report: no I/O, no allocation. */
#ifndef PARSE_WRK_H
#define PARSE_WRK_H

#include <stddef.h>

/* One wrk report. Times are milliseconds, sizes bytes (wrk prints KB = 1024 B). */
struct parse_wrk_result {
	int threads; /* "N threads and M connections" (0 if absent) */
	int connections;
	long requests;          /* "N requests in D, B read": completed responses */
	double duration_s;      /* D: wall time of the load */
	double bytes_read;      /* B: every byte read, headers included */
	double bytes_read_most; /* the most B stands for: wrk rounds it ("0.99GB": 0.995 GB) */
	double rps;             /* "Requests/sec:" */
	double transfer_bps;    /* "Transfer/sec:" in bytes per second */
	long err_connect;       /* "Socket errors: connect A, read B, write C, timeout D" */
	long err_read;          /* (all 0 when wrk prints no such line) */
	long err_write;
	long err_timeout;   /* responses that came after --timeout: not in the latencies */
	long non_2xx;       /* "Non-2xx or 3xx responses: N" (0 when absent) */
	double lat_mean_ms; /* the "Latency" thread-stats row: Avg, Stdev, Max */
	double lat_stdev_ms;
	double lat_max_ms;
	int has_percentiles; /* 1 if the --latency distribution was printed */
	double lat_p50_ms;   /* the distribution's rows; 0 without --latency */
	double lat_p75_ms;
	double lat_p90_ms;
	double lat_p99_ms;
	/*
	 * harness/wrk/files.lua's line, "files: R replies, L wrong length or status, S sampled,
	 * C wrong content, B body bytes": has_files 1 when it was printed (else all 0).
	 */
	int has_files;
	long files_replies, files_wrong, files_sampled, files_bad, files_body_bytes;
};

/*
 * Parse wrk's standard output, text[0..len) (a NUL ends it early), into r,
 * which is cleared first. Lines wrk prints only sometimes (socket errors,
 * non-2xx, the latency distribution, a script's own output) may be absent;
 * unknown lines are ignored. Returns 0, or -1 if the text is not a finished
 * wrk report: the "requests in", "Requests/sec:", "Transfer/sec:" or
 * "Latency" row is missing, or one of the known lines does not parse (e.g.
 * "unable to connect to ..." and the usage text are -1).
 */
int parse_wrk_output(const char *text, size_t len, struct parse_wrk_result *r);

#endif
