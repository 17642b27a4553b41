/* parse_wrk.c -- read wrk's human-readable report back into numbers.
 *
 * wrk prints scaled values ("541.06us", "1.35ms", "1.20s", "40.58MB"), so
 * every number is read with its unit. Each line is copied into a bounded,
 * NUL-terminated buffer first: strtod never runs past the caller's text.
 */
#include "parse_wrk.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_CAP 256 /* wrk's report lines are short; a longer one is not ours */

struct unit {
	const char *suffix;
	double scale;
};

/* wrk's format_time_us: longest suffix first so "ms" is not read as "m". */
static const struct unit time_units_ms[] = { { "us", 1e-3 }, { "ms", 1.0 },   { "s", 1e3 },
	                                     { "m", 60e3 },  { "h", 3600e3 }, { NULL, 0 } };

/* wrk's format_binary: powers of 1024. */
static const struct unit byte_units[] = {
	{ "KB", 1024.0 },
	{ "MB", 1024.0 * 1024 },
	{ "GB", 1024.0 * 1024 * 1024 },
	{ "TB", 1024.0 * 1024 * 1024 * 1024 },
	{ "B", 1.0 },
	{ NULL, 0 },
};

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

/* Match the literal word (after blanks) and move past it. */
static int expect(const char **p, const char *word)
{
	const char *s = skip_ws(*p);
	size_t n = strlen(word);

	if (strncmp(s, word, n) != 0)
		return -1;
	*p = s + n;
	return 0;
}

/* A non-negative decimal number; "nan", "inf" and hex are not numbers here. */
static int read_number(const char **p, double *v)
{
	const char *s = skip_ws(*p);
	char *end;

	if (*s < '0' || *s > '9' || (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')))
		return -1;
	*v = strtod(s, &end);
	*p = end;
	return 0;
}

/* A whole count: digits only. */
static int read_count(const char **p, long *v)
{
	const char *s = skip_ws(*p);
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	*v = strtol(s, &end, 10);
	*p = end;
	return 0;
}

/* Half the last digit printed of the number at s ("0.99": 0.005, "12": 0.5). */
static double half_last_digit(const char *s)
{
	double half = 0.5;

	s = skip_ws(s);
	while (*s >= '0' && *s <= '9')
		s++;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			half /= 10;
	return half;
}

/*
 * A number directly followed by one of units (required), scaled by it; and into *most
 * (unless NULL) the most the rounded figure can stand for (wrk prints "0.99GB").
 */
static int read_scaled(const char **p, const struct unit *units, double *v, double *most)
{
	const char *start = *p;
	double x;

	if (read_number(p, &x) < 0)
		return -1;
	for (const struct unit *u = units; u->suffix; u++) {
		size_t n = strlen(u->suffix);

		if (strncmp(*p, u->suffix, n) == 0) {
			*v = x * u->scale;
			if (most)
				*most = (x + half_last_digit(start)) * u->scale;
			*p += n;
			return 0;
		}
	}
	return -1;
}

static int read_time_ms(const char **p, double *ms)
{
	return read_scaled(p, time_units_ms, ms, NULL);
}

static int read_bytes(const char **p, double *bytes, double *most)
{
	return read_scaled(p, byte_units, bytes, most);
}

/* Which lines a report must have had. */
enum { SEEN_REQUESTS = 1, SEEN_RPS = 2, SEEN_TRANSFER = 4, SEEN_LATENCY = 8, SEEN_ALL = 15 };

struct state {
	unsigned seen;
	int in_distribution; /* after "Latency Distribution" */
	unsigned pcts;       /* distribution rows read: bit per percentile */
};

/* "    Latency   1.35ms    3.93ms  52.40ms   95.22%" (the last column may be "-nan%"). */
static int take_latency_row(const char *p, struct parse_wrk_result *r)
{
	if (read_time_ms(&p, &r->lat_mean_ms) < 0 || read_time_ms(&p, &r->lat_stdev_ms) < 0 ||
	    read_time_ms(&p, &r->lat_max_ms) < 0)
		return -1;
	return 0;
}

/* "     99%   18.47ms": the rows wrk prints are 50, 75, 90 and 99. */
static int take_percentile(const char *p, struct parse_wrk_result *r, struct state *st)
{
	static const int wanted[] = { 50, 75, 90, 99 };
	double *slot[] = { &r->lat_p50_ms, &r->lat_p75_ms, &r->lat_p90_ms, &r->lat_p99_ms };
	long pct;

	if (read_count(&p, &pct) < 0 || *p != '%')
		return -1;
	p++;
	for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++) {
		if (pct == wanted[i]) {
			st->pcts |= 1u << i;
			return read_time_ms(&p, slot[i]);
		}
	}
	return 0; /* another percentile: not one we keep */
}

/* "  267601 requests in 3.02s, 40.58MB read" */
static int take_requests(const char *p, struct parse_wrk_result *r)
{
	double ms;

	if (read_count(&p, &r->requests) < 0 || expect(&p, "requests in") < 0 ||
	    read_time_ms(&p, &ms) < 0 || expect(&p, ",") < 0 ||
	    read_bytes(&p, &r->bytes_read, &r->bytes_read_most) < 0 || expect(&p, "read") < 0)
		return -1;
	r->duration_s = ms / 1e3;
	return 0;
}

/* "  Socket errors: connect 0, read 19, write 3527, timeout 0" */
static int take_socket_errors(const char *p, struct parse_wrk_result *r)
{
	if (expect(&p, "connect") < 0 || read_count(&p, &r->err_connect) < 0 ||
	    expect(&p, ", read") < 0 || read_count(&p, &r->err_read) < 0 ||
	    expect(&p, ", write") < 0 || read_count(&p, &r->err_write) < 0 ||
	    expect(&p, ", timeout") < 0 || read_count(&p, &r->err_timeout) < 0)
		return -1;
	return 0;
}

/* "  1 threads and 64 connections" */
static int take_threads(const char *p, struct parse_wrk_result *r)
{
	long t, c;

	if (read_count(&p, &t) < 0 || expect(&p, "threads and") < 0 || read_count(&p, &c) < 0 ||
	    expect(&p, "connections") < 0)
		return -1;
	r->threads = (int)t;
	r->connections = (int)c;
	return 0;
}

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Does the line (blanks skipped) begin with a digit and contain word? */
static int numbered_line(const char *s, const char *word)
{
	return *s >= '0' && *s <= '9' && strstr(s, word) != NULL;
}

/* One line of the report: 0 understood or ignored, -1 a known line that does not parse. */
static int take_line(const char *line, struct parse_wrk_result *r, struct state *st)
{
	const char *s = skip_ws(line);

	if (st->in_distribution) {
		if (*s >= '0' && *s <= '9' && strchr(s, '%'))
			return take_percentile(s, r, st);
		st->in_distribution = 0; /* the rows ended: read this line normally */
	}
	if (starts(s, "Latency Distribution")) {
		st->in_distribution = 1;
		r->has_percentiles = 1;
		return 0;
	}
	if (starts(s, "Latency ") || starts(s, "Latency\t")) {
		st->seen |= SEEN_LATENCY;
		return take_latency_row(s + strlen("Latency"), r);
	}
	if (numbered_line(s, " requests in ")) {
		st->seen |= SEEN_REQUESTS;
		return take_requests(s, r);
	}
	if (numbered_line(s, " threads and "))
		return take_threads(s, r);
	if (starts(s, "Socket errors:"))
		return take_socket_errors(s + strlen("Socket errors:"), r);
	if (starts(s, "Non-2xx or 3xx responses:")) {
		s += strlen("Non-2xx or 3xx responses:");
		return read_count(&s, &r->non_2xx);
	}
	if (starts(s, "files: ")) {
		r->has_files = sscanf(s,
		                      "files: %ld replies, %ld wrong length or status, %ld "
		                      "sampled, %ld wrong content, %ld body bytes",
		                      &r->files_replies, &r->files_wrong, &r->files_sampled,
		                      &r->files_bad, &r->files_body_bytes) == 5;
		return r->has_files ? 0 : -1;
	}
	if (starts(s, "Requests/sec:")) {
		s += strlen("Requests/sec:");
		st->seen |= SEEN_RPS;
		return read_number(&s, &r->rps);
	}
	if (starts(s, "Transfer/sec:")) {
		s += strlen("Transfer/sec:");
		st->seen |= SEEN_TRANSFER;
		return read_bytes(&s, &r->transfer_bps, NULL);
	}
	return 0;
}

int parse_wrk_output(const char *text, size_t len, struct parse_wrk_result *r)
{
	struct state st = { 0 };
	const char *end;

	memset(r, 0, sizeof(*r));
	end = memchr(text, '\0', len);
	if (end)
		len = (size_t)(end - text);
	end = text + len;
	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t n = (size_t)((nl ? nl : end) - text);
		char line[LINE_CAP];

		/* Truncating is safe: every line we read is far shorter than LINE_CAP. */
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, text, n);
		line[n] = '\0';
		if (take_line(line, r, &st) < 0)
			return -1;
		text = nl ? nl + 1 : end;
	}
	if (st.seen != SEEN_ALL)
		return -1;
	/* A distribution header without its four rows is a cut-off report. */
	if (r->has_percentiles && st.pcts != 15u)
		return -1;
	return 0;
}
