/* diff-runs.c -- bin/tools/diff-runs: `make diff-runs A=<run> B=<run>` (diffruns.h). */
#include "../diffruns.h"
#include "../record.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: diff-runs [--results DIR] [--alpha P] A B\n"
	                "  A, B: run ids under DIR (default results) or run directories;\n"
	                "  P: the largest p taken as a change (default 0.05)\n");
	return 2;
}

/* The rows of run id (a directory under results, or a path to one) into *rows: 0 or -1. */
static int load_run(const char *results, const char *id, struct record_row **rows, int *n)
{
	char path[PATH_MAX];
	int bad;

	snprintf(path, sizeof(path), "%s/results.csv", id);
	if (access(path, R_OK) < 0)
		snprintf(path, sizeof(path), "%s/%s/results.csv", results, id);
	if (record_load(path, rows, n, &bad) == 0)
		return 0;
	if (bad)
		fprintf(stderr, "diff-runs: %s: line %d is not a results.csv row\n", path, bad);
	else
		fprintf(stderr, "diff-runs: cannot read %s (runs: ls %s)\n", path, results);
	return -1;
}

int main(int argc, char **argv)
{
	const char *results = "results", *id[2] = { NULL, NULL };
	double alpha = DIFFRUNS_ALPHA;
	struct record_row *rows[2] = { NULL, NULL };
	int n[2], k = 0, i, rc = 1;

	for (i = 1; i < argc; i++) {
		char *end;

		if (!strcmp(argv[i], "--results") && i + 1 < argc)
			results = argv[++i];
		else if (!strcmp(argv[i], "--alpha") && i + 1 < argc) {
			alpha = strtod(argv[++i], &end);
			if (*end || !(alpha > 0 && alpha < 1)) {
				fprintf(stderr, "diff-runs: --alpha wants a p between 0 and 1\n");
				return usage();
			}
		} else if (argv[i][0] != '-' && k < 2)
			id[k++] = argv[i];
		else
			return usage();
	}
	if (k != 2)
		return usage();
	if (load_run(results, id[0], &rows[0], &n[0]) < 0 ||
	    load_run(results, id[1], &rows[1], &n[1]) < 0)
		goto out;
	if (diffruns_write(stdout, id[0], rows[0], n[0], id[1], rows[1], n[1], alpha) < 0)
		fprintf(stderr, "diff-runs: out of memory\n");
	else
		rc = 0;
out:
	free(rows[0]);
	free(rows[1]);
	return rc;
}
