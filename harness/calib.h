/* calib.h -- the host's speed now: a short fixed piece of work timed before every run. */
#ifndef CALIB_H
#define CALIB_H

#define CALIB_ROUNDS   20000 /* one-byte round trips through a pipe per trial */
#define CALIB_TRIALS   3     /* trials; the median is kept */
#define CALIB_OFF_FRAC 0.10  /* a run whose calibration is this far off the run's median: marked */

/*
 * Time CALIB_TRIALS trials of CALIB_ROUNDS one-byte write-then-read round
 * trips through a pipe of our own (system calls and the scheduler's
 * bookkeeping, no other process involved: a few ms a trial) and return the
 * median trial's wall-clock µs, or -1 if a pipe cannot be made or used. The
 * same work takes longer when the host gives this VM less (a slow phase,
 * steal, a lower clock), which the machine's own CPU counters do not show.
 */
double calib_us(void);

/*
 * 1 if us is more than CALIB_OFF_FRAC away from median (both > 0), else 0:
 * the run ran in another of the host's speed regimes than most. Pure.
 */
int calib_off(double us, double median);

#endif
