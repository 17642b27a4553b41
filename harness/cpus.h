/* cpus.h -- CPU placement: cpulists ("0-3,8") and the split of a mask between client and server. */
#ifndef CPUS_H
#define CPUS_H

#include <sched.h>
#include <stddef.h>

/* Below this many CPUs the client (load tool) gets one and the server the rest; from it up, half
 * each. */
#define CPUS_HALF_FROM 4

/*
 * The machine's topology as far as the kernel shows it: for every CPU of the
 * mask it was read for, its package, core id and first SMT sibling (the
 * lowest CPU sharing its physical core). known is 0 when any file was
 * missing or unreadable: then nothing else in it is meaningful.
 */
struct cpus_topo {
	int known;
	cpu_set_t mask; /* the CPUs it describes */
	short package[CPU_SETSIZE];
	short core[CPU_SETSIZE];
	short first_sibling[CPU_SETSIZE];
};

/*
 * Parse the cpulist text ("0-3,8", as /sys and taskset -c write it; blanks
 * around it and a final newline are allowed) into *set. 0, or -1 with a
 * sentence in err when it is malformed, names a CPU at or above
 * CPU_SETSIZE, or is empty.
 */
int cpus_parse(const char *text, cpu_set_t *set, char *err, size_t errlen);

/* set as a cpulist ("0-3,8"; "" for the empty set) into buf; returns buf. */
char *cpus_format(const cpu_set_t *set, char *buf, size_t buflen);

/*
 * Read the topology of the CPUs of mask from root (normally
 * "/sys/devices/system/cpu"; tests pass a synthetic tree): for each CPU N,
 * cpuN/topology/{physical_package_id,core_id,thread_siblings_list}. Always
 * fills *t; t->known says whether every CPU's files were there and sane.
 */
void cpus_topo_read(const char *root, const cpu_set_t *mask, struct cpus_topo *t);

/*
 * One line for meta: "2 packages, 8 cores, 16 CPUs; cores 0,8 1,9 ..." (the
 * CPUs of each physical core), or "not visible" when t is not known.
 */
char *cpus_topo_describe(const struct cpus_topo *t, char *buf, size_t buflen);

/*
 * The default placement of mask: with fewer than 2 CPUs, -1 (nothing to
 * split: pinning is off). Below CPUS_HALF_FROM, the client (the load tool) gets the first CPU
 * and the server the rest. From CPUS_HALF_FROM up, half each (the client the
 * smaller half when odd): where the topology t is known, whole physical
 * cores go to one side, the client taking the cores with the lowest CPUs while
 * it stays within half, so that no core's SMT siblings serve both sides;
 * where a core is bigger than half the mask, or t is unknown, the CPUs are
 * split by count in order. 0 with *client and *server filled.
 */
int cpus_split(const cpu_set_t *mask, const struct cpus_topo *t, cpu_set_t *client,
               cpu_set_t *server);

/*
 * The placement the user asked for: client_text and server_text are cpulists
 * (CLIENT_CPUS, SERVER_CPUS) or NULL when not given. Neither: cpus_split.
 * One: the other side is the rest of mask. Both: as given. 0 with *client and
 * *server filled; -1 with a sentence in err when pinning is impossible
 * (fewer than 2 CPUs and nothing given: err is "" then) or a list is
 * malformed or empty, names a CPU outside mask, leaves the other side
 * nothing, or overlaps the other.
 */
int cpus_place(const cpu_set_t *mask, const struct cpus_topo *t, const char *client_text,
               const char *server_text, cpu_set_t *client, cpu_set_t *server, char *err,
               size_t errlen);

#endif
