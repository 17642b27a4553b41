/* health.c -- Little's law for starvation, /proc/stat accounting for noise. */
#include "health.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double health_served_conns(double rps, double mean_ms)
{
	if (mean_ms <= 0 || rps < 0)
		return -1;
	return rps * mean_ms / 1000.0;
}

double health_littles_ratio(double served, int concurrency)
{
	return served >= 0 && concurrency > 0 ? served / concurrency : -1;
}

int health_unserved(double served, int concurrency)
{
	return served >= 0 && concurrency - served >= 2 &&
	       served < (1 - HEALTH_LITTLES_OFF) * concurrency;
}

int health_littles_off(double ratio)
{
	return ratio > 0 && fabs(ratio - 1) > HEALTH_LITTLES_OFF;
}

int health_starved(double served, int concurrency)
{
	return served >= 0 && served < HEALTH_STARVED_FRACTION * concurrency;
}

/*
 * The first n numbers of the "cpu " line of /proc/stat's text into v (n <=
 * 8); those past min (which must be there) that are missing are 0. 0 or -1.
 */
static int cpu_line(const char *text, unsigned long long *v, int min, int n)
{
	const char *p = text;
	char *end;
	int i;

	/* The aggregate line is "cpu " (the per-CPU lines are "cpu0 ", ...). */
	while (p && strncmp(p, "cpu ", 4) != 0)
		if ((p = strchr(p, '\n')))
			p++;
	if (!p)
		return -1;
	p += 4;
	/* user nice system idle iowait irq softirq steal */
	for (i = 0; i < n; i++) {
		v[i] = strtoull(p, &end, 10);
		if (end == p && i < min)
			return -1;
		if (end == p)
			v[i] = 0;
		p = end;
	}
	return 0;
}

int health_busy_jiffies(const char *text, unsigned long long *busy)
{
	unsigned long long v[7];

	if (cpu_line(text, v, 7, 7) < 0)
		return -1;
	*busy = v[0] + v[1] + v[2] + v[5] + v[6];
	return 0;
}

int health_steal_jiffies(const char *text, unsigned long long *steal)
{
	unsigned long long v[8];

	if (cpu_line(text, v, 7, 8) < 0)
		return -1;
	*steal = v[7];
	return 0;
}

double health_other_cpu_pct(unsigned long long busy_delta, long hz, double ours_s, double wall_s)
{
	double other;

	if (wall_s <= 0 || hz <= 0)
		return -1;
	other = (double)busy_delta / hz - ours_s;
	return other > 0 ? 100 * other / wall_s : 0;
}

int health_noisy(double other_pct)
{
	return other_pct > HEALTH_NOISY_PCT;
}
