/* parse_loadgen.c -- loadgen's key=value report into struct parse_loadgen_result. */
#include "parse_loadgen.h"

#include <stdlib.h>
#include <string.h>

#define FIELD_LONG   0
#define FIELD_DOUBLE 1
#define FIELD_TEXT   2 /* a path: up to the end of the line, into a char[256] */

/*
 * Every key the harness needs: a table, so a new one is a row. An optional key
 * (one a newer loadgen added) reads as -1 when an older report lacks it.
 */
static const struct field {
	const char *key;
	int type;
	size_t offset;
	int optional;
} fields[] = {
	{ "rate", FIELD_DOUBLE, offsetof(struct parse_loadgen_result, rate), 0 },
	{ "offered_rps", FIELD_DOUBLE, offsetof(struct parse_loadgen_result, offered_rps), 0 },
	{ "achieved_rps", FIELD_DOUBLE, offsetof(struct parse_loadgen_result, achieved_rps), 0 },
	{ "duration_s", FIELD_DOUBLE, offsetof(struct parse_loadgen_result, duration_s), 0 },
	{ "completed", FIELD_LONG, offsetof(struct parse_loadgen_result, completed), 0 },
	{ "non_2xx", FIELD_LONG, offsetof(struct parse_loadgen_result, non_2xx), 0 },
	{ "status_503", FIELD_LONG, offsetof(struct parse_loadgen_result, status_503), 0 },
	{ "body_bytes", FIELD_LONG, offsetof(struct parse_loadgen_result, body_bytes), 0 },
	{ "errors", FIELD_LONG, offsetof(struct parse_loadgen_result, errors), 0 },
	{ "unfinished", FIELD_LONG, offsetof(struct parse_loadgen_result, unfinished), 0 },
	{ "lat_p50_us", FIELD_LONG, offsetof(struct parse_loadgen_result, lat_p50_us), 0 },
	{ "lat_p90_us", FIELD_LONG, offsetof(struct parse_loadgen_result, lat_p90_us), 0 },
	{ "lat_p99_us", FIELD_LONG, offsetof(struct parse_loadgen_result, lat_p99_us), 0 },
	{ "lat_max_us", FIELD_LONG, offsetof(struct parse_loadgen_result, lat_max_us), 0 },
	{ "lat_mean_us", FIELD_DOUBLE, offsetof(struct parse_loadgen_result, lat_mean_us), 0 },
	{ "lag_p99_us", FIELD_LONG, offsetof(struct parse_loadgen_result, lag_p99_us), 0 },
	{ "cpu_pct", FIELD_DOUBLE, offsetof(struct parse_loadgen_result, cpu_pct), 0 },
	{ "goodput_rps", FIELD_DOUBLE, offsetof(struct parse_loadgen_result, goodput_rps), 1 },
	{ "rejected_rps", FIELD_DOUBLE, offsetof(struct parse_loadgen_result, rejected_rps), 1 },
	{ "body_bytes_2xx", FIELD_LONG, offsetof(struct parse_loadgen_result, body_bytes_2xx), 1 },
	{ "ok_lat_p50_us", FIELD_LONG, offsetof(struct parse_loadgen_result, ok_lat_p50_us), 1 },
	{ "ok_lat_p90_us", FIELD_LONG, offsetof(struct parse_loadgen_result, ok_lat_p90_us), 1 },
	{ "ok_lat_p99_us", FIELD_LONG, offsetof(struct parse_loadgen_result, ok_lat_p99_us), 1 },
	{ "ok_lat_max_us", FIELD_LONG, offsetof(struct parse_loadgen_result, ok_lat_max_us), 1 },
	{ "ok_lat_mean_us", FIELD_DOUBLE, offsetof(struct parse_loadgen_result, ok_lat_mean_us),
	  1 },
	{ "connections_opened", FIELD_LONG,
	  offsetof(struct parse_loadgen_result, connections_opened), 1 },
	{ "requests_per_conn", FIELD_LONG, offsetof(struct parse_loadgen_result, requests_per_conn),
	  1 },
	{ "conn_wait", FIELD_LONG, offsetof(struct parse_loadgen_result, conn_wait), 1 },
	{ "queue_max", FIELD_LONG, offsetof(struct parse_loadgen_result, queue_max), 1 },
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* The keys of class I, after its `classI_` prefix; every one is needed. */
#define CLASS_FIELD(key, type)                                                                     \
	{                                                                                          \
#key, type, offsetof(struct parse_loadgen_class, key), 0                           \
	}
static const struct field class_fields[] = {
	CLASS_FIELD(path, FIELD_TEXT),           CLASS_FIELD(weight, FIELD_LONG),
	CLASS_FIELD(completed, FIELD_LONG),      CLASS_FIELD(ok_2xx, FIELD_LONG),
	CLASS_FIELD(achieved_rps, FIELD_DOUBLE), CLASS_FIELD(lat_p50_us, FIELD_LONG),
	CLASS_FIELD(lat_p90_us, FIELD_LONG),     CLASS_FIELD(lat_p99_us, FIELD_LONG),
	CLASS_FIELD(lat_max_us, FIELD_LONG),     CLASS_FIELD(lat_mean_us, FIELD_DOUBLE),
};

#define NCLASS_FIELDS (sizeof(class_fields) / sizeof(class_fields[0]))

/* Store the value in [v, e) into field f of the struct at base: 0, or -1 if it is empty, too long
 * or (for a number) not all a number. */
static int store(const struct field *f, const char *v, const char *e, void *base)
{
	char num[256], *end;
	size_t n = (size_t)(e - v);

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, v, n);
	num[n] = '\0';
	if (f->type == FIELD_TEXT) {
		memcpy((char *)base + f->offset, num, n + 1);
		return 0;
	}
	if (f->type == FIELD_LONG)
		*(long *)((char *)base + f->offset) = strtol(num, &end, 10);
	else
		*(double *)((char *)base + f->offset) = strtod(num, &end);
	return *end ? -1 : 0;
}

/* The key [k, ke) is `classI_NAME`: store its value [v, e) in r's class I. 0 when stored or the
 * key is no class key (seen untouched), -1 when it is malformed. seen[I] gets bit J for
 * class_fields[J]. */
static int store_class(const char *k, const char *ke, const char *v, const char *e,
                       struct parse_loadgen_result *r, unsigned *seen)
{
	char *name;
	unsigned long i;

	if (ke - k < 7 || strncmp(k, "class", 5) != 0 || k[5] < '0' || k[5] > '9')
		return 0;
	i = strtoul(k + 5, &name, 10);
	if (*name != '_' || i >= PARSE_LOADGEN_CLASSES)
		return -1;
	name++;
	for (size_t j = 0; j < NCLASS_FIELDS; j++) {
		if (strlen(class_fields[j].key) != (size_t)(ke - name) ||
		    strncmp(name, class_fields[j].key, (size_t)(ke - name)) != 0)
			continue;
		seen[i] |= 1u << j;
		return store(&class_fields[j], v, e, &r->cls[i]);
	}
	return 0; /* a class key this parser does not need */
}

/* classes=N agrees with the classI_ keys: all of them for each I < N, none beyond. */
static int classes_complete(const struct parse_loadgen_result *r, const unsigned *seen)
{
	for (int i = 0; i < PARSE_LOADGEN_CLASSES; i++)
		if (seen[i] != (i < r->nclasses ? (1u << NCLASS_FIELDS) - 1 : 0u))
			return -1;
	return 0;
}

int parse_loadgen_output(const char *text, size_t len, struct parse_loadgen_result *r)
{
	int seen[NFIELDS] = { 0 }, status = 0;
	unsigned class_seen[PARSE_LOADGEN_CLASSES] = { 0 };
	const char *line = text, *end = text + strnlen(text, len);
	size_t i;

	memset(r, 0, sizeof(*r));
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line)), *eq;
		const char *le = nl ? nl : end;

		eq = memchr(line, '=', (size_t)(le - line));
		for (i = 0; eq && i < NFIELDS; i++) {
			if (strlen(fields[i].key) != (size_t)(eq - line) ||
			    strncmp(line, fields[i].key, (size_t)(eq - line)) != 0)
				continue;
			if (store(&fields[i], eq + 1, le, r) < 0)
				return -1;
			seen[i] = 1;
		}
		if (eq && store_class(line, eq, eq + 1, le, r, class_seen) < 0)
			return -1;
		if (eq && eq - line == 7 && strncmp(line, "classes", 7) == 0) {
			r->nclasses = atoi(eq + 1);
			if (r->nclasses < 1 || r->nclasses > PARSE_LOADGEN_CLASSES)
				return -1;
		}
		if (eq && eq - line == 6 && strncmp(line, "status", 6) == 0) {
			if (le - eq - 1 == 2 && strncmp(eq + 1, "ok", 2) == 0)
				status = 1;
			else if (le - eq - 1 == 16 && strncmp(eq + 1, "generator-lagged", 16) == 0)
				status = r->lagged = 1;
			else
				return -1;
		}
		line = le + 1;
	}
	for (i = 0; i < NFIELDS; i++) {
		if (seen[i])
			continue;
		if (!fields[i].optional)
			return -1;
		if (fields[i].type == FIELD_LONG)
			*(long *)((char *)r + fields[i].offset) = -1;
		else
			*(double *)((char *)r + fields[i].offset) = -1;
	}
	if (classes_complete(r, class_seen) < 0)
		return -1;
	return status ? 0 : -1;
}
