/* tool.h -- the load tools the harness can drive: ab and wrk, both in both modes. */
#ifndef TOOL_H
#define TOOL_H

#include <stddef.h>

/* What one run asks of a load tool. */
struct tool_job {
	const char *url;         /* http://ADDR:PORT/TARGET */
	int concurrency;         /* connections held open at once */
	int keepalive;           /* 1: reuse connections, 0: one request per connection */
	int duration_s;          /* time bound of the run (seconds, >= 1) */
	long max_requests;       /* count bound; the run ends at whichever bound comes first */
	int timeout_s;           /* per-socket timeout: a stuck server ends the run */
	const char *raw_prefix;  /* raw/<tag>: the tool's own files go next to its stdout */
	const char *script;      /* NULL, or a file the tool runs (a wrk Lua script) */
	const char *script_args; /* NULL or "": none; else its arguments, blank separated */
	int threads;             /* threads for a tool that has them (the client CPUs; < 1: 1) */
	double rate;             /* an open-loop tool's offered load, req/s; 0 for the others */
	const char *mix; /* an open-loop tool's mix of targets (loadgen --mix); NULL: none */
	int per_conn; /* an open-loop tool's requests per connection (--requests-per-conn); 0: any
	               */
	int seed;     /* an open-loop tool's arrival schedule (loadgen --seed); 0: the tool's own */
};

/* What every tool reports, whatever its output looks like. */
struct tool_result {
	long requests;      /* completed requests, as the tool counts them */
	long failed;        /* failed requests (connect, receive, length, exceptions) */
	long non_2xx;       /* answers with a status outside 200-299 */
	long body_bytes;    /* response body bytes received; -1: the tool cannot tell */
	long bytes_read;    /* every byte read, headers included (0 if not reported); from a rounded
	                       figure (wrk's "0.99GB"), the most it stands for */
	double duration_s;  /* wall time of the load */
	double rps;         /* requests per second */
	double lat_mean_ms; /* latency, milliseconds */
	double lat_p50_ms;
	double lat_p90_ms;
	double lat_p99_ms;
	double lat_max_ms;
	/*
	 * The mean latency of the completed requests, from the tool's latency
	 * distribution (ab: its -e table; wrk: its mean); 0 when unknown. Unlike
	 * ab's lat_mean_ms it does not assume every connection was served.
	 */
	double lat_mean_done_ms;
	double lat_mean_total_ms; /* ab's exact mean rounded to whole ms; -1 unknown (wrk) */
	/*
	 * Outcomes apart (issue 16): 503 answers among non_2xx (-1: the tool
	 * cannot tell them from other non-2xx, ab and wrk), and the 2xx and 503
	 * answers a second (-1: unknown). The body bytes above are of the 2xx
	 * answers when rejected >= 0.
	 */
	long rejected;
	double goodput_rps;
	double rejected_rps;
	/*
	 * A mix (tool_job.mix): its classes (0 for one target, and for the tools that send
	 * one), then the short (first) class's p50, p99 and mean latency and the long (last)
	 * one's p99, of their 2xx replies in microseconds, and each class's replies a second.
	 * Meaningful only when nclasses >= 2.
	 */
	int nclasses;
	double short_p50_us, short_p99_us, short_mean_us, long_p99_us, short_rps, long_rps;
	/*
	 * An open-loop tool: requests that waited inside it for a free connection
	 * (loadgen's conn_wait), a queue that is the generator's, not the
	 * server's; -1: unknown (a closed-loop tool has none to tell).
	 */
	long gen_waited;
};

#define TOOL_MAX_ARGS 32

#define TOOL_CLOSE     1 /* it can open a connection per request */
#define TOOL_KEEPALIVE 2 /* it can reuse connections */

struct tool {
	const char *name;    /* the CSV's tool column */
	const char *exe;     /* the executable, looked up in PATH */
	const char *version; /* the option that makes it print its version (for meta) */
	int modes;           /* TOOL_CLOSE | TOOL_KEEPALIVE: the modes it measures honestly */
	int scripts;         /* 1: it can run a scenario's script (tool_job.script) */
	/*
	 * 1: its mean latency (tool_result.lat_mean_ms) is already the mean of
	 * the completed requests, so served connections follow from it alone.
	 */
	int mean_is_done;
	int threaded; /* 1: it runs job->threads threads; 0: one, whatever the CPUs */
	/* 1: it offers a rate (tool_job.rate) instead of holding concurrency requests in flight */
	int open_loop;
	/* 1: it is built in the tree, as <bin>/tools/<exe>, not looked up in PATH */
	int in_tree;
	/*
	 * Fill argv (NULL-terminated, at most TOOL_MAX_ARGS entries) to run job;
	 * the strings are stored in buf. 0, or -1 if buf is too small.
	 */
	int (*argv)(const struct tool_job *job, char **argv, char *buf, size_t buflen);
	/*
	 * Read the tool's output (its stdout in out, stderr in err) and the files it
	 * wrote under job->raw_prefix into r. 0, or -1 with the run's status word
	 * ("timeout", "tool_error") in why.
	 */
	int (*collect)(const struct tool_job *job, const char *out, const char *err,
	               struct tool_result *r, char *why, size_t whylen);
};

/* The table's first tool (ab): the default, and the one every mode can fall back to. */
const struct tool *tool_default(void);

/* The tool called name, or NULL. */
const struct tool *tool_find(const char *name);

/*
 * The tool for a mode (TOOL_CLOSE or TOOL_KEEPALIVE): chosen when it can
 * measure that mode, else the first tool of the table that can (ab).
 */
const struct tool *tool_for_mode(const struct tool *chosen, int mode);

/*
 * The names of the closed-loop tools of the table, space separated (for
 * --help: what --tool accepts; an open-loop tool is named by its scenario).
 */
const char *tool_names(void);

#endif
