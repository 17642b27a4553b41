/* hist.h -- a log-linear latency histogram in microseconds (the HdrHistogram idea, written small).
 *
 * Values below LG_HIST_SUB (128) each get their own bucket. Above, every power of two
 * [2^k, 2^(k+1)) is split into LG_HIST_SUB equal sub-buckets of width 2^(k-7): a bucket's width
 * is at most 1/128 of its lower edge, so any value read back (the bucket's upper edge) is within
 * 0.8 % of the value recorded (the contract: <= 1 % relative error, 1 us resolution).
 * Values at or above LG_HIST_LIMIT are clamped into the last bucket and counted in `clamped`;
 * min, max and the sum stay exact.
 *
 * One histogram per thread, no locking; lg_hist_merge() adds them up once the threads have
 * joined. The struct is plain data: zero it (lg_hist_init) and it is empty.
 */
#ifndef LG_HIST_H
#define LG_HIST_H

#include <stdint.h>

#define LG_HIST_SUB_BITS 7
#define LG_HIST_SUB      (1u << LG_HIST_SUB_BITS)
/* Largest exact magnitude: values up to 2^32 - 1 us (71 minutes). */
#define LG_HIST_MAX_BITS 32
#define LG_HIST_LIMIT    (UINT64_C(1) << LG_HIST_MAX_BITS)
#define LG_HIST_BUCKETS  ((LG_HIST_MAX_BITS - LG_HIST_SUB_BITS + 1) * LG_HIST_SUB)

struct lg_hist {
	uint64_t count;   /* values recorded */
	uint64_t clamped; /* of those, at or above LG_HIST_LIMIT */
	uint64_t min;     /* exact; meaningless when count == 0 */
	uint64_t max;     /* exact */
	double sum;       /* exact up to double precision, for the mean */
	uint64_t bucket[LG_HIST_BUCKETS];
};

/* Empty the histogram. */
void lg_hist_init(struct lg_hist *h);

/* The bucket index of value v (us). Pure; v >= LG_HIST_LIMIT maps to the last bucket. */
unsigned lg_hist_index(uint64_t v);

/* The smallest and the largest value that lg_hist_index() maps to bucket i. */
uint64_t lg_hist_lowest(unsigned i);
uint64_t lg_hist_highest(unsigned i);

/* Record one value in microseconds. */
void lg_hist_record(struct lg_hist *h, uint64_t v);

/* Add every count of src into dst (src is not changed). */
void lg_hist_merge(struct lg_hist *dst, const struct lg_hist *src);

/* The value at percentile p (0 < p <= 100): the upper edge of the bucket holding the
 * ceil(p/100 * count)-th smallest value, never above the exact max. 0 when empty. */
uint64_t lg_hist_percentile(const struct lg_hist *h, double p);

/* The mean, 0 when empty. */
double lg_hist_mean(const struct lg_hist *h);

#endif
