/* report_md.h -- report.md, the run's report for a reader: a Markdown file from the cells. */
#ifndef REPORT_MD_H
#define REPORT_MD_H

#include "report.h"

/*
 * Write report.md at path: per scenario its target, what it shows and its
 * law, then per mode a table of req/s and one of server CPU µs per request; a
 * starved cell's p99 is given as at least the run length; then per mode a table of req/s and p99
 * per model and concurrency (references labelled, with a note saying what they are; cells marked
 * when short of ok repetitions, starved, noisy or client bound, with a legend line for each mark
 * present), the ranking, the charts (image links relative to charts_rel, plot_kinds) and the
 * meta text. 0 or -1.
 */
int report_write_md(const char *path, const char *run_id, const char *charts_rel,
                    const struct report_cell *c, int n, const char *meta);

#endif
