/* work.h -- what a request asks the server to do, chosen by its target (issue 9).
 *
 *   /cpu/<us>    burn <us> microseconds of the serving thread's own CPU time
 *                (CLOCK_THREAD_CPUTIME_ID, so preemption cannot shorten it),
 *                0..WORK_CPU_MAX_US; the reply is the usual "Hello world"
 *   /sleep/<ms>  block the serving thread <ms> milliseconds (a stand-in for a
 *                blocking disk read or database call), 0..WORK_SLEEP_MAX_MS;
 *                the reply is "Hello world"
 *   /bytes/<n>   a 200 reply whose body is exactly <n> bytes of the pattern
 *                below, 0..WORK_BYTES_MAX
 *   /file/<name> the file <name> from the document root (file.h): a name
 *                that file_name_ok refuses makes the request a 400
 *   anything else: "Hello world", as before.
 * <number> is 1*DIGIT and nothing after it (no sign, no query): a number that
 * is empty, malformed, out of range or that overflows makes the request a 400.
 *
 * The /bytes body: byte i (counting from 0, the first body byte) is
 * WORK_PATTERN[i % WORK_PATTERN_LEN], 60 letters and digits and a newline. A
 * client verifies every byte from its offset alone; the period, 61, is prime,
 * so a lost or repeated slice of any power-of-two size shows.
 */
#ifndef WORK_H
#define WORK_H

#include <stddef.h>

#define WORK_CPU_MAX_US   1000000UL
#define WORK_SLEEP_MAX_MS 10000UL
#define WORK_BYTES_MAX    67108864UL /* 64 MiB */

#define WORK_PATTERN     "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx\n"
#define WORK_PATTERN_LEN 61

enum work_kind {
	WORK_HELLO = 0, /* the plain "Hello world" reply */
	WORK_CPU,       /* arg: microseconds of thread CPU time */
	WORK_SLEEP,     /* arg: milliseconds */
	WORK_BYTES,     /* arg: body length */
	WORK_FILE,      /* name: the file's name, arg: its length */
};

struct work {
	int kind;          /* enum work_kind */
	unsigned long arg; /* its number */
	const char *name;  /* WORK_FILE: the name, in the request's own bytes (not terminated) */
};

/*
 * Map the request-target [target, target + len) to its work. Returns 0, or
 * -1 for a /cpu/, /sleep/ or /bytes/ target whose number is bad, or a
 * /file/ target whose name is (answer 400). Pure; never reads past len.
 */
int work_parse(const char *target, size_t len, struct work *w);

/* 1 for work that holds the serving thread (/cpu, /sleep): what an offloading model hands out. */
int work_blocks(const struct work *w);

/*
 * Do w's blocking part on the calling thread: burn its CPU time or sleep;
 * for a file, read it into the page cache (file_warm: what a helper does for
 * a file that is not resident); nothing for other kinds. A sleep ends early, within
 * WORK_STOP_CHECK_MS, once a stop is requested: sig_stop set, or SIGTERM/SIGINT pending for a
 * thread that blocks them (sig.h), so a sleeping request does not hold
 * shutdown; a CPU burn (at most 1 s) ends once sig_stop is set. Thread-safe.
 */
#define WORK_STOP_CHECK_MS 50
void work_run(const struct work *w);

/*
 * The shared read-only body: a pointer to bytes off.. of the pattern and, in
 * *len, how many may be read there (at least 1 and at most the *len asked).
 * Every /bytes reply is sent from this one buffer in slices: never copied.
 */
const char *work_body(size_t off, size_t *len);

/* Fill the shared body now (else work_body does on first use): from main, before any fork. */
void work_init(void);

#endif
