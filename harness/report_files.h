/* report_files.h -- the files rows' part (issue 24): sendfile against read, cold against warm. */
#ifndef REPORT_FILES_H
#define REPORT_FILES_H

#include "plot.h"
#include "record.h"
#include "report.h"

#include <stdio.h>

#define REPORT_FILES_MAX 64 /* models in the files tables */

/*
 * One model's files figures: medians over the ok rows of each files scenario; -1 unknown.
 * [0] and [1]: files-sendfile and files-read (warm, as fast as they go), or files-hot and
 * files-cold (the paced mix beside the hot clients).
 */
struct report_files_model {
	char model[RECORD_WORD];
	double rps[2], cpu_us[2], cpu_ms_mib[2]; /* sendfile, read */
	double hot_p99_ms[2], mix_rps[2];        /* warm, cold */
	double reads_s, read_mib_s, disk_lat_us; /* the cold runs' disk */
	int serializes; /* 1: one thread serves everything (Facts parallel=1): it waits each miss */
	int mix_conns;  /* the cold cell's mix connections: the misses such a loop may queue */
};

/*
 * The models of rows[0..n) that have a files row, in order of first appearance, into out
 * (room for max), their parallel from the cells c[0..nc) (report_apply_laws first). Pure.
 * Returns how many.
 */
int report_files_collect(const struct record_row *rows, int n, const struct report_cell *c, int nc,
                         struct report_files_model *out, int max);

/*
 * The two tables into f: per model warm sendfile against read (req/s, CPU per request and
 * per MiB, read / sendfile), then the hot clients' p99 warm and cold with the factor, the
 * disk's reads and the law (the loop's wait share, k misses x the disk's latency); the chart
 * linked from charts (NULL: none drawn).
 */
void report_files_md(FILE *f, const struct report_files_model *m, int n, const char *charts);

/* The hot-p99 chart, cold against warm, a bar pair per model (files-hot-p99.png): 0 or -1. */
int report_files_plot(const struct plot_job *job, const struct report_files_model *m, int n);

#endif
