/* report_mixed.c -- a mix's cells beside the FCFS and PS laws, and the workers' balance. */
#include "report_mixed.h"

#include "facts.h"
#include "health.h"
#include "workers.h"

#include <string.h>

#define MIXED_TOLERANCE 0.25 /* P-K against the measured mean wait: within 25 % */

/*
 * The verdict words of one measure: which law's prediction (fcfs_us, ps_us) the measured one
 * is nearer to, and whether the Facts say so; "-" when a figure is missing.
 */
static const char *nearer_words(const struct report_cell *x, double measured_us, double fcfs_us,
                                double ps_us, char *buf, size_t len)
{
	const struct mixlaw m = { .fcfs_short_s = fcfs_us / 1e6, .ps_short_s = ps_us / 1e6 };
	int nearer = mixlaw_nearer(measured_us / 1e6, &m);
	const char *claimed = facts_discipline_name(x->discipline);

	if (!nearer)
		return "-";
	snprintf(buf, len, "%s%s", facts_discipline_name(nearer),
	         !claimed                  ? " (no claim)"
	         : nearer == x->discipline ? " (agrees)"
	                                   : " (disagrees)");
	return buf;
}

/* One cell's row: its figures, the laws beside them (report_apply_laws), the verdicts. */
static void mixed_row(FILE *f, const struct report_cell *x)
{
	char mean[48], p99[48], sim[48] = "-";
	double wait_us;

	/* noisy: other processes took CPU from the server or the generator (health_noisy) */
	fprintf(f, "| %s | %s | %d %%%s | ", x->model, x->mode, x->concurrency,
	        x->noisy ? " (noisy)" : "");
	if (!x->ok || x->fcfs_wait_us < 0) {
		/* a lagged cell's figures are the generator's: none is printed */
		fprintf(f, "%s%s%s | - | - | - | - | - | - | - | - | - | - |\n", x->ok ? "" : "**",
		        x->ok ? "no law (capacity not measured, or saturated)" : x->statuses,
		        x->ok ? "" : "**");
		return;
	}
	wait_us = x->short_mean_us - x->short_service_us;
	if (x->fcfs_p99_us > 0)
		snprintf(sim, sizeof(sim), "%.2f / %.2f", x->fcfs_p99_us / 1e3, x->ps_p99_us / 1e3);
	fprintf(f, "%.0f + %.1f (rho %.2f) | %.2f | %.2f | %.2f | %.2f | ", x->short_rps,
	        x->long_rps, x->mix_rho, x->short_p50_us / 1e3, x->short_mean_us / 1e3,
	        x->short_p99_us / 1e3, x->long_p99_us / 1e3);
	fprintf(
	    f, "%.2f | %.2f%s | %.2f | %s | %s | %s |\n", wait_us / 1e3, x->fcfs_wait_us / 1e3,
	    mixlaw_within(wait_us, x->fcfs_wait_us, MIXED_TOLERANCE) ? " (within 25 %)" : "",
	    x->ps_short_us / 1e3, sim,
	    nearer_words(x, x->short_mean_us, x->fcfs_short_us, x->ps_short_us, mean, sizeof(mean)),
	    nearer_words(x, x->short_p99_us, x->fcfs_p99_us, x->ps_p99_us, p99, sizeof(p99)));
}

void report_mixed_md(FILE *f, const struct scenario *s, const struct report_cell *c, int n)
{
	fprintf(f,
	        "The mix %s, offered open-loop over up to %d connections at shares of its "
	        "capacity. Capacity: each class run apart closed-loop in the cell's mode at %d "
	        "connections, its requests over the server's CPU seconds (what one server CPU "
	        "serves of it); the mix's is 1 / sum(share / capacity). The laws take each class's "
	        "service time as 1 / its capacity and the cell's measured class rates: FCFS (a "
	        "request runs to completion in arrival order) waits lambda E[S^2] / (2 (1 - rho)) "
	        "on average (Pollaczek-Khinchine), processor sharing (the kernel time-slices) "
	        "answers a short request in S / (1 - rho) on average. Neither has the p99 in "
	        "closed form: the p99 columns are each discipline's in a simulation of the same "
	        "arrivals (%ld of them, seeded). The measured wait is the short mean less its "
	        "service time. Times in ms; the short class's latencies are those of its 2xx "
	        "replies from their intended send time. A cell that is not ok names its status "
	        "in bold and shows no figure: `lagged` means the generator fell behind its "
	        "schedule, so its latencies are partly the generator's; `(noisy)` beside a load, "
	        "that other processes used more than %.0f %% of one CPU during a run of it. "
	        "docs/mixed.md "
	        "explains.\n\n",
	        s->mix, s->load_conns, s->capacity_conns, MIXLAW_SIM_ARRIVALS, HEALTH_NOISY_PCT);
	fprintf(f, "| model | mode | load | short + long req/s | short p50 | short mean | "
	           "short p99 | long p99 | wait measured | wait P-K (FCFS) | short mean PS | "
	           "short p99 FCFS / PS (simulated) | mean nearer | p99 nearer |\n"
	           "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < n; i++)
		if (!report_is_capacity(&c[i]))
			mixed_row(f, &c[i]);
	fprintf(f, "\n");
}

void report_balance_md(FILE *f, const struct report_cell *c, int n)
{
	int rows = 0;

	for (int i = 0; i < n; i++) {
		if (c[i].jain_median < 0 || c[i].parallel != FACTS_WORKERS)
			continue; /* a thread per connection's threads are its connections */
		if (!rows++)
			fprintf(f,
			        "How evenly the workers shared the load: each worker's share of "
			        "the server's CPU over the load (from /proc, per thread of every "
			        "process of the server; its main thread left out), largest first, "
			        "and Jain's index (1: even; 1/n: one worker took it all).\n\n"
			        "| model | mode | level | workers | shares | Jain |\n"
			        "|---|---|---|---|---|---|\n");
		fprintf(f, "| %s | %s | %d | %d | %s | %.2f |\n", c[i].model, c[i].mode,
		        c[i].idle_conns ? c[i].idle_conns : c[i].concurrency,
		        workers_count(c[i].worker_shares), c[i].worker_shares, c[i].jain_median);
	}
	if (rows)
		fprintf(f, "\n");
}
