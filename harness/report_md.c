/* report_md.c -- report.md: per scenario its law and tables, the ranking, the charts, the meta. */
#include "report_md.h"
#include "report_rank.h"
#include "calib.h"
#include "report_mixed.h"
#include "health.h"
#include "plot.h"
#include "scenario.h"
#include "util.h"

#include <math.h>
#include <string.h>

/* Which marks a table used, for its legend. */
struct marks {
	int cpu; /* the table is of server CPU per request, not req/s */
	int bound, refs, shortfall, starved, noisy, law, refused, unserved, slow, littles;
	double noisy_max;
};

/* The distinct concurrency levels of mode, ascending (at most max). */
static int levels_of(const struct report_cell *c, int n, const char *mode, int *lv, int max)
{
	int i, j, k = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(c[i].mode, mode))
			continue;
		for (j = 0; j < k && lv[j] != report_level(&c[i]); j++)
			;
		if (j < k || k == max)
			continue;
		for (j = k++; j > 0 && lv[j - 1] > report_level(&c[i]); j--)
			lv[j] = lv[j - 1];
		lv[j] = report_level(&c[i]);
	}
	return k;
}

/* One cell of a table: "41,230 (1.20 ms)" and its marks, to f; notes them in m. */
static void md_cell(FILE *f, const struct report_cell *x, int planned, struct marks *m)
{
	const struct scenario *sc = scenario_find(x->scenario);
	char num[32];
	int shortfall = report_cell_short(x, planned);

	if (!x->ok)
		fprintf(f, " %s", x->statuses);
	else if (m->cpu)
		fprintf(f, " %.1f", x->cpu_us_median);
	else if (x->starved) /* the unserved waited the whole run: their p99 is at least that */
		fprintf(f, " %s (≥ %.1f s)", util_thousands(x->rps_median, num, sizeof(num)),
		        x->run_s);
	else
		fprintf(f, " %s (%.2f ms)", util_thousands(x->rps_median, num, sizeof(num)),
		        x->p99_median);
	if (x->ok && x->bound > 0 && !m->cpu) {
		/* what the law bounds is goodput: answers refused by design are not served */
		fprintf(f, " = %.0f %% of %s",
		        100 * (x->rejected_median > 0 ? x->goodput_median : x->rps_median) /
		            x->bound,
		        util_thousands(x->bound, num, sizeof(num)));
		m->law = 1;
	}
	if (x->ok && x->rejected_median > 0 && !m->cpu) {
		fprintf(f, ", %s refused/s", util_thousands(x->rejected_median, num, sizeof(num)));
		m->refused = 1;
	}
	if (x->ok && sc && sc->body_bytes >= REPORT_BANDWIDTH_BYTES && !m->cpu)
		fprintf(f, ", %s MB/s",
		        util_thousands(x->rps_median * sc->body_bytes / 1e6, num, sizeof(num)));
	if (x->ok && x->client_bound)
		fprintf(f, " ‡");
	if (shortfall)
		fprintf(f, " *");
	if (x->ok && (x->starved || x->w.unserved))
		fprintf(f, " † ~%.0f/%d", x->served_median, x->concurrency);
	if (x->noisy)
		fprintf(f, " §");
	if (x->w.slow)
		fprintf(f, " ¤");
	if (x->w.littles_off && !m->cpu)
		fprintf(f, " ≠");
	fprintf(f, " |");
	m->unserved |= x->ok && x->w.unserved && !x->starved;
	m->slow |= x->w.slow > 0;
	m->littles |= x->w.littles_off && !m->cpu;
	m->bound |= x->ok && x->client_bound;
	m->shortfall |= shortfall;
	m->starved |= x->ok && x->starved;
	if (x->noisy) {
		m->noisy = 1;
		m->noisy_max = fmax(m->noisy_max, x->other_cpu_max);
	}
}

/* The legend of the marks a table used. */
static void md_legend(FILE *f, const struct marks *m, int planned)
{
	if (m->law)
		fprintf(f, "\n= N %% of B: the median req/s as a share of the bound B that the "
		           "scenario's law gives for the model (from its Facts line, the server's "
		           "CPUs and --workers). A model far below its bound is a finding to "
		           "explain. Where the law is the CPU's (the cpu scenario), a model below "
		           "100 %% was not idle: its CPUs were busy, and the gap is what it spends "
		           "per request beside the work itself (parsing, system calls, "
		           "scheduling), not spare capacity.\n");
	if (m->refused)
		fprintf(
		    f, "\nN refused/s: 503 answers a second from a model that refuses by design "
		       "(admission=yes in its Facts); req/s counts them, the share of the bound is "
		       "that of the goodput (2xx a second) alone.\n");
	if (m->shortfall)
		fprintf(f,
		        "\n* fewer ok repetitions than the %d planned (see summary.csv, "
		        "statuses).\n",
		        planned);
	if (m->starved)
		fprintf(f,
		        "\n† starved: ~N/C means only about N of the C connections were being "
		        "served (served_conns = req/s x mean latency of the completed requests, "
		        "Little's law; marked below %.2g x C). The others waited the whole run, "
		        "e.g. a fixed pool of blocking workers each holding one keep-alive "
		        "connection, and the tool stopped at its time limit without counting them "
		        "as failures. The runs stay ok because their numbers are real: req/s is "
		        "that of the N served connections, not of C. Their p99 is not shown: the "
		        "connections never served waited at least the run's length (≥ T s), and "
		        "that is the cell's latency.\n",
		        HEALTH_STARVED_FRACTION);
	if (m->noisy)
		fprintf(f,
		        "\n§ noisy: other processes used more than %.0f %% of one CPU during at "
		        "least one repetition (up to %.0f %%; other_cpu_pct in results.csv). Not "
		        "retried: compare with care.\n",
		        HEALTH_NOISY_PCT, m->noisy_max);
	if (m->unserved)
		fprintf(
		    f,
		    "\n† without starved: Little's law (req/s x the completed requests' mean "
		    "latency) accounts for only ~N of the C connections, more than %.0f %% short, "
		    "while the load tool was not saturated: the others spent part of the run "
		    "unserved (in the accept queue, waiting for a worker). Their wait is not in "
		    "the p99 shown, which is that of the requests served.\n",
		    100 * HEALTH_LITTLES_OFF);
	if (m->slow)
		fprintf(f,
		        "\n¤ slow phase: in at least one repetition the host's calibration "
		        "(calib_us: a fixed pipe ping-pong timed before the run) was more than "
		        "%.0f %% off the whole run's median: the host ran at another speed then, "
		        "which other_cpu_pct cannot see. Compare with care.\n",
		        100 * CALIB_OFF_FRAC);
	if (m->littles)
		fprintf(
		    f,
		    "\n≠ Little's law off: req/s x mean latency / connections (littles_ratio) is "
		    "more than %.0f %% away from 1: the tool's own numbers disagree (a saturated "
		    "tool holds requests its latency does not count; some tools' means are not "
		    "of the requests they count).\n",
		    100 * HEALTH_LITTLES_OFF);
	if (m->refs)
		fprintf(f, "\n(reference): a production server run behind the same contract (e.g. "
		           "ref-nginx is Debian's nginx), the yardstick, not a model of ours.\n");
	if (m->bound)
		fprintf(
		    f,
		    "\n‡ the load generator used >= %.0f %% of one core: the load generator, not "
		    "the server, limited this cell.\n",
		    REPORT_CLIENT_BOUND_PCT);
	fprintf(f, "\n");
}

/* The highest level of mode among c[0..n) with an ok cell, or -1. */
static int top_ok(const struct report_cell *c, int n, const char *mode)
{
	int i, top = -1;

	for (i = 0; i < n; i++)
		if (c[i].ok && !strcmp(c[i].mode, mode) && c[i].concurrency > top)
			top = c[i].concurrency;
	return top;
}

/*
 * Where the CPU went, for one scenario's cells c[0..n) in mode at its
 * highest level with an ok run: per model the server's, the load tool's and
 * the whole machine's CPU µs per request (medians), so that a reader sees the
 * loopback's kernel work move between client and server while the machine's
 * total does not. Nothing when no cell knows the machine's (older files).
 */
static void md_cpu_table(FILE *f, const struct report_cell *c, int n, const char *mode)
{
	int i, level = top_ok(c, n, mode), known = 0;

	for (i = 0; i < n; i++)
		known |= !strcmp(c[i].mode, mode) && c[i].concurrency == level &&
		         c[i].w.sys_us_median > 0;
	if (!known)
		return;
	fprintf(f,
	        "Where the CPU went, %s mode at c=%d (µs per request, medians): the server's "
	        "tree, the load tool, and every CPU of the machine over the same window "
	        "(/proc/stat; other processes' too, see §). On loopback the kernel's work for a "
	        "connection falls to whichever side's system call ran it, so client and server "
	        "trade it; the machine's total does not.\n\n| model | server | client | whole "
	        "machine |\n|---|---:|---:|---:|\n",
	        mode, level);
	for (i = 0; i < n; i++) {
		const struct report_cell *x = &c[i];

		if (strcmp(x->mode, mode) || x->concurrency != level || !x->ok)
			continue;
		fprintf(f, "| %s | %.1f |", x->model, x->cpu_us_median);
		fprintf(f, x->w.client_us_median >= 0 ? " %.1f |" : " ? |", x->w.client_us_median);
		if (x->w.sys_us_median >= 0)
			fprintf(f, " %.1f%s |\n", x->w.sys_us_median, x->noisy ? " §" : "");
		else
			fprintf(f, " ? |\n");
	}
	fprintf(f, "\n");
}

/*
 * The fixed cost, for one scenario's cells c[0..n): per model and mode the
 * median CPU before the load (start-up, a pool's creation) and after it
 * (teardown, exit) at the lowest level, and what they would add per request
 * had they been charged to that cell's requests. Nothing when unknown.
 */
static void md_fixed_cost(FILE *f, const struct report_cell *c, int n)
{
	int i, known = 0;

	for (i = 0; i < n; i++)
		known |= c[i].ok && c[i].w.start_cpu_median >= 0 && c[i].w.exit_cpu_median >= 0;
	if (!known)
		return;
	fprintf(f, "Fixed cost: the server tree's CPU before the load (start-up, a pool's "
	           "creation) and after it (teardown, exit), kept out of every CPU per request "
	           "above; at each model's lowest level, with what it would have added per "
	           "request there.\n\n| model | mode | level | start-up ms | exit ms | would add "
	           "µs/req | measured µs/req |\n|---|---|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < n; i++) {
		const struct report_cell *x = &c[i];
		double reqs = x->rps_median * x->run_s;

		if (!x->ok || x->w.start_cpu_median < 0 || x->w.exit_cpu_median < 0 ||
		    (i && !strcmp(c[i - 1].model, x->model) && !strcmp(c[i - 1].mode, x->mode)))
			continue; /* cells are sorted by model, mode, level: the first is the lowest
			           */
		fprintf(f, "| %s | %s | %d | %.1f | %.1f | ", x->model, x->mode, x->concurrency,
		        1e3 * x->w.start_cpu_median, 1e3 * x->w.exit_cpu_median);
		if (reqs > 0)
			fprintf(f, "%.1f | ",
			        1e6 * (x->w.start_cpu_median + x->w.exit_cpu_median) / reqs);
		else
			fprintf(f, "? | ");
		fprintf(f, "%.1f |\n", x->cpu_us_median);
	}
	fprintf(f, "\n");
}

/*
 * An idle scenario's memory per idle connection, at the most idle
 * connections: the user-space slope, the kernel's (the server's share,
 * kmem.h) and their total. Nothing when no cell knows the kernel's.
 */
static void md_idle_memory(FILE *f, const struct report_cell *c, int n)
{
	int i, known = 0;

	for (i = 0; i < n; i++)
		known |= c[i].w.kmem_per_idle_b >= 0;
	if (!known)
		return;
	fprintf(f, "Memory per idle connection, at the most idle connections: user space (the "
	           "slope of the tree's PSS), the kernel's (slab, stacks and page tables grown "
	           "while they were opened, less the holder's own sockets: on loopback both ends "
	           "live in this kernel), and the total.\n\n| model | mode | N | user B | kernel "
	           "B | total B |\n|---|---|---:|---:|---:|---:|\n");
	for (i = 0; i < n; i++) {
		const struct report_cell *x = &c[i];

		if (x->w.kmem_per_idle_b < 0 || (i + 1 < n && !strcmp(c[i + 1].model, x->model) &&
		                                 !strcmp(c[i + 1].mode, x->mode)))
			continue; /* sorted by model, mode, level: the last is the most idle */
		fprintf(f, "| %s | %s | %d | ", x->model, x->mode, x->idle_conns);
		if (isnan(x->mem_per_idle_b))
			fprintf(f, "? | %.0f | ? |\n", x->w.kmem_per_idle_b);
		else
			fprintf(f, "%.0f | %.0f | %.0f |\n", x->mem_per_idle_b,
			        x->w.kmem_per_idle_b, x->mem_per_idle_b + x->w.kmem_per_idle_b);
	}
	fprintf(f, "\n");
}

/* One mode's table: a row per model, a column per level. */
static void md_table(FILE *f, const struct report_cell *c, int n, const char *mode, int planned,
                     int cpu)
{
	int lv[64], k = levels_of(c, n, mode, lv, 64), i, j;
	char label[RECORD_WORD + 16];
	const char *tool = "";
	struct marks m = { .cpu = cpu };

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].mode, mode))
			tool = c[i].tool;
	if (cpu)
		fprintf(f,
		        "Server CPU µs per request (the server tree's user + sys from the load's "
		        "start to its end, over requests; median of the ok repetitions), %s "
		        "mode: what the design costs per answer, whoever limited the req/s.\n\n| "
		        "model |",
		        mode);
	else
		fprintf(f,
		        "### %s (%s)\n\nMedian req/s (p99 latency) over the ok repetitions.\n\n| "
		        "model |",
		        mode, tool);
	for (j = 0; j < k; j++)
		if (!scenario_open_loop(c[0].scenario))
			fprintf(f, " %s=%d |", report_level_word(&c[0]), lv[j]);
		else if (lv[j])
			fprintf(f, " %d %% |", lv[j]);
		else
			fprintf(f, " capacity |");
	fprintf(f, "\n|---|");
	for (j = 0; j < k; j++)
		fprintf(f, "---:|");
	fprintf(f, "\n");
	for (i = 0; i < n; i++) {
		if (strcmp(c[i].mode, mode) ||
		    (i > 0 && !strcmp(c[i - 1].model, c[i].model) && !strcmp(c[i - 1].mode, mode)))
			continue;
		fprintf(f, "| %s |", report_label(c[i].model, label, sizeof(label)));
		m.refs |= c[i].reference;
		for (j = 0; j < k; j++) {
			const struct report_cell *x =
			    report_find_cell(c, n, c[i].model, mode, lv[j]);

			if (!x)
				fprintf(f, " |");
			else
				md_cell(f, x, planned, &m);
		}
		fprintf(f, "\n");
	}
	if (cpu)
		fprintf(f, "\n(Marks as in the req/s table above.)\n\n");
	else
		md_legend(f, &m, planned);
}

#define KNEE_FACTOR  10.0 /* the knee: p99 this many times its value at the lowest load */
#define GOODPUT_HELD 0.9  /* goodput held: at the highest load, this share of its peak */

/* What c's design does with offered load past its bound, in words. */
static const char *past_bound(const struct report_cell *c)
{
	if (c->bound < 0)
		return c->law; /* why there is none */
	if (c->admission && c->parallel == FACTS_CONN)
		return "refuses it: 503 (admission control, no queue: Erlang loss)";
	if (c->admission)
		return "refuses it: 503 (admission control behind a queue)";
	return c->parallel == FACTS_ONE ? "queues it (one thread: M/D/1)"
	                                : "queues it (listen backlog or work queue)";
}

/*
 * The servers of a design with admission control and no queue in front (a
 * thread or process per connection capped by --max-conns: its bound's
 * parallelism), for Erlang's loss formula; 0 for any other design.
 */
static int loss_servers(const struct report_cell *c)
{
	const struct scenario *s = scenario_find(c->scenario);
	long ms = s ? scenario_number(s) : -1;

	if (!c->admission || c->parallel != FACTS_CONN || c->bound <= 0 || ms <= 0)
		return 0;
	return (int)lround(c->bound * ms / 1000); /* the sleep law: P x 1000/ms */
}

/*
 * "; 45 % of them waited in the generator for a connection" where some of an
 * open-loop cell's requests did (their latency holds that wait, which is the
 * generator's queue, not the server's), else "", into buf.
 */
static const char *generator_wait(const struct report_cell *x, char *buf, size_t len)
{
	buf[0] = '\0';
	if (x->w.gen_wait_share > 0)
		snprintf(buf, len, "; %.0f %% of them waited in the generator for a connection",
		         100 * x->w.gen_wait_share);
	return buf;
}

/*
 * One open-loop cell beside its law (scenario_overload_law): offered load,
 * goodput and rejected req/s each with the law's figure, p99, and what the law
 * says past the bound. The offered req/s is the share of the measured capacity
 * (cap) the generator was asked for; run_s the schedule's length.
 */
static void md_overload_law_row(FILE *f, const struct report_cell *x, const struct report_cell *cap,
                                double run_s)
{
	double offered = cap && cap->ok ? cap->rps_median * x->concurrency / 100 : -1;
	struct overload_law law;
	int has_law = scenario_overload_law(x->bound, offered, x->admission, loss_servers(x), run_s,
	                                    &law) == 0;
	char rej[32] = "?", p99[128], waited[96];

	fprintf(f, "| %s | %d %% = ", x->model, x->concurrency);
	fprintf(f, offered >= 0 ? "%.0f |" : "? |", offered);
	if (!x->ok) {
		fprintf(f, " %s | | | |\n", x->statuses);
		return;
	}
	if (x->rejected_median >= 0)
		snprintf(rej, sizeof(rej), "%.0f", x->rejected_median);
	if (!has_law) {
		fprintf(f, " %.0f | %s | %s | no law: %s |\n", x->goodput_median, rej,
		        cellstats_p99_words(&x->w, x->ok, x->p99_median, p99, sizeof(p99)),
		        x->bound < 0 ? x->law : "the offered load is unknown (no capacity run)");
		return;
	}
	fprintf(f, " %.0f (law %.0f) | %s (law %.0f) | %s%s | ", x->goodput_median, law.goodput_rps,
	        rej, law.rejected_rps,
	        cellstats_p99_words(&x->w, x->ok, x->p99_median, p99, sizeof(p99)),
	        generator_wait(x, waited, sizeof(waited)));
	if (loss_servers(x) > 0)
		fprintf(
		    f,
		    "no queue: refuses the arrivals that find its %d busy, %.1f %% (Erlang B) |\n",
		    loss_servers(x), 100 * law.rejected_rps / offered);
	else if (law.rejected_rps > 0)
		fprintf(f, "past the bound: refuses %.0f req/s, latency bounded by its queue |\n",
		        law.rejected_rps);
	else if (law.end_wait_s > 0)
		fprintf(f,
		        "past the bound: the queue grows %.0f req/s, the last request waits "
		        "about %.2f s |\n",
		        offered - x->bound, law.end_wait_s);
	else if (x->admission)
		fprintf(f, "within the bound: served; a burst past its queue is refused |\n");
	else
		fprintf(f, "within the bound: served, waits only for random bunching |\n");
}

/* The end of the model and mode slice of c[0..n) that starts at start. */
static int model_mode_end(const struct report_cell *c, int n, int start)
{
	int end = start;

	while (end < n && !strcmp(c[end].model, c[start].model) &&
	       !strcmp(c[end].mode, c[start].mode))
		end++;
	return end;
}

/*
 * One model and mode's verdict row of an open-loop scenario, from its cells
 * c[0..n) (sorted by level; level 0 is the closed-loop run that measured the
 * capacity the other levels are shares of): its bound and what its design
 * does past it, the load at which p99 first reaches KNEE_FACTOR x its value at
 * the lowest load, and whether goodput at the highest load held GOODPUT_HELD
 * of its peak. Only ok cells count: a cell the generator could not reach
 * (lagged, unreachable) is named, never filled in.
 */
static void md_overload_verdict(FILE *f, const struct report_cell *c, int n)
{
	const struct report_cell *low = NULL, *knee = NULL, *top = &c[0], *cap = NULL;
	double peak = 0;
	char knee_s[192], top_s[192], p99[128];
	int i;

	for (i = 0; i < n; i++) {
		const struct report_cell *x = &c[i];

		if (x->concurrency == 0) { /* level 0: the closed-loop capacity run */
			cap = x;
			continue;
		}
		top = x;
		if (!x->ok)
			continue;
		if (!low)
			low = x;
		else if (!knee && x->p99_median >= KNEE_FACTOR * low->p99_median)
			knee = x;
		if (x->goodput_median > peak)
			peak = x->goodput_median;
	}
	if (knee)
		snprintf(
		    knee_s, sizeof(knee_s), "%d %%: %s", knee->concurrency,
		    cellstats_p99_words(&knee->w, knee->ok, knee->p99_median, p99, sizeof(p99)));
	else
		snprintf(knee_s, sizeof(knee_s), "not within the loads run");
	if (!top->ok)
		snprintf(top_s, sizeof(top_s), "not measured at %d %% (%s) | -", top->concurrency,
		         top->statuses);
	else
		snprintf(top_s, sizeof(top_s), "%.0f req/s at %d %% | %s", top->goodput_median,
		         top->concurrency,
		         top->goodput_median >= GOODPUT_HELD * peak ? "held" : "fell (collapse)");
	fprintf(f, "| %s | %s | ", c[0].model, c[0].mode);
	fprintf(f, c[0].bound >= 0 ? "%.0f | " : "? | ", c[0].bound);
	if (cap && cap->ok)
		fprintf(f, "%.0f | ", cap->rps_median);
	else
		fprintf(f, "not measured (%s) | ", cap ? cap->statuses : "no run");
	fprintf(f, "%s | ", past_bound(&c[0]));
	if (low)
		fprintf(f, "%s at %d %% | %s | %s |\n",
		        cellstats_p99_words(&low->w, low->ok, low->p99_median, p99, sizeof(p99)),
		        low->concurrency, knee_s, top_s);
	else
		fprintf(f, "- | - | %s |\n", top_s);
}

/*
 * An open-loop scenario's verdicts, a row per model and mode of c[0..n)
 * (md_overload_verdict), what its capacity is; then every cell beside its law.
 */
static void md_overload(FILE *f, const struct scenario *s, const struct report_cell *c, int n)
{
	double run_s = s->duration_s > 0 ? s->duration_s : 0;
	int start, end, i;

	fprintf(f,
	        "| model | mode | bound (law) | capacity measured | past the bound | p99 at the "
	        "lowest load | p99 x%.0f at | goodput at the highest load | goodput |\n"
	        "|---|---|---|---|---|---|---|---|---|\n",
	        KNEE_FACTOR);
	for (start = 0; start < n; start = end) {
		end = model_mode_end(c, n, start);
		md_overload_verdict(f, c + start, end - start);
	}
	fprintf(f,
	        "\nCapacity: the closed-loop tool's req/s in keep-alive at %d connections (the "
	        "capacity column below); the other levels are shares of it, offered open-loop "
	        "over up to %d connections%s. A cell that is not ok (the generator lagged, or "
	        "could not carry the rate) keeps its status below and is never "
	        "extrapolated.\n\n",
	        s->capacity_conns, s->load_conns,
	        strstr(s->modes, "close") ? ", one per request" : "");
	fprintf(f, "Every measurement beside its law: goodput = min(offered, bound) 2xx a "
	           "second; past the bound a design with admission control refuses offered - "
	           "bound a second, any other queues it and a request sent at the end of the "
	           "schedule waits (offered/bound - 1) x the run. p99 is that of the 2xx "
	           "answers where the tool counts them apart (loadgen), else of every "
	           "answer.\n\n| model | offered req/s | goodput req/s | rejected "
	           "(503) req/s | p99 | the law |\n|---|---|---|---|---|---|\n");
	for (start = 0; start < n; start = end) {
		const struct report_cell *cap = NULL;

		end = model_mode_end(c, n, start);
		for (i = start; i < end; i++)
			if (c[i].concurrency == 0)
				cap = &c[i];
		for (i = start; i < end; i++)
			if (c[i].concurrency > 0)
				md_overload_law_row(f, &c[i], cap, run_s ? run_s : c[i].run_s);
	}
	fprintf(f, "\n");
}

/* One scenario's part of report.md: what it is, its law, a table per mode. */
static void md_scenario(FILE *f, const struct report_cell *c, int n)
{
	const struct scenario *s = scenario_find(c[0].scenario);
	const char *modes[REPORT_MAX_MODES];
	char title[RECORD_WORD + 128];
	int k = report_modes(c, n, modes), m, i, o;

	fprintf(f, "## %s\n\n", report_title(&c[0], title, sizeof(title)));
	if (s)
		fprintf(f, "What it shows: %s.\n\nBound: %s.\n\n", s->shows,
		        s->law_text ? s->law_text : "no law");
	for (i = 0, o = 0; s && s->law && i < n; i++)
		if (c[i].bound < 0 && (!i || strcmp(c[i - 1].model, c[i].model)))
			o += fprintf(f, "%s%s", o ? ", " : "No bound for ", c[i].model);
	if (o)
		fprintf(f, ": %s.\n\n",
		        "their README has no Facts line, and a bound is never guessed");
	if (s && s->mix)
		report_mixed_md(f, s, c, n);
	else if (s && scenario_is_open(s) && !s->churn_pct) /* churn's levels are no loads */
		md_overload(f, s, c, n);
	for (m = 0; m < k; m++) {
		md_table(f, c, n, modes[m], report_planned_reps(c, n), 0);
		md_table(f, c, n, modes[m], report_planned_reps(c, n), 1);
		md_cpu_table(f, c, n, modes[m]);
	}
	md_fixed_cost(f, c, n);
	report_balance_md(f, c, n);
	if (report_is_idle(&c[0])) {
		fprintf(
		    f,
		    "Memory is the PSS summed over the server's whole process tree with the "
		    "idle connections open (server_mem_kb); its slope against N is the memory "
		    "per idle connection. The paired CPU ratio is a model's CPU per request at "
		    "N over its CPU per request at N = 0 in the same repetition (the plan runs "
		    "a model's levels back to back), the median (min-max) over the repetitions "
		    "where both runs are ok. The law, from each model's Facts line: `wait=ready` "
		    "(a wait costs per ready descriptor: epoll, io_uring) predicts 1.00, and "
		    "the verdict is whether the median stays within +5 %%; `wait=all` (each wait "
		    "scans every watched descriptor: select, poll) predicts growth linear in N, "
		    "the slope; `wait=-` (a thread or process per connection or pool) has no "
		    "scan law: idle connections cost it memory and the scheduler.\n\n```\n");
		report_idle_slopes(f, c, n);
		fprintf(f, "```\n\n");
		md_idle_memory(f, c, n);
	}
}

/* meta's "warning: " lines (ab on a multi-CPU client side) as quotes at the top of the report. */
static void md_warnings(FILE *f, const char *meta)
{
	const char *line = meta;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		int len = nl ? (int)(nl - line) : (int)strlen(line);

		if (!strncmp(line, "warning: ", 9))
			fprintf(f, "> **Warning:** %.*s\n\n", len - 9, line + 9);
		line = nl ? nl + 1 : NULL;
	}
}

int report_write_md(const char *path, const char *run_id, const char *charts_rel,
                    const struct report_cell *c, int n, const char *meta)
{
	const char *modes[REPORT_MAX_MODES], *kinds[PLOT_MAX_KINDS];
	int start, end, k, nk, m, i;
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fprintf(f, "# Benchmark run %s\n\n", run_id);
	md_warnings(f, meta);
	for (start = 0; start < n; start = end) {
		end = report_slice_end(c, n, start);
		md_scenario(f, c + start, end - start);
	}
	fprintf(f, "## Ranking at the highest concurrency\n\n```\n");
	report_ranking(f, c, n);
	fprintf(f, "```\n\n## Charts\n\n");
	for (start = 0; start < n; start = end) {
		end = report_slice_end(c, n, start);
		k = report_modes(c + start, end - start, modes);
		nk = plot_kinds(&c[start], kinds);
		for (m = 0; m < k; m++)
			for (i = 0; i < nk; i++)
				fprintf(f, "![%s %s %s](%s/%s-%s-%s.png)\n\n", c[start].scenario,
				        kinds[i], modes[m], charts_rel, c[start].scenario, kinds[i],
				        modes[m]);
	}
	fprintf(f, "## Machine and plan\n\n```\n%s```\n", meta ? meta : "");
	return fclose(f) == 0 ? 0 : -1;
}
