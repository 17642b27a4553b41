/* report_files.c -- the files rows' tables (files.md beside report.md) and their hot-p99 chart. */
#include "report_files.h"

#include "facts.h"
#include "scenario.h"
#include "util.h"

#include <limits.h>
#include <string.h>

#define MEDIAN_MAX 64 /* repetitions of one cell taken into a median */

typedef double row_value(const struct record_row *r);

static double v_rps(const struct record_row *r)
{
	return r->rps;
}

static double v_cpu_us(const struct record_row *r)
{
	return r->server_cpu_us_per_req;
}

/* Server CPU ms per MiB of body: -1 when the body bytes are unknown. */
static double v_cpu_ms_mib(const struct record_row *r)
{
	return r->body_bytes > 0
	           ? (r->server_user_s + r->server_sys_s) * 1e3 / (r->body_bytes / 1048576.0)
	           : -1;
}

static double v_hot_p99(const struct record_row *r)
{
	return r->hot_p99_ms;
}

static double v_reads_s(const struct record_row *r)
{
	return r->disk_reads >= 0 && r->duration_s > 0 ? r->disk_reads / r->duration_s : -1;
}

static double v_read_mib_s(const struct record_row *r)
{
	return r->disk_read_kb >= 0 && r->duration_s > 0 ? r->disk_read_kb / 1024.0 / r->duration_s
	                                                 : -1;
}

static double v_disk_lat(const struct record_row *r)
{
	return r->disk_lat_us;
}

/* The median of get over the ok rows of model in the files row of role whose value is known, or
 * -1. */
static double median_of(const struct record_row *rows, int n, const char *model,
                        enum scenario_files_role role, row_value *get)
{
	double v[MEDIAN_MAX];
	int i, k = 0;

	for (i = 0; i < n && k < MEDIAN_MAX; i++)
		if (!strcmp(rows[i].model, model) &&
		    scenario_files_role(rows[i].scenario) == role &&
		    !strcmp(rows[i].status, "ok") && get(&rows[i]) >= 0)
			v[k++] = get(&rows[i]);
	return k ? util_median(v, k) : -1;
}

/* One model's figures into m. */
static void collect_model(const struct record_row *rows, int n, const struct report_cell *c, int nc,
                          struct report_files_model *m)
{
	static const enum scenario_files_role io[2] = { SCENARIO_FILES_SENDFILE,
		                                        SCENARIO_FILES_READ };
	static const enum scenario_files_role cache[2] = { SCENARIO_FILES_HOT_WARM,
		                                           SCENARIO_FILES_HOT_COLD };
	int k, i;

	for (k = 0; k < 2; k++) {
		m->rps[k] = median_of(rows, n, m->model, io[k], v_rps);
		m->cpu_us[k] = median_of(rows, n, m->model, io[k], v_cpu_us);
		m->cpu_ms_mib[k] = median_of(rows, n, m->model, io[k], v_cpu_ms_mib);
		m->hot_p99_ms[k] = median_of(rows, n, m->model, cache[k], v_hot_p99);
		m->mix_rps[k] = median_of(rows, n, m->model, cache[k], v_rps);
	}
	m->reads_s = median_of(rows, n, m->model, SCENARIO_FILES_HOT_COLD, v_reads_s);
	m->read_mib_s = median_of(rows, n, m->model, SCENARIO_FILES_HOT_COLD, v_read_mib_s);
	m->disk_lat_us = median_of(rows, n, m->model, SCENARIO_FILES_HOT_COLD, v_disk_lat);
	m->serializes = 0;
	m->mix_conns = 0;
	for (i = 0; i < nc; i++)
		if (!strcmp(c[i].model, m->model) &&
		    scenario_files_role(c[i].scenario) == SCENARIO_FILES_HOT_COLD) {
			m->serializes = c[i].parallel == FACTS_ONE;
			m->mix_conns = c[i].concurrency;
		}
}

int report_files_collect(const struct record_row *rows, int n, const struct report_cell *c, int nc,
                         struct report_files_model *out, int max)
{
	int i, j, k = 0;

	for (i = 0; i < n && k < max; i++) {
		if (scenario_files_role(rows[i].scenario) == SCENARIO_FILES_NONE)
			continue;
		for (j = 0; j < k && strcmp(out[j].model, rows[i].model); j++)
			;
		if (j < k)
			continue;
		memset(&out[k], 0, sizeof(out[k]));
		snprintf(out[k].model, sizeof(out[k].model), "%s", rows[i].model);
		collect_model(rows, n, c, nc, &out[k]);
		k++;
	}
	return k;
}

/* v with decimals into buf, "-" when unknown. */
static const char *num(double v, int decimals, char *buf, size_t len)
{
	return util_fixed(v, decimals, "-", buf, len);
}

/* a / b with two decimals, "-" when either is unknown. */
static const char *ratio(double a, double b, char *buf, size_t len)
{
	return num(a >= 0 && b > 0 ? a / b : -1, 2, buf, len);
}

static void md_warm(FILE *f, const struct report_files_model *m, int n)
{
	char b[7][32];
	int i;

	fprintf(f,
	        "Warm, the whole set cached, the mix as fast as it goes (files-sendfile, "
	        "files-read): the server's CPU per request and per MiB of body sent, and read + "
	        "write over sendfile of CPU per MiB (above 1: sendfile's copy saved).\n\n"
	        "| model | req/s sendfile | req/s read | CPU µs/req sendfile | read | CPU ms/MiB "
	        "sendfile | read | read / sendfile |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < n; i++)
		fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", m[i].model,
		        num(m[i].rps[0], 0, b[0], 32), num(m[i].rps[1], 0, b[1], 32),
		        num(m[i].cpu_us[0], 1, b[2], 32), num(m[i].cpu_us[1], 1, b[3], 32),
		        num(m[i].cpu_ms_mib[0], 3, b[4], 32), num(m[i].cpu_ms_mib[1], 3, b[5], 32),
		        ratio(m[i].cpu_ms_mib[1], m[i].cpu_ms_mib[0], b[6], 32));
}

static void md_cold(FILE *f, const struct report_files_model *m, int n)
{
	char b[10][32];
	int i;

	fprintf(
	    f,
	    "\nCold against warm (files-cold, files-hot): the mix paced beside clients "
	    "asking only for the hot subset, which stays cached; their p99. The law: a "
	    "design that waits for each miss in its only thread (Facts parallel=1) spends "
	    "reads/s x the disk's latency of every second waiting (the wait share), and a "
	    "hot request behind k misses waits k x latency more, k up to the mix's "
	    "connections; a design that absorbs the misses (a thread or process per "
	    "connection, a pool, offload's helpers) serializes none.\n\n"
	    "| model | hot p99 warm (ms) | hot p99 cold (ms) | cold / warm | mix req/s warm | "
	    "cold | disk reads/s | disk MiB/s | disk latency (µs) | law: wait share | "
	    "law: k x latency (ms) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
	for (i = 0; i < n; i++) {
		double lat = m[i].disk_lat_us, share = -1, kwait = 0;

		if (m[i].serializes && lat >= 0 && m[i].reads_s >= 0)
			share = m[i].reads_s * lat / 1e6;
		else if (!m[i].serializes)
			share = 0;
		if (m[i].serializes)
			kwait = lat >= 0 ? m[i].mix_conns * lat / 1e3 : -1;
		fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", m[i].model,
		        num(m[i].hot_p99_ms[0], 2, b[0], 32), num(m[i].hot_p99_ms[1], 2, b[1], 32),
		        ratio(m[i].hot_p99_ms[1], m[i].hot_p99_ms[0], b[2], 32),
		        num(m[i].mix_rps[0], 0, b[3], 32), num(m[i].mix_rps[1], 0, b[4], 32),
		        num(m[i].reads_s, 0, b[5], 32), num(m[i].read_mib_s, 1, b[6], 32),
		        num(lat, 0, b[7], 32), num(share, 3, b[8], 32), num(kwait, 2, b[9], 32));
	}
}

void report_files_md(FILE *f, const struct report_files_model *m, int n, const char *charts)
{
	fprintf(f, "# The files scenarios (issue 24, docs/files.md)\n\n");
	md_warm(f, m, n);
	md_cold(f, m, n);
	if (charts)
		fprintf(f, "\n![hot-file p99, cold against warm](%s/files-hot-p99.png)\n", charts);
}

int report_files_plot(const struct plot_job *job, const struct report_files_model *m, int n)
{
	char data[PATH_MAX], vars[PATH_MAX * 3], script[PATH_MAX], log[PATH_MAX];
	char *argv[] = { (char *)job->gnuplot, "-e", vars, script, NULL };
	FILE *f;
	int i;

	snprintf(data, sizeof(data), "%s/files-hot-p99.csv", job->outdir);
	if (!(f = fopen(data, "we")))
		return -1;
	for (i = 0; i < n; i++)
		fprintf(f, "%s,%.3f,%.3f\n", m[i].model,
		        m[i].hot_p99_ms[0] >= 0 ? m[i].hot_p99_ms[0] : 0,
		        m[i].hot_p99_ms[1] >= 0 ? m[i].hot_p99_ms[1] : 0);
	if (fclose(f) != 0)
		return -1;
	snprintf(script, sizeof(script), "%s/files.gp", job->scripts);
	snprintf(log, sizeof(log), "%s/gnuplot.log", job->outdir);
	snprintf(vars, sizeof(vars), "data='%s'; out='%s/files-hot-p99.png'; runid='%s'", data,
	         job->outdir, job->run_id);
	return job->exec(argv, 30000, log) == 0 ? 0 : -1;
}
