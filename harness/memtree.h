/* memtree.h -- the memory of a whole process tree: PSS summed over the server and its children. */
#ifndef MEMTREE_H
#define MEMTREE_H

#include <sys/types.h>

/*
 * The "Pss:" line of a /proc/PID/smaps_rollup text, in kB, or -1 when it has
 * none. PSS divides each shared page among the processes that map it, so the
 * sum over a tree counts a page once however many of them share it (forked
 * children's copy-on-write pages, the binary, libc) and threads, which are one
 * process, once.
 */
long memtree_parse_pss(const char *smaps_rollup);

/* The parent pid in a /proc/PID/stat line (after the last ')': a comm may hold one): 0 or -1. */
int memtree_parse_ppid(const char *stat, pid_t *ppid);

/*
 * PSS in kB summed over root and every process descending from it, read now
 * from /proc; -1 when root's own cannot be read. A child that exits
 * meanwhile simply stops counting.
 */
long memtree_pss_kb(pid_t root);

#endif
