/* parse_loadgen.h -- a pure parser of loadgen's key=value report (loadgen/README.md). */
#ifndef PARSE_LOADGEN_H
#define PARSE_LOADGEN_H

#include <stddef.h>

/* One class of a mix (loadgen --mix): its figures, the latencies those of its 2xx replies. */
#define PARSE_LOADGEN_CLASSES 8
struct parse_loadgen_class {
	char path[256];
	long weight;
	long completed; /* replies, the drain's included */
	long ok_2xx;
	double achieved_rps; /* its replies inside the window / duration */
	long lat_p50_us;
	long lat_p90_us;
	long lat_p99_us;
	long lat_max_us;
	double lat_mean_us;
};

/* The figures of one loadgen run the harness uses. Latencies are microseconds. */
struct parse_loadgen_result {
	double rate;         /* offered load asked for, req/s */
	double offered_rps;  /* requests scheduled / duration */
	double achieved_rps; /* replies inside the window / duration */
	double duration_s;
	long completed; /* replies, the drain's included */
	long non_2xx;
	long status_503;
	long body_bytes;
	long errors;     /* connect, I/O, timeout, dropped */
	long unfinished; /* still owed when the drain ended */
	long lat_p50_us;
	long lat_p90_us;
	long lat_p99_us;
	long lat_max_us;
	double lat_mean_us;
	long lag_p99_us;
	double cpu_pct;
	int lagged; /* status=generator-lagged: the latencies are not the server's */
	/* Optional keys: -1 when the report has none (a loadgen before issue 16). */
	double goodput_rps;  /* 2xx replies inside the window / duration */
	double rejected_rps; /* 503 replies inside the window / duration */
	long body_bytes_2xx; /* body bytes of the 2xx replies */
	long ok_lat_p50_us;  /* the latency of the 2xx replies alone */
	long ok_lat_p90_us;
	long ok_lat_p99_us;
	long ok_lat_max_us;
	double ok_lat_mean_us;
	/*
	 * Requests that found every connection busy and waited in the generator
	 * for one (their latency counts the wait), and the deepest such queue
	 * summed over the threads; -1 when the report has none.
	 */
	long conn_wait;
	long queue_max;
	long connections_opened; /* the pool's and every reconnect (--requests-per-conn, close) */
	long requests_per_conn;  /* 0: no limit */
	/* The classes (0 when the report has none: a loadgen before issue 23); a report with
	 * one class per target path has nclasses 1. */
	int nclasses;
	struct parse_loadgen_class cls[PARSE_LOADGEN_CLASSES];
};

/*
 * Parse loadgen's standard output, text[0..len) (a NUL ends it early), into r,
 * which is cleared first. Unknown keys are ignored, so loadgen may add some.
 * Returns 0, or -1 if a key above (an optional one aside) is missing or its value is not a number
 * (or, for status, neither ok nor generator-lagged): loadgen refused to run
 * or did not finish. With classes=N (1..PARSE_LOADGEN_CLASSES), every classI_ key of the struct
 * above is needed for each I below N; a class key beyond N, or N out of range, is -1 too.
 */
int parse_loadgen_output(const char *text, size_t len, struct parse_loadgen_result *r);

#endif
