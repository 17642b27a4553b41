/* meta.h -- the machine and software a run was measured on, for results/<id>/meta. */
#ifndef META_H
#define META_H

#include <stddef.h>

struct meta_info {
	const char *run_id;
	const char *compiler; /* compiler and flags, as the Makefile passes them (may be NULL) */
	const char *tool_path;
	const char *pinning;
	const char *plan; /* plan_print's text */
};

/*
 * Write the meta text (date, CPU model and count, kernel, compiler and
 * flags, ab and libevent versions, git commit, pinning, plan) into a
 * malloc'ed string; NULL when out of memory.
 */
char *meta_collect(const struct meta_info *m);

#endif
