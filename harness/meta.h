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
	const char *client_cpus;   /* cpulists ("" when pinning is off) */
	const char *server_list;   /* the server's cpulist */
	const char *topology;      /* cpus_topo_describe's line */
	int client_threads;        /* the tool's threads where it has them (wrk -t) */
	const char *client_prefix; /* CLIENT_PREFIX, NULL: none */
	const char *host;          /* the address the models listen on and the tool targets */
	const char *warning;       /* a line for the report ("" or NULL: none) */
	const char *counts;        /* the counting pass: how, or "off: why" (NULL: not asked) */
	const char *plan;          /* plan_print's text */
	int workers;               /* > 0: --workers N was given to every model; 0: not passed */
	int server_cpus;           /* CPUs the server may run on (the laws' "server CPUs") */
	const char *scenarios;   /* "scenario NAME: TARGET -- what it shows" lines (may be NULL) */
	const char *facts;       /* "facts MODEL: keepalive=... " lines (may be NULL) */
	double noisy_pct;        /* other processes above this % of one CPU make a run noisy */
	double starved_fraction; /* served connections below this x concurrency: starved */
};

/*
 * Write the meta text, one "key: value" line each (date, CPU model and count,
 * kernel, whether it accounts IRQ time, compiler and flags, every load tool's
 * version per mode, each reference server's version, libevent version, git
 * commit, pinning, the client and server CPUs, the topology, the tool's
 * threads, its prefix and the address, workers, the noise and starvation
 * thresholds, a warning, the scenarios and the models' facts), then the plan,
 * into a malloc'ed string; NULL when out of memory. A reference ref-X's
 * version is what `X -v` prints (the binary from $REF_X_BIN, else PATH plus
 * /usr/sbin), "not installed" when there is none.
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
 * parallel=1 workers=-", or "unknown (no Facts line in dir/MODEL/README.md)")
 * into *facts_text, both malloc'ed (NULL when out of memory). facts[i] is
 * p->models[i]'s, as the caller read it once for the run (facts_load from
 * dir); the report reads it back from here (meta_read_env). After a
 * variant's facts line comes its own, "variant MODEL:NAME: FLAGS -- NOTE"
 * (its flags and the phrase of its README's Variant notes line, facts.h), in
 * the plan's order, which is the README's: the ladder's order (ladder.h).
 */
void meta_plan_lines(const struct plan *p, const struct facts *facts, const char *dir, char **scen,
                     char **facts_text);

#define META_MAX_FACTS 64
#define META_WORD      64 /* a model's or scenario's name read back, with its NUL */

/* What the laws need of a run, read back from its meta text (meta_read_env). */
struct meta_env {
	int server_cpus; /* 0: unknown (taken as 1) */
	int workers;     /* --workers given to every model; 0: not passed */
	int nfacts;
	char model[META_MAX_FACTS][META_WORD];
	struct facts facts[META_MAX_FACTS]; /* model[i]'s Facts line */
	/*
	 * The scenarios whose meta line says they gave every model their own pool
	 * ("(every model: --workers N)"): a run made before a scenario had one did
	 * not, and today's law for it would not be that run's.
	 */
	int npooled;
	char pooled[META_MAX_FACTS][META_WORD];
	/* The variants of the run ("variant MODEL:NAME:" lines), in the plan's order. */
	int nvariants;
	char variant[META_MAX_FACTS][META_WORD];
	char variant_note[META_MAX_FACTS][FACTS_VARIANT_NOTE]; /* "": none */
};

/*
 * Read the "server cpus:", "workers:", "facts MODEL:", "variant MODEL:NAME:" and
 * "scenario NAME:" lines of a run's meta text (meta_collect's; may be NULL: nothing known)
 * into env. The reader of what meta_collect and meta_plan_lines write: a
 * fresh run and a redraw (--replot) of it read the same.
 */
void meta_read_env(const char *meta, struct meta_env *env);

#endif
