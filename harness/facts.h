/* facts.h -- a model's machine-readable facts: the `Facts:` and `Variants:` lines of
 * models/<name>/README.md. */
#ifndef FACTS_H
#define FACTS_H

#include <stddef.h>

/* How many requests a model can have in blocking work (/sleep) at once. */
enum facts_parallel {
	FACTS_ONE,     /* parallel=1: one thread serves everything (the event loops, single) */
	FACTS_CONN,    /* parallel=conn: a process or thread per connection, up to --max-conns */
	FACTS_WORKERS, /* parallel=workers: a pool of --workers */
};

/*
 * What one wait of the model's event loop costs against the connections it
 * watches: the C10K law of the idle scenario.
 */
enum facts_wait {
	FACTS_WAIT_UNKNOWN, /* no wait= key, or a value this harness does not know: no law */
	FACTS_WAIT_READY,   /* wait=ready: per ready descriptor (epoll, io_uring, kqueue) */
	FACTS_WAIT_ALL,     /* wait=all: each wait scans every watched descriptor (select, poll) */
	FACTS_WAIT_NONE,    /* wait=-: no shared wait (a thread/process per connection or pool) */
};

/*
 * In what order a model's one server CPU serves requests that are ready: the
 * queueing law of the mixed scenario (docs/mixed.md).
 */
enum facts_discipline {
	FACTS_DISCIPLINE_UNKNOWN, /* no discipline= key, or a value this harness does not know */
	FACTS_DISCIPLINE_FCFS,    /* discipline=fcfs: each request runs to completion in arrival
	                           * order (an event loop): M/G/1 FCFS, Pollaczek-Khinchine */
	FACTS_DISCIPLINE_PS,      /* discipline=ps: the kernel time-slices a thread or process per
	                           * request: processor sharing */
};

/* Which request targets a model does the work of (the line's optional targets= key). */
enum facts_targets {
	FACTS_TARGETS_ALL, /* absent or targets=all: /cpu/, /sleep/, /bytes/ as the contract says */
	FACTS_TARGETS_HELLO, /* targets=hello: `Hello world` to every target (ref-nginx) */
};

/*
 * A model's family: the designs that share a law, derived from the Facts
 * line's keys alone (facts_family), so that a new model has one as soon as
 * its Facts line is true. The report groups its rows by family and the charts
 * colour by it.
 */
enum facts_family {
	FACTS_FAMILY_UNKNOWN,   /* no well-formed Facts line */
	FACTS_FAMILY_ITERATIVE, /* keepalive=no: one connection at a time, closed (single) */
	FACTS_FAMILY_LOOP,      /* parallel=1: one event loop serves everything */
	FACTS_FAMILY_CONN,      /* parallel=conn: a process or thread per connection */
	FACTS_FAMILY_POOL,      /* parallel=workers, wait=- (or none): a pool of blocking workers */
	FACTS_FAMILY_LOOP_CPU,  /* parallel=workers workers=cpus: an event loop per CPU */
	FACTS_FAMILY_HELPERS,   /* parallel=workers wait=ready: a loop handing work to helpers */
	FACTS_NFAMILIES
};

#define FACTS_WORKERS_CPUS (-1) /* workers=cpus: the CPUs in the process's affinity mask */
#define FACTS_MAX_CONNS    1024 /* the models' --max-conns when it is not passed (opts.h) */

struct facts {
	int known;     /* 1: a well-formed Facts line was read; 0: the laws say "unknown" */
	int keepalive; /* keepalive=yes: 1; no: 0 */
	int parallel;  /* enum facts_parallel */
	int workers;   /* the pool's default: a number, FACTS_WORKERS_CPUS, or 0 ("-") */
	/*
	 * admission=yes: 1, the model refuses load past a limit by design (a full
	 * queue, --max-conns) with 503, so a 503 from it is a measured rejection,
	 * not an error. Optional: absent or admission=no is 0.
	 */
	int admission;
	int wait;       /* enum facts_wait; optional: a line without it is still known */
	int discipline; /* enum facts_discipline; optional, as wait= */
	int targets;    /* enum facts_targets */
};

/*
 * Parse the first line of text that starts with "Facts:" into f:
 * "Facts: keepalive=yes parallel=workers workers=256". Every one of the three
 * keys must be there with a valid value; admission=yes|no and targets= may be
 * (targets: hello or all; absent: all), and wait= (ready, all or -; missing or
 * an unknown value: FACTS_WAIT_UNKNOWN, never a reason to reject the line), and discipline=
 * (fcfs or ps; likewise FACTS_DISCIPLINE_UNKNOWN otherwise). Unknown keys are
 * ignored, so the line can grow. 0, or -1 with f->known = 0 when there is no such line or it is
 * malformed.
 */
int facts_parse(const char *text, struct facts *f);

/* "ready", "all", "-", or NULL for FACTS_WAIT_UNKNOWN. */
const char *facts_wait_name(int wait);

/* f's family (enum facts_family); FACTS_FAMILY_UNKNOWN for NULL or an unknown line. */
int facts_family(const struct facts *f);

/* "iterative", "one loop", "per connection", "blocking pool", "loop per CPU", "loop + helpers",
 * "unknown". */
const char *facts_family_name(int family);

/* "fcfs", "ps", or NULL for FACTS_DISCIPLINE_UNKNOWN. */
const char *facts_discipline_name(int discipline);

/* Read dir/<model>/README.md and parse it (facts_parse): 0 or -1 (f->known = 0). */
int facts_load(const char *dir, const char *model, struct facts *f);

/*
 * f back as the line's key=value words ("keepalive=yes parallel=1 workers=-
 * wait=ready"; wait= and discipline= only when known, then " admission=yes" and
 * " targets=hello" when they are set) into buf.
 */
const char *facts_format(const struct facts *f, char *buf, size_t len);

/*
 * Does a model with facts f do the work that target asks for? Every model
 * answers "/"; one with targets=hello answers every other target with Hello
 * world too, so a run at /sleep/10 would measure hello under sleep's name.
 * 1 when it does the work (unknown facts too: a skip is never guessed), else
 * 0 with the run's status ("skipped: ref-nginx serves only /", model named
 * by model) in status.
 */
int facts_serves(const struct facts *f, const char *model, const char *target, char *status,
                 size_t len);

/*
 * A variant of a model (docs/design.md, "The Variants line"): the model run
 * with more flags, named MODEL:NAME. flags is the line's comma-joined list.
 */
#define FACTS_VARIANTS_MAX  16
#define FACTS_VARIANT_NAME  32
#define FACTS_VARIANT_FLAGS 128
#define FACTS_VARIANT_NOTE  96
struct facts_variant {
	char name[FACTS_VARIANT_NAME];
	char flags[FACTS_VARIANT_FLAGS];
	char note[FACTS_VARIANT_NOTE]; /* what the variant changes, in a phrase; "": none */
};

/*
 * The variants of the first line of text that starts with "Variants:"
 * ("Variants: basic=--uring=basic sqpoll=--uring=sqpoll") into out (room for
 * max), each with its phrase from the first line that starts with "Variant
 * notes:" ("Variant notes: basic: one SQE per enter; sqpoll: SQPOLL thread",
 * NAME: phrase, separated by ';'; a variant without one gets ""). Returns how
 * many (0: no Variants line), or -1 when a word is not NAME=FLAGS, a name or
 * flags are too long, a name is given twice, there are more than max, or a
 * note is not NAME: phrase of a listed variant or is too long.
 */
int facts_variants(const char *text, struct facts_variant *out, int max);

/* Read dir/<model>/README.md and parse its Variants line: as facts_variants (-1: no README). */
int facts_variants_load(const char *dir, const char *model, struct facts_variant *out, int max);

#endif
