/* mdtext.h -- report.md of some cells as a string, for the harness tests (one per test file). */
#ifndef TEST_MDTEXT_H
#define TEST_MDTEXT_H

#include "report.h"
#include "report_md.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * report.md of c[0..n) with meta (run "x", charts under ../plots/x), written
 * into a directory of its own, as a malloc'ed string; the side file named
 * side beside it (balance.md, cpu.md; NULL when it was not written) into
 * *side_text when side is not NULL. The directory and the side files
 * (ranking.md, cpu.md, balance.md) are removed.
 * Needs cmocka.h included first.
 */
static char *md_text_side(const struct report_cell *c, int n, const char *meta, const char *side,
                          char **side_text)
{
	static const char *const files[] = { "report.md", "ranking.md", "cpu.md", "balance.md" };
	char dir[] = "/tmp/harness-md-XXXXXX", path[64], *text;
	size_t i;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/report.md", dir);
	assert_int_equal(report_write_md(path, "x", "../plots/x", c, n, meta), 0);
	text = util_read_file(path, NULL);
	if (side) {
		snprintf(path, sizeof(path), "%s/%s", dir, side);
		*side_text = util_read_file(path, NULL);
	}
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
	assert_non_null(text);
	return text;
}

/* report.md of c[0..n) with meta, as a malloc'ed string (md_text_side without a side file). */
static inline char *md_text(const struct report_cell *c, int n, const char *meta)
{
	return md_text_side(c, n, meta, NULL, NULL);
}

#endif
