/* ranktest.c -- the rank-sum test: exact for small samples, normal beyond. */
#include "ranktest.h"

#include <math.h>
#include <stdlib.h>

struct ranked {
	double v;
	int from_a;
};

static int cmp_ranked(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;

	return (a->v > b->v) - (a->v < b->v);
}

/*
 * Twice each value's mean rank (integers, so ties stay exact) into r2 in the
 * sorted order of v; returns the sum of t^3 - t over the groups of t ties.
 */
static double doubled_ranks(const struct ranked *v, int n, int *r2)
{
	double ties = 0;
	int i = 0, j;

	while (i < n) {
		for (j = i; j + 1 < n && v[j + 1].v == v[i].v; j++)
			;
		for (int k = i; k <= j; k++)
			r2[k] =
			    i + j + 2; /* (i + 1) + (j + 1): the mean of ranks i+1..j+1, doubled */
		ties += (double)(j - i + 1) * (j - i + 1) * (j - i + 1) - (j - i + 1);
		i = j + 1;
	}
	return ties;
}

/*
 * The exact p: count, over every way to choose na of the n ranks, the rank
 * sums at least dist from the mean (all doubled). ways[k][s] is the number of
 * k-subsets of the ranks seen so far whose doubled sum is s.
 */
static int exact_p(const int *r2, int n, int na, long w2, double *p)
{
	long smax = (long)n * (n + 1), mean2 = (long)na * (n + 1), dist = labs(w2 - mean2), s;
	double *ways = calloc((size_t)(na + 1) * (smax + 1), sizeof(*ways)), hit = 0, all = 0;

	if (!ways)
		return -1;
	ways[0] = 1;
	for (int i = 0; i < n; i++)
		for (int k = i + 1 < na ? i + 1 : na; k >= 1; k--)
			for (s = smax - r2[i]; s >= 0; s--)
				ways[k * (smax + 1) + s + r2[i]] += ways[(k - 1) * (smax + 1) + s];
	for (s = 0; s <= smax; s++) {
		double w = ways[na * (smax + 1) + s];

		all += w;
		if (labs(s - mean2) >= dist)
			hit += w;
	}
	free(ways);
	*p = hit / all;
	return 0;
}

/* The normal approximation with the tie and continuity corrections. */
static double normal_p(int na, int nb, long w2, double ties)
{
	int n = na + nb;
	double var = na * (double)nb / 12 * ((n + 1) - ties / ((double)n * (n - 1)));
	double z = (fabs(w2 / 2.0 - na * (n + 1) / 2.0) - 0.5) / sqrt(var);

	if (var <= 0 || z <= 0)
		return 1;
	return fmin(1, erfc(z / sqrt(2)));
}

int ranktest_p(const double *a, int na, const double *b, int nb, double *p)
{
	int n = na + nb, *r2 = NULL, i, rc = -1;
	struct ranked *v = NULL;
	double ties;
	long w2 = 0;

	if (na < 1 || nb < 1)
		return -1;
	v = malloc(n * sizeof(*v));
	r2 = malloc(n * sizeof(*r2));
	if (!v || !r2)
		goto out;
	for (i = 0; i < n; i++)
		v[i] = (struct ranked){ i < na ? a[i] : b[i - na], i < na };
	qsort(v, n, sizeof(*v), cmp_ranked);
	ties = doubled_ranks(v, n, r2);
	for (i = 0; i < n; i++)
		w2 += v[i].from_a ? r2[i] : 0;
	if (n <= RANKTEST_EXACT_MAX)
		rc = exact_p(r2, n, na, w2, p);
	else {
		*p = normal_p(na, nb, w2, ties);
		rc = 0;
	}
out:
	free(v);
	free(r2);
	return rc;
}

double ranktest_min_p(int na, int nb)
{
	double c = 1;

	for (int i = 1; i <= na; i++)
		c = c * (nb + i) / i;
	return fmin(1, 2 / c);
}
