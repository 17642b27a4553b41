/* report_side.c -- the files beside report.md: the ranking, where the CPU went, the balance. */
#include "report_side.h"
#include "report_mixed.h"
#include "report_rank.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The highest level of mode among c[0..n) with an ok cell, or -1. */
static int top_ok(const struct report_cell *c, int n, const char *mode)
{
	int i, top = -1;

	for (i = 0; i < n; i++)
		if (c[i].ok && report_in_mode(&c[i], mode) && c[i].concurrency > top)
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
		known |= report_in_mode(&c[i], mode) && c[i].concurrency == level &&
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

		if (!report_in_mode(x, mode) || x->concurrency != level || !x->ok)
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
		    report_is_capacity(x) ||
		    (i && !report_is_capacity(&c[i - 1]) && !strcmp(c[i - 1].model, x->model) &&
		     !strcmp(c[i - 1].mode, x->mode)))
			continue; /* sorted by model, mode, level: the first is the lowest (a
			             capacity cell, level 0, is no level) */
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
 * name beside report.md (in report_path's directory) holding text, or, with
 * no text, removed (an older redraw's). 0 or -1.
 */
static int md_side_file(const char *report_path, const char *name, const char *text)
{
	char path[PATH_MAX];
	const char *slash = strrchr(report_path, '/');
	FILE *f;

	if (slash)
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - report_path), report_path,
		         name);
	else
		snprintf(path, sizeof(path), "%s", name);
	if (!text || !*text)
		return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
	if (!(f = fopen(path, "we")))
		return -1;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -1;
}

/* Where the CPU went per mode, then the fixed cost: cpu.md's part for one scenario's cells. */
static void md_cpu_details(FILE *f, const struct report_cell *c, int n)
{
	const char *modes[REPORT_MAX_MODES];
	int k = report_modes(c, n, modes), m;

	for (m = 0; m < k; m++)
		md_cpu_table(f, c, n, modes[m]);
	md_fixed_cost(f, c, n);
}

/*
 * A side file's text, malloc'ed (NULL when out of memory; "" when write wrote
 * nothing for any scenario): heading, then per scenario of c[0..n) whose part
 * write fills, its title and that part.
 */
static char *md_per_scenario(const struct report_cell *c, int n, const char *heading,
                             void (*write)(FILE *, const struct report_cell *, int))
{
	char title[RECORD_WORD + 128], *text = NULL, *part;
	size_t len, plen;
	int start, end;
	FILE *f = open_memstream(&text, &len), *p;

	if (!f)
		return NULL;
	for (start = 0; start < n; start = end) {
		end = report_slice_end(c, n, start);
		part = NULL;
		if (!(p = open_memstream(&part, &plen)))
			continue;
		write(p, c + start, end - start);
		fclose(p);
		if (plen)
			fprintf(f, "%s%s## %s\n\n%s", ftell(f) ? "" : heading,
			        ftell(f) ? "" : "\n\n",
			        report_title(&c[start], title, sizeof(title)), part);
		free(part);
	}
	fclose(f);
	return text;
}

/* The ranking in full, malloc'ed (NULL when out of memory). */
static char *md_ranking_text(const struct report_cell *c, int n)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f, "# Ranking at the highest concurrency\n\n```\n");
	report_ranking(f, c, n);
	fprintf(f, "```\n");
	fclose(f);
	return text;
}

void report_sides_make(const struct report_cell *c, int n, struct report_sides *s)
{
	s->ranking = md_ranking_text(c, n);
	s->cpu = md_per_scenario(c, n, "# Where the CPU went, and the fixed cost", md_cpu_details);
	s->balance =
	    md_per_scenario(c, n, "# How evenly the workers shared the load", report_balance_md);
}

int report_sides_write(const char *report_path, const struct report_sides *s)
{
	int failed = 0;

	failed |= !s->ranking || md_side_file(report_path, "ranking.md", s->ranking) < 0;
	failed |= !s->cpu || md_side_file(report_path, "cpu.md", s->cpu) < 0;
	failed |= !s->balance || md_side_file(report_path, "balance.md", s->balance) < 0;
	return failed ? -1 : 0;
}

void report_sides_free(struct report_sides *s)
{
	free(s->ranking);
	free(s->cpu);
	free(s->balance);
	s->ranking = s->cpu = s->balance = NULL;
}
