/* fixture.h -- the harness tests' captured-output files (included by one test file each). */
#ifndef TEST_FIXTURE_H
#define TEST_FIXTURE_H

#include "util.h"

#include <stdio.h>
#include <stdlib.h>

/*
 * The fixture NAME.SUFFIX in $HARNESS_FIXTURES (default tests/harness/fixtures, see
 * capture.sh), NUL-terminated and malloc'ed; fails the test if it cannot be read. Needs
 * cmocka.h included first.
 */
static char *fixture(const char *name, const char *suffix)
{
	const char *dir = getenv("HARNESS_FIXTURES");
	char path[512];
	char *text;

	snprintf(path, sizeof(path), "%s/%s.%s", dir ? dir : "tests/harness/fixtures", name,
	         suffix);
	text = util_read_file(path, NULL);
	if (!text)
		fail_msg("cannot read fixture %s", path);
	return text;
}

#endif
