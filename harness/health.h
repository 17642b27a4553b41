/* health.h -- pure judgements on whether a run's numbers mean what they seem: starvation, noise. */
#ifndef HEALTH_H
#define HEALTH_H

/*
 * A run is starved when fewer than this fraction of the tool's connections
 * were being served on average: the others waited the whole run (a fixed
 * pool of blocking workers holding keep-alive connections).
 */
#define HEALTH_STARVED_FRACTION 0.5

/*
 * Other processes above this % of one CPU during a run make it noisy
 * (recorded in meta). Not lower: the kernel's own work for a run outside its
 * processes (softirq on an idle CPU, RCU and kworkers freeing what a run
 * churns through) lands there too, and measured 0-5 % for most models but
 * 11-21 % for thread-per-connection in close mode on a quiet machine; a busy
 * loop beside a run measured about 50 %.
 */
#define HEALTH_NOISY_PCT 25.0

/*
 * Little's law: the connections actually being served on average, from the
 * throughput (requests/s) and the mean latency of the completed requests
 * (ms). Returns -1 when the mean is unknown (<= 0) or rps is negative.
 */
double health_served_conns(double rps, double mean_ms);

/*
 * A closed-loop run whose Little's-law ratio (health_littles_ratio) is off 1
 * by more than this: the tool's own numbers disagree with each other there
 * (its latency leaves out time a request spent in the tool, or counts time it
 * did not wait, or connections sat unserved).
 */
#define HEALTH_LITTLES_OFF 0.10

/*
 * Little's law as a check on a closed-loop run: the connections served
 * (health_served_conns) over those the tool held; 1 when throughput x mean
 * latency accounts for every connection. -1 when either is unknown (<= 0).
 */
double health_littles_ratio(double served, int concurrency);

/*
 * 1 if Little's law says some of concurrency connections were never being
 * served: served (health_served_conns; < 0: unknown) falls short of them by
 * more than HEALTH_LITTLES_OFF of them and by at least 2 (a client's own time
 * between requests is a fraction of one connection at c=1). Only meaningful
 * where the load tool was not saturated: a saturated tool holds requests
 * itself, which its latency does not count. Else 0.
 */
int health_unserved(double served, int concurrency);

/* 1 if ratio (health_littles_ratio; <= 0: unknown) is off 1 by more than HEALTH_LITTLES_OFF. */
int health_littles_off(double ratio);

/*
 * 1 if served (health_served_conns; < 0: unknown) is below
 * HEALTH_STARVED_FRACTION of concurrency, else 0. Unknown is never starved.
 * A starved run keeps its status ok: its req/s and latencies are real, they
 * are those of the connections served; the harness annotates them instead.
 */
int health_starved(double served, int concurrency);

/*
 * The busy jiffies of all CPUs from the text of /proc/stat (its "cpu " line):
 * user + nice + system + irq + softirq. irq and softirq count because the
 * loopback networking the kernel does there in a process's context is in
 * that process's rusage too (measured: without them a busy loop beside a run
 * showed as half its CPU). idle and iowait are not work; steal is another
 * virtual machine's. 0, or -1 if the line is missing or malformed.
 */
int health_busy_jiffies(const char *proc_stat, unsigned long long *busy);

/*
 * The steal jiffies of all CPUs from the text of /proc/stat (the 8th number
 * of its "cpu " line): time this virtual machine wanted a CPU and the host
 * gave it to another. Not our work, but a run slowed like by a process beside
 * it: the noise measure counts it with the others'. 0 when the kernel does
 * not report it; -1 if the line is missing or malformed.
 */
int health_steal_jiffies(const char *proc_stat, unsigned long long *steal);

/*
 * The CPU time of everyone else during a run, as a % of one CPU: the busy
 * jiffies all CPUs gained (busy_delta, hz a second; the caller adds the steal
 * jiffies, health_steal_jiffies) minus ours_s, the CPU
 * seconds of the processes of the run (server, tool, harness), over wall_s.
 * Clamped at 0 (jiffies are sampled on ticks, rusage is exact). -1 when
 * wall_s <= 0 or hz <= 0.
 */
double health_other_cpu_pct(unsigned long long busy_delta, long hz, double ours_s, double wall_s);

/* 1 if other_pct (health_other_cpu_pct; < 0: unknown) exceeds HEALTH_NOISY_PCT, else 0. */
int health_noisy(double other_pct);

#endif
