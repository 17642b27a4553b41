/* scenario.c -- the scenario table and the laws that bound what a design can serve. */
#include "scenario.h"

#include "files.h"
#include "idlehold.h"
#include "kmem.h"
#include "verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * How many requests the model can have in blocking work at once at
 * concurrency c: 1 for one thread, min(c, max-conns) for a process or thread
 * per connection, min(c, W) for a pool (W: --workers, else the Facts default,
 * "cpus" being the server's CPUs). Its derivation in words into how.
 */
static int law_parallel(const struct law_input *in, char *how, size_t len)
{
	const struct facts *f = in->facts;
	int c = in->concurrency, w, p;

	switch (f->parallel) {
	case FACTS_ONE: snprintf(how, len, "1 thread"); return 1;
	case FACTS_CONN:
		p = c < in->max_conns ? c : in->max_conns;
		snprintf(how, len, "min(c=%d, max-conns=%d)", c, in->max_conns);
		return p;
	default:
		w = in->workers > 0                    ? in->workers
		    : f->workers == FACTS_WORKERS_CPUS ? in->server_cpus
		                                       : f->workers;
		snprintf(how, len, "min(c=%d, W=%d%s)", c, w,
		         in->workers > 0                    ? " (--workers)"
		         : f->workers == FACTS_WORKERS_CPUS ? " (cpus)"
		                                            : "");
		return c < w ? c : w;
	}
}

/*
 * What every law needs: P (law_parallel, its words in par, room for 96) and
 * the target's number in *arg. -1 with the reason in how when the facts are
 * unknown or the target has no positive number.
 */
static int law_start(const struct scenario *s, const struct law_input *in, char *par, long *arg,
                     char *how, size_t len)
{
	if (!in->facts || !in->facts->known) {
		snprintf(how, len, "unknown (the model's README has no Facts line)");
		return -1;
	}
	if ((*arg = scenario_number(s)) <= 0) {
		snprintf(how, len, "no law (the target %s has no positive number)", s->target);
		return -1;
	}
	return law_parallel(in, par, 96);
}

/*
 * A request holding its thread for the target's number of units (per_s of
 * them in a second): at most P x per_s/n req/s, and with cpu_capped no more
 * than the server's CPUs can run at once.
 */
static double law_rate(const struct scenario *s, const struct law_input *in, char *how, size_t len,
                       double per_s, const char *unit, int cpu_capped)
{
	char par[96];
	long n;
	int p = law_start(s, in, par, &n, how, len),
	    cpus = in->server_cpus > 0 ? in->server_cpus : 1;

	if (p < 0)
		return -1;
	if (cpu_capped)
		snprintf(how, len, "min(%s, CPUs=%d) x %g/%ld %s", par, cpus, per_s, n, unit);
	else
		snprintf(how, len, "%s x %g/%ld %s", par, per_s, n, unit);
	return (cpu_capped && cpus < p ? cpus : p) * per_s / n;
}

/* /sleep/<d>: each request holds its thread d ms, so at most P x 1000/d req/s. */
static double law_sleep(const struct scenario *s, const struct law_input *in, char *how, size_t len)
{
	return law_rate(s, in, how, len, 1000, "ms", 0);
}

/* /cpu/<u>: each request burns u µs of one CPU: at most min(P, server CPUs) x 1e6/u req/s. */
static double law_cpu(const struct scenario *s, const struct law_input *in, char *how, size_t len)
{
	return law_rate(s, in, how, len, 1e6, "µs", 1);
}

/*
 * idle: hold l->idle keep-alive connections, each answered once, while the
 * load runs. Refusals are not an error here: the run goes on and after_load
 * names them. Bounded: 5 s plus half a millisecond per connection.
 */
static int idle_before(const struct scenario *s, struct scenario_load *l, char *why, size_t len)
{
	struct idlehold *h = malloc(sizeof(*h));
	long before_kb = -1, after_kb = -1;

	(void)s;
	if (!h) {
		snprintf(why, len, "idle connections: out of memory");
		return -1;
	}
	if (kmem_now_kb(&before_kb) < 0)
		before_kb = -1;
	if (idlehold_open(h, l->addr, l->port, l->idle, 5000 + l->idle / 2, l->stop, why, len) <
	    0) {
		free(h);
		return -1;
	}
	/* every held one was answered once: accepted, and in the server's books */
	if (kmem_now_kb(&after_kb) < 0)
		after_kb = -1;
	l->server_kmem_kb = kmem_server_share_kb(before_kb, after_kb, h->nheld);
	l->state = h;
	return 0;
}

/* idle: were the held connections still open at the end? Then close them all. */
static int idle_after(const struct scenario *s, struct scenario_load *l, char *verdict, size_t len)
{
	struct idlehold *h = l->state;
	int r;

	(void)s;
	if (!h)
		return 0;
	idlehold_check(h);
	r = idlehold_status(h, verdict, len);
	idlehold_close(h);
	free(h);
	l->state = NULL;
	return r;
}

/*
 * files, before the server starts: the set written if missing, then cached whole (warm) or
 * evicted but its hot subset (cold, the disk's latency measured first); every model gets
 * --docroot, and the script the set's directories and the mix's pause.
 */
static int files_start(const struct scenario *s, struct scenario_load *l, char *why, size_t len)
{
	struct files_mount *slow = NULL;

	if (l->files_delay_ms > 0 && !(slow = calloc(1, sizeof(*slow)))) {
		snprintf(why, len, "files: out of memory");
		return -1;
	}
	if (slow) {
		/* A warm row's set is cached whole: a delay would slow its warming, never its run.
		 */
		slow->delay_ms = s->files->cold ? l->files_delay_ms : 0;
		slow->raw_prefix = l->raw_prefix;
	}
	if (files_prepare(l->tools_dir, l->files_mib, s->files->cold, l->raw_prefix, l->docroot,
	                  sizeof(l->docroot), slow, &l->disk_lat_us, why, len) < 0) {
		free(slow);
		return -1;
	}
	l->start_state = slow;
	snprintf(l->server_args, sizeof(l->server_args), "--docroot,%s", l->docroot);
	snprintf(l->script_args, sizeof(l->script_args), "mix %d %d", files_dirs(l->files_mib),
	         s->files->pause_ms);
	return 0;
}

/* files, the server gone: the slowfs mount (--files-delay-ms) undone. */
static void files_stop(const struct scenario *s, struct scenario_load *l)
{
	(void)s;
	if (!l->start_state)
		return;
	files_unmount(l->start_state);
	free(l->start_state);
	l->start_state = NULL;
}

/* files, before the load: the disk's counters, and the hot clients if the row has them. */
static int files_before(const struct scenario *s, struct scenario_load *l, char *why, size_t len)
{
	const struct scenario_files *f = s->files;
	struct files_probe *p = malloc(sizeof(*p));
	char url[600];
	struct files_hot hot = { .tool_path = l->tool_path,
		                 .script = l->script,
		                 .url = url,
		                 .conns = f->hot_conns,
		                 .pause_ms = f->hot_pause_ms,
		                 .duration_s = l->duration_s,
		                 .dirs = files_dirs(l->files_mib),
		                 .cpus = l->tool_cpus,
		                 .raw_prefix = l->raw_prefix };

	if (!p) {
		snprintf(why, len, "files: out of memory");
		return -1;
	}
	snprintf(url, sizeof(url), "http://%s:%d", l->addr, l->port);
	if (files_probe_start(p, l->docroot, f->hot_conns > 0 ? &hot : NULL, why, len) < 0) {
		free(p);
		return -1;
	}
	l->state = p;
	return 0;
}

/* files, after the load: the hot clients' p99 and the disk's reads over the load. */
static int files_after(const struct scenario *s, struct scenario_load *l, char *verdict, size_t len)
{
	struct files_probe *p = l->state;
	int r;

	(void)s;
	if (!p)
		return 0;
	r = files_probe_end(p, &l->hot_p99_ms, &l->disk_reads, &l->disk_read_kb, verdict, len);
	free(p);
	l->state = NULL;
	return r;
}

/* The files rows' sets and loads: the mix alone as fast as it goes, or paced beside hot clients. */
static const struct scenario_files files_sendfile = { .role = SCENARIO_FILES_SENDFILE };
static const struct scenario_files files_read = { .role = SCENARIO_FILES_READ };
static const struct scenario_files files_warm_hot = {
	.role = SCENARIO_FILES_HOT_WARM, .pause_ms = 4, .hot_conns = 2, .hot_pause_ms = 2
};
static const struct scenario_files files_cold_hot = {
	.role = SCENARIO_FILES_HOT_COLD, .cold = 1, .pause_ms = 4, .hot_conns = 2, .hot_pause_ms = 2
};

/* What every files row shares (issue 24; docs/files.md). */
#define FILES_ROW                                                                                  \
	.kind = SCENARIO_CLOSED_LOOP, .target = "/file/", .modes = "keepalive", .levels = "8",     \
	.quick_levels = "8", .reps = 1, .duration_s = 5, .body_bytes = VERIFY_BODY_VARIES,         \
	.opt_in = 1, .group = "files", .tool = "wrk", .script = "harness/wrk/files.lua",           \
	.thread_per_conn = 1, .before_start = files_start, .before_load = files_before,            \
	.after_load = files_after, .after_stop = files_stop

/*
 * The table. The new scenarios run fewer levels and one repetition so that
 * make bench-all stays within 30 minutes on 2 cores with about 20 models
 * (hello: 30 runs of 2 s per model, the others 8); make bench-quick runs each
 * at one level.
 */
static const struct scenario table[] = {
	{
	    .name = "hello",
	    .kind = SCENARIO_CLOSED_LOOP,
	    .compare = SCENARIO_COMPARE_BAR,
	    .legacy = 1,
	    .target = "/",
	    .modes = "close keepalive",
	    .levels = "1 8 32 128 512",
	    .quick_levels = "128",
	    .ladder = "keepalive 1 64 512; close 64",
	    .body_bytes = 11,
	    .shows = "an 11-byte reply: the cost of a connection and of a request, little else",
	},
	{
	    .name = "sleep",
	    .kind = SCENARIO_CLOSED_LOOP,
	    .target = "/sleep/10",
	    .modes = "keepalive",
	    .levels = "1 8 32 128",
	    .quick_levels = "32",
	    .reps = 1,
	    .body_bytes = 11,
	    .shows = "blocking work (a disk read, a database call): one event loop serves 100 "
	             "req/s, a thread or process per request scales with c",
	    .law = law_sleep,
	    .law_text = "P x 1000/d for d ms of blocking work; P = 1 for one thread, "
	                "min(c, max-conns) for one per connection, min(c, W) for a pool of W",
	},
	{
	    .name = "cpu",
	    .kind = SCENARIO_CLOSED_LOOP,
	    .target = "/cpu/200",
	    .modes = "keepalive",
	    .levels = "1 32",
	    .quick_levels = "8",
	    .reps = 1,
	    .body_bytes = 11,
	    .shows = "CPU work: no design serves more than its CPUs can compute",
	    .law = law_cpu,
	    .law_text = "min(P, server CPUs) x 1e6/u for u µs of CPU per request (P as for sleep)",
	},
	{
	    .name = "bytes",
	    .kind = SCENARIO_CLOSED_LOOP,
	    .target = "/bytes/1048576",
	    .modes = "keepalive",
	    .levels = "1 32",
	    .quick_levels = "8",
	    .ladder = "keepalive 64",
	    .reps = 1,
	    .body_bytes = 1048576,
	    .shows = "1 MiB replies: partial writes and back-pressure; the copy bandwidth of "
	             "kernel and client decides",
	    .law_text = "no law: the copy bandwidth of kernel and client bounds it, and it is "
	                "not measured apart; the report gives MB/s (req/s x the body) instead",
	},
	{
	    .name = "pipeline",
	    .kind = SCENARIO_CLOSED_LOOP,
	    .compare = SCENARIO_COMPARE_PIPELINED,
	    .target = "/",
	    .modes = "keepalive",
	    .levels = "64 256",
	    .quick_levels = "64",
	    .ladder = "keepalive 64",
	    .body_bytes = 11,
	    .opt_in = 1,
	    .shows = "16 pipelined requests per write (TechEmpower's plaintext): a server that "
	             "batches its replies into one send spends far less CPU per request",
	    .tool = "wrk",
	    .script = "harness/wrk/pipeline.lua",
	},
	{
	    .name = "mixed",
	    .kind = SCENARIO_OPEN_LOOP,
	    .target = "/",
	    .mix = "/cpu/10:995,/cpu/10000:5",
	    .modes = "keepalive close",
	    .levels = "20 50 80",
	    .quick_levels = "50",
	    .reps = 1,
	    .duration_s = 5,
	    .body_bytes = 11,
	    .opt_in = 1,
	    .tool = "loadgen",
	    /* few, so that the CPU of requests cut off at the run's end (up to one long request
	     * each, 10 ms) stays under 1 % of a run: 32 put thread's long class at 11.6 ms */
	    .capacity_conns = 4,
	    .load_conns = 64,
	    .level_axis = "offered load (% of the mix capacity)",
	    .shows = "open-loop load at 20, 50 and 80 % of capacity of 99.5 % /cpu/10 and 0.5 % "
	             "/cpu/10000: the short requests' latency behind the long ones (head-of-line "
	             "blocking in arrival order, or time-slicing), and how evenly the workers "
	             "share the load",
	},
	{
	    .name = "churn",
	    .kind = SCENARIO_OPEN_LOOP,
	    .target = "/",
	    .modes = "keepalive",
	    .levels = "1 10 100",
	    .quick_levels = "10",
	    .reps = 1,
	    .duration_s = 3,
	    .body_bytes = 11,
	    .opt_in = 1,
	    .tool = "loadgen",
	    .capacity_conns = 32,
	    .load_conns = 64,
	    .churn_pct = 25,
	    .level_axis = "requests per connection",
	    .shows = "open-loop hello at 25 % of capacity, each connection closed by the server "
	             "after 1, 10 or 100 requests (loadgen --requests-per-conn): the cost of a "
	             "new connection, and how evenly the workers take new connections",
	},
	{
	    /*
	     * Issues 13 and 16: the open-loop sweep; opt-in, about 10 s a cell. Every
	     * model gets a pool of 8 (--workers 8; --max-conns 8 caps a design per
	     * connection at 8 and a queue at 8 deep), so every design has a capacity
	     * the generator can pass on one CPU: 100 req/s for one thread, 800 for
	     * the rest. Capacity is measured at 8 connections, as many as workers;
	     * the load is a connection per request over up to 32 at once (4 x W), so
	     * the excess reaches the model: a pool holding keep-alive connections
	     * would starve the extra ones instead of queueing their requests.
	     */
	    .name = "overload",
	    .kind = SCENARIO_OPEN_LOOP,
	    .target = "/sleep/10",
	    .modes = "close",
	    .levels = "10 50 80 95 110 150",
	    .quick_levels = "150",
	    .reps = 3, /* one draw of an open-loop p99 is not the cell's: M/D/1 at 95 % varies 2x */
	    .duration_s = 5,
	    .body_bytes = 11,
	    .opt_in = 1,
	    .tool = "loadgen",
	    .capacity_conns = 8,
	    .load_conns = 32,
	    .workers = 8,
	    .max_conns = 8,
	    .level_axis = "offered load (% of capacity)",
	    .shows = "open-loop load at 10-150 % of capacity, a connection per request, every "
	             "pool at 8: latency's hockey stick, and whether past capacity a design "
	             "queues (latency grows with the run) or refuses (503s at bounded latency)",
	    .law = law_sleep,
	    .law_text = "the sleep law at 8 connections with --workers 8 --max-conns 8: 100 "
	                "req/s for one thread, 800 for a pool or a thread per connection; "
	                "goodput = min(offered, bound); past the bound a design with admission "
	                "control refuses offered - bound a second (503), any other queues it, "
	                "so a request at the end of a T s run waits (offered/bound - 1) x T "
	                "(the M/D/1 queue of one event loop, M/D/8 for a pool); a thread or "
	                "process per connection capped with no queue refuses Erlang's loss share "
	                "B(8, offered x 8/bound) even below the bound",
	},
	{
	    .name = "idle",
	    .kind = SCENARIO_IDLE_BESIDE_LOAD,
	    .target = "/",
	    .modes = "keepalive",
	    .levels = "0 1000 10000",
	    .quick_levels = "1000",
	    /* memory per idle connection as the slope from 500 to 1000: the first connections
	     * touch fixed costs (io_uring's 1 MiB of provided buffers) that are no one's */
	    .ladder = "keepalive 500 1000",
	    .reps = 1,
	    .body_bytes = 11,
	    .idle_load_c = 32,
	    .paired = 1, /* the machine's speed shifts in minutes: compare N with 0 seconds apart */
	    .level_axis = "idle connections",
	    .tool = "wrk", /* issue 10's load: wrk -c32 keep-alive, a thread per client CPU */
	    .opt_in = 1,
	    .shows = "C10K: N idle keep-alive connections beside 32 busy ones; select and poll "
	             "pay per watched connection (O(n)), epoll and io_uring per ready one",
	    .law_text = "no req/s bound: the cost per request against N is the finding (µs per "
	                "request per 1000 idle connections, and memory per idle connection); "
	                "the wait law: CPU per request at N over that at N = 0 of the same "
	                "repetition is 1.00 (within +5 %) for wait=ready, grows linearly in N "
	                "for wait=all, and has no scan law for wait=-",
	    .before_load = idle_before,
	    .after_load = idle_after,
	},
	{
	    FILES_ROW,
	    .name = "files-sendfile",
	    .files = &files_sendfile,
	    .server_args = "--file-io,sendfile",
	    .shows = "static files (SPECweb99's mix over a Zipf law), the set cached, sent with "
	             "sendfile: req/s, CPU per request and per MiB (files-read beside it)",
	    .law_text = "no req/s bound; the ratio of CPU per MiB, read + write over sendfile, "
	                "is the copy through user space that sendfile saves",
	},
	{
	    FILES_ROW,
	    .name = "files-read",
	    .files = &files_read,
	    .server_args = "--file-io,read",
	    .shows = "the same, each file sent with pread and send: one copy in, one copy out",
	    .law_text = "as files-sendfile",
	},
	{
	    FILES_ROW,
	    .name = "files-hot",
	    .files = &files_warm_hot,
	    .server_args = "--file-io,sendfile",
	    .shows = "the mix paced (4 ms between requests on each of 8 connections), the set "
	             "cached, and 2 clients asking only for the hot subset: their p99, warm",
	    .law_text = "warm: no disk wait; the hot p99 is the design's own",
	},
	{
	    FILES_ROW,
	    .name = "files-cold",
	    .files = &files_cold_hot,
	    .server_args = "--file-io,sendfile",
	    .shows = "the same with the set evicted from the page cache file by file, the hot "
	             "subset kept: a design that waits for the disk in its only thread makes the "
	             "hot files wait too",
	    .law_text = "a loop that serializes its misses waits the disk's random-read latency "
	                "for each: reads a second x latency of every second, and a hot request "
	                "behind k misses waits k x latency more (k up to the 8 mix connections); "
	                "a design that absorbs the misses (a thread or process per connection, a "
	                "pool, offload's helpers) keeps its warm hot p99",
	},
};

#define NROWS (int)(sizeof(table) / sizeof(table[0]))

const struct scenario *scenario_table(int *n)
{
	*n = NROWS;
	return table;
}

const struct scenario *scenario_find(const char *name)
{
	int i;

	for (i = 0; i < NROWS; i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

const struct scenario *scenario_for_compare(enum scenario_compare what)
{
	int i;

	for (i = 0; i < NROWS; i++)
		if (table[i].compare == what)
			return &table[i];
	return NULL;
}

const struct scenario *scenario_legacy(void)
{
	int i;

	for (i = 0; i < NROWS && !table[i].legacy; i++)
		;
	return &table[i < NROWS ? i : 0];
}

/* Mark in want every row of group name: 1 if there was one, else 0. */
static int scenario_group(const char *name, int *want)
{
	int i, hit = 0;

	for (i = 0; i < NROWS; i++)
		if (table[i].group && !strcmp(table[i].group, name))
			hit = want[i] = 1;
	return hit;
}

int scenario_parse_list(const char *list, const struct scenario **out, int max, char *err,
                        size_t errlen)
{
	char copy[1024], *w, *save;
	int want[NROWS] = { 0 }, i, n = 0, any = 0;

	snprintf(copy, sizeof(copy), "%s", list);
	for (w = strtok_r(copy, " ,\t", &save); w; w = strtok_r(NULL, " ,\t", &save)) {
		const struct scenario *s = scenario_find(w);

		if (!strcmp(w, "all")) {
			for (i = 0; i < NROWS; i++)
				want[i] = 1;
		} else if (!s && scenario_group(w, want)) {
			;
		} else if (!s) {
			snprintf(err, errlen, "%s", w);
			return -1;
		} else {
			want[s - table] = 1;
		}
		any = 1;
	}
	if (!any) {
		snprintf(err, errlen, "(none)");
		return -1;
	}
	for (i = 0; i < NROWS && n < max; i++)
		if (want[i])
			out[n++] = &table[i];
	return n;
}

int scenario_defaults(const struct scenario **out, int max)
{
	int i, n = 0;

	for (i = 0; i < NROWS && n < max; i++)
		if (!table[i].opt_in)
			out[n++] = &table[i];
	return n;
}

const char *scenario_names(char *buf, size_t len)
{
	size_t o = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < NROWS && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%s%s", i ? " " : "", table[i].name,
		              table[i].opt_in ? " (opt-in)" : "");
	for (i = 0; i < NROWS && o < len; i++) /* each group once, where its first row is */
		if (table[i].group &&
		    (!i || !table[i - 1].group || strcmp(table[i - 1].group, table[i].group)))
			o += snprintf(buf + o, len - o, " %s (its rows)", table[i].group);
	return buf;
}

int scenario_is_open(const struct scenario *s)
{
	return s->kind == SCENARIO_OPEN_LOOP;
}

int scenario_is_idle(const struct scenario *s)
{
	return s->kind == SCENARIO_IDLE_BESIDE_LOAD;
}

const char *scenario_kind_names(enum scenario_kind kind, char *buf, size_t len)
{
	size_t o = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < NROWS && o < len; i++)
		if (table[i].kind == kind)
			o += snprintf(buf + o, len - o, "%s%s", o ? " " : "", table[i].name);
	return buf;
}

int scenario_open_loop(const char *name)
{
	const struct scenario *s = scenario_find(name);

	return s && scenario_is_open(s);
}

int scenario_paced(const char *name)
{
	const struct scenario *s = scenario_find(name);

	return s && s->files && s->files->pause_ms > 0;
}

enum scenario_files_role scenario_files_role(const char *name)
{
	const struct scenario *s = scenario_find(name);

	return s && s->files ? s->files->role : SCENARIO_FILES_NONE;
}

int scenario_load_conns(const struct scenario *s, int level)
{
	return scenario_is_idle(s) ? s->idle_load_c : level;
}

int scenario_idle_conns(const struct scenario *s, int level)
{
	return scenario_is_idle(s) ? level : 0;
}

int scenario_offered_pct(const struct scenario *s, int level)
{
	return s->churn_pct > 0 ? s->churn_pct : level;
}

int scenario_per_conn(const struct scenario *s, int level)
{
	return s->churn_pct > 0 ? level : 0;
}

const char *scenario_work_target(const struct scenario *s)
{
	return s->mix ? s->mix : s->target;
}

long scenario_number(const struct scenario *s)
{
	const char *p = strrchr(s->target, '/');
	char *end;
	long v;

	if (!p || !p[1])
		return -1;
	v = strtol(p + 1, &end, 10);
	return *end || end == p + 1 ? -1 : v;
}

double scenario_bound(const struct scenario *s, const struct law_input *in, char *how, size_t len)
{
	struct law_input own = *in;

	if (!s->law) {
		snprintf(how, len, "no law");
		return -1;
	}
	if (scenario_is_open(s)) /* an open-loop level is a share of this capacity */
		own.concurrency = s->capacity_conns;
	if (s->workers > 0)
		own.workers = s->workers;
	if (s->max_conns > 0)
		own.max_conns = s->max_conns;
	return s->law(s, &own, how, len);
}

/* Erlang's loss formula: the share of arrivals refused by c servers offered a erlangs. */
static double erlang_b(int c, double a)
{
	double b = 1;
	int n;

	for (n = 1; n <= c; n++)
		b = a * b / (n + a * b);
	return b;
}

int scenario_overload_law(double bound, double offered, int admission, int loss_servers,
                          double run_s, struct overload_law *law)
{
	double excess = offered - bound, lost;

	memset(law, 0, sizeof(*law));
	if (bound <= 0 || offered <= 0)
		return -1;
	if (admission && loss_servers > 0) {
		lost = offered * erlang_b(loss_servers, offered * loss_servers / bound);
		law->goodput_rps = offered - lost;
		law->rejected_rps = lost;
		return 0;
	}
	law->goodput_rps = excess > 0 ? bound : offered;
	if (excess > 0 && admission)
		law->rejected_rps = excess;
	else if (excess > 0)
		law->end_wait_s = excess / bound * run_s;
	return 0;
}
