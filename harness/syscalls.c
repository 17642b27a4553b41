/* syscalls.c -- counts.csv read back into one table per scenario and mode (syscalls.h). */
#include "syscalls.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MODELS 64

/* One scenario and mode at its chosen cell: v[model][call], calls most entered first. */
struct table {
	const char *scenario, *mode;
	int level, idle;
	int nm, nc;
	const char *models[MAX_MODELS];
	const char *calls[SYSCALLS_MAX_CALLS];
	double v[MAX_MODELS][SYSCALLS_MAX_CALLS];
	double other[MAX_MODELS], all[MAX_MODELS];
};

int syscalls_parse(const char *text, struct syscalls_row **rows, int *n, int *bad_line)
{
	const char *line = text, *nl;
	int cap = 0, lineno = 0;

	*rows = NULL;
	*n = 0;
	*bad_line = 0;
	for (; line && *line; line = nl ? nl + 1 : NULL) {
		struct syscalls_row r;
		char buf[512];
		int used = 0;
		size_t len;

		nl = strchr(line, '\n');
		len = nl ? (size_t)(nl - line) : strlen(line);
		if (++lineno == 1 || len == 0)
			continue; /* the header, or a blank line */
		if (len >= sizeof(buf))
			goto bad;
		memcpy(buf, line, len);
		buf[len] = '\0';
		if (sscanf(buf, "%63[^,],%63[^,],%63[^,],%d,%d,%ld,%31[^,],%lf%n", r.scenario,
		           r.model, r.mode, &r.concurrency, &r.idle_conns, &r.requests, r.call,
		           &r.per_req, &used) != 8 ||
		    used != (int)len)
			goto bad;
		if (*n == cap) {
			struct syscalls_row *grown;

			cap = cap ? 2 * cap : 256;
			if (!(grown = realloc(*rows, cap * sizeof(*grown))))
				goto bad;
			*rows = grown;
		}
		(*rows)[(*n)++] = r;
	}
	return 0;
bad:
	*bad_line = lineno;
	free(*rows);
	*rows = NULL;
	*n = 0;
	return -1;
}

/* How far a cell's level is from the one shown: log distance, then fewer idle connections. */
static double distance(const struct syscalls_row *r)
{
	return fabs(log2((r->concurrency > 0 ? r->concurrency : 1) / (double)SYSCALLS_CELL_LEVEL)) +
	       r->idle_conns * 1e-9;
}

static int in_cell(const struct syscalls_row *r, const struct table *t)
{
	return !strcmp(r->scenario, t->scenario) && !strcmp(r->mode, t->mode) &&
	       r->concurrency == t->level && r->idle_conns == t->idle;
}

/* Every call per request of model in t's cell (its "all" row), or 0. */
static double model_all(const struct syscalls_row *rows, int n, int first, const struct table *t,
                        const char *model)
{
	int i;

	for (i = first; i < n; i++)
		if (in_cell(&rows[i], t) && !strcmp(rows[i].model, model) &&
		    !strcmp(rows[i].call, "all"))
			return rows[i].per_req;
	return 0;
}

/* Index of name in list[0..n), or n after appending it (when there is room). */
static int find_or_add(const char **list, int *n, int max, const char *name)
{
	int i;

	for (i = 0; i < *n && strcmp(list[i], name); i++)
		;
	if (i == *n && *n < max)
		list[(*n)++] = name;
	return i;
}

/* The table of rows' scenario and mode (those of rows[first]). */
static void build(const struct syscalls_row *rows, int n, int first, struct table *t)
{
	const char *names[256];
	double total[256] = { 0 };
	int i, j, k, nn = 0, order[256];

	memset(t, 0, sizeof(*t));
	t->scenario = rows[first].scenario;
	t->mode = rows[first].mode;
	for (i = first, k = first; i < n; i++)
		if (!strcmp(rows[i].scenario, t->scenario) && !strcmp(rows[i].mode, t->mode) &&
		    distance(&rows[i]) < distance(&rows[k]))
			k = i;
	t->level = rows[k].concurrency;
	t->idle = rows[k].idle_conns;
	/*
	 * every call ranked by its largest share of one model's calls, so that a call only one
	 * design makes (io_uring_enter, all of io_uring's) is shown as surely as one every
	 * design makes once per request
	 */
	for (i = first; i < n; i++)
		if (in_cell(&rows[i], t) && strcmp(rows[i].call, "all") &&
		    strcmp(rows[i].call, "other") && !strchr(rows[i].call, ':')) {
			double all = model_all(rows, n, first, t, rows[i].model);

			j = find_or_add(names, &nn, 256, rows[i].call);
			if (j < nn && all > 0)
				total[j] = fmax(total[j], rows[i].per_req / all);
		}
	for (i = 0; i < nn; i++)
		order[i] = i;
	for (i = 1; i < nn; i++) /* insertion sort: a few dozen calls */
		for (j = i; j > 0 && total[order[j]] > total[order[j - 1]]; j--) {
			k = order[j];
			order[j] = order[j - 1];
			order[j - 1] = k;
		}
	for (i = 0; i < nn && i < SYSCALLS_MAX_CALLS && total[order[i]] >= 0.005; i++)
		t->calls[t->nc++] = names[order[i]];
	for (i = first; i < n; i++) {
		const struct syscalls_row *r = &rows[i];
		int m, c;

		if (!in_cell(r, t) || strchr(r->call, ':'))
			continue; /* not a system call (countpass.h: the receive SQEs) */
		m = find_or_add(t->models, &t->nm, MAX_MODELS, r->model);
		if (m == MAX_MODELS)
			continue;
		if (!strcmp(r->call, "all")) {
			t->all[m] = r->per_req;
			continue;
		}
		for (c = 0; c < t->nc && strcmp(t->calls[c], r->call); c++)
			;
		if (c < t->nc)
			t->v[m][c] = r->per_req;
		else
			t->other[m] += r->per_req; /* "other" and the calls not shown */
	}
}

/* Is rows[i] the first of its scenario and mode? */
static int first_of_pair(const struct syscalls_row *rows, int i)
{
	int j;

	for (j = 0; j < i; j++)
		if (!strcmp(rows[j].scenario, rows[i].scenario) &&
		    !strcmp(rows[j].mode, rows[i].mode))
			return 0;
	return 1;
}

void syscalls_write_md(FILE *f, const struct syscalls_row *rows, int n, const char *charts)
{
	struct table *t = malloc(sizeof(*t));
	int i, m, c;

	if (!t || !n) {
		free(t);
		return;
	}
	fprintf(f, "# System calls per request\n\n"
	           "The counting pass (one extra run per cell with perf stat attached to the "
	           "server's whole tree, never a timed run): how often each system call was "
	           "entered per completed request, at one cell per scenario and mode. \"other\" is "
	           "every call not shown; \"all\" counts every call (raw_syscalls:sys_enter).\n");
	for (i = 0; i < n; i++) {
		if (!first_of_pair(rows, i))
			continue;
		build(rows, n, i, t);
		fprintf(f, "\n## %s, %s, c=%d", t->scenario, t->mode, t->level);
		if (t->idle)
			fprintf(f, ", %d idle", t->idle);
		fprintf(f, "\n\n| model |");
		for (c = 0; c < t->nc; c++)
			fprintf(f, " %s |", t->calls[c]);
		fprintf(f, " other | all |\n|---|");
		for (c = 0; c <= t->nc + 1; c++)
			fprintf(f, "---:|");
		fprintf(f, "\n");
		for (m = 0; m < t->nm; m++) {
			fprintf(f, "| %s |", t->models[m]);
			for (c = 0; c < t->nc; c++)
				fprintf(f, " %.2f |", t->v[m][c]);
			fprintf(f, " %.2f | %.2f |\n", t->other[m], t->all[m]);
		}
		if (charts)
			fprintf(f, "\n![system calls per request](%s/%s-syscalls-%s.png)\n", charts,
			        t->scenario, t->mode);
	}
	free(t);
}

/* The table as the chart's data: a row per model, a column per call, "other" last. 0 or -1. */
static int write_data(const char *path, const struct table *t)
{
	FILE *f = fopen(path, "we");
	int m, c;

	if (!f)
		return -1;
	fprintf(f, "model");
	for (c = 0; c < t->nc; c++)
		fprintf(f, ",%s", t->calls[c]);
	fprintf(f, ",other\n");
	for (m = 0; m < t->nm; m++) {
		fprintf(f, "%s", t->models[m]);
		for (c = 0; c < t->nc; c++)
			fprintf(f, ",%.4f", t->v[m][c]);
		fprintf(f, ",%.4f\n", t->other[m]);
	}
	return fclose(f) == 0 ? 0 : -1;
}

int syscalls_plot(const struct plot_job *job, const struct syscalls_row *rows, int n)
{
	struct table *t = malloc(sizeof(*t));
	char data[PATH_MAX], vars[PATH_MAX * 3], script[PATH_MAX], style[PATH_MAX], log[PATH_MAX];
	char *argv[] = { (char *)job->gnuplot, "-e", vars, script, NULL };
	int i, failed = 0;

	if (!t)
		return 1;
	snprintf(script, sizeof(script), "%s/syscalls.gp", job->scripts);
	snprintf(style, sizeof(style), "%s/style.gp", job->scripts);
	snprintf(log, sizeof(log), "%s/gnuplot.log", job->outdir);
	for (i = 0; i < n; i++) {
		if (!first_of_pair(rows, i))
			continue;
		build(rows, n, i, t);
		snprintf(data, sizeof(data), "%s/%s-syscalls-%s.csv", job->outdir, t->scenario,
		         t->mode);
		if (write_data(data, t) < 0) {
			failed++;
			continue;
		}
		snprintf(vars, sizeof(vars),
		         "data='%s'; out='%s/%s-syscalls-%s.png'; scenario='%s'; mode='%s'; "
		         "level=%d; runid='%s'; ncols=%d; style='%s'",
		         data, job->outdir, t->scenario, t->mode, t->scenario, t->mode, t->level,
		         job->run_id, t->nc + 2, style);
		failed += job->exec(argv, 30000, log) != 0;
	}
	free(t);
	return failed;
}
