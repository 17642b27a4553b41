/* parse_ab.c -- read ApacheBench's report and its -e percentile CSV. */
#include "parse_ab.h"

#include <stdlib.h>
#include <string.h>

/*
 * The value after "key:" on a line that starts with key, blanks skipped, or
 * NULL. Anchoring at a line start keeps "Time per request" from matching
 * inside another line.
 */
static const char *field(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':') {
			p += klen + 1;
			while (*p == ' ' || *p == '\t')
				p++;
			return p;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

/* A whole number at s, or -1 (s is NULL or holds no digits). */
static long field_long(const char *s)
{
	char *end;
	long v;

	if (!s)
		return -1;
	v = strtol(s, &end, 10);
	return end == s ? -1 : v;
}

/* A decimal number at s into *v: 0, or -1. */
static int field_double(const char *s, double *v)
{
	char *end;

	if (!s)
		return -1;
	*v = strtod(s, &end);
	return end == s ? -1 : 0;
}

/*
 * The nth number (1-based) of a "Connection Times" row such as
 * "Total:  0 0 0.2 0 6" (min, mean, sd, median, max), or fail.
 */
static double row_nth(const char *s, int nth, double fail)
{
	double v = fail;
	char *end;
	int i;

	for (i = 0; s && i < nth; i++) {
		v = strtod(s, &end);
		if (end == s)
			return fail;
		s = end;
	}
	return s ? v : fail;
}

int parse_ab_output(const char *text, struct parse_ab_result *r)
{
	long n;

	if ((r->requests = field_long(field(text, "Complete requests"))) < 0)
		return -1;
	if (field_double(field(text, "Time taken for tests"), &r->duration_s) < 0)
		return -1;
	r->failed = field_long(field(text, "Failed requests"));
	if (r->failed < 0)
		r->failed = 0;
	/* ab prints the line only when there are some. */
	n = field_long(field(text, "Non-2xx responses"));
	r->non_2xx = n < 0 ? 0 : n;
	r->body_bytes = field_long(field(text, "HTML transferred"));
	if (r->body_bytes < 0)
		r->body_bytes = 0;
	if (field_double(field(text, "Requests per second"), &r->rps) < 0)
		r->rps = r->duration_s > 0 ? r->requests / r->duration_s : 0;
	/* The first "Time per request" is the mean latency a client saw. */
	if (field_double(field(text, "Time per request"), &r->lat_mean_ms) < 0)
		r->lat_mean_ms = 0;
	r->lat_max_ms = row_nth(field(text, "Total"), 5, 0);
	r->lat_mean_total_ms = row_nth(field(text, "Total"), 2, -1);
	return 0;
}

int parse_ab_percentiles(const char *csv, struct parse_ab_result *r)
{
	const char *p = strchr(csv, '\n');
	long first = -1, prev_pct = -1;
	double prev_ms = 0, area = 0;
	int seen = 0;

	if (!p || strncmp(csv, "Percentage served", 17) != 0)
		return -1;
	for (p++; *p; p++) {
		const char *v;
		char *end;
		long pct;
		double ms;

		if (*p == '\n')
			continue; /* a blank line */
		pct = strtol(p, &end, 10);
		if (end == p || *end != ',' || pct < 0 || pct > 100)
			return -1;
		v = end + 1;
		ms = strtod(v, &end);
		if (end == v || (*end != '\n' && *end != '\0' && *end != '\r'))
			return -1;
		/*
		 * The mean of the completed requests: the area under the quantile
		 * function, by trapezoids between the rows (ab's own "Time per
		 * request" is concurrency x time / requests, Little's law assumed).
		 * Row 100 is one request, the slowest, not a percentile: the last
		 * span is valued at its start, or a single outlier would weigh as
		 * half of the slowest 1 %.
		 */
		if (pct <= prev_pct)
			return -1;
		if (first < 0)
			first = pct;
		else if (pct == 100)
			area += (pct - prev_pct) * prev_ms;
		else
			area += (pct - prev_pct) * (ms + prev_ms) / 2;
		prev_pct = pct;
		prev_ms = ms;
		if (pct == 50)
			r->lat_p50_ms = ms, seen |= 1;
		else if (pct == 90)
			r->lat_p90_ms = ms, seen |= 2;
		else if (pct == 99)
			r->lat_p99_ms = ms, seen |= 4;
		else if (pct == 100)
			r->lat_max_ms = ms, seen |= 8;
		if (!(p = strchr(end, '\n')))
			break;
	}
	if (seen != 15)
		return -1;
	r->lat_mean_done_ms = prev_pct > first ? area / (prev_pct - first) : prev_ms;
	return 0;
}

double parse_ab_mean(double table_ms, double total_ms)
{
	if (total_ms < 0)
		return table_ms;
	if (table_ms < total_ms - 0.5)
		return total_ms - 0.5;
	if (table_ms > total_ms + 0.5)
		return total_ms + 0.5;
	return table_ms;
}

const char *parse_ab_failure(const char *err)
{
	/* APR's wording for an expired -s socket timeout (error 70007). */
	if (strstr(err, "timeout specified has expired") || strstr(err, "(70007)"))
		return "timeout";
	return "tool_error";
}
