/* calib.c -- a pipe ping-pong of fixed length, timed: the host's speed beside every run. */
#include "calib.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* One trial's µs over the pipe fd[2], or -1 if a write or read failed. */
static double trial(const int fd[2])
{
	double start = now_us();
	char byte = 'c';

	for (int i = 0; i < CALIB_ROUNDS; i++) {
		ssize_t r;

		while ((r = write(fd[1], &byte, 1)) < 0 && errno == EINTR)
			;
		if (r != 1)
			return -1;
		while ((r = read(fd[0], &byte, 1)) < 0 && errno == EINTR)
			;
		if (r != 1)
			return -1;
	}
	return now_us() - start;
}

double calib_us(void)
{
	double t[CALIB_TRIALS];
	int fd[2], i;

	if (pipe2(fd, O_CLOEXEC) < 0)
		return -1;
	for (i = 0; i < CALIB_TRIALS && (t[i] = trial(fd)) >= 0; i++)
		;
	close(fd[0]);
	close(fd[1]);
	return i == CALIB_TRIALS ? util_median(t, CALIB_TRIALS) : -1;
}

int calib_off(double us, double median)
{
	return us > 0 && median > 0 && fabs(us / median - 1) > CALIB_OFF_FRAC;
}
