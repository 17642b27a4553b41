/* mixlaw.h -- the queueing laws of the mixed scenario (docs/mixed.md): what one server CPU
 * serving a mix of short and long requests predicts for the short ones, in arrival order
 * (M/G/1 FCFS, Pollaczek-Khinchine) and time-sliced (processor sharing). Pure functions. */
#ifndef MIXLAW_H
#define MIXLAW_H

#define MIXLAW_MAX_CLASSES 8
#define MIXLAW_PATH        64

/*
 * A mix's text as loadgen --mix takes it ("/cpu/10:995,/cpu/10000:5": /PATH[:WEIGHT], a weight
 * 1 when left out) into paths and shares (each weight over their sum). The count, or -1 when a
 * class is empty, does not start with '/', is longer than MIXLAW_PATH - 1, has a weight that is
 * not a whole number above 0, or there are more than max.
 */
int mixlaw_parse(const char *mix, char paths[][MIXLAW_PATH], double *shares, int max);

/* One class of the mix: its share of the requests and its service time, measured. */
struct mixlaw_class {
	double share;     /* 0..1; the shares of a mix add up to 1 */
	double service_s; /* the CPU one request of it holds, seconds (1 / its capacity) */
};

/* What the laws predict at arrival rate lambda. Times in seconds. */
struct mixlaw {
	double rho;       /* lambda E[S]: the server CPU's load */
	double mean_s;    /* E[S] */
	double second_s2; /* E[S^2] */
	/* The rest hold only below saturation (rho < 1); MIXLAW_NONE at or above it. */
	double
	    fcfs_wait_s; /* the mean wait in queue, every class alike: lambda E[S^2]/(2(1-rho)) */
	double fcfs_short_s; /* the short class's mean response: the wait plus its own service */
	double ps_short_s;   /* its mean response time-sliced: S_short / (1 - rho) */
};

#define MIXLAW_NONE (-1.0)

/*
 * The laws for classes c[0..n) at arrival rate lambda (req/s), the short class
 * being c[short_class]. 0 with out filled, or -1 when the input cannot be a
 * mix: n outside 1..MIXLAW_MAX_CLASSES, short_class outside it, a share or a
 * service time negative or not finite, the shares not adding up to 1 (within
 * 1e-6), or lambda negative.
 */
int mixlaw_predict(double lambda, const struct mixlaw_class *c, int n, int short_class,
                   struct mixlaw *out);

/* The short class's response under both disciplines, simulated (mixlaw_simulate). Seconds. */
struct mixlaw_sim {
	double fcfs_mean_s, fcfs_p99_s; /* in arrival order (Lindley's recursion) */
	double ps_mean_s, ps_p99_s;     /* processor sharing */
};

/* 5,000 long requests of the mix: its short mean within 4 % of P-K's, 0.25 s a cell */
#define MIXLAW_SIM_ARRIVALS 1000000L

/*
 * What the laws say of the short class's p99, which neither has in closed form: `arrivals`
 * Poisson arrivals at lambda, each of class c[i] with probability c[i].share, served by one CPU
 * to completion in arrival order, and again time-sliced equally among those present; the first
 * 1 % are left out (the queue starts empty). The short class c[short_class]'s mean and p99
 * response under each. Seeded: the same input gives the same figures. Its means are P-K's
 * and PS's (tests/harness/test_mixlaw.c checks both, and the p99 of M/D/1 against Erlang's
 * formula). 0 with out filled, or -1 when mixlaw_predict refuses the input, rho >= 1,
 * arrivals < 100, the short class has no share, or memory runs out.
 */
int mixlaw_simulate(double lambda, const struct mixlaw_class *c, int n, int short_class,
                    long arrivals, struct mixlaw_sim *out);

/*
 * The mix's capacity on the CPU the classes were measured on, req/s: 1/E[S],
 * each class's service time being 1 / its own capacity (measured closed-loop,
 * as the overload scenario does). MIXLAW_NONE when a capacity is not above 0.
 */
double mixlaw_capacity(const double *share, const double *capacity_rps, int n);

/*
 * Which law a measured mean response of the short class is nearer to, by
 * ratio (a factor of 2 above one is as far as a factor of 2 below it): the
 * discipline's enum facts_discipline value, FCFS or PS; FACTS_DISCIPLINE_UNKNOWN
 * (0) when a time is not above 0.
 */
int mixlaw_nearer(double measured_s, const struct mixlaw *m);

/* 1 when measured is within tolerance (0.25: 25 %) of predicted (above 0), else 0. */
int mixlaw_within(double measured, double predicted, double tolerance);

#endif
