/* diffruns.c -- two runs compared cell by cell, with a rank test over the repetitions. */
#include "diffruns.h"
#include "ranktest.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double get_rps(const struct record_row *r)
{
	return r->rps > 0 ? r->rps : -1;
}

static double get_cpu(const struct record_row *r)
{
	return r->server_cpu_us_per_req > 0 ? r->server_cpu_us_per_req : -1;
}

static double get_sys(const struct record_row *r)
{
	return r->system_cpu_us_per_req > 0 ? r->system_cpu_us_per_req : -1;
}

static double get_p99(const struct record_row *r)
{
	return r->lat_p99_ms > 0 ? r->lat_p99_ms : -1;
}

static const struct diffruns_metric metrics[] = {
	{ .name = "req/s", .field = "rps", .get = get_rps, .higher_better = 1 },
	{ .name = "server CPU µs per request",
	  .field = "server_cpu_us_per_req",
	  .get = get_cpu,
	  .higher_better = 0 },
	{ .name = "whole machine's CPU µs per request",
	  .field = "system_cpu_us_per_req",
	  .get = get_sys,
	  .higher_better = 0 },
	{ .name = "p99 latency (ms)", .field = "lat_p99_ms", .get = get_p99, .higher_better = 0 },
};

const struct diffruns_metric *diffruns_metrics(int *n)
{
	*n = (int)(sizeof(metrics) / sizeof(metrics[0]));
	return metrics;
}

int diffruns_separated(double a1, double a2, double sep)
{
	if (!(a1 > 0) || !(a2 > 0))
		return 0;
	return fmax(a1, a2) / fmin(a1, a2) > sep;
}

int diffruns_flipped(double a1, double a2, double b1, double b2, double sep)
{
	if (!diffruns_separated(a1, a2, sep) || !(b1 > 0) || !(b2 > 0))
		return 0;
	return (a1 > a2) != (b1 > b2) && b1 != b2;
}

/* What the rows of a cell have in common; model last, so a cell's models are neighbours. */
static int cmp_key(const struct record_row *x, const struct record_row *y, int with_model)
{
	int d;

	if ((d = strcmp(x->scenario, y->scenario)) || (d = strcmp(x->mode, y->mode)) ||
	    (d = strcmp(x->tool, y->tool)) || (d = x->concurrency - y->concurrency) ||
	    (d = x->idle_conns - y->idle_conns))
		return d;
	return with_model ? strcmp(x->model, y->model) : 0;
}

static int cmp_cell(const void *x, const void *y)
{
	return cmp_key(*(const struct record_row *const *)x, *(const struct record_row *const *)y,
	               1);
}

/* One row per cell of the ok rows of a and b, sorted (pointers into a and b) into *keys. */
static int cell_keys(const struct record_row *a, int na, const struct record_row *b, int nb,
                     const struct record_row ***keys, int *nkeys)
{
	const struct record_row **k = malloc((na + nb + 1) * sizeof(*k));
	int i, n = 0;

	if (!k)
		return -1;
	for (i = 0; i < na + nb; i++) {
		const struct record_row *r = i < na ? &a[i] : &b[i - na];

		if (!strcmp(r->status, "ok"))
			k[n++] = r;
	}
	qsort(k, n, sizeof(*k), cmp_cell);
	for (i = 0, *nkeys = 0; i < n; i++)
		if (!*nkeys || cmp_key(k[*nkeys - 1], k[i], 1))
			k[(*nkeys)++] = k[i];
	*keys = k;
	return 0;
}

/* The known values of metric m in the ok rows of r[0..n) of cell key into v: their count. */
static int values(const struct record_row *r, int n, const struct record_row *key,
                  const struct diffruns_metric *m, double *v)
{
	int i, k = 0;

	for (i = 0; i < n; i++)
		if (!strcmp(r[i].status, "ok") && !cmp_key(&r[i], key, 1) && m->get(&r[i]) >= 0)
			v[k++] = m->get(&r[i]);
	return k;
}

/* A cell's name: "hello close c=8 (ab)", "idle keepalive c=32+1000 idle (wrk)". */
static const char *cell_name(const struct record_row *k, char *buf, size_t len)
{
	char idle[32] = "";

	if (k->idle_conns > 0)
		snprintf(idle, sizeof(idle), "+%d idle", k->idle_conns);
	snprintf(buf, len, "%s %s c=%d%s (%s)", k->scenario, k->mode, k->concurrency, idle,
	         k->tool);
	return buf;
}

/* One figure's verdicts, for its summary. */
struct tally {
	int cells, better, worse, same, unreachable, one_side;
	int unknown;  /* cells whose rows in neither run have the figure (older files) */
	double min_p; /* the largest "smallest p" among the unreachable cells */
	int pairs, flips;
};

/* A median with digits by its size ("41,230", "512", "88.4", "2.31") into buf; returns buf. */
static char *fmt_num(double v, char *buf, size_t len)
{
	if (v >= 1000)
		return util_thousands(v, buf, len);
	snprintf(buf, len, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
	return buf;
}

/* One table row: the cell, both medians, the change or "~", p; counted in t. */
static void write_row(FILE *f, const struct record_row *key, const struct diffruns_metric *m,
                      const double *va, int ka, double ma, const double *vb, int kb, double mb,
                      double alpha, struct tally *t)
{
	char name[3 * RECORD_WORD + 48], sa[32], sb[32], change[32], pv[32] = "";
	double p;

	if (!ka && !kb) {
		t->unknown++; /* neither run's rows have this figure */
		return;
	}
	if (!ka || !kb || ranktest_p(va, ka, vb, kb, &p) < 0) {
		t->one_side++; /* counted, not shown: a plan's or a schema's difference, not a
		                  change */
		return;
	}
	t->cells++;
	snprintf(pv, sizeof(pv), "%.3f", p);
	if (p <= alpha) {
		int better = (mb > ma) == m->higher_better;

		snprintf(change, sizeof(change), "%+.1f %%", 100 * (mb / ma - 1));
		t->better += better;
		t->worse += !better;
	} else {
		snprintf(change, sizeof(change), "~");
		t->same++;
		if (ranktest_min_p(ka, kb) > alpha) {
			t->unreachable++;
			t->min_p = fmax(t->min_p, ranktest_min_p(ka, kb));
		}
	}
	fprintf(f, "| %s | %s | %s (%d) | %s (%d) | %s | %s |\n",
	        cell_name(key, name, sizeof(name)), key->model, fmt_num(ma, sa, sizeof(sa)), ka,
	        fmt_num(mb, sb, sizeof(sb)), kb, change, pv);
}

/*
 * The orderings of one cell (keys[from..to), one per model) by medians ma
 * and mb: every pair more than DIFFRUNS_SEPARATED apart in A counted in t,
 * and every one B reverses named to f.
 */
static void write_flips(FILE *f, const struct record_row **keys, int from, int to, const double *ma,
                        const double *mb, struct tally *t)
{
	char name[3 * RECORD_WORD + 48], n[4][32];

	for (int i = from; i < to; i++)
		for (int j = i + 1; j < to; j++) {
			if (!diffruns_separated(ma[i], ma[j], DIFFRUNS_SEPARATED) || isnan(mb[i]) ||
			    isnan(mb[j]))
				continue;
			t->pairs++;
			if (!diffruns_flipped(ma[i], ma[j], mb[i], mb[j], DIFFRUNS_SEPARATED))
				continue;
			t->flips++;
			fprintf(f, "- %s: %s %s vs %s %s in A, %s vs %s in B\n",
			        cell_name(keys[i], name, sizeof(name)), keys[i]->model,
			        fmt_num(ma[i], n[0], 32), keys[j]->model, fmt_num(ma[j], n[1], 32),
			        fmt_num(mb[i], n[2], 32), fmt_num(mb[j], n[3], 32));
		}
}

static void write_summary(FILE *f, const struct diffruns_metric *m, const struct tally *t,
                          double alpha)
{
	if (!t->cells && !t->one_side) {
		fprintf(f, "\n%s: no row of either run has it (older files).\n\n", m->name);
		return;
	}
	fprintf(f,
	        "\n%s: %d cells in both runs: %d better, %d worse, %d ~ (p > %.2g); %d cells "
	        "with it in one run only (not shown).",
	        m->name, t->cells, t->better, t->worse, t->same, alpha, t->one_side);
	if (t->unreachable)
		fprintf(
		    f,
		    " %d of the ~ cells had too few repetitions for any p <= %.2g (their smallest "
		    "possible p: up to %.3f): more repetitions, not a quieter machine, would "
		    "tell.",
		    t->unreachable, alpha, t->min_p);
	fprintf(f,
	        "\n\nOrderings by %s: %d of %d pairs of models more than %.0f %% apart in A are "
	        "reversed in B (%.1f %%).\n\n",
	        m->name, t->flips, t->pairs, 100 * (DIFFRUNS_SEPARATED - 1),
	        t->pairs ? 100.0 * t->flips / t->pairs : 0.0);
}

/* One figure: its table, its reversed orderings and its summary. */
static void write_metric(FILE *f, const struct record_row *a, int na, const struct record_row *b,
                         int nb, const struct record_row **keys, int nkeys,
                         const struct diffruns_metric *m, double alpha, double *scratch)
{
	double *va = scratch, *vb = va + na + nb, *ma = vb + na + nb, *mb = ma + nkeys;
	int i, from;
	struct tally t = { 0 };

	fprintf(f,
	        "## %s (%s; %s is better)\n\n| cell | model | A median (reps) | B median (reps) | "
	        "change | p |\n|---|---|---:|---:|---:|---:|\n",
	        m->name, m->field, m->higher_better ? "higher" : "lower");
	for (i = 0; i < nkeys; i++) {
		int ka = values(a, na, keys[i], m, va), kb = values(b, nb, keys[i], m, vb);

		ma[i] = ka ? util_median(va, ka) : NAN;
		mb[i] = kb ? util_median(vb, kb) : NAN;
		write_row(f, keys[i], m, va, ka, ma[i], vb, kb, mb[i], alpha, &t);
	}
	fprintf(f, "\nReversed orderings by %s:\n\n", m->name);
	for (from = 0; from < nkeys; from = i) {
		for (i = from + 1; i < nkeys && !cmp_key(keys[from], keys[i], 0); i++)
			;
		write_flips(f, keys, from, i, ma, mb, &t);
	}
	if (!t.flips)
		fprintf(f, "- none\n");
	write_summary(f, m, &t, alpha);
}

int diffruns_write(FILE *f, const char *ida, const struct record_row *a, int na, const char *idb,
                   const struct record_row *b, int nb, double alpha)
{
	const struct record_row **keys;
	int nkeys, nm, i;
	const struct diffruns_metric *m = diffruns_metrics(&nm);
	double *scratch;

	if (cell_keys(a, na, b, nb, &keys, &nkeys) < 0)
		return -1;
	/* two value buffers and the medians of every cell in A and in B */
	scratch = malloc((2 * (na + nb) + 2 * nkeys + 1) * sizeof(*scratch));
	if (!scratch) {
		free(keys);
		return -1;
	}
	fprintf(f,
	        "# diff-runs: A = %s, B = %s\n\nEach cell's median over its ok repetitions in A "
	        "and in B; change: B's median over A's, shown only where a two-sided rank-sum "
	        "test (Mann-Whitney U, exact) over the repetitions gives p <= %.2g, else ~ (no "
	        "change shown). With 3 repetitions a side the smallest possible p is %.2f.\n\n",
	        ida, idb, alpha, ranktest_min_p(3, 3));
	for (i = 0; i < nm; i++)
		write_metric(f, a, na, b, nb, keys, nkeys, &m[i], alpha, scratch);
	free(scratch);
	free(keys);
	return 0;
}
