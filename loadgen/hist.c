/* hist.c -- the log-linear histogram of hist.h: index arithmetic, record, merge, percentiles. */
#include "hist.h"

#include <math.h>
#include <string.h>

void lg_hist_init(struct lg_hist *h)
{
	memset(h, 0, sizeof(*h));
}

/* Below LG_HIST_SUB the index is the value. Above, with m the position of the top bit
 * (m >= 7) and s = m - 7, the top 8 bits v >> s lie in [128, 255]: the bucket is
 * (s + 1) * 128 + (v >> s) - 128, so each power of two gets 128 buckets of width 2^s. */
unsigned lg_hist_index(uint64_t v)
{
	if (v >= LG_HIST_LIMIT)
		return LG_HIST_BUCKETS - 1;
	if (v < LG_HIST_SUB)
		return (unsigned)v;
	unsigned shift = (unsigned)(63 - __builtin_clzll(v)) - LG_HIST_SUB_BITS;
	return (shift + 1) * LG_HIST_SUB + (unsigned)(v >> shift) - LG_HIST_SUB;
}

uint64_t lg_hist_lowest(unsigned i)
{
	if (i < LG_HIST_SUB)
		return i;
	unsigned shift = i / LG_HIST_SUB - 1;
	return (uint64_t)(i % LG_HIST_SUB + LG_HIST_SUB) << shift;
}

uint64_t lg_hist_highest(unsigned i)
{
	if (i < LG_HIST_SUB)
		return i;
	unsigned shift = i / LG_HIST_SUB - 1;
	return lg_hist_lowest(i) + (UINT64_C(1) << shift) - 1;
}

void lg_hist_record(struct lg_hist *h, uint64_t v)
{
	if (h->count == 0 || v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	if (v >= LG_HIST_LIMIT)
		h->clamped++;
	h->count++;
	h->sum += (double)v;
	h->bucket[lg_hist_index(v)]++;
}

void lg_hist_merge(struct lg_hist *dst, const struct lg_hist *src)
{
	if (src->count == 0)
		return;
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->clamped += src->clamped;
	dst->sum += src->sum;
	for (unsigned i = 0; i < LG_HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

uint64_t lg_hist_percentile(const struct lg_hist *h, double p)
{
	if (h->count == 0)
		return 0;
	/* The epsilon keeps 99.9 % of 1000 at rank 999 despite binary rounding. */
	uint64_t rank = (uint64_t)ceil(p * (double)h->count / 100.0 - 1e-9);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;
	uint64_t seen = 0;
	for (unsigned i = 0; i < LG_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen >= rank) {
			uint64_t v = lg_hist_highest(i);
			return v < h->max ? v : h->max;
		}
	}
	return h->max;
}

double lg_hist_mean(const struct lg_hist *h)
{
	return h->count ? h->sum / (double)h->count : 0.0;
}
