/* tool.c -- the table of load tools; ab's adapter (its parser is parse_ab.c). */
#include "tool.h"
#include "parse_ab.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append s to buf at *used and return the copy, or NULL when buf is full. */
static char *stash(char *buf, size_t buflen, size_t *used, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = buf + *used;

	if (*used + n > buflen)
		return NULL;
	memcpy(p, s, n);
	*used += n;
	return p;
}

/*
 * ab -t sets -n to 50000, so -n comes after it; -r keeps a receive error from
 * ending the run (it is counted instead); -s bounds every socket wait, so a
 * server that accepts and never answers cannot hang the suite.
 */
static int ab_argv(const struct tool_job *job, char **argv, char *buf, size_t buflen)
{
	char num[5][32], perc[4096];
	size_t used = 0;
	const char *words[TOOL_MAX_ARGS];
	int n = 0, i;

	snprintf(num[0], sizeof(num[0]), "%d", job->duration_s);
	snprintf(num[1], sizeof(num[1]), "%ld", job->max_requests);
	snprintf(num[2], sizeof(num[2]), "%d", job->concurrency);
	snprintf(num[3], sizeof(num[3]), "%d", job->timeout_s);
	if (snprintf(perc, sizeof(perc), "%s.perc.csv", job->raw_prefix) >= (int)sizeof(perc))
		return -1;
	words[n++] = "ab";
	words[n++] = "-q";
	words[n++] = "-t";
	words[n++] = num[0];
	words[n++] = "-n";
	words[n++] = num[1];
	words[n++] = "-c";
	words[n++] = num[2];
	if (job->keepalive)
		words[n++] = "-k";
	words[n++] = "-s";
	words[n++] = num[3];
	words[n++] = "-r";
	words[n++] = "-e";
	words[n++] = perc;
	words[n++] = job->url;
	for (i = 0; i < n; i++)
		if (!(argv[i] = stash(buf, buflen, &used, words[i])))
			return -1;
	argv[n] = NULL;
	return 0;
}

static int ab_collect(const struct tool_job *job, const char *out, const char *err,
		      struct tool_result *r, char *why, size_t whylen)
{
	char path[4096], *csv;
	int rc;

	memset(r, 0, sizeof(*r));
	if (parse_ab_output(out, r) < 0) {
		snprintf(why, whylen, "%s", parse_ab_failure(err));
		return -1;
	}
	snprintf(path, sizeof(path), "%s.perc.csv", job->raw_prefix);
	if (!(csv = util_read_file(path, NULL))) {
		snprintf(why, whylen, "tool_error");
		return -1;
	}
	rc = parse_ab_percentiles(csv, r);
	free(csv);
	if (rc < 0 && r->requests > 0) {
		snprintf(why, whylen, "tool_error");
		return -1;
	}
	return 0;
}

static const struct tool tools[] = {
	{ "ab", "ab", ab_argv, ab_collect },
};

const struct tool *tool_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(tools[i].name, name) == 0)
			return &tools[i];
	return NULL;
}

const char *tool_names(void)
{
	return "ab";
}
