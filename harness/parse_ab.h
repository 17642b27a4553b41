/* parse_ab.h -- pure parsers of ApacheBench's output: no I/O, no allocation. */
#ifndef PARSE_AB_H
#define PARSE_AB_H

#include "tool.h"

/*
 * Parse ab's standard output (text, NUL-terminated) into r: requests, failed,
 * non_2xx, body_bytes, duration_s, rps, lat_mean_ms and lat_max_ms (the
 * whole-millisecond "Total" max; parse_ab_percentiles refines it). Other
 * fields are left alone. Returns 0, or -1 if the text is not a finished ab
 * report (no "Complete requests" or "Time taken for tests" line).
 */
int parse_ab_output(const char *text, struct tool_result *r);

/*
 * Parse the CSV ab -e writes ("Percentage served,Time in ms" then rows
 * "P,MS" for P = 0..100, microsecond resolution) into r's lat_p50_ms,
 * lat_p90_ms, lat_p99_ms and lat_max_ms (row 100). Returns 0, or -1 if a
 * row is malformed or one of rows 50, 90, 99, 100 is missing.
 */
int parse_ab_percentiles(const char *csv, struct tool_result *r);

/*
 * Classify ab's standard error after a failed run: "timeout" when a socket
 * timed out (-s), otherwise "tool_error".
 */
const char *parse_ab_failure(const char *err);

#endif
