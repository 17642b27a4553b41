/* guard.h -- place test input right before an inaccessible page, so any over-read faults.
 *
 * Used by the parser tests (and usable by any test of code that takes a
 * buffer and a length): the byte after the input is the first byte of a
 * PROT_NONE page, so reading one byte too many is a SIGSEGV, not a silent pass.
 */
#ifndef GUARD_H
#define GUARD_H

#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

struct guard {
	char *base;      /* the mapping: usable pages, then the guard page */
	size_t usable;   /* bytes before the guard page */
	size_t map_size; /* usable + one page */
};

/* Map at least cap usable bytes followed by a PROT_NONE page. Returns 0, or -1. */
static inline int guard_init(struct guard *g, size_t cap)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	g->usable = (cap + page - 1) / page * page;
	g->map_size = g->usable + page;
	g->base =
	    mmap(NULL, g->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->base == MAP_FAILED) {
		g->base = NULL;
		return -1;
	}
	if (mprotect(g->base + g->usable, page, PROT_NONE) < 0) {
		munmap(g->base, g->map_size);
		g->base = NULL;
		return -1;
	}
	return 0;
}

static inline void guard_free(struct guard *g)
{
	if (g->base)
		munmap(g->base, g->map_size);
	g->base = NULL;
}

/* Copy data[0..n) so that it ends exactly at the guard page; returns where it starts (NULL: too
 * big). */
static inline const char *guard_place(struct guard *g, const void *data, size_t n)
{
	char *p;

	if (n > g->usable)
		return NULL;
	p = g->base + g->usable - n;
	memcpy(p, data, n);
	return p;
}

#endif
