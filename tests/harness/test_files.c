/* test_files.c -- the files scenarios (issue 24): wrk's files line over captured output, the
 * disk's counters and latency line, the verdict on bodies of many lengths, the group name, the
 * new results.csv columns read back (and an older file's), and the files tables' figures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "files.h"
#include "parse_wrk.h"
#include "record.h"
#include "report.h"
#include "report_files.h"
#include "scenario.h"
#include "util.h"
#include "verify.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A captured wrk report in tests/wrk/fixtures (WRK_FIXTURES), malloc'ed. */
static char *wrk_fixture(const char *name)
{
	const char *dir = getenv("WRK_FIXTURES");
	char path[512], *text;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/wrk/fixtures", name);
	if (!(text = util_read_file(path, NULL)))
		fail_msg("cannot read fixture %s", path);
	return text;
}

/* The files script's line from real runs: every reply counted, none wrong; and a wrong one. */
static void test_files_line(void **state)
{
	static const struct {
		const char *fixture;
		long replies_min, wrong, bad;
	} cases[] = {
		{ "files-epoll-mix-latency.txt", 1000, 0, 0 },
		{ "files-hot-latency.txt", 100, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(cases); i++) {
		char *text = wrk_fixture(cases[i].fixture);
		struct parse_wrk_result w;

		if (parse_wrk_output(text, strlen(text), &w) != 0)
			fail_msg("%s: not parsed", cases[i].fixture);
		if (!w.has_files || w.files_replies < cases[i].replies_min ||
		    w.files_wrong != cases[i].wrong || w.files_bad != cases[i].bad ||
		    w.files_body_bytes <= 0 || w.files_sampled <= 0)
			fail_msg("%s: files line %d %ld %ld %ld %ld", cases[i].fixture, w.has_files,
			         w.files_replies, w.files_wrong, w.files_bad, w.files_body_bytes);
		free(text);
	}
}

/* A files line that does not parse makes the report unread (-1), never silently ok. */
static void test_files_line_bad(void **state)
{
	static const char *const texts[] = {
		"files: 10 replies, 2 wrong length or status\n",
		"files: ten replies\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(texts); i++) {
		struct parse_wrk_result w;

		if (parse_wrk_output(texts[i], strlen(texts[i]), &w) != -1)
			fail_msg("accepted: %s", texts[i]);
	}
}

/* /proc/diskstats: the device by major:minor, a partition apart from its disk. */
static void test_diskstats(void **state)
{
	static const char text[] =
	    "   7       0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n"
	    " 254       0 vda 123456 789 9876543 1000 5 6 7 8 0 9 10 0 0 0 0 0 0\n"
	    " 254       1 vda1 120000 700 9800000 990 5 6 7 8 0 9 10 0 0 0 0 0 0\n";
	static const struct {
		unsigned major, minor;
		int rc;
		long reads, sectors;
	} cases[] = {
		{ 254, 0, 0, 123456, 9876543 },
		{ 254, 1, 0, 120000, 9800000 },
		{ 7, 0, 0, 0, 0 },
		{ 8, 0, -1, -1, -1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(cases); i++) {
		long r = -1, s = -1;
		int rc = files_diskstats(text, cases[i].major, cases[i].minor, &r, &s);

		if (rc != cases[i].rc || r != cases[i].reads || s != cases[i].sectors)
			fail_msg("%u:%u: rc %d reads %ld sectors %ld", cases[i].major,
			         cases[i].minor, rc, r, s);
	}
}

/* fileset --disk-latency's line and the set's directories. */
static void test_latency_and_dirs(void **state)
{
	static const struct {
		const char *text;
		double us;
	} lat[] = {
		{ "disk: 32 first reads of evicted files: median 89 us, mean 96 us, p90 112 us\n",
		  89 },
		{ "disk: 32 first reads: median 1250 us, mean 1300 us\n", 1250 },
		{ "disk: median ms\n", -1 },
		{ "", -1 },
	};
	static const struct {
		int mib, dirs;
	} d[] = { { 2048, 420 }, { 4, 1 }, { 5, 2 }, { 1, 1 } };
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(lat); i++)
		if (files_latency_us(lat[i].text) != lat[i].us)
			fail_msg("'%s': %g", lat[i].text, files_latency_us(lat[i].text));
	for (i = 0; i < N_ELEM(d); i++)
		if (files_dirs(d[i].mib) != d[i].dirs)
			fail_msg("%d MiB: %d directories", d[i].mib, files_dirs(d[i].mib));
}

/* slowfs's counters (its /.slowfs-stats): the emulated disk's reads and bytes, or nothing. */
static void test_slowfs_stats(void **state)
{
	static const struct {
		const char *text;
		int rc;
		long reads, bytes;
	} cases[] = {
		{ "reads 0 bytes 0\n", 0, 0, 0 },      { "reads 2 bytes 300000\n", 0, 2, 300000 },
		{ "reads 12\n", -1, -1, -1 },          { "reads -1 bytes 5\n", -1, -1, -1 },
		{ "8 0 sda 100 0 800\n", -1, -1, -1 }, { "", -1, -1, -1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(cases); i++) {
		long r = -1, b = -1;
		int rc = files_slowfs_stats(cases[i].text, &r, &b);

		if (rc != cases[i].rc || (rc == 0 && (r != cases[i].reads || b != cases[i].bytes)))
			fail_msg("'%s': %d, reads %ld bytes %ld", cases[i].text, rc, r, b);
	}
}

/* Bodies of many lengths: the script's count must be there; wrong replies are failures. */
static void test_verify_varies(void **state)
{
	static const struct {
		long body_bytes, failed;
		const char *status;
	} cases[] = {
		{ 123456, 0, "ok" },
		{ -1, 0, "errors" }, /* no script counted them */
		{ 123456, 3, "errors" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_ELEM(cases); i++) {
		struct tool_result r = { .requests = 100,
			                 .failed = cases[i].failed,
			                 .body_bytes = cases[i].body_bytes,
			                 .bytes_read = 200000,
			                 .rejected = -1 };
		char why[128];
		const char *v = verify_result(&r, VERIFY_BODY_VARIES, 8, 0, why, sizeof(why));

		if (strcmp(v, cases[i].status))
			fail_msg("case %zu: %s (%s)", i, v, why);
	}
}

/* "files" names the group's four rows, in table order; each runs wrk with the files script;
 * the two beside hot clients are paced. */
static void test_group(void **state)
{
	const struct scenario *s[SCENARIO_MAX];
	static const char *const want[] = { "files-sendfile", "files-read", "files-hot",
		                            "files-cold" };
	char err[64];
	int n = scenario_parse_list("files", s, SCENARIO_MAX, err, sizeof(err)), i;

	(void)state;
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++) {
		if (strcmp(s[i]->name, want[i]) || !s[i]->files || !s[i]->before_start ||
		    !s[i]->opt_in || strcmp(s[i]->tool, "wrk") || !s[i]->thread_per_conn)
			fail_msg("row %d: %s", i, s[i]->name);
	}
	assert_int_equal(scenario_parse_list("hello files-cold", s, SCENARIO_MAX, err, sizeof(err)),
	                 2);
	assert_int_equal(scenario_parse_list("filez", s, SCENARIO_MAX, err, sizeof(err)), -1);
	/* the paced rows are not starved for their pauses; the others are checked */
	assert_int_equal(scenario_paced("files-cold") + scenario_paced("files-hot"), 2);
	assert_int_equal(scenario_paced("files-sendfile") + scenario_paced("hello"), 0);
	assert_string_equal(err, "filez");
}

/* A row with the files columns, written and read back; an older file's 49 read as unknown. */
static void test_record_columns(void **state)
{
	struct record_row r, back;
	char line[2048], *comma;
	int i;

	(void)state;
	memset(&r, 0, sizeof(r));
	strcpy(r.run_id, "x");
	strcpy(r.model, "epoll");
	strcpy(r.mode, "keepalive");
	strcpy(r.tool, "wrk");
	strcpy(r.status, "ok");
	strcpy(r.scenario, "files-cold");
	r.served_conns = r.other_cpu_pct = r.goodput_rps = r.rejected_rps = -1;
	r.short_p50_us = r.short_p99_us = r.short_mean_us = r.long_p99_us = -1;
	r.short_rps = r.long_rps = r.jain = -1;
	r.server_start_cpu_s = r.server_exit_cpu_s = r.client_cpu_us_per_req = -1;
	r.system_cpu_us_per_req = r.littles_ratio = r.calib_us = -1;
	r.server_kmem_kb = r.gen_waited = r.server_mem_kb = -1;
	r.syscalls_per_req = r.ctx_switches_per_req = r.migrations_per_req = -1;
	r.instructions_per_req = -1;
	r.body_bytes = 52428800;
	r.disk_lat_us = 89;
	r.hot_p99_ms = 4.125;
	r.disk_reads = 3065;
	r.disk_read_kb = 56832;
	assert_true(record_format(&r, line, sizeof(line)) > 0);
	assert_int_equal(record_parse(line, &back), 0);
	assert_int_equal(back.body_bytes, 52428800);
	assert_true(back.disk_lat_us == 89 && back.hot_p99_ms == 4.125);
	assert_int_equal(back.disk_reads, 3065);
	assert_int_equal(back.disk_read_kb, 56832);
	/* the same line cut to the 49 fields of a file written before them */
	for (i = 0, comma = line; i < 49 && comma; i++)
		comma = strchr(comma + 1, ',');
	assert_non_null(comma);
	strcpy(comma, "\n");
	assert_int_equal(record_parse(line, &back), 0);
	assert_true(back.body_bytes == -1 && back.disk_lat_us == -1 && back.hot_p99_ms == -1 &&
	            back.disk_reads == -1 && back.disk_read_kb == -1);
}

/* A files row of the tables' input. */
static struct record_row frow(const char *model, const char *scenario, double rps, double cpu_s,
                              long body, double hot, long reads)
{
	struct record_row r;

	memset(&r, 0, sizeof(r));
	snprintf(r.model, sizeof(r.model), "%s", model);
	snprintf(r.scenario, sizeof(r.scenario), "%s", scenario);
	strcpy(r.status, "ok");
	r.rps = rps;
	r.duration_s = 5;
	r.server_user_s = cpu_s / 2;
	r.server_sys_s = cpu_s / 2;
	r.server_cpu_us_per_req = cpu_s * 1e6 / (rps * 5);
	r.body_bytes = body;
	r.hot_p99_ms = hot;
	r.disk_reads = reads;
	r.disk_read_kb = reads * 16;
	r.disk_lat_us = scenario[6] == 'c' ? 100 : -1;
	return r;
}

/* The tables' figures worked by hand: CPU per MiB, the ratio, the cold factor, the law's k. */
static void test_tables(void **state)
{
	struct record_row rows[] = {
		frow("epoll", "files-sendfile", 10000, 1.0, 100 * 1048576L, -1, 0),
		frow("epoll", "files-read", 9000, 1.2, 100 * 1048576L, -1, 0),
		frow("epoll", "files-hot", 2000, 0.3, 10 * 1048576L, 2.0, 0),
		frow("epoll", "files-cold", 1900, 0.3, 10 * 1048576L, 8.0, 3000),
		frow("thread", "files-cold", 1950, 0.3, 10 * 1048576L, 1.5, 3000),
		frow("thread", "files-hot", 2000, 0.3, 10 * 1048576L, 1.0, 0),
		frow("thread", "hello", 50000, 1.0, -1, -1, -1),
	};
	struct report_cell c[2];
	struct report_files_model m[4];
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int n;

	(void)state;
	memset(c, 0, sizeof(c));
	strcpy(c[0].model, "epoll");
	strcpy(c[0].scenario, "files-cold");
	c[0].parallel = 0; /* FACTS_ONE */
	c[0].concurrency = 8;
	strcpy(c[1].model, "thread");
	strcpy(c[1].scenario, "files-cold");
	c[1].parallel = 1;
	c[1].concurrency = 8;
	n = report_files_collect(rows, (int)N_ELEM(rows), c, 2, m, 4);
	assert_int_equal(n, 2);
	assert_string_equal(m[0].model, "epoll");
	assert_true(fabs(m[0].cpu_ms_mib[0] - 10.0) < 1e-9); /* 1 s over 100 MiB */
	assert_true(fabs(m[0].cpu_ms_mib[1] - 12.0) < 1e-9);
	assert_true(m[0].hot_p99_ms[0] == 2.0 && m[0].hot_p99_ms[1] == 8.0);
	assert_true(m[0].reads_s == 600 && m[0].disk_lat_us == 100 && m[0].serializes == 1);
	assert_true(m[1].serializes == 0 && m[1].rps[0] == -1);
	f = open_memstream(&text, &len);
	report_files_md(f, m, n, NULL);
	fclose(f);
	/* read / sendfile 1.20; cold / warm 4.00; epoll's wait share 600 x 100 µs, k x lat 0.80 */
	if (!strstr(text, "| 1.20 |") || !strstr(text, "| 4.00 |") || !strstr(text, "| 0.060 |") ||
	    !strstr(text, "| 0.80 |") || !strstr(text, "| thread | 1.00 | 1.50 | 1.50 |"))
		fail_msg("tables:\n%s", text);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files_line),
		cmocka_unit_test(test_files_line_bad),
		cmocka_unit_test(test_diskstats),
		cmocka_unit_test(test_slowfs_stats),
		cmocka_unit_test(test_latency_and_dirs),
		cmocka_unit_test(test_verify_varies),
		cmocka_unit_test(test_group),
		cmocka_unit_test(test_record_columns),
		cmocka_unit_test(test_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
