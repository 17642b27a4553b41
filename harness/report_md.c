/* report_md.c -- report.md: the verdicts, then per scenario its law and tables by family. */
#include "report_md.h"
#include "report_side.h"
#include "calib.h"
#include "report_mixed.h"
#include "health.h"
#include "plot.h"
#include "scenario.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Which marks the report's cells carry, for its one legend. */
struct marks {
	int bound, refs, shortfall, starved, noisy, law, refused, unserved, slow, littles;
	double noisy_max;
};

/* The distinct concurrency levels of mode, ascending (at most max). */
static int levels_of(const struct report_cell *c, int n, const char *mode, int *lv, int max)
{
	int i, j, k = 0;

	for (i = 0; i < n; i++) {
		if (!report_in_mode(&c[i], mode))
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

/* The marks of every cell of c[0..n) into m. */
static void marks_of(const struct report_cell *c, int n, int planned, struct marks *m)
{
	int i;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < n; i++) {
		const struct report_cell *x = &c[i];

		m->bound |= x->ok && x->client_bound;
		m->shortfall |= report_cell_short(x, planned);
		m->starved |= x->ok && x->starved;
		m->law |= x->ok && x->bound > 0;
		m->refused |= x->ok && x->rejected_median > 0;
		m->refs |= x->reference;
		m->unserved |= x->ok && x->w.unserved && !x->starved;
		m->slow |= x->w.slow > 0;
		m->littles |= x->w.littles_off;
		if (x->noisy) {
			m->noisy = 1;
			m->noisy_max = fmax(m->noisy_max, x->other_cpu_max);
		}
	}
}

/*
 * A mode's view at its highest level with an ok cell (*level): 1 when the
 * load tool limited at least half of that level's ok cells, so that the
 * mode's table leads with server CPU per request and its verdict ranks by it;
 * else 0. *bound and *ok count those cells.
 */
static int mode_client_bound(const struct report_cell *c, int n, const char *mode, int *level,
                             int *bound, int *ok)
{
	int i;

	*level = -1;
	*bound = *ok = 0;
	for (i = 0; i < n; i++)
		if (report_in_mode(&c[i], mode) && c[i].ok && report_level(&c[i]) > *level)
			*level = report_level(&c[i]);
	for (i = 0; i < n; i++)
		if (report_in_mode(&c[i], mode) && c[i].ok && report_level(&c[i]) == *level) {
			++*ok;
			*bound += c[i].client_bound;
		}
	return *ok > 0 && 2 * *bound >= *ok;
}

/* What a cell is ranked by, smaller first: CPU per request, or req/s negated; ok cells only. */
static double rank_key(const struct report_cell *x, int cpu)
{
	if (!x || !x->ok)
		return INFINITY;
	return cpu ? x->cpu_us_median : -x->rps_median;
}

/* One row of a mode's table: a model, its family, its key at the top level. */
struct md_row {
	const char *model;
	int family;
	double key, family_key; /* family_key: the best key in its family */
};

static int cmp_row(const void *a, const void *b)
{
	const struct md_row *x = a, *y = b;

	if (x->family_key != y->family_key)
		return x->family_key < y->family_key ? -1 : 1;
	if (x->family != y->family)
		return x->family - y->family;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return strcmp(x->model, y->model);
}

/*
 * The models of mode in c[0..n) into rows (at most max), grouped by family
 * and sorted by value at level: the family with the best value first, each
 * family's models best first. How many.
 */
static int md_rows(const struct report_cell *c, int n, const char *mode, int level, int cpu,
                   struct md_row *rows, int max)
{
	int i, j, k = 0;

	for (i = 0; i < n && k < max; i++) {
		if (!report_in_mode(&c[i], mode) || (k && !strcmp(rows[k - 1].model, c[i].model)))
			continue;
		rows[k].model = c[i].model;
		rows[k].family = c[i].family;
		rows[k].key = rank_key(report_find_cell(c, n, c[i].model, mode, level), cpu);
		k++;
	}
	for (i = 0; i < k; i++) {
		rows[i].family_key = rows[i].key;
		for (j = 0; j < k; j++)
			if (rows[j].family == rows[i].family && rows[j].key < rows[i].family_key)
				rows[i].family_key = rows[j].key;
	}
	qsort(rows, k, sizeof(rows[0]), cmp_row);
	return k;
}

/* A cell's marks, each after a blank. */
static void md_marks(FILE *f, const struct report_cell *x, int planned)
{
	if (x->ok && x->client_bound)
		fprintf(f, " ‡");
	if (report_cell_short(x, planned))
		fprintf(f, " *");
	if (x->ok && (x->starved || x->w.unserved))
		fprintf(f, " † ~%.0f/%d", x->served_median, x->concurrency);
	if (x->noisy)
		fprintf(f, " §");
	if (x->w.slow)
		fprintf(f, " ¤");
	if (x->w.littles_off)
		fprintf(f, " ≠");
}

/*
 * One cell of a table, to f (CPU below 10 µs with two decimals, above with one). cpu: "15.2 ·
 * 24,873/s" (server CPU µs per request first, where the load tool was the ceiling); else "12,226/s
 * = 96 % · 15.73 ms · 31.4 µs" (req/s with its share of the bound, p99, CPU).
 */
static void md_cell(FILE *f, const struct report_cell *x, int planned, int cpu)
{
	const struct scenario *sc = scenario_find(x->scenario);
	char num[32];

	if (!x->ok) {
		fprintf(f, " %s", x->statuses);
		md_marks(f, x, planned);
		fprintf(f, " |");
		return;
	}
	if (cpu)
		fprintf(f, x->cpu_us_median < 10 ? " %.2f · %s/s" : " %.1f · %s/s",
		        x->cpu_us_median, util_thousands(x->rps_median, num, sizeof(num)));
	else
		fprintf(f, " %s/s", util_thousands(x->rps_median, num, sizeof(num)));
	if (x->bound > 0)
		/* what the law bounds is goodput: answers refused by design are not served */
		fprintf(f, " = %.0f %%",
		        100 * (x->rejected_median > 0 ? x->goodput_median : x->rps_median) /
		            x->bound);
	if (x->rejected_median > 0)
		fprintf(f, ", %s refused/s", util_thousands(x->rejected_median, num, sizeof(num)));
	if (sc && sc->body_bytes >= REPORT_BANDWIDTH_BYTES)
		fprintf(f, ", %s MB/s",
		        util_thousands(x->rps_median * sc->body_bytes / 1e6, num, sizeof(num)));
	if (!cpu) {
		if (x->starved) /* the unserved waited the whole run: their p99 is at least that */
			fprintf(f, " · ≥ %.1f s", x->run_s);
		else
			fprintf(f, " · %.2f ms", x->p99_median);
		fprintf(f, x->cpu_us_median < 10 ? " · %.2f µs" : " · %.1f µs", x->cpu_us_median);
	}
	md_marks(f, x, planned);
	fprintf(f, " |");
}

/* The legend of the marks the report used, once. */
static void md_legend(FILE *f, const struct marks *m, int planned)
{
	fprintf(f,
	        "How to read a cell: the median of the ok repetitions. `15.2 · 24,873/s`: server "
	        "CPU µs per request (the tree's user + sys over the load window, per request), "
	        "then req/s, in a mode whose "
	        "load tool was the ceiling; `12,226/s = 96 %% · 15.73 ms · 31.4 µs`: req/s, its "
	        "share of the bound, p99 latency and server CPU µs per request. Rows are "
	        "grouped by family (from each model's Facts line), the best family first, "
	        "each sorted by the value at the highest level; an iterative model in a keep-alive "
	        "mode "
	        "closes after every reply (its row says so) and is left out of the verdicts. A "
	        "verdict's families within 5 %% of the first are a tie.\n\n");
	if (m->law)
		fprintf(f,
		        "- = N %%: the median req/s as a share of the bound that the scenario's "
		        "law gives for the model (its Facts line, the server's CPUs, --workers); "
		        "far below it is a finding to explain; under the CPU's law (cpu) a model "
		        "below 100 %% was not idle: the gap is what it spends per request beside "
		        "the work.\n");
	if (m->refused)
		fprintf(f,
		        "- N refused/s: 503 answers a second from a model that refuses by design "
		        "(admission=yes); the share of the bound is that of the 2xx alone.\n");
	if (m->bound)
		fprintf(f,
		        "- ‡ the load generator used >= %.0f %% of its CPU: it, not the server, "
		        "limited the cell; read the server CPU.\n",
		        REPORT_CLIENT_BOUND_PCT);
	if (m->noisy)
		fprintf(
		    f,
		    "- § noisy: other processes used more than %.0f %% of one CPU during a "
		    "repetition (up to %.0f %%; other_cpu_pct): not retried, compare with care.\n",
		    HEALTH_NOISY_PCT, m->noisy_max);
	if (m->starved)
		fprintf(f,
		        "- † starved, ~N/C: only about N of the C connections were served "
		        "(served_conns, Little's law; below %.2g x C): the rest waited the whole "
		        "run, so the cell's latency is at least its length (≥ T s); req/s is the "
		        "N's.\n",
		        HEALTH_STARVED_FRACTION);
	if (m->unserved)
		fprintf(
		    f,
		    "- † without starved: Little's law (req/s x the completed requests' mean "
		    "latency) accounts for only ~N of the C connections, more than %.0f %% short, "
		    "while the load tool was not saturated: the others spent part of the run "
		    "unserved; their wait is not in the p99 shown.\n",
		    100 * HEALTH_LITTLES_OFF);
	if (m->slow)
		fprintf(f,
		        "- ¤ slow phase: in a repetition the host's calibration (calib_us: a fixed "
		        "pipe ping-pong timed before the run) was more than %.0f %% off the whole "
		        "run's median: the host ran at another speed then, which § cannot see.\n",
		        100 * CALIB_OFF_FRAC);
	if (m->littles)
		fprintf(
		    f,
		    "- ≠ Little's law off: req/s x mean latency / connections (littles_ratio) is "
		    "more than %.0f %% away from 1: the tool's own numbers disagree.\n",
		    100 * HEALTH_LITTLES_OFF);
	if (m->shortfall)
		fprintf(f,
		        "- * fewer ok repetitions than the %d planned (summary.csv, statuses).\n",
		        planned);
	if (m->refs)
		fprintf(f, "- (reference): a production server behind the same contract (ref-nginx "
		           "is Debian's nginx), the yardstick, not a model of ours.\n");
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

/* One mode's table: a row per model grouped by family, a column per level. */
static void md_table(FILE *f, const struct report_cell *c, int n, const char *mode, int planned)
{
	int lv[64], k = levels_of(c, n, mode, lv, 64), i, j, nr, level, bound, ok;
	int cpu = mode_client_bound(c, n, mode, &level, &bound, &ok);
	const struct scenario *sc = scenario_find(c[0].scenario);
	char label[RECORD_WORD + 16];
	const char *tool = "";
	struct md_row rows[256];

	for (i = 0; i < n; i++)
		if (report_in_mode(&c[i], mode))
			tool = c[i].tool;
	nr = md_rows(c, n, mode, level, cpu, rows, 256);
	if (cpu)
		fprintf(
		    f,
		    "### %s (%s): server CPU µs per request · req/s\n\nThe load tool was "
		    "the ceiling in %d of the %d cells at the top level: lower CPU is better.\n\n",
		    mode, tool, bound, ok);
	else
		fprintf(f, "### %s (%s): req/s · p99 · server CPU µs per request\n\n", mode, tool);
	fprintf(f, "| family | model |");
	for (j = 0; j < k; j++)
		if (!sc || !scenario_is_open(sc))
			fprintf(f, " %s=%d |", report_level_word(&c[0]), lv[j]);
		else if (sc->churn_pct) /* churn's levels are requests per connection */
			fprintf(f, " %d req/conn |", lv[j]);
		else
			fprintf(f, " %d %% |", lv[j]);
	fprintf(f, "\n|---|---|");
	for (j = 0; j < k; j++)
		fprintf(f, "---:|");
	fprintf(f, "\n");
	for (i = 0; i < nr; i++) {
		fprintf(
		    f, "| %s | %s%s |",
		    i && rows[i - 1].family == rows[i].family ? ""
		                                              : facts_family_name(rows[i].family),
		    report_label(rows[i].model, label, sizeof(label)),
		    rows[i].family == FACTS_FAMILY_ITERATIVE && strcmp(mode, "close") ? " (closes)"
		                                                                      : "");
		for (j = 0; j < k; j++) {
			const struct report_cell *x =
			    report_find_cell(c, n, rows[i].model, mode, lv[j]);

			if (!x)
				fprintf(f, " |");
			else
				md_cell(f, x, planned, cpu);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

#define VERDICT_TIE 1.05 /* families whose best cells are within 5 % are called a tie */

/* A cell of a closing design (keepalive=no) in a keep-alive mode: it does not do what is asked. */
static int closes_in_mode(const struct report_cell *x)
{
	return x->family == FACTS_FAMILY_ITERATIVE && strcmp(x->mode, "close");
}

/* How many times better a's key is than b's (>= 1 when a ranks first). */
static double how_much(const struct report_cell *a, const struct report_cell *b, int cpu)
{
	return cpu ? b->cpu_us_median / a->cpu_us_median : a->rps_median / b->rps_median;
}

/*
 * One verdict line for a scenario's mode (c[0..n), one scenario's cells): at
 * its highest level, each family's best model of ours (a closing design left
 * out of keep-alive), ranked by CPU where the load tool was the ceiling, else
 * by req/s. The first family and any within VERDICT_TIE of it share the lead
 * (a tie); then the first family that separates, and how far; the leader's
 * share of the bound; whether to read CPU. The two cells named carry their
 * marks (md_marks), as in the tables.
 */
static void md_verdict(FILE *f, const struct report_cell *c, int n, const char *mode)
{
	const struct report_cell *best[FACTS_NFAMILIES] = { 0 };
	int level, bound, ok, cpu = mode_client_bound(c, n, mode, &level, &bound, &ok), i, k = 0;
	int lead, planned = report_planned_reps(c, n);
	char num[32];

	fprintf(f, "- **%s, %s**", c[0].scenario, mode);
	if (level < 0) {
		fprintf(f, ": no ok cell.\n");
		return;
	}
	for (i = 0; i < n; i++) {
		const struct report_cell *x = &c[i];
		int fam = x->family > 0 && x->family < FACTS_NFAMILIES ? x->family : 0;

		if (!report_in_mode(x, mode) || !x->ok || x->reference ||
		    report_level(x) != level || closes_in_mode(x))
			continue;
		if (!best[fam] || rank_key(x, cpu) < rank_key(best[fam], cpu))
			best[fam] = x;
	}
	for (i = 0; i < FACTS_NFAMILIES; i++) { /* the families present, best first */
		const struct report_cell *x = best[i];
		int j;

		if (!x)
			continue;
		for (j = k++; j > 0 && rank_key(x, cpu) < rank_key(best[j - 1], cpu); j--)
			best[j] = best[j - 1];
		best[j] = x;
	}
	fprintf(f, " at %s=%d: ", report_level_word(&c[0]), level);
	if (!k) {
		fprintf(f, "no model of ours ran.\n");
		return;
	}
	for (lead = 1; lead < k && how_much(best[0], best[lead], cpu) < VERDICT_TIE; lead++)
		;
	for (i = 0; i < lead; i++)
		fprintf(f, "%s**%s**", i ? ", " : "", facts_family_name(best[i]->family));
	fprintf(f, lead > 1 ? " tie for first (within 5 %%): " : " first: ");
	if (cpu)
		fprintf(f,
		        best[0]->cpu_us_median < 10 ? "%s %.2f µs per request"
		                                    : "%s %.1f µs per request",
		        best[0]->model, best[0]->cpu_us_median);
	else
		fprintf(f, "%s %s req/s", best[0]->model,
		        util_thousands(best[0]->rps_median, num, sizeof(num)));
	if (best[0]->bound > 0 && !cpu)
		fprintf(f, " = %.0f %% of its bound", 100 * best[0]->rps_median / best[0]->bound);
	md_marks(f, best[0], planned); /* a verdict says its cells' marks, as the tables do */
	if (lead < k) {
		fprintf(f,
		        how_much(best[0], best[lead], cpu) < 10 ? "; then %s, %.2f x behind (%s"
		                                                : "; then %s, %.0f x behind (%s",
		        facts_family_name(best[lead]->family), how_much(best[0], best[lead], cpu),
		        best[lead]->model);
		md_marks(f, best[lead], planned);
		fprintf(f, ")");
	}
	if (cpu)
		fprintf(f, "; the load tool was the ceiling in %d of %d cells: read CPU.\n", bound,
		        ok);
	else
		fprintf(f, "; by req/s, the load tool below its ceiling in %d of %d cells.\n",
		        ok - bound, ok);
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
 * c[0..n) (sorted by level; a capacity cell among them is left out) and its
 * capacity cell cap (report_capacity: the closed-loop keep-alive run that
 * measured the capacity the levels are shares of; NULL: none): its bound and what its design
 * does past it, the load at which p99 first reaches KNEE_FACTOR x its value at
 * the lowest load, and whether goodput at the highest load held GOODPUT_HELD
 * of its peak. Only ok cells count: a cell the generator could not reach
 * (lagged, unreachable) is named, never filled in.
 */
static void md_overload_verdict(FILE *f, const struct report_cell *c, int n,
                                const struct report_cell *cap)
{
	const struct report_cell *low = NULL, *knee = NULL, *top = &c[n - 1];
	double peak = 0;
	char knee_s[192], top_s[192], p99[128];
	int i;

	for (i = 0; i < n; i++) {
		const struct report_cell *x = &c[i];

		if (report_is_capacity(x))
			continue;
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
		if (!report_is_capacity(&c[end - 1])) /* (sorted by level: a slice of levels) */
			md_overload_verdict(f, c + start, end - start,
			                    report_capacity(c, n, &c[start]));
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
	for (i = 0; i < n; i++)
		if (!report_is_capacity(&c[i]))
			md_overload_law_row(f, &c[i], report_capacity(c, n, &c[i]),
			                    run_s ? run_s : c[i].run_s);
	fprintf(f, "\n");
}

/*
 * An open-loop scenario's capacity cells (report_is_capacity) in a table of
 * their own: the closed-loop keep-alive run that every level is a share of,
 * itself no level of any mode. Measured once per model: one repetition is all
 * it plans.
 */
static void md_capacity(FILE *f, const struct scenario *s, const struct report_cell *c, int n)
{
	char label[RECORD_WORD + 16];
	int i, k = 0;

	for (i = 0; i < n; i++) {
		if (!report_is_capacity(&c[i]))
			continue;
		if (!k++)
			fprintf(f,
			        "### capacity (%s, %s, closed loop at c=%d): req/s · p99 · "
			        "server CPU µs per request\n\nWhat each level offers a share of: "
			        "%s.\n\n| model | capacity |\n|---|---:|\n",
			        c[i].tool, s->mix ? "in each mode" : "keep-alive",
			        s->capacity_conns,
			        s->mix ? "a run per class, mode and model, in the levels' mode; "
			                 "the row's req/s is the mix's capacity on one server CPU "
			                 "(the mix table says how)"
			               : "a run of its own per model, keep-alive whatever the "
			                 "levels' mode");
		fprintf(f, "| %s%s%s |", report_label(c[i].model, label, sizeof(label)),
		        s->mix ? ", " : "", s->mix ? c[i].mode : "");
		md_cell(f, &c[i], 1, 0);
		fprintf(f, "\n");
	}
	if (k)
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
		fprintf(f, "What it shows: %s. Bound: %s.\n\n", s->shows,
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
	if (s && scenario_is_open(s))
		md_capacity(f, s, c, n);
	for (m = 0; m < k; m++)
		md_table(f, c, n, modes[m], report_planned_reps(c, n));
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

/* How many of c[0..n)'s cells were noisy, to *noisy; returns how many cells. */
static int count_noisy(const struct report_cell *c, int n, int *noisy)
{
	int i;

	for (i = 0, *noisy = 0; i < n; i++)
		*noisy += c[i].noisy > 0;
	return n;
}

/* The verdicts: a banner when cells were noisy, then a line per scenario and mode. */
static void md_verdicts(FILE *f, const struct report_cell *c, int n, int balance, int cpu)
{
	const char *modes[REPORT_MAX_MODES];
	int start, end, k, m, noisy, cells = count_noisy(c, n, &noisy);

	fprintf(f, "## Verdicts\n\n");
	if (noisy)
		fprintf(f,
		        "> **%d of %d cells noisy (§): other processes shared the machine; rerun "
		        "them before trusting their figures.**\n\n",
		        noisy, cells);
	for (start = 0; start < n; start = end) {
		end = report_slice_end(c, n, start);
		if (scenario_open_loop(c[start].scenario)) {
			fprintf(f, "- **%s**: open loop, its verdict per model in its section.\n",
			        c[start].scenario);
			continue;
		}
		k = report_modes(c + start, end - start, modes);
		for (m = 0; m < k; m++)
			md_verdict(f, c + start, end - start, modes[m]);
	}
	fprintf(f,
	        "\nThe full ranking at the highest concurrency is in [ranking.md](ranking.md)%s%s; "
	        "the conditions (machine, tools, pinning, each model's Facts line, the plan) in "
	        "[meta](meta).\n\n",
	        cpu ? ", where the CPU went (server, client, whole machine) and the fixed cost of "
	              "start-up and exit in [cpu.md](cpu.md)"
	            : "",
	        balance
	            ? ", how evenly each pool's workers shared the load in [balance.md](balance.md)"
	            : "");
}

/* The charts, a line per scenario and mode. */
static void md_charts(FILE *f, const struct report_cell *c, int n, const char *charts_rel)
{
	const char *modes[REPORT_MAX_MODES], *kinds[PLOT_MAX_KINDS];
	int start, end, k, nk, m, i;

	fprintf(f, "## Charts\n\n");
	for (start = 0; start < n; start = end) {
		end = report_slice_end(c, n, start);
		k = report_modes(c + start, end - start, modes);
		nk = plot_kinds(&c[start], kinds);
		for (m = 0; m < k; m++) {
			fprintf(f, "- %s, %s:", c[start].scenario, modes[m]);
			for (i = 0; i < nk; i++)
				fprintf(f, "%s [%s](%s/%s-%s-%s.png)", i ? "," : "", kinds[i],
				        charts_rel, c[start].scenario, kinds[i], modes[m]);
			fprintf(f, "\n");
		}
	}
	fprintf(f, "\n");
}

int report_write_md(const char *path, const char *run_id, const char *charts_rel,
                    const struct report_cell *c, int n, const char *meta)
{
	struct marks marks;
	int start, end, planned = report_planned_reps(c, n);
	struct report_sides sides;
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	report_sides_make(c, n, &sides);
	fprintf(f, "# Benchmark run %s\n\n", run_id);
	md_warnings(f, meta);
	md_verdicts(f, c, n, sides.balance && *sides.balance, sides.cpu && *sides.cpu);
	marks_of(c, n, planned, &marks);
	md_legend(f, &marks, planned);
	for (start = 0; start < n; start = end) {
		end = report_slice_end(c, n, start);
		md_scenario(f, c + start, end - start);
	}
	md_charts(f, c, n, charts_rel);
	if (report_sides_write(path, &sides) < 0)
		fprintf(f,
		        "(ranking.md, cpu.md or balance.md could not be written beside it.)\n\n");
	report_sides_free(&sides);
	return fclose(f) == 0 ? 0 : -1;
}
