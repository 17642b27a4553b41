/* clock.h -- the clocks the models read, each in one place. */
#ifndef CLOCK_H
#define CLOCK_H

/* Milliseconds on a monotonic clock (CLOCK_MONOTONIC): for deadlines and timeouts. */
long clock_now_ms(void);

/* Microseconds of CPU time the calling thread has used (CLOCK_THREAD_CPUTIME_ID). */
long long clock_thread_cpu_us(void);

#endif
