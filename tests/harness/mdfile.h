/* mdfile.h -- report.md written for a test, in a directory of its own (included by the tests). */
#ifndef TEST_MDFILE_H
#define TEST_MDFILE_H

#include "report_md.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * report_write_md of c[0..n) (run "test", charts under charts, meta) into a fresh
 * directory; report.md's text, malloc'ed. The side files beside it (ranking.md,
 * balance.md: NULL when not written) into *balance when balance is not NULL;
 * the directory is removed. Needs cmocka.h included first.
 */
static char *md_written(const struct report_cell *c, int n, const char *charts, const char *meta,
                        char **balance)
{
	char dir[] = "/tmp/harness-md-XXXXXX", path[64], *text;
	static const char *const files[] = { "report.md", "ranking.md", "balance.md" };
	size_t i;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/report.md", dir);
	assert_int_equal(report_write_md(path, "test", charts, c, n, meta), 0);
	text = util_read_file(path, NULL);
	if (balance) {
		snprintf(path, sizeof(path), "%s/balance.md", dir);
		*balance = util_read_file(path, NULL);
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	assert_non_null(text);
	return text;
}

#endif
