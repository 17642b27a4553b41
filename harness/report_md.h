/* report_md.h -- report.md, the run's report for a reader: a Markdown file from the cells. */
#ifndef REPORT_MD_H
#define REPORT_MD_H

#include "report.h"

/*
 * Write report.md at path: meta's warnings; the verdicts (a banner when cells
 * were noisy, then per scenario and mode the family that ranks first at the
 * highest level, ties within 5 %, the first family that separates, the share
 * of the bound, whether to read CPU); the marks' legend once; per scenario
 * its target, what it shows and its law, then one table per mode, rows
 * grouped by family and sorted by value, CPU first where the load tool was
 * the ceiling (a starved cell's p99 given as at least the run length; marks
 * on short, starved, noisy and client-bound cells; references labelled); the
 * charts as links relative to charts_rel (plot_kinds); a link to meta. The
 * ranking in full goes to ranking.md in path's directory. 0 or -1.
 */
int report_write_md(const char *path, const char *run_id, const char *charts_rel,
                    const struct report_cell *c, int n, const char *meta);

#endif
