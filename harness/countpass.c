/* countpass.c -- the counting pass's cells and counts.csv (countpass.h). */
#include "countpass.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char header[] = "scenario,model,mode,concurrency,idle_conns,requests,call,per_req";

const char *countpass_header(void)
{
	return header;
}

int countpass_probe(char *what, size_t len)
{
	char why[256];
	int pmu;

	if (counts_probe(&pmu, why, sizeof(why)) < 0) {
		snprintf(what, len, "off: %s", why);
		return -1;
	}
	snprintf(what, len,
	         "perf stat attached to the server's tree, one extra run per cell (never a timed "
	         "one)%s",
	         pmu ? "" : "; instructions: no PMU here");
	return 0;
}

int countpass_open(struct countpass *cp, const char *run_dir)
{
	char path[PATH_MAX + 16];
	int is_new;

	memset(cp, 0, sizeof(*cp));
	snprintf(path, sizeof(path), "%s/counts.csv", run_dir);
	is_new = access(path, F_OK) < 0;
	if (!(cp->csv = fopen(path, "ae")))
		return -1;
	if (is_new && fprintf(cp->csv, "%s\n", header) < 0) {
		fclose(cp->csv);
		cp->csv = NULL;
		return -1;
	}
	return 0;
}

void countpass_close(struct countpass *cp)
{
	if (cp->csv)
		fclose(cp->csv);
	free(cp->cells);
	memset(cp, 0, sizeof(*cp));
}

static int same_cell(const struct countpass_cell *a, const struct countpass_cell *b)
{
	return a->scenario == b->scenario && a->model == b->model && a->mode == b->mode &&
	       a->level == b->level;
}

/* v per request, or -1 when v is unknown. */
static double per(double v, long requests)
{
	return v >= 0 ? v / requests : -1;
}

/* One counts.csv line: a call's count per request in ids' cell. */
static void csv_line(FILE *f, const struct record_ids *ids, long requests, const char *call,
                     double n)
{
	fprintf(f, "%s,%s,%s,%d,%d,%ld,%s,%.4f\n", ids->scenario, ids->model, ids->mode,
	        ids->concurrency, ids->idle_conns, requests, call, n / requests);
}

void countpass_add(struct countpass *cp, const struct countpass_cell *key,
                   const struct record_ids *ids, const struct run_outcome *out)
{
	const struct counts *c = &out->counts;
	long requests = out->res.requests;
	struct countpass_cell cell = *key, *grown;
	double named = 0;
	int i;

	if (strcmp(out->status, "ok") != 0 || requests <= 0 || c->syscalls < 0)
		return;
	cell.syscalls = per(c->syscalls, requests);
	cell.ctx_switches = per(c->ctx_switches, requests);
	cell.migrations = per(c->migrations, requests);
	cell.instructions = per(c->instructions, requests);
	if (cp->n == cp->cap) {
		int cap = cp->cap ? 2 * cp->cap : 64;

		if (!(grown = realloc(cp->cells, cap * sizeof(*grown))))
			return;
		cp->cells = grown;
		cp->cap = cap;
	}
	cp->cells[cp->n++] = cell;
	if (!cp->csv)
		return;
	for (i = 0; i < c->nsys && c->sys[i].n > 0; i++) { /* most frequent first */
		csv_line(cp->csv, ids, requests, c->sys[i].name, c->sys[i].n);
		named += c->sys[i].n;
	}
	if (c->nsys)
		csv_line(cp->csv, ids, requests, "other",
		         c->syscalls > named ? c->syscalls - named : 0);
	csv_line(cp->csv, ids, requests, "all", c->syscalls);
	if (c->recv_sqes >= 0)
		csv_line(cp->csv, ids, requests, COUNTPASS_RECV_SQES, c->recv_sqes);
	fflush(cp->csv);
}

void countpass_fill(const struct countpass *cp, const struct countpass_cell *key,
                    struct record_row *row)
{
	int i;

	for (i = 0; cp && i < cp->n; i++)
		if (same_cell(&cp->cells[i], key)) {
			row->syscalls_per_req = cp->cells[i].syscalls;
			row->ctx_switches_per_req = cp->cells[i].ctx_switches;
			row->migrations_per_req = cp->cells[i].migrations;
			row->instructions_per_req = cp->cells[i].instructions;
			return;
		}
}
