/* meta.h -- the machine and software a run was measured on, for results/<id>/meta. */
#ifndef META_H
#define META_H

#include "plan.h"

#include <stddef.h>

/* A load tool of the run and the mode it drives. */
struct meta_tool {
	const char *mode;    /* "close", "keepalive" */
	const char *path;    /* its executable */
	const char *version; /* the option that prints its version ("-V", "-v") */
};

#define META_MAX_TOOLS 4

struct meta_info {
	const char *run_id;
	const char *compiler; /* compiler and flags, as the Makefile passes them (may be NULL) */
	struct meta_tool tools[META_MAX_TOOLS];
	int ntools;
	const char *refs; /* the reference models of the plan, blank separated (may be NULL) */
	const char *pinning;
	const char *plan;        /* plan_print's text */
	int workers;             /* > 0: --workers N was given to every model; 0: not passed */
	int server_cpus;         /* CPUs the server may run on (the laws' "server CPUs") */
	const char *scenarios;   /* "scenario NAME: TARGET -- what it shows" lines (may be NULL) */
	const char *facts;       /* "facts MODEL: keepalive=... " lines (may be NULL) */
	double noisy_pct;        /* other processes above this % of one CPU make a run noisy */
	double starved_fraction; /* served connections below this x concurrency: starved */
};

/*
 * Write the meta text, one "key: value" line each (date, CPU model and count,
 * kernel, whether it accounts IRQ time, compiler and flags, every load tool's
 * version per mode, each reference server's version, libevent version, git
 * commit, pinning, server CPUs, workers, the noise and starvation thresholds,
 * the scenarios and the models' facts), then the plan, into a malloc'ed
 * string; NULL when out of memory. A reference ref-X's version is what `X -v`
 * prints (the binary from $REF_X_BIN, else PATH plus /usr/sbin), "not
 * installed" when there is none.
 */
char *meta_collect(const struct meta_info *m);

/*
 * Whether the kernel accounts IRQ time, from its config text (/boot/config-*
 * or /proc/config.gz; may be NULL) and else the "cpu " line of /proc/stat
 * (may be NULL): the "irq time: ..." meta line, with what it means for
 * other_cpu_pct, into buf. Returns 1 accounted, 0 not, -1 unknown. Pure.
 */
int meta_irq_accounting(const char *config, const char *proc_stat, char *buf, size_t len);

/*
 * The meta lines of p's scenarios ("scenario NAME: GET TARGET -- what it
 * shows") into *scen and of its models' facts ("facts MODEL: keepalive=yes
 * parallel=1 workers=-", or "unknown (...)") from dir/<model>/README.md into
 * *facts, both malloc'ed (NULL when out of memory).
 */
void meta_plan_lines(const struct plan *p, const char *dir, char **scen, char **facts);

#endif
