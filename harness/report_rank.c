/* report_rank.c -- the ranking: medians and their spread, ties, marks, and the figure it ranks by.
 */
#include "report_rank.h"
#include "scenario.h"
#include "util.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* The highest concurrency of mode with an ok run, or 0. */
static int top_level(const struct report_cell *c, int n, const char *mode)
{
	int i, top = 0;

	for (i = 0; i < n; i++)
		if (report_in_mode(&c[i], mode) && c[i].ok && report_level(&c[i]) > top)
			top = report_level(&c[i]);
	return top;
}

/* " († starved: N of C connections served; p99 >= the 2.0 s run)" for a starved cell, into buf. */
static const char *starved_words(const struct report_cell *c, char *buf, size_t len)
{
	buf[0] = '\0';
	if (c->starved)
		snprintf(buf, len,
		         " († starved: %.0f of %d connections served; p99 >= the %.1f s run)",
		         c->served_median, c->concurrency, c->run_s);
	return buf;
}

/* " = 98 % of the 3,200 bound" for rps of a cell with a bound, else "", into buf. */
static const char *bound_words(const struct report_cell *c, double rps, char *buf, size_t len)
{
	char b[32];

	buf[0] = '\0';
	if (c->ok && c->bound > 0)
		snprintf(buf, len, " = %.0f %% of the %s bound", 100 * rps / c->bound,
		         util_thousands(c->bound, b, sizeof(b)));
	return buf;
}

#define NO_SPREAD " (1 repetition: no spread)"

/* What a ranking ranks by: a cell's median, its repetitions' extremes, and its direction. */
struct rank_figure {
	const char *unit; /* "req/s", "µs" */
	const char *what; /* the words of a ratio: "x faster than", "x less CPU per request than" */
	int higher_better; /* req/s: 1; CPU: 0 */
	int decimals;
	size_t median, lo, hi; /* offsets of its doubles in struct report_cell */
};

#define FIGURE(f) offsetof(struct report_cell, f)

static const struct rank_figure by_rps = { .unit = "req/s",
	                                   .what = "x faster than",
	                                   .higher_better = 1,
	                                   .median = FIGURE(rps_median),
	                                   .lo = FIGURE(rps_min),
	                                   .hi = FIGURE(rps_max) };
static const struct rank_figure by_cpu = { .unit = "µs",
	                                   .what = "x less CPU per request than",
	                                   .decimals = 1,
	                                   .median = FIGURE(cpu_us_median),
	                                   .lo = FIGURE(w.cpu_us_min),
	                                   .hi = FIGURE(w.cpu_us_max) };
static const struct rank_figure by_sys = { .unit = "µs",
	                                   .what = "x less CPU per request (whole machine) than",
	                                   .decimals = 1,
	                                   .median = FIGURE(w.sys_us_median),
	                                   .lo = FIGURE(w.sys_us_min),
	                                   .hi = FIGURE(w.sys_us_max) };

/* The double at offset off of c. */
static double at(const struct report_cell *c, size_t off)
{
	return *(const double *)((const char *)c + off);
}

/* c's median by fig, or -1 without an ok repetition. */
static double median_of(const struct report_cell *c, const struct rank_figure *fig)
{
	return c->ok ? at(c, fig->median) : -1;
}

/* The figure's median, best first (unknown last), for qsort through rank_sort. */
static const struct rank_figure *sort_by;

static int cmp_figure(const void *a, const void *b)
{
	const struct report_cell *x = *(const struct report_cell *const *)a;
	const struct report_cell *y = *(const struct report_cell *const *)b;
	double vx = median_of(x, sort_by), vy = median_of(y, sort_by);

	if (!sort_by->higher_better) { /* least first: flip the sign, unknown stays last */
		vx = vx > 0 ? -vx : -INFINITY;
		vy = vy > 0 ? -vy : -INFINITY;
	}
	return (vx < vy) - (vx > vy);
}

static void rank_sort(const struct report_cell **r, int k, const struct rank_figure *fig)
{
	sort_by = fig;
	qsort(r, k, sizeof(r[0]), cmp_figure);
}

/* "31,000 req/s median (30,000-32,000)" or "31,000 req/s median" (1 repetition) into buf. */
static const char *median_words(const struct report_cell *c, const struct rank_figure *fig,
                                char *buf, size_t len)
{
	char m[32], lo[32], hi[32];

	if (fig->decimals) {
		snprintf(m, sizeof(m), "%.*f", fig->decimals, at(c, fig->median));
		snprintf(lo, sizeof(lo), "%.*f", fig->decimals, at(c, fig->lo));
		snprintf(hi, sizeof(hi), "%.*f", fig->decimals, at(c, fig->hi));
	} else {
		util_thousands(at(c, fig->median), m, sizeof(m));
		util_thousands(at(c, fig->lo), lo, sizeof(lo));
		util_thousands(at(c, fig->hi), hi, sizeof(hi));
	}
	if (c->ok < 2)
		snprintf(buf, len, "%s %s median", m, fig->unit);
	else
		snprintf(buf, len, "%s %s median (%s-%s)", m, fig->unit, lo, hi);
	return buf;
}

/*
 * The marks of a ranked cell in words (" [§ noisy: others used up to 76 %
 * of a CPU; ¤ 1 repetition in a slow phase of the host]"), or "", into buf.
 * ‡ and the starved note are said by the caller; the symbols of every mark
 * follow the cell's name wherever it is compared (marked_label).
 */
static const char *mark_words(const struct report_cell *c, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	if (c->w.unserved && !c->starved)
		o += snprintf(buf + o, len - o, "; † %.0f of %d connections served",
		              c->served_median, c->concurrency);
	if (c->noisy && o < len)
		o += snprintf(buf + o, len - o, "; § noisy: others used up to %.0f %% of a CPU",
		              c->other_cpu_max);
	if (c->w.slow && o < len)
		o += snprintf(buf + o, len - o, "; ¤ %d repetition%s in another speed of the host",
		              c->w.slow, c->w.slow == 1 ? "" : "s");
	if (c->w.littles_off && o < len)
		o += snprintf(buf + o, len - o,
		              "; ≠ Little's law off (%.2f): the tool's numbers "
		              "disagree",
		              c->w.littles_median);
	if (o && o + 1 < len) { /* "; a; b" -> " [a; b]" */
		buf[0] = ' ';
		buf[1] = '[';
		snprintf(buf + o, len - o, "]");
	}
	return buf;
}

/*
 * A cell's label with its marks' symbols after it ("thread ‡ §"; a
 * reference "(reference)"), into buf: ‡ the load tool was the ceiling, †
 * some connections never served, § noisy, ¤ slow phase, ≠ Little's law off.
 */
static const char *marked_label(const struct report_cell *c, char *buf, size_t len)
{
	size_t o;

	report_label(c->model, buf, len);
	o = strlen(buf);
	if (c->ok && c->client_bound && o < len)
		o += snprintf(buf + o, len - o, " ‡");
	if (c->ok && (c->starved || c->w.unserved) && o < len)
		o += snprintf(buf + o, len - o, " †");
	if (c->noisy && o < len)
		o += snprintf(buf + o, len - o, " §");
	if (c->w.slow && o < len)
		o += snprintf(buf + o, len - o, " ¤");
	if (c->w.littles_off && o < len)
		snprintf(buf + o, len - o, " ≠");
	return buf;
}

/*
 * The comparison of best (r0) and x by fig into buf, each named with its
 * marks (marked_label): a ratio of medians with the range the repetitions'
 * extremes allow ("1.94 x faster than thread (1.76-2.13)"; "at most" where
 * the load tool limited x's req/s), or a tie where the repetitions overlap
 * or a cell is noisy or from a slow phase: a gap there is not a difference
 * the run can tell.
 */
static const char *versus_words(const struct report_cell *r0, const struct report_cell *x,
                                const struct rank_figure *fig, char *buf, size_t len)
{
	double ratio = at(r0, fig->median) / at(x, fig->median), lo, hi;
	double lo0 = at(r0, fig->lo), hi0 = at(r0, fig->hi), lox = at(x, fig->lo),
	       hix = at(x, fig->hi);
	int spread = r0->ok >= 2 && x->ok >= 2, noisy = r0->noisy || x->noisy,
	    slow = r0->w.slow || x->w.slow;
	/* x's req/s is the load tool's ceiling: x might have served more */
	const char *most = fig->higher_better && x->client_bound ? "at most " : "";
	char a[RECORD_WORD + 40], b[RECORD_WORD + 40];

	marked_label(r0, a, sizeof(a));
	marked_label(x, b, sizeof(b));
	if (!fig->higher_better)
		ratio = 1 / ratio;
	if (noisy || slow) {
		snprintf(buf, len, "%s and %s: a tie (medians %.2f x apart, but %s)", a, b, ratio,
		         noisy && slow ? "cells are noisy (§) and from a slow phase (¤)"
		         : noisy       ? "a cell is noisy (§)"
		                       : "a cell is from a slow phase of the host (¤)");
		return buf;
	}
	if (spread && (fig->higher_better ? lo0 <= hix : hi0 >= lox)) {
		snprintf(buf, len,
		         "%s and %s: a tie (medians %.2f x apart, inside the repetitions' "
		         "spread)",
		         a, b, ratio);
		return buf;
	}
	if (!spread) {
		snprintf(buf, len, "%s %s %s%.2f %s %s", a, fig->higher_better ? "ran" : "used",
		         most, ratio, fig->what, b);
		return buf;
	}
	lo = fig->higher_better ? lo0 / hix : lox / hi0;
	hi = fig->higher_better ? hi0 / lox : hix / lo0;
	snprintf(buf, len, "%s %s %s%.2f %s %s (%.2f-%.2f)", a, fig->higher_better ? "ran" : "used",
	         most, ratio, fig->what, b, lo, hi);
	return buf;
}

/* 1 if every cell of r[0..k) with an ok run knows the machine's CPU per request. */
static int sys_known(const struct report_cell **r, int k)
{
	for (int i = 0; i < k; i++)
		if (r[i]->ok && !(r[i]->w.sys_us_median > 0))
			return 0;
	return 1;
}

/*
 * When the load tool limited the top cell, req/s ranks the tool; CPU per
 * request ranks instead: the server's, or the whole machine's where the
 * split of the loopback's kernel work between client and server is an
 * artefact (close mode, large bodies) and every cell knows it.
 */
static const struct rank_figure *cpu_figure(const struct report_cell **r, int k, const char *mode,
                                            const char **why)
{
	const struct scenario *sc = scenario_find(r[0]->scenario);
	int artefact = !strcmp(mode, "close") || (sc && sc->body_bytes >= REPORT_BANDWIDTH_BYTES);

	if (artefact && sys_known(r, k)) {
		*why = "by the whole machine's CPU per request: the load generator limited req/s, "
		       "and the loopback's kernel work falls to client or server by accident here";
		return &by_sys;
	}
	*why = "by the server's CPU per request: the load generator limited req/s";
	return &by_cpu;
}

/* The ranking of one mode at concurrency level to f. */
static void rank_mode(FILE *f, const struct report_cell *c, int n, const char *mode, int level)
{
	const struct report_cell *r[n ? n : 1], *best;
	const struct rank_figure *fig = &by_rps;
	char a[RECORD_WORD + 40], b[RECORD_WORD + 16], sw[128], bw[80], head[96], m[160];
	char vs[512], mw[256];
	const char *why = NULL;
	int i, k = 0;

	for (i = 0; i < n; i++)
		if (report_in_mode(&c[i], mode) && report_level(&c[i]) == level)
			r[k++] = &c[i];
	rank_sort(r, k, fig);
	best = r[0];
	snprintf(head, sizeof(head), "%s, %s=%d (%s)", mode, report_level_word(best), level,
	         best->tool);
	if (best->client_bound && best->ok) {
		fig = cpu_figure(r, k, mode, &why);
		rank_sort(r, k, fig);
		best = r[0];
	}
	marked_label(best, a, sizeof(a));
	fprintf(f, "%s%s%s: %s: %s%s%s%s%s%s\n", head, why ? ", " : "", why ? why : "", a,
	        median_words(best, fig, m, sizeof(m)),
	        fig == &by_rps ? bound_words(best, best->rps_median, bw, sizeof(bw)) : "",
	        best->ok < 2 ? NO_SPREAD : "",
	        fig != &by_rps       ? ""
	        : best->client_bound ? " (‡ limited by the load generator)"
	        : best->client_unknown
	            ? " (client-bound: unknown, the load tool's CPU was not measured)"
	            : "",
	        starved_words(best, sw, sizeof(sw)), mark_words(best, mw, sizeof(mw)));
	for (i = 1; i < k; i++) {
		report_label(r[i]->model, b, sizeof(b));
		if (!(median_of(r[i], fig) > 0) || !(median_of(best, fig) > 0)) {
			fprintf(f, "  %s: no ok run (%s)\n", b, r[i]->statuses);
			continue;
		}
		fprintf(f, "  %s; %s: %s%s%s%s%s\n", versus_words(best, r[i], fig, vs, sizeof(vs)),
		        b, median_words(r[i], fig, m, sizeof(m)),
		        fig == &by_rps ? bound_words(r[i], r[i]->rps_median, bw, sizeof(bw)) : "",
		        fig == &by_rps && r[i]->client_bound ? " (‡ load generator limited it)"
		                                             : "",
		        starved_words(r[i], sw, sizeof(sw)), mark_words(r[i], mw, sizeof(mw)));
	}
}

/* The ranking of one scenario's cells c[0..n), per mode. */
static void rank_scenario(FILE *f, const struct report_cell *c, int n)
{
	const char *modes[REPORT_MAX_MODES];
	int m, k = report_modes(c, n, modes), level;

	if (scenario_open_loop(c[0].scenario)) {
		fprintf(f, "open loop: not ranked (each model was offered shares of its own "
		           "capacity); see its table in report.md\n");
		return;
	}
	for (m = 0; m < k; m++) {
		if (!(level = top_level(c, n, modes[m])))
			fprintf(f, "%s: no ok run to rank\n", modes[m]);
		else
			rank_mode(f, c, n, modes[m], level);
	}
}

void report_ranking(FILE *f, const struct report_cell *c, int n)
{
	char title[RECORD_WORD + 128];
	int start, end;

	for (start = 0; start < n; start = end) {
		end = report_slice_end(c, n, start);
		fprintf(f, "%s%s:\n", start ? "\n" : "",
		        report_title(&c[start], title, sizeof(title)));
		rank_scenario(f, c + start, end - start);
		report_idle_slopes(f, c + start, end - start);
	}
}
