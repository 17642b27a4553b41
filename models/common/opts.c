/* opts.c -- parse the shared command line. */
#include "opts.h"
#include "file.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int opts_cpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 1;
	n = CPU_COUNT(&set);
	return n > 0 ? n : 1;
}

/* The model's own option in the usage: its line, then its values with the default named. */
static void usage_choice(FILE *f, const struct opts_choice *ch)
{
	fprintf(f, "  --%s VALUE  %s; one of:\n   ", ch->name, ch->help);
	for (int i = 0; ch->values[i]; i++)
		fprintf(f, " %s%s", ch->values[i], i == ch->index ? " (default)" : "");
	fprintf(f, "\n");
}

static void usage(FILE *f, const char *model, const char *summary, const struct opts_choice *ch)
{
	fprintf(f,
	        /* one line: the second is the summary, which the robustness suite reads */
	        "usage: %s [--host ADDR] [--port N] [--workers N] [--timeout SEC] [--max-conns N] "
	        "[--docroot DIR] [--file-io sendfile|read]\n"
	        "%s\n"
	        "  --host ADDR     address to listen on (default 127.0.0.1)\n"
	        "  --port N        port; 0 lets the kernel choose (default 8080)\n"
	        "  --workers N     processes/threads of pooled models (default %d; pools of\n"
	        "                  event loops: the CPUs in the affinity mask, here %d)\n"
	        "  --timeout SEC   close a connection idle this long without a complete\n"
	        "                  request (default 10)\n"
	        "  --max-conns N   concurrent connections for process/thread-per-connection\n"
	        "                  models; past it they answer 503 (default 1024)\n"
	        "  --docroot DIR   where /file/<name> is served from (default: the generated\n"
	        "                  file set, $XDG_CACHE_HOME/server-models/" FILE_SET_DEFAULT ")\n"
	        "  --file-io HOW   send files with sendfile (default) or read (pread+send)\n",
	        model, summary, OPTS_POOL, opts_cpus());
	if (ch)
		usage_choice(f, ch);
	fprintf(f, "Prints 'listening on ADDR:PORT' once accepting; SIGTERM or SIGINT stops it.\n");
}

/* The index of s in ch's values, or -1. */
static int choice_index(const struct opts_choice *ch, const char *s)
{
	for (int i = 0; ch->values[i]; i++)
		if (strcmp(ch->values[i], s) == 0)
			return i;
	return -1;
}

/* A decimal integer in [lo, hi], or -1. */
static long number(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	return v;
}

void opts_parse(int argc, char **argv, const char *model, const char *summary, struct opts *o)
{
	opts_parse_choice(argc, argv, model, summary, NULL, o);
}

void opts_parse_choice(int argc, char **argv, const char *model, const char *summary,
                       struct opts_choice *choice, struct opts *o)
{
	struct option longopts[] = { { "host", required_argument, NULL, 'H' },
		                     { "port", required_argument, NULL, 'p' },
		                     { "workers", required_argument, NULL, 'w' },
		                     { "timeout", required_argument, NULL, 't' },
		                     { "max-conns", required_argument, NULL, 'm' },
		                     { "docroot", required_argument, NULL, 'd' },
		                     { "file-io", required_argument, NULL, 'f' },
		                     { "help", no_argument, NULL, 'h' },
		                     { NULL, 0, NULL, 'c' }, /* the model's own, if any */
		                     { NULL, 0, NULL, 0 } };
	int ch;
	long v = 0;

	o->host = "127.0.0.1";
	o->port = 8080;
	o->workers = OPTS_POOL;
	o->workers_set = 0;
	o->timeout = 10;
	o->max_conns = 1024;
	o->docroot = NULL;
	o->file_io = FILE_IO_SENDFILE;
	if (choice) {
		longopts[8].name = choice->name;
		longopts[8].has_arg = required_argument;
	}
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'H': o->host = optarg; continue;
		case 'p': v = o->port = (int)number(optarg, 0, 65535); break;
		case 'w':
			v = o->workers = (int)number(optarg, 1, 4096);
			o->workers_set = 1;
			break;
		case 't': v = o->timeout = (int)number(optarg, 1, 86400); break;
		case 'm': v = o->max_conns = (int)number(optarg, 1, 1000000); break;
		case 'd': o->docroot = optarg; continue;
		case 'f':
			v = o->file_io = !strcmp(optarg, "sendfile") ? FILE_IO_SENDFILE
			                 : !strcmp(optarg, "read")   ? FILE_IO_READ
			                                             : -1;
			break;
		case 'c':
			if ((v = choice_index(choice, optarg)) >= 0)
				choice->index = (int)v;
			break;
		case 'h': usage(stdout, model, summary, choice); exit(0);
		default: usage(stderr, model, summary, choice); exit(2);
		}
		if (v < 0) {
			fprintf(stderr, "%s: bad value '%s' for --%s\n", model, optarg,
			        longopts[ch == 'p'   ? 1
			                 : ch == 'w' ? 2
			                 : ch == 't' ? 3
			                 : ch == 'm' ? 4
			                 : ch == 'f' ? 6
			                             : 8]
			            .name);
			usage(stderr, model, summary, choice);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", model, argv[optind]);
		usage(stderr, model, summary, choice);
		exit(2);
	}
}
