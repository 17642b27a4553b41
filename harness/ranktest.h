/* ranktest.h -- did two sets of repetitions change? The rank-sum (Mann-Whitney U) test. */
#ifndef RANKTEST_H
#define RANKTEST_H

#define RANKTEST_EXACT_MAX 60 /* up to this many values in all: the exact distribution */

/*
 * The two-sided p-value of the Wilcoxon rank-sum test (Mann-Whitney U) of
 * a[0..na) against b[0..nb) into *p: the chance, were both drawn from one
 * distribution, of a rank sum of a at least as far from its mean as the one
 * observed. Ties take their mean rank. With at most RANKTEST_EXACT_MAX values
 * in all the p-value is exact (every way to split the pooled ranks counted,
 * ties included); beyond, the normal approximation with the tie correction
 * and a continuity correction. Makes no assumption about the shape of the
 * distribution; with 3 repetitions a side the smallest p is 2/20 = 0.1.
 * Pure. 0, or -1 if either side is empty or out of memory.
 */
int ranktest_p(const double *a, int na, const double *b, int nb, double *p);

/* The smallest two-sided p the test can give with na and nb values (no ties): 2 / C(na+nb, na). */
double ranktest_min_p(int na, int nb);

#endif
