/* mdtext.h -- report.md of some cells as a string, for the harness tests (one per test file). */
#ifndef TEST_MDTEXT_H
#define TEST_MDTEXT_H

#include "report.h"
#include "report_md.h"
#include "util.h"

#include <stdlib.h>
#include <unistd.h>

/*
 * report.md of c[0..n) with meta (charts under ../plots/x), written through
 * a temporary file, as a malloc'ed string. Needs cmocka.h included first.
 */
static char *md_text(const struct report_cell *c, int n, const char *meta)
{
	char path[] = "/tmp/harness-md-XXXXXX", *text;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(report_write_md(path, "x", "../plots/x", c, n, meta), 0);
	text = util_read_file(path, NULL);
	unlink(path);
	assert_non_null(text);
	return text;
}

#endif
