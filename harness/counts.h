/* counts.h -- system calls, context switches, migrations and instructions of a server tree
 * over the load window, counted by `perf stat` attached to it (docs/performance.md). */
#ifndef COUNTS_H
#define COUNTS_H

#include <stddef.h>
#include <sys/types.h>

/* The most syscalls:sys_enter_NAME lines one breakdown keeps. */
#define COUNTS_MAX_SYSCALLS 64

/* One line of a breakdown: a system call's name and how often it was entered. */
struct counts_syscall {
	char name[32];
	double n;
};

/*
 * What perf counted over the window, in events (not yet per request). -1: unknown
 * (not asked, not supported here: a VM without a PMU has no instructions, or perf failed).
 */
struct counts {
	double syscalls;     /* raw_syscalls:sys_enter: every system call entered */
	double ctx_switches; /* context-switches, voluntary and involuntary together */
	double migrations;   /* cpu-migrations */
	double instructions; /* instructions, user and kernel */
	/*
	 * Receive SQEs submitted (COUNTS_RECV_EVENT filtered on IORING_OP_RECV's opcode, with
	 * the breakdown where the kernel has the tracepoint): not a system call; an io_uring
	 * multishot recv submits one for many receives. -1: unknown.
	 */
	double recv_sqes;
	int nsys; /* breakdown lines in sys[], most frequent first */
	struct counts_syscall sys[COUNTS_MAX_SYSCALLS];
};

#define COUNTS_RECV_EVENT  "io_uring:io_uring_submit_req"
#define COUNTS_RECV_FILTER "opcode == 27" /* IORING_OP_RECV */

/* A perf attached to a tree, its counters disabled until counts_enable. */
struct counts_run {
	pid_t pid; /* perf's; 0: none */
	int ctl;   /* write end of perf's --control pipe */
	int ack;   /* read end of its acknowledgements */
	char out[4096];
};

/* Every field unknown, no breakdown. */
void counts_clear(struct counts *c);

/*
 * Parse `perf stat -x,` output (one `value,unit,event,...` line per event, '#' comments)
 * into c, cleared first: the four totals by event name (a hardware event may carry a
 * modifier, `instructions:u`), COUNTS_RECV_EVENT's count, and every
 * `syscalls:sys_enter_NAME` line into the breakdown, most frequent first. `<not supported>` and
 * `<not counted>` stay unknown. 0, or -1 when no line names a known event (an error text, an empty
 * file).
 */
int counts_parse(const char *text, struct counts *c);

/*
 * Can perf count here? Runs `perf stat` once over `true` with the four events. 0 (and
 * *have_pmu: whether instructions are counted), or -1 with the reason in why (perf not
 * installed, refused by perf_event_paranoid or a container's seccomp: perf's own words).
 */
int counts_probe(int *have_pmu, char *why, size_t whylen);

/*
 * Attach perf to every process and thread of root's tree, counters inherited by the
 * processes and threads they create later, disabled until counts_enable; perf writes
 * its counts to out_path and its complaints to out_path.err. With breakdown, also one
 * syscalls:sys_enter_NAME counter per call of counts_breakdown_calls (a separate pass:
 * more counters cost more) and, where the kernel has it, COUNTS_RECV_EVENT filtered on
 * COUNTS_RECV_FILTER. 0, or -1 (nothing left running).
 */
int counts_start(struct counts_run *r, pid_t root, const char *out_path, int breakdown);

/*
 * The same for `perf record -g` (call graphs, user and kernel) into data_path, for
 * `perf report`: started with counts_enable, ended with counts_stop. 0, or -1.
 */
int counts_record_start(struct counts_run *r, pid_t root, const char *data_path);

/* Start counting (at the start of the load): 0 once perf acknowledged it, else -1. */
int counts_enable(struct counts_run *r);

/* Stop counting and end perf (SIGKILL after 5 s): 0, or -1 if it was not counting. */
int counts_stop(struct counts_run *r);

/*
 * Stop counting (at the end of the load), end perf and parse what it wrote into c.
 * 0, or -1 with c all unknown. Always reaps perf (SIGKILL after 5 s).
 */
int counts_finish(struct counts_run *r, struct counts *c);

/* The system calls a breakdown counts by name (NULL-terminated); the rest is "other". */
extern const char *const counts_breakdown_calls[];

#endif
