/* tool.c -- the table of load tools; the ab and wrk adapters (parsers: parse_ab.c, parse_wrk.c). */
#include "tool.h"
#include "parse_ab.h"
#include "parse_loadgen.h"
#include "parse_wrk.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append s to buf at *used and return the copy, or NULL when buf is full. */
static char *stash(char *buf, size_t buflen, size_t *used, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = buf + *used;

	if (*used + n > buflen)
		return NULL;
	memcpy(p, s, n);
	*used += n;
	return p;
}

/* Copy words[0..n) into argv through buf, NULL-terminated: 0 or -1. */
static int fill_argv(const char *const *words, int n, char **argv, char *buf, size_t buflen)
{
	size_t used = 0;
	int i;

	for (i = 0; i < n; i++)
		if (!(argv[i] = stash(buf, buflen, &used, words[i])))
			return -1;
	argv[n] = NULL;
	return 0;
}

/*
 * ab -t sets -n to 50000, so -n comes after it; -r keeps a receive error from
 * ending the run (it is counted instead); -s bounds every socket wait, so a
 * server that accepts and never answers cannot hang the suite.
 */
static int ab_argv(const struct tool_job *job, char **argv, char *buf, size_t buflen)
{
	char num[5][32], perc[4096];
	const char *words[TOOL_MAX_ARGS];
	int n = 0;

	snprintf(num[0], sizeof(num[0]), "%d", job->duration_s);
	snprintf(num[1], sizeof(num[1]), "%ld", job->max_requests);
	snprintf(num[2], sizeof(num[2]), "%d", job->concurrency);
	snprintf(num[3], sizeof(num[3]), "%d", job->timeout_s);
	if (snprintf(perc, sizeof(perc), "%s.perc.csv", job->raw_prefix) >= (int)sizeof(perc) ||
	    job->script)
		return -1;
	words[n++] = "ab";
	words[n++] = "-q";
	words[n++] = "-t";
	words[n++] = num[0];
	words[n++] = "-n";
	words[n++] = num[1];
	words[n++] = "-c";
	words[n++] = num[2];
	if (job->keepalive)
		words[n++] = "-k";
	words[n++] = "-s";
	words[n++] = num[3];
	words[n++] = "-r";
	words[n++] = "-e";
	words[n++] = perc;
	words[n++] = job->url;
	return fill_argv(words, n, argv, buf, buflen);
}

/*
 * A closed-loop tool cannot tell a 503 from another non-2xx: its goodput is
 * the 2xx share of its req/s, and its rejections are unknown (-1).
 */
static void closed_outcomes(struct tool_result *r)
{
	r->rejected = -1;
	r->rejected_rps = -1;
	r->gen_waited = -1;
	r->goodput_rps = r->requests > 0 ? r->rps * (r->requests - r->non_2xx) / r->requests : 0;
}

/* ab's figures as every tool's (the mean of the completed requests is ab_collect's). */
static void ab_result(const struct parse_ab_result *a, struct tool_result *r)
{
	r->requests = a->requests;
	r->failed = a->failed;
	r->non_2xx = a->non_2xx;
	r->body_bytes = a->body_bytes;
	r->duration_s = a->duration_s;
	r->rps = a->rps;
	r->lat_mean_ms = a->lat_mean_ms;
	r->lat_p50_ms = a->lat_p50_ms;
	r->lat_p90_ms = a->lat_p90_ms;
	r->lat_p99_ms = a->lat_p99_ms;
	r->lat_max_ms = a->lat_max_ms;
	r->lat_mean_total_ms = a->lat_mean_total_ms;
}

static int ab_collect(const struct tool_job *job, const char *out, const char *err,
                      struct tool_result *r, char *why, size_t whylen)
{
	char path[4096], *csv;
	struct parse_ab_result a = { 0 };
	int rc;

	memset(r, 0, sizeof(*r));
	rc = parse_ab_output(out, &a);
	ab_result(&a, r); /* what was read, kept for the record even when the run failed */
	if (rc < 0) {
		snprintf(why, whylen, "%s", parse_ab_failure(err));
		return -1;
	}
	snprintf(path, sizeof(path), "%s.perc.csv", job->raw_prefix);
	if (!(csv = util_read_file(path, NULL))) {
		snprintf(why, whylen, "tool_error");
		return -1;
	}
	rc = parse_ab_percentiles(csv, &a);
	free(csv);
	ab_result(&a, r);
	r->lat_mean_done_ms = parse_ab_mean(a.lat_mean_done_ms, a.lat_mean_total_ms);
	if (rc < 0 && r->requests > 0) {
		snprintf(why, whylen, "tool_error");
		return -1;
	}
	closed_outcomes(r);
	return 0;
}

/*
 * A thread per client CPU (job->threads), each with its share of the
 * connections, so the tool's ceiling grows with the CPUs it is given. wrk has
 * no request-count bound, so max_requests is not used. Close mode sends
 * `Connection: close`: the server closes after each reply and wrk connects
 * again, a connection per request as with ab. --timeout makes a stuck server
 * end as counted timeouts, not a hang.
 */
static int wrk_argv(const struct tool_job *job, char **argv, char *buf, size_t buflen)
{
	char threads[32], conns[32], dur[32], tmo[32], args[256], *w, *save;
	const char *words[TOOL_MAX_ARGS];
	int n = 0;

	/* wrk refuses fewer connections than threads. */
	snprintf(threads, sizeof(threads), "%d",
	         job->threads < 1                  ? 1
	         : job->threads < job->concurrency ? job->threads
	                                           : job->concurrency);
	snprintf(conns, sizeof(conns), "%d", job->concurrency);
	snprintf(dur, sizeof(dur), "%ds", job->duration_s);
	snprintf(tmo, sizeof(tmo), "%ds", job->timeout_s);
	words[n++] = "wrk";
	words[n++] = "-t";
	words[n++] = threads;
	words[n++] = "-c";
	words[n++] = conns;
	words[n++] = "-d";
	words[n++] = dur;
	words[n++] = "--latency";
	words[n++] = "--timeout";
	words[n++] = tmo;
	if (!job->keepalive) {
		words[n++] = "-H";
		words[n++] = "Connection: close";
	}
	if (job->script) {
		words[n++] = "-s";
		words[n++] = job->script;
	}
	words[n++] = job->url;
	snprintf(args, sizeof(args), "%s", job->script_args ? job->script_args : "");
	if (args[0])
		words[n++] = "--"; /* the script's own arguments (wrk's init(args)) */
	for (w = strtok_r(args, " ", &save); w && n < TOOL_MAX_ARGS - 1;
	     w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	return fill_argv(words, n, argv, buf, buflen);
}

/*
 * wrk's report into r. Every socket error wrk counts (connect, read, write,
 * timeout) is a failed request and its "Non-2xx or 3xx" count (statuses >= 400
 * in fact) is non_2xx, so verify_result judges wrk rows like ab's. What wrk
 * cannot tell us: the body bytes (it counts header and body bytes read as one
 * number, and header sizes differ between servers), 3xx answers and whether a
 * body was the right one. body_bytes is -1 so the byte check is replaced by
 * the weak "at least a body's worth of bytes per answer". The files script
 * (harness/wrk/files.lua) tells more: its wrong replies are failed requests and
 * its body bytes are r's.
 */
static int wrk_collect(const struct tool_job *job, const char *out, const char *err,
                       struct tool_result *r, char *why, size_t whylen)
{
	struct parse_wrk_result w;

	(void)job;
	(void)err;
	memset(r, 0, sizeof(*r));
	if (parse_wrk_output(out, strlen(out), &w) < 0) {
		snprintf(why, whylen, "tool_error");
		return -1;
	}
	r->requests = w.requests;
	r->failed = w.err_connect + w.err_read + w.err_write + w.err_timeout;
	r->non_2xx = w.non_2xx;
	r->body_bytes = -1;
	/* the most wrk's rounded figure allows: its rounding is no short read */
	r->bytes_read = (long)w.bytes_read_most;
	r->duration_s = w.duration_s;
	r->rps = w.rps;
	r->lat_mean_ms = w.lat_mean_ms;
	r->lat_p50_ms = w.lat_p50_ms;
	r->lat_p90_ms = w.lat_p90_ms;
	r->lat_p99_ms = w.lat_p99_ms;
	r->lat_max_ms = w.lat_max_ms;
	r->lat_mean_done_ms = w.lat_mean_ms; /* wrk's mean is over its completed requests */
	r->lat_mean_total_ms = -1;
	if (w.has_files) { /* the files script checked every reply: a wrong one is a failure */
		r->failed += w.files_wrong + w.files_bad;
		r->body_bytes = w.files_body_bytes;
	}
	closed_outcomes(r);
	return 0;
}

/*
 * loadgen (loadgen/README.md), the open-loop generator: one thread, as the tool
 * gets one CPU. Its connections are the job's concurrency; it drains for up to
 * the socket timeout after the schedule ends, so it finishes within the
 * harness's bound. --allow-remote: the harness has already applied its own
 * loopback rule to the address.
 */
static int loadgen_argv(const struct tool_job *job, char **argv, char *buf, size_t buflen)
{
	char rate[32], dur[32], conns[32], tmo[32], per_conn[32], seed[32];
	const char *words[] = { "loadgen", "--rate",
		                rate,      "--duration",
		                dur,       "--connections",
		                conns,     "--threads",
		                "1",       "--timeout",
		                tmo,       "--drain",
		                tmo,       "--allow-remote",
		                job->url,  NULL,
		                NULL,      NULL,
		                NULL,      NULL,
		                NULL,      NULL };
	int n = 15;

	if (job->rate <= 0 || job->script)
		return -1;
	if (job->mix) {
		words[n++] = "--mix";
		words[n++] = job->mix;
	}
	if (job->per_conn > 0 && job->keepalive) {
		snprintf(per_conn, sizeof(per_conn), "%d", job->per_conn);
		words[n++] = "--requests-per-conn";
		words[n++] = per_conn;
	}
	if (!job->keepalive)
		words[n++] = "--close";
	/*
	 * Each repetition its own Poisson schedule: with one seed every repetition
	 * replayed the same arrivals, and their spread was the machine's
	 * repeatability, not a 5 s run's sampling spread.
	 */
	if (job->seed > 0) {
		snprintf(seed, sizeof(seed), "%d", job->seed);
		words[n++] = "--seed";
		words[n++] = seed;
	}
	snprintf(rate, sizeof(rate), "%.3f", job->rate);
	snprintf(dur, sizeof(dur), "%d", job->duration_s);
	snprintf(conns, sizeof(conns), "%d", job->concurrency);
	snprintf(tmo, sizeof(tmo), "%d", job->timeout_s);
	return fill_argv(words, n, argv, buf, buflen);
}

/* A mix's classes as the short (first) and the long (last) one. */
static void mix_result(const struct parse_loadgen_result *g, struct tool_result *r)
{
	const struct parse_loadgen_class *s = &g->cls[0], *l = &g->cls[g->nclasses - 1];

	r->nclasses = g->nclasses;
	if (g->nclasses < 2)
		return;
	r->short_p50_us = (double)s->lat_p50_us;
	r->short_p99_us = (double)s->lat_p99_us;
	r->short_mean_us = s->lat_mean_us;
	r->long_p99_us = (double)l->lat_p99_us;
	r->short_rps = s->achieved_rps;
	r->long_rps = l->achieved_rps;
}

/*
 * loadgen's report into r. Requests still owed when its drain ended count as
 * failed, like errors: they were never answered. Its 503s, goodput and
 * rejections are counted apart (an older loadgen's report: unknown, -1), and
 * the latency is that of the 2xx replies where it reports them apart. A lagged run keeps its
 * figures but gets the status "lagged" (they are the generator's, not the server's); a rate beyond
 * what the connections carry was refused: "unreachable".
 */
static int loadgen_collect(const struct tool_job *job, const char *out, const char *err,
                           struct tool_result *r, char *why, size_t whylen)
{
	struct parse_loadgen_result g;

	(void)job;
	memset(r, 0, sizeof(*r));
	if (parse_loadgen_output(out, strlen(out), &g) < 0) {
		snprintf(why, whylen, "%s",
		         strstr(err, "beyond what") ? "unreachable" : "tool_error");
		return -1;
	}
	r->requests = g.completed;
	r->failed = g.errors + g.unfinished;
	r->non_2xx = g.non_2xx;
	r->body_bytes = g.body_bytes;
	/* a loadgen that counts outcomes apart: 503s, goodput, and the 2xx bodies to check */
	r->rejected = g.body_bytes_2xx >= 0 ? g.status_503 : -1;
	r->goodput_rps = g.goodput_rps;
	r->rejected_rps = g.rejected_rps;
	r->gen_waited = g.conn_wait;
	if (g.body_bytes_2xx >= 0)
		r->body_bytes = g.body_bytes_2xx;
	r->duration_s = g.duration_s;
	r->rps = g.achieved_rps;
	r->lat_mean_ms = g.lat_mean_us / 1000.0;
	r->lat_p50_ms = g.lat_p50_us / 1000.0;
	r->lat_p90_ms = g.lat_p90_us / 1000.0;
	r->lat_p99_ms = g.lat_p99_us / 1000.0;
	r->lat_max_ms = g.lat_max_us / 1000.0;
	/* goodput's latency: a refused request's fast 503 would hide the wait of the served */
	if (g.ok_lat_p99_us >= 0 && g.completed > g.status_503) {
		r->lat_mean_ms = g.ok_lat_mean_us / 1000.0;
		r->lat_p50_ms = g.ok_lat_p50_us / 1000.0;
		r->lat_p90_ms = g.ok_lat_p90_us / 1000.0;
		r->lat_p99_ms = g.ok_lat_p99_us / 1000.0;
		r->lat_max_ms = g.ok_lat_max_us / 1000.0;
	}
	r->lat_mean_done_ms = r->lat_mean_ms;
	r->lat_mean_total_ms = -1;
	mix_result(&g, r);
	if (g.lagged) {
		snprintf(why, whylen, "lagged");
		return -1;
	}
	return 0;
}

/* A tool is a row here and nothing else: the harness reads its properties, never its name. */
static const struct tool tools[] = {
	{
	    .name = "ab",
	    .exe = "ab",
	    .version = "-V",
	    .modes = TOOL_CLOSE | TOOL_KEEPALIVE,
	    .argv = ab_argv,
	    .collect = ab_collect,
	},
	{
	    .name = "wrk",
	    .exe = "wrk",
	    .version = "-v",
	    .modes = TOOL_CLOSE | TOOL_KEEPALIVE, /* close: Connection: close, then it reconnects */
	    .scripts = 1,
	    .mean_is_done = 1,
	    .threaded = 1,
	    .argv = wrk_argv,
	    .collect = wrk_collect,
	},
	{
	    .name = "loadgen",
	    .exe = "loadgen",
	    .version = "--version",
	    .modes = TOOL_CLOSE | TOOL_KEEPALIVE,
	    .mean_is_done = 1,
	    .open_loop = 1,
	    .in_tree = 1,
	    .argv = loadgen_argv,
	    .collect = loadgen_collect,
	},
};

#define NTOOLS (sizeof(tools) / sizeof(tools[0]))

const struct tool *tool_default(void)
{
	return &tools[0];
}

const struct tool *tool_find(const char *name)
{
	size_t i;

	for (i = 0; i < NTOOLS; i++)
		if (strcmp(tools[i].name, name) == 0)
			return &tools[i];
	return NULL;
}

const struct tool *tool_for_mode(const struct tool *chosen, int mode)
{
	size_t i;

	if (chosen && (chosen->modes & mode))
		return chosen;
	for (i = 0; i < NTOOLS; i++)
		if (tools[i].modes & mode)
			return &tools[i];
	return NULL;
}

const char *tool_names(void)
{
	static char names[256];
	size_t i, o = 0;

	for (i = 0; i < NTOOLS && o < sizeof(names); i++)
		if (!tools[i].open_loop)
			o += snprintf(names + o, sizeof(names) - o, "%s%s", o ? " " : "",
			              tools[i].name);
	return names;
}
