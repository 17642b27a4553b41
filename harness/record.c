/* record.c -- write and read results.csv rows. */
#include "record.h"
#include "health.h"
#include "run.h"
#include "scenario.h"
#include "tool.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NFIELDS     54
#define V8_NFIELDS  49 /* before the files rows' columns (body_bytes .. disk_read_kb) */
#define V7_NFIELDS  45 /* before the four counts per request */
#define V6_NFIELDS  37 /* before the load window's columns (server_start_cpu_s .. gen_waited) */
#define V5_NFIELDS  29 /* before the mix's classes and the workers' shares */
#define V4_NFIELDS  27 /* before goodput_rps and rejected_rps */
#define V3_NFIELDS  25 /* before idle_conns and server_mem_kb */
#define V2_NFIELDS  24 /* before scenario */
#define OLD_NFIELDS 22 /* before served_conns and other_cpu_pct */
#define CLIENT_CPU  20 /* client_cpu_pct: empty when unknown */
#define STATUS      21 /* the status field's index */
#define SCENARIO    24 /* the scenario field's index */
#define SHARES      35 /* the worker_shares field's index */
#define WINDOW      37 /* the first of the load window's fields */
#define COUNTS      45 /* the first of the counts per request */
#define FILES       49 /* the first of the files rows' columns */

static const char header[] =
    "run_id,model,mode,concurrency,rep,tool,requests,failed,non_2xx,duration_s,rps,"
    "lat_mean_ms,lat_p50_ms,lat_p90_ms,lat_p99_ms,lat_max_ms,server_user_s,server_sys_s,"
    "server_cpu_us_per_req,server_maxrss_kb,client_cpu_pct,status,served_conns,other_cpu_pct,"
    "scenario,idle_conns,server_mem_kb,goodput_rps,rejected_rps,short_p50_us,short_p99_us,"
    "short_mean_us,long_p99_us,short_rps,long_rps,worker_shares,jain,server_start_cpu_s,"
    "server_exit_cpu_s,client_cpu_us_per_req,system_cpu_us_per_req,littles_ratio,calib_us,"
    "server_kmem_kb,gen_waited,syscalls_per_req,ctx_switches_per_req,migrations_per_req,"
    "instructions_per_req,body_bytes,disk_lat_us,hot_p99_ms,disk_reads,disk_read_kb";

const char *record_header(void)
{
	return header;
}

/* s as a CSV field into buf: quoted when it holds a separator. Returns the length or -1. */
static int csv_text(const char *s, char *buf, size_t buflen)
{
	size_t o = 0;

	if (!strpbrk(s, ",\"\n\r"))
		return snprintf(buf, buflen, "%s", s) < (int)buflen ? (int)strlen(s) : -1;
	if (buflen < 3)
		return -1;
	buf[o++] = '"';
	for (; *s; s++) {
		if (o + 4 > buflen)
			return -1;
		if (*s == '"')
			buf[o++] = '"';
		buf[o++] = *s;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return (int)o;
}

/* An optional number (< 0: unknown, an empty field) with decimals decimals into buf. */
static void opt_dec(double v, int decimals, char *buf, size_t buflen)
{
	if (v < 0)
		buf[0] = '\0';
	else
		snprintf(buf, buflen, "%.*f", decimals, v);
}

/* An optional number with one decimal. */
static void opt_num(double v, char *buf, size_t buflen)
{
	opt_dec(v, 1, buf, buflen);
}

/* The columns after jain: the load window's (issue 20), each with its leading comma. */
static int format_window(const struct record_row *r, char *buf, size_t buflen)
{
	const struct {
		double v;
		int decimals;
	} v[] = { { r->server_start_cpu_s, 6 },     { r->server_exit_cpu_s, 6 },
		  { r->client_cpu_us_per_req, 2 },  { r->system_cpu_us_per_req, 2 },
		  { r->littles_ratio, 3 },          { r->calib_us, 0 },
		  { (double)r->server_kmem_kb, 0 }, { (double)r->gen_waited, 0 } };
	char num[32];
	size_t at = 0;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		opt_dec(v[i].v, v[i].decimals, num, sizeof(num));
		at += (size_t)snprintf(buf + at, buflen > at ? buflen - at : 0, ",%s", num);
	}
	return at < buflen ? (int)at : -1;
}

/* The same with three decimals: a count per request (0.094 epoll_wait). */
static void opt_count(double v, char *buf, size_t buflen)
{
	if (v < 0)
		buf[0] = '\0';
	else
		snprintf(buf, buflen, "%.3f", v);
}

/* The columns after rejected_rps: the mix's classes and the workers' shares. */
static int format_mix(const struct record_row *r, char *buf, size_t buflen)
{
	const double v[] = { r->short_p50_us, r->short_p99_us, r->short_mean_us,
		             r->long_p99_us,  r->short_rps,    r->long_rps };
	char num[32], shares[2 * RECORD_SHARES + 3];
	size_t at = 0;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		opt_num(v[i], num, sizeof(num));
		at += (size_t)snprintf(buf + at, buflen > at ? buflen - at : 0, ",%s", num);
	}
	if (csv_text(r->worker_shares, shares, sizeof(shares)) < 0)
		return -1;
	if (r->jain < 0)
		num[0] = '\0';
	else
		snprintf(num, sizeof(num), "%.3f", r->jain);
	at += (size_t)snprintf(buf + at, buflen > at ? buflen - at : 0, ",%s,%s", shares, num);
	return at < buflen ? (int)at : -1;
}

/* The files rows' columns, each with its leading comma. */
static int format_files(const struct record_row *r, char *buf, size_t buflen)
{
	char num[5][32];

	opt_dec((double)r->body_bytes, 0, num[0], sizeof(num[0]));
	opt_dec(r->disk_lat_us, 0, num[1], sizeof(num[1]));
	opt_dec(r->hot_p99_ms, 3, num[2], sizeof(num[2]));
	opt_dec((double)r->disk_reads, 0, num[3], sizeof(num[3]));
	opt_dec((double)r->disk_read_kb, 0, num[4], sizeof(num[4]));
	return snprintf(buf, buflen, ",%s,%s,%s,%s,%s", num[0], num[1], num[2], num[3], num[4]) <
	               (int)buflen
	           ? 0
	           : -1;
}

int record_format(const struct record_row *r, char *buf, size_t buflen)
{
	char f[6][2 * RECORD_WORD + 3], served[32], other[32], client[32], mem[32] = "";
	char good[32], rej[32], mix[2 * RECORD_SHARES + 128], window[256], cnt[4][32], files[192];
	int n;

	if (csv_text(r->run_id, f[0], sizeof(f[0])) < 0 ||
	    csv_text(r->model, f[1], sizeof(f[1])) < 0 ||
	    csv_text(r->mode, f[2], sizeof(f[2])) < 0 ||
	    csv_text(r->tool, f[3], sizeof(f[3])) < 0 ||
	    csv_text(r->status, f[4], sizeof(f[4])) < 0 ||
	    csv_text(r->scenario, f[5], sizeof(f[5])) < 0)
		return -1;
	opt_num(r->served_conns, served, sizeof(served));
	opt_num(r->other_cpu_pct, other, sizeof(other));
	opt_num(r->client_cpu_pct, client, sizeof(client));
	opt_num(r->goodput_rps, good, sizeof(good));
	opt_num(r->rejected_rps, rej, sizeof(rej));
	opt_count(r->syscalls_per_req, cnt[0], sizeof(cnt[0]));
	opt_count(r->ctx_switches_per_req, cnt[1], sizeof(cnt[1]));
	opt_count(r->migrations_per_req, cnt[2], sizeof(cnt[2]));
	opt_count(r->instructions_per_req, cnt[3], sizeof(cnt[3]));
	if (r->server_mem_kb >= 0)
		snprintf(mem, sizeof(mem), "%ld", r->server_mem_kb);
	if (format_mix(r, mix, sizeof(mix)) < 0 || format_window(r, window, sizeof(window)) < 0 ||
	    format_files(r, files, sizeof(files)) < 0)
		return -1;
	n = snprintf(buf, buflen,
	             "%s,%s,%s,%d,%d,%s,%ld,%ld,%ld,%.3f,%.2f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,"
	             "%.2f,%ld,%s,%s,%s,%s,%s,%d,%s,%s,%s%s%s,%s,%s,%s,%s%s\n",
	             f[0], f[1], f[2], r->concurrency, r->rep, f[3], r->requests, r->failed,
	             r->non_2xx, r->duration_s, r->rps, r->lat_mean_ms, r->lat_p50_ms,
	             r->lat_p90_ms, r->lat_p99_ms, r->lat_max_ms, r->server_user_s, r->server_sys_s,
	             r->server_cpu_us_per_req, r->server_maxrss_kb, client, f[4], served, other,
	             f[5], r->idle_conns, mem, good, rej, mix, window, cnt[0], cnt[1], cnt[2],
	             cnt[3], files);
	return n < (int)buflen ? n : -1;
}

/*
 * Split line into at most max fields (unquoting in place); returns the count.
 * line is modified: fields point into it.
 */
static int csv_split(char *line, char **fields, int max)
{
	char *r = line, *w = line;
	int n = 0;

	for (;;) {
		if (n == max)
			return max + 1;
		fields[n++] = w;
		if (*r == '"') {
			for (r++; *r; r++) {
				if (*r == '"' && r[1] == '"')
					*w++ = *r++;
				else if (*r == '"')
					break;
				else
					*w++ = *r;
			}
			if (*r == '"')
				r++;
		}
		while (*r && *r != ',' && *r != '\n' && *r != '\r')
			*w++ = *r++;
		if (*r != ',') {
			*w = '\0';
			return n;
		}
		*w++ = '\0';
		r++;
	}
}

/* Copy field s into a word: 0, or -1 if too long. */
static int word(char *dst, const char *s)
{
	if (strlen(s) >= RECORD_WORD)
		return -1;
	strcpy(dst, s);
	return 0;
}

/* Parse a number field: 0, or -1 if it is empty or has trailing junk. */
static int num(const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	return end == s || *end ? -1 : 0;
}

int record_parse(const char *line, struct record_row *r)
{
	char *copy = strdup(line), *f[NFIELDS + 1];
	double d[NFIELDS];
	int i, nf, rc = -1;

	if (!copy)
		return -1;
	nf = csv_split(copy, f, NFIELDS);
	if (nf != NFIELDS && nf != V8_NFIELDS && nf != V7_NFIELDS && nf != V6_NFIELDS &&
	    nf != V5_NFIELDS && nf != V4_NFIELDS && nf != V3_NFIELDS && nf != V2_NFIELDS &&
	    nf != OLD_NFIELDS)
		goto out;
	for (i = 0; i < NFIELDS; i++) {
		int text = i == 0 || i == 1 || i == 2 || i == 5 || i == STATUS || i == SCENARIO ||
		           i == SHARES;

		if (i >= nf || ((i > STATUS || i == CLIENT_CPU) && !*f[i]))
			d[i] = -1; /* an older file, or unknown */
		else if (!text && num(f[i], &d[i]) < 0)
			goto out;
	}
	if (word(r->run_id, f[0]) < 0 || word(r->model, f[1]) < 0 || word(r->mode, f[2]) < 0 ||
	    word(r->tool, f[5]) < 0 || word(r->status, f[STATUS]) < 0 ||
	    word(r->scenario, nf > SCENARIO ? f[SCENARIO] : scenario_legacy()->name) < 0 ||
	    !r->scenario[0] || strlen(nf > SHARES ? f[SHARES] : "") >= RECORD_SHARES)
		goto out;
	strcpy(r->worker_shares, nf > SHARES ? f[SHARES] : "");
	r->concurrency = (int)d[3];
	r->rep = (int)d[4];
	r->requests = (long)d[6];
	r->failed = (long)d[7];
	r->non_2xx = (long)d[8];
	r->duration_s = d[9];
	r->rps = d[10];
	r->lat_mean_ms = d[11];
	r->lat_p50_ms = d[12];
	r->lat_p90_ms = d[13];
	r->lat_p99_ms = d[14];
	r->lat_max_ms = d[15];
	r->server_user_s = d[16];
	r->server_sys_s = d[17];
	r->server_cpu_us_per_req = d[18];
	r->server_maxrss_kb = (long)d[19];
	r->client_cpu_pct = d[20];
	r->served_conns = d[22];
	r->other_cpu_pct = d[23];
	r->idle_conns = d[25] > 0 ? (int)d[25] : 0; /* older files held none */
	r->server_mem_kb = (long)d[26];
	r->goodput_rps = d[27];
	r->rejected_rps = d[28];
	r->short_p50_us = d[29];
	r->short_p99_us = d[30];
	r->short_mean_us = d[31];
	r->long_p99_us = d[32];
	r->short_rps = d[33];
	r->long_rps = d[34];
	r->jain = d[36];
	r->server_start_cpu_s = d[WINDOW];
	r->server_exit_cpu_s = d[WINDOW + 1];
	r->client_cpu_us_per_req = d[WINDOW + 2];
	r->system_cpu_us_per_req = d[WINDOW + 3];
	r->littles_ratio = d[WINDOW + 4];
	r->calib_us = d[WINDOW + 5];
	r->server_kmem_kb = (long)d[WINDOW + 6];
	r->gen_waited = (long)d[WINDOW + 7];
	r->syscalls_per_req = d[COUNTS];
	r->ctx_switches_per_req = d[COUNTS + 1];
	r->migrations_per_req = d[COUNTS + 2];
	r->instructions_per_req = d[COUNTS + 3];
	r->body_bytes = (long)d[FILES];
	r->disk_lat_us = d[FILES + 1];
	r->hot_p99_ms = d[FILES + 2];
	r->disk_reads = (long)d[FILES + 3];
	r->disk_read_kb = (long)d[FILES + 4];
	/* older files: under the levels' mode, though it ran keep-alive; a mix's runs in its own */
	if (record_is_capacity(r) &&
	    !(scenario_find(r->scenario) && scenario_find(r->scenario)->mix))
		strcpy(r->mode, RECORD_CAPACITY_MODE);
	rc = 0;
out:
	free(copy);
	return rc;
}

int record_is_capacity(const struct record_row *r)
{
	return r->concurrency == 0 && scenario_open_loop(r->scenario);
}

FILE *record_open(const char *path)
{
	int is_new = access(path, F_OK) < 0;
	FILE *f = fopen(path, "ae");

	if (f && is_new && (fprintf(f, "%s\n", header) < 0 || fflush(f) != 0)) {
		fclose(f);
		return NULL;
	}
	return f;
}

int record_append(FILE *f, const struct record_row *row)
{
	char line[2048];

	if (record_format(row, line, sizeof(line)) < 0)
		return -1;
	if (fputs(line, f) == EOF || fflush(f) != 0)
		return -1;
	return 0;
}

int record_load(const char *path, struct record_row **rows, int *n, int *bad_line)
{
	char *text = util_read_file(path, NULL), *line, *next;
	int cap = 64, lineno = 0;

	*rows = NULL;
	*n = 0;
	*bad_line = 0;
	if (!text)
		return -1;
	if (!(*rows = malloc(cap * sizeof(**rows))))
		goto fail;
	for (line = text; line && *line; line = next) {
		if ((next = strchr(line, '\n')))
			*next++ = '\0';
		if (++lineno == 1 || !*line)
			continue; /* the header, or a blank line */
		if (*n == cap) {
			struct record_row *nr = realloc(*rows, 2 * cap * sizeof(**rows));

			if (!nr)
				goto fail;
			*rows = nr;
			cap *= 2;
		}
		if (record_parse(line, &(*rows)[*n]) < 0) {
			*bad_line = lineno;
			goto fail;
		}
		(*n)++;
	}
	free(text);
	return 0;
fail:
	free(text);
	free(*rows);
	*rows = NULL;
	*n = 0;
	return -1;
}

/* Seconds of CPU over requests, in µs; -1 when either is unknown or there were none. */
static double per_request(double s, long requests)
{
	return s >= 0 && requests > 0 ? s * 1e6 / requests : -1;
}

/* The load window's columns of a finished run (issue 20). */
static void record_window(struct record_row *row, const struct record_ids *id,
                          const struct run_outcome *out)
{
	const struct tool *t = tool_find(id->tool);

	row->server_start_cpu_s = out->server_start_cpu_s;
	row->server_exit_cpu_s = out->server_exit_cpu_s;
	row->client_cpu_us_per_req = per_request(out->client_cpu_s, out->res.requests);
	row->system_cpu_us_per_req = per_request(out->system_cpu_s, out->res.requests);
	row->littles_ratio = -1;
	if (!t || !t->open_loop)
		row->littles_ratio = health_littles_ratio(row->served_conns, id->concurrency);
	row->calib_us = out->calib_us;
	row->server_kmem_kb = out->server_kmem_kb;
	row->gen_waited = out->res.gen_waited;
}

/* A mix's classes into row's columns; -1 (unknown) without one. */
static void record_mix(struct record_row *row, const struct tool_result *res)
{
	int mix = res->nclasses >= 2;

	row->short_p50_us = mix ? res->short_p50_us : -1;
	row->short_p99_us = mix ? res->short_p99_us : -1;
	row->short_mean_us = mix ? res->short_mean_us : -1;
	row->long_p99_us = mix ? res->long_p99_us : -1;
	row->short_rps = mix ? res->short_rps : -1;
	row->long_rps = mix ? res->long_rps : -1;
}

void record_from_run(struct record_row *row, const struct record_ids *id,
                     const struct run_outcome *out)
{
	memset(row, 0, sizeof(*row));
	snprintf(row->run_id, sizeof(row->run_id), "%s", id->run_id);
	snprintf(row->scenario, sizeof(row->scenario), "%s", id->scenario);
	snprintf(row->model, sizeof(row->model), "%s", id->model);
	snprintf(row->mode, sizeof(row->mode), "%s", id->mode);
	snprintf(row->tool, sizeof(row->tool), "%s", id->tool);
	snprintf(row->status, sizeof(row->status), "%s", out->status);
	row->concurrency = id->concurrency;
	row->idle_conns = id->idle_conns;
	row->server_mem_kb = out->server_mem_kb;
	row->rep = id->rep;
	row->requests = out->res.requests;
	row->failed = out->res.failed;
	row->non_2xx = out->res.non_2xx;
	row->duration_s = out->res.duration_s;
	row->rps = out->res.rps;
	row->lat_mean_ms = out->res.lat_mean_ms;
	row->lat_p50_ms = out->res.lat_p50_ms;
	row->lat_p90_ms = out->res.lat_p90_ms;
	row->lat_p99_ms = out->res.lat_p99_ms;
	row->lat_max_ms = out->res.lat_max_ms;
	row->server_user_s = out->server_user_s;
	row->server_sys_s = out->server_sys_s;
	if (out->res.requests > 0)
		row->server_cpu_us_per_req =
		    (out->server_user_s + out->server_sys_s) * 1e6 / out->res.requests;
	row->server_maxrss_kb = out->server_maxrss_kb;
	row->client_cpu_pct = out->client_cpu_pct;
	row->served_conns = health_served_conns(out->res.rps, out->res.lat_mean_done_ms);
	row->other_cpu_pct = out->other_cpu_pct;
	row->goodput_rps = out->res.goodput_rps;
	row->rejected_rps = out->res.rejected_rps;
	record_mix(row, &out->res);
	snprintf(row->worker_shares, sizeof(row->worker_shares), "%s", out->worker_shares);
	row->jain = out->jain;
	record_window(row, id, out);
	/* the counting pass's (countpass.h), never the timed run's own */
	row->syscalls_per_req = row->ctx_switches_per_req = -1;
	row->migrations_per_req = row->instructions_per_req = -1;
	row->body_bytes =
	    out->res.body_bytes >= 0 && out->res.requests > 0 ? out->res.body_bytes : -1;
	row->disk_lat_us = out->disk_lat_us;
	row->hot_p99_ms = out->hot_p99_ms;
	row->disk_reads = out->disk_reads;
	row->disk_read_kb = out->disk_read_kb;
}

int record_backfill_served(const char *run_dir, struct record_row *rows, int n)
{
	int i, done = 0;

	for (i = 0; i < n; i++) {
		struct record_row *r = &rows[i];
		const struct tool *t = tool_find(r->tool);
		char prefix[PATH_MAX], path[PATH_MAX + 16], why[32], *out;
		struct tool_job job = { .raw_prefix = prefix, .concurrency = r->concurrency };
		struct tool_result res;

		if (r->served_conns >= 0 || strcmp(r->status, "ok") != 0 || !t)
			continue;
		if (t->mean_is_done) {
			r->served_conns = health_served_conns(r->rps, r->lat_mean_ms);
			done += r->served_conns >= 0;
			continue;
		}
		/* (rows without served_conns predate scenarios: no scenario in their tags) */
		snprintf(prefix, sizeof(prefix), "%s/raw/r%d-%s-%s-c%d", run_dir, r->rep, r->model,
		         r->mode, r->concurrency);
		snprintf(path, sizeof(path), "%s.tool.out", prefix);
		if (!(out = util_read_file(path, NULL)))
			continue;
		if (t->collect(&job, out, "", &res, why, sizeof(why)) == 0) {
			r->served_conns = health_served_conns(r->rps, res.lat_mean_done_ms);
			done += r->served_conns >= 0;
		}
		free(out);
	}
	return done;
}
