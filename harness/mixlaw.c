/* mixlaw.c -- M/G/1 FCFS (Pollaczek-Khinchine) and processor sharing for a mix of classes. */
#include "mixlaw.h"

#include "facts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int mixlaw_parse(const char *mix, char paths[][MIXLAW_PATH], double *shares, int max)
{
	double total = 0;
	int n = 0;

	for (const char *s = mix;; s++) {
		const char *e = s + strcspn(s, ","), *colon = memrchr(s, ':', (size_t)(e - s));
		const char *pe = colon ? colon : e;
		char *end;

		if (n == max || *s != '/' || pe - s >= MIXLAW_PATH)
			return -1;
		memcpy(paths[n], s, (size_t)(pe - s));
		paths[n][pe - s] = '\0';
		shares[n] = colon ? strtod(colon + 1, &end) : 1;
		if (colon && (end != e || colon + 1 == e || !(shares[n] >= 1) ||
		              shares[n] != floor(shares[n])))
			return -1;
		total += shares[n++];
		if (!*e)
			break;
		s = e;
	}
	for (int i = 0; i < n; i++)
		shares[i] /= total;
	return n;
}

int mixlaw_predict(double lambda, const struct mixlaw_class *c, int n, int short_class,
                   struct mixlaw *out)
{
	double shares = 0, s_short;

	if (n < 1 || n > MIXLAW_MAX_CLASSES || short_class < 0 || short_class >= n ||
	    !(lambda >= 0) || !isfinite(lambda))
		return -1;
	*out = (struct mixlaw){ 0 };
	for (int i = 0; i < n; i++) {
		if (!(c[i].share >= 0) || !(c[i].service_s >= 0) || !isfinite(c[i].share) ||
		    !isfinite(c[i].service_s))
			return -1;
		shares += c[i].share;
		out->mean_s += c[i].share * c[i].service_s;
		out->second_s2 += c[i].share * c[i].service_s * c[i].service_s;
	}
	if (fabs(shares - 1) > 1e-6)
		return -1;
	out->rho = lambda * out->mean_s;
	s_short = c[short_class].service_s;
	if (out->rho >= 1) {
		out->fcfs_wait_s = out->fcfs_short_s = out->ps_short_s = MIXLAW_NONE;
		return 0;
	}
	out->fcfs_wait_s = lambda * out->second_s2 / (2 * (1 - out->rho));
	out->fcfs_short_s = out->fcfs_wait_s + s_short;
	out->ps_short_s = s_short / (1 - out->rho);
	return 0;
}

double mixlaw_capacity(const double *share, const double *capacity_rps, int n)
{
	double mean_s = 0;

	for (int i = 0; i < n; i++) {
		if (!(capacity_rps[i] > 0))
			return MIXLAW_NONE;
		mean_s += share[i] / capacity_rps[i];
	}
	return mean_s > 0 ? 1 / mean_s : MIXLAW_NONE;
}

int mixlaw_nearer(double measured_s, const struct mixlaw *m)
{
	if (!(measured_s > 0) || !(m->fcfs_short_s > 0) || !(m->ps_short_s > 0))
		return FACTS_DISCIPLINE_UNKNOWN;
	return fabs(log(measured_s / m->fcfs_short_s)) <= fabs(log(measured_s / m->ps_short_s))
	           ? FACTS_DISCIPLINE_FCFS
	           : FACTS_DISCIPLINE_PS;
}

int mixlaw_within(double measured, double predicted, double tolerance)
{
	return predicted > 0 && fabs(measured - predicted) <= tolerance * predicted;
}
