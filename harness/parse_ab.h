/* parse_ab.h -- pure parsers of ApacheBench's output: no I/O, no allocation. */
#ifndef PARSE_AB_H
#define PARSE_AB_H

/* What ab reports of one run. Times are milliseconds. */
struct parse_ab_result {
	long requests;      /* "Complete requests" */
	long failed;        /* "Failed requests" (0 when absent) */
	long non_2xx;       /* "Non-2xx responses" (0 when absent) */
	long body_bytes;    /* "HTML transferred" (0 when absent) */
	double duration_s;  /* "Time taken for tests" */
	double rps;         /* "Requests per second" */
	double lat_mean_ms; /* "Time per request" (the mean over concurrency) */
	double
	    lat_mean_total_ms; /* the "Total" row's mean: the exact one in whole ms; -1 unknown */
	double lat_p50_ms;     /* the -e table's rows (parse_ab_percentiles) */
	double lat_p90_ms;
	double lat_p99_ms;
	double lat_max_ms;       /* the -e table's row 100, else the "Total" row's max */
	double lat_mean_done_ms; /* the mean of the completed requests (parse_ab_percentiles) */
};

/*
 * Parse ab's standard output (text, NUL-terminated) into r: requests, failed,
 * non_2xx, body_bytes, duration_s, rps, lat_mean_ms, lat_max_ms (the
 * whole-millisecond "Total" max; parse_ab_percentiles refines it) and
 * lat_mean_total_ms (the "Total" mean: the exact mean rounded to whole
 * milliseconds; -1 without the row). Other
 * fields are left alone. Returns 0, or -1 if the text is not a finished ab
 * report (no "Complete requests" or "Time taken for tests" line).
 */
int parse_ab_output(const char *text, struct parse_ab_result *r);

/*
 * Parse the CSV ab -e writes ("Percentage served,Time in ms" then rows
 * "P,MS" for P = 0..100, microsecond resolution) into r's lat_p50_ms,
 * lat_p90_ms, lat_p99_ms and lat_max_ms (row 100), and lat_mean_done_ms:
 * the mean latency of the completed requests, the trapezoid average of the
 * rows over the percentages they span (the span before row 100, the single
 * slowest request, valued at its start). Returns 0, or -1 if a row is
 * malformed or out of order, or one of rows 50, 90, 99, 100 is missing.
 */
int parse_ab_percentiles(const char *csv, struct parse_ab_result *r);

/*
 * The mean latency from both of ab's views: table_ms (parse_ab_percentiles:
 * fine, but blind to the mass of the slowest 1 %) kept within the rounding
 * of total_ms (ab's exact mean, rounded to whole ms; < 0: unknown), i.e.
 * clamped into [total_ms - 0.5, total_ms + 0.5].
 */
double parse_ab_mean(double table_ms, double total_ms);

/*
 * Classify ab's standard error after a failed run: "timeout" when a socket
 * timed out (-s), otherwise "tool_error".
 */
const char *parse_ab_failure(const char *err);

#endif
