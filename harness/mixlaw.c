/* mixlaw.c -- M/G/1 FCFS (Pollaczek-Khinchine) and processor sharing for a mix of classes. */
#include "mixlaw.h"

#include "facts.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SIM_SEED 0x9e3779b97f4a7c15ULL

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

/* One simulation's arrivals, drawn once and served twice, and the short class's responses. */
struct sim {
	long n, warm;       /* arrivals; the first warm are left out */
	double *at;         /* arrival times, s */
	unsigned char *cls; /* each one's class */
	double service[MIXLAW_MAX_CLASSES];
	int short_class;
	double *resp; /* the short responses recorded, nresp of them */
	long nresp;
};

/* xorshift64*: uniform in (0, 1). */
static double sim_uniform(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return ((double)((*x * 2685821657736338717ULL) >> 11) + 0.5) / 9007199254740992.0;
}

/* Poisson arrival times at lambda and a class for each, drawn by share. */
static void sim_draw(struct sim *m, double lambda, const struct mixlaw_class *c, int n)
{
	uint64_t x = SIM_SEED;
	double t = 0;

	for (long k = 0; k < m->n; k++) {
		double u = sim_uniform(&x), cum = 0;
		int i = 0;

		t += -log(sim_uniform(&x)) / lambda;
		m->at[k] = t;
		while (i < n - 1 && u > (cum += c[i].share))
			i++;
		m->cls[k] = (unsigned char)i;
	}
}

static void sim_record(struct sim *m, long k, double response_s)
{
	if (k >= m->warm && m->cls[k] == m->short_class)
		m->resp[m->nresp++] = response_s;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The recorded responses' mean and p99 (the ceil(0.99 n)-th smallest); then forgets them. */
static void sim_summary(struct sim *m, double *mean_s, double *p99_s)
{
	double sum = 0;

	for (long i = 0; i < m->nresp; i++)
		sum += m->resp[i];
	qsort(m->resp, (size_t)m->nresp, sizeof(double), cmp_double);
	*mean_s = sum / (double)m->nresp;
	*p99_s = m->resp[(long)ceil(0.99 * (double)m->nresp) - 1];
	m->nresp = 0;
}

/* Arrival order: Lindley's recursion, the next one's wait from this one's. */
static void sim_fcfs(struct sim *m)
{
	double wait = 0;

	for (long k = 0; k < m->n; k++) {
		double s = m->service[m->cls[k]];

		sim_record(m, k, wait + s);
		if (k + 1 < m->n)
			wait = fmax(0, wait + s - (m->at[k + 1] - m->at[k]));
	}
}

/* Processor sharing: the n present each get 1/n of the CPU; events are arrivals and ends. */
static void sim_ps(struct sim *m, long *job, double *left)
{
	double t = 0;
	long k = 0, nj = 0;

	while (k < m->n || nj > 0) {
		double next = k < m->n ? m->at[k] : INFINITY, least = INFINITY, d;

		for (long j = 0; j < nj; j++)
			least = fmin(least, left[j]);
		if (nj > 0 && t + least * (double)nj <= next) {
			t += least * (double)nj; /* the least's end: everyone got least */
			for (long j = 0; j < nj; j++)
				if ((left[j] -= least) <= 0) {
					sim_record(m, job[j], t - m->at[job[j]]);
					job[j] = job[--nj], left[j] = left[nj];
					j--;
				}
			continue;
		}
		d = nj > 0 ? (next - t) / (double)nj : 0;
		for (long j = 0; j < nj; j++)
			left[j] -= d;
		t = next;
		job[nj] = k, left[nj++] = m->service[m->cls[k]];
		k++;
	}
}

int mixlaw_simulate(double lambda, const struct mixlaw_class *c, int n, int short_class,
                    long arrivals, struct mixlaw_sim *out)
{
	struct sim m = { .n = arrivals, .warm = arrivals / 100, .short_class = short_class };
	struct mixlaw law;
	long *job = NULL;
	double *left = NULL;
	int rc = -1;

	if (mixlaw_predict(lambda, c, n, short_class, &law) < 0 || law.fcfs_wait_s < 0 ||
	    !(lambda > 0) || arrivals < 100 || !(c[short_class].share > 0))
		return -1;
	for (int i = 0; i < n; i++)
		m.service[i] = c[i].service_s;
	m.at = malloc((size_t)arrivals * sizeof(*m.at));
	m.cls = malloc((size_t)arrivals);
	m.resp = malloc((size_t)arrivals * sizeof(*m.resp));
	job = malloc((size_t)arrivals * sizeof(*job));
	left = malloc((size_t)arrivals * sizeof(*left));
	if (!m.at || !m.cls || !m.resp || !job || !left)
		goto out;
	sim_draw(&m, lambda, c, n);
	sim_fcfs(&m);
	if (m.nresp == 0)
		goto out;
	sim_summary(&m, &out->fcfs_mean_s, &out->fcfs_p99_s);
	sim_ps(&m, job, left);
	sim_summary(&m, &out->ps_mean_s, &out->ps_p99_s);
	rc = 0;
out:
	free(m.at);
	free(m.cls);
	free(m.resp);
	free(job);
	free(left);
	return rc;
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
