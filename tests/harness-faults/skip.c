/* skip.c -- harness fault: a model that cannot run here and says so (exit 77) before listening. */
#include "opts.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	struct opts o;

	opts_parse(argc, argv, "skip", "Harness fault: always skips itself.", &o);
	fprintf(stderr, "skip: skipped: this test model never runs\n");
	return 77;
}
