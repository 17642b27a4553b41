/* util.h -- small helpers the harness modules share: files, time, numbers. */
#ifndef UTIL_H
#define UTIL_H

#include <stddef.h>

/* The whole file at path, NUL-terminated, malloc'ed (length in *len if len), or NULL. */
char *util_read_file(const char *path, size_t *len);

/* Write size bytes of data to path (created or truncated): 0 or -1. */
int util_write_file(const char *path, const char *data, size_t size);

/* Find exe in PATH (or take it as is when it holds a '/') into out: 0, or -1 if not executable. */
int util_which(const char *exe, char *out, size_t outlen);

/* mkdir -p path: 0 or -1. */
int util_mkdir_p(const char *path);

/* Point the symlink link at target, replacing what was there atomically: 0 or -1. */
int util_symlink_replace(const char *target, const char *link);

/* Monotonic milliseconds. */
long long util_now_ms(void);

/* v with thousands separators ("41,230") into buf; returns buf. */
char *util_thousands(double v, char *buf, size_t buflen);

/* Seconds as "6m10s" / "42s" / "1h02m" into buf; returns buf. */
char *util_duration(double s, char *buf, size_t buflen);

/* v with decimals digits after the point into buf, or unknown when v is negative; returns buf. */
const char *util_fixed(double v, int decimals, const char *unknown, char *buf, size_t len);

/* The median of the n values in v (sorted in place); 0 when n is 0. */
double util_median(double *v, int n);

/*
 * Create results/<timestamp>[-N] afresh (never reusing a run's directory,
 * results made first if need be): its id in id and its path in dir. 0 or -1.
 */
int util_make_run_dir(const char *results, char *id, size_t idlen, char *dir, size_t dirlen);

/* The path of directory to relative to directory from (both must exist) into buf; else to. */
void util_relative_path(const char *from, const char *to, char *buf, size_t len);

#endif
