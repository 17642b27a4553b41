/*
 * report_side.h -- the files beside report.md, so that report.md itself stays
 * a page of verdicts and tables: ranking.md (the ranking in full), cpu.md
 * (per scenario where the CPU went at each mode's highest level, and the
 * fixed cost of start-up and exit), balance.md (how evenly each pool's
 * workers shared the load).
 */
#ifndef REPORT_SIDE_H
#define REPORT_SIDE_H

#include "report.h"

/* The side files' texts, each malloc'ed; NULL when out of memory, "" when it has nothing. */
struct report_sides {
	char *ranking, *cpu, *balance;
};

/* Make the side files' texts of the cells c[0..n) (report_summarize's order) into s. */
void report_sides_make(const struct report_cell *c, int n, struct report_sides *s);

/*
 * Write each side file into report_path's directory (a text that is "" removes
 * an older one instead). 0, or -1 if any could not be written.
 */
int report_sides_write(const char *report_path, const struct report_sides *s);

/* Free s's texts. */
void report_sides_free(struct report_sides *s);

#endif
