/* args.c -- harness fault: a model that reports the command line it was given, then skips. */
#include "opts.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	struct opts o;
	int i;

	/* Print before parsing: what the harness passed is the point, valid or not. */
	fprintf(stderr, "args:");
	for (i = 1; i < argc; i++)
		fprintf(stderr, " %s", argv[i]);
	fprintf(stderr, "\n");
	opts_parse(argc, argv, "args", "Harness fault: prints its arguments, then skips.", &o);
	fprintf(stderr, "args: skipped: this test model only reports its arguments\n");
	return 77;
}
