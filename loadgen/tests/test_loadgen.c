/* test_loadgen.c -- the load generator's pure parts: the histogram (bucket edges, error bound,
 * percentiles, merge across threads) and proto.c (URL, reply head, capacity, loopback). */
#include "hist.h"
#include "proto.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- histogram -------------------------------------------------------------------------- */

static void test_bucket_edges(void **state)
{
	(void)state;
	static const struct {
		uint64_t v;
		unsigned index;
		uint64_t lowest, highest;
	} cases[] = {
		{ 0, 0, 0, 0 },
		{ 1, 1, 1, 1 },
		{ 127, 127, 127, 127 },
		{ 128, 128, 128, 128 },
		{ 255, 255, 255, 255 },
		{ 256, 256, 256, 257 },
		{ 257, 256, 256, 257 },
		{ 258, 257, 258, 259 },
		{ 511, 383, 510, 511 },
		{ 512, 384, 512, 515 },
		{ 1000, 506, 1000, 1003 },
		{ 1003, 506, 1000, 1003 },
		{ 1004, 507, 1004, 1007 },
		{ LG_HIST_LIMIT - 1, LG_HIST_BUCKETS - 1, LG_HIST_LIMIT - (LG_HIST_LIMIT >> 8),
		  LG_HIST_LIMIT - 1 },
		{ LG_HIST_LIMIT, LG_HIST_BUCKETS - 1, LG_HIST_LIMIT - (LG_HIST_LIMIT >> 8),
		  LG_HIST_LIMIT - 1 },
	};
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		unsigned idx = lg_hist_index(cases[i].v);
		if (idx != cases[i].index || lg_hist_lowest(idx) != cases[i].lowest ||
		    lg_hist_highest(idx) != cases[i].highest)
			fail_msg("value %llu: bucket %u [%llu, %llu], expected %u [%llu, %llu]",
			         (unsigned long long)cases[i].v, idx,
			         (unsigned long long)lg_hist_lowest(idx),
			         (unsigned long long)lg_hist_highest(idx), cases[i].index,
			         (unsigned long long)cases[i].lowest,
			         (unsigned long long)cases[i].highest);
	}
}

/* The buckets tile [0, LIMIT) without gap or overlap, each no wider than 1/128 of its
 * lower edge: the <= 1 % relative error the README promises. */
static void test_buckets_tile_with_bounded_width(void **state)
{
	(void)state;
	for (unsigned i = 0; i < LG_HIST_BUCKETS; i++) {
		uint64_t lo = lg_hist_lowest(i), hi = lg_hist_highest(i);
		if (lg_hist_index(lo) != i || lg_hist_index(hi) != i)
			fail_msg("bucket %u: its edges %llu, %llu map elsewhere", i,
			         (unsigned long long)lo, (unsigned long long)hi);
		if (i + 1 < LG_HIST_BUCKETS && lg_hist_lowest(i + 1) != hi + 1)
			fail_msg("bucket %u ends at %llu, the next starts at %llu", i,
			         (unsigned long long)hi, (unsigned long long)lg_hist_lowest(i + 1));
		if (lo > 0 && (double)(hi - lo) / (double)lo > 0.01)
			fail_msg("bucket %u [%llu, %llu] is wider than 1 %%", i,
			         (unsigned long long)lo, (unsigned long long)hi);
	}
	assert_int_equal(lg_hist_highest(LG_HIST_BUCKETS - 1), LG_HIST_LIMIT - 1);
}

static uint64_t exact_rank(const uint64_t *sorted, size_t n, double p)
{
	size_t rank = (size_t)ceil(p * (double)n / 100.0 - 1e-9);
	return sorted[(rank ? rank : 1) - 1];
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Percentiles read back from the histogram are never below the exact ones and at most 1 %
 * above, for several shapes of data; p100 is the exact max. */
static void test_percentiles(void **state)
{
	(void)state;
	enum { N = 10000 };
	static const char *shapes[] = { "1..N", "exponential mean 10 ms", "bimodal 50 us / 20 ms",
		                        "constant 12345" };
	static const double ps[] = { 1, 50, 90, 99, 99.9, 99.99, 100 };
	static uint64_t v[N];
	for (size_t s = 0; s < N_ELEM(shapes); s++) {
		struct lg_hist h;
		lg_hist_init(&h);
		srand(7);
		for (size_t i = 0; i < N; i++) {
			double u = (rand() + 1.0) / (RAND_MAX + 2.0);
			v[i] = s == 0   ? i + 1
			       : s == 1 ? (uint64_t)(-log(u) * 10000)
			       : s == 2 ? (i % 3 ? 50 : 20000)
			                : 12345;
			lg_hist_record(&h, v[i]);
		}
		qsort(v, N, sizeof(v[0]), cmp_u64);
		assert_int_equal(h.count, N);
		assert_int_equal(h.min, v[0]);
		assert_int_equal(h.max, v[N - 1]);
		for (size_t k = 0; k < N_ELEM(ps); k++) {
			uint64_t want = exact_rank(v, N, ps[k]),
			         got = lg_hist_percentile(&h, ps[k]);
			if (got < want || (double)(got - want) > 0.01 * (double)want)
				fail_msg("%s: p%g = %llu, exact %llu", shapes[s], ps[k],
				         (unsigned long long)got, (unsigned long long)want);
		}
	}
}

static void test_percentile_small_and_empty(void **state)
{
	(void)state;
	struct lg_hist h;
	lg_hist_init(&h);
	assert_int_equal(lg_hist_percentile(&h, 50), 0);
	assert_true(lg_hist_mean(&h) == 0.0);
	static const uint64_t vals[] = { 10, 20, 30, 40 };
	for (size_t i = 0; i < N_ELEM(vals); i++)
		lg_hist_record(&h, vals[i]);
	static const struct {
		double p;
		uint64_t want;
	} cases[] = { { 1, 10 },  { 25, 10 }, { 26, 20 }, { 50, 20 },
		      { 75, 30 }, { 99, 40 }, { 100, 40 } };
	for (size_t i = 0; i < N_ELEM(cases); i++)
		if (lg_hist_percentile(&h, cases[i].p) != cases[i].want)
			fail_msg("p%g of {10,20,30,40} = %llu, expected %llu", cases[i].p,
			         (unsigned long long)lg_hist_percentile(&h, cases[i].p),
			         (unsigned long long)cases[i].want);
	assert_true(lg_hist_mean(&h) == 25.0);
	/* Beyond the range: clamped into the last bucket, max and mean stay exact. */
	lg_hist_record(&h, LG_HIST_LIMIT * 4);
	assert_int_equal(h.clamped, 1);
	assert_int_equal(lg_hist_percentile(&h, 100), LG_HIST_LIMIT - 1);
	assert_int_equal(h.max, LG_HIST_LIMIT * 4);
}

struct recorder {
	pthread_t tid;
	unsigned seed;
	struct lg_hist h;
};

static uint64_t nth_value(unsigned seed, unsigned i)
{
	return ((uint64_t)seed * 2654435761u + i * 40503u) % 5000000u;
}

static void *record_some(void *arg)
{
	struct recorder *r = arg;
	lg_hist_init(&r->h);
	for (unsigned i = 0; i < 20000; i++)
		lg_hist_record(&r->h, nth_value(r->seed, i));
	return NULL;
}

/* Four threads record into their own histograms; the merge equals one histogram that saw
 * every value, bucket by bucket. Merging an empty one changes nothing. */
static void test_merge_across_threads(void **state)
{
	(void)state;
	enum { T = 4 };
	static struct recorder r[T];
	static struct lg_hist all, merged, empty;
	lg_hist_init(&all);
	lg_hist_init(&merged);
	lg_hist_init(&empty);
	for (unsigned t = 0; t < T; t++) {
		r[t].seed = t + 1;
		assert_int_equal(pthread_create(&r[t].tid, NULL, record_some, &r[t]), 0);
	}
	for (unsigned t = 0; t < T; t++) {
		assert_int_equal(pthread_join(r[t].tid, NULL), 0);
		lg_hist_merge(&merged, &r[t].h);
		for (unsigned i = 0; i < 20000; i++)
			lg_hist_record(&all, nth_value(r[t].seed, i));
	}
	lg_hist_merge(&merged, &empty);
	assert_int_equal(merged.count, all.count);
	assert_int_equal(merged.min, all.min);
	assert_int_equal(merged.max, all.max);
	assert_true(merged.sum == all.sum);
	assert_memory_equal(merged.bucket, all.bucket, sizeof(all.bucket));
	lg_hist_merge(&empty, &merged);
	assert_int_equal(empty.min, all.min);
	assert_int_equal(lg_hist_percentile(&empty, 99), lg_hist_percentile(&all, 99));
}

/* ---- proto.c ---------------------------------------------------------------------------- */

static void test_url_parse(void **state)
{
	(void)state;
	static const struct {
		const char *url;
		int ok;
		const char *host, *port, *path;
	} cases[] = {
		{ "http://127.0.0.1:8080/sleep/10", 1, "127.0.0.1", "8080", "/sleep/10" },
		{ "http://localhost", 1, "localhost", "80", "/" },
		{ "HTTP://localhost:1/", 1, "localhost", "1", "/" },
		{ "http://[::1]:9000/x?y=1", 1, "::1", "9000", "/x?y=1" },
		{ "http://host.example-1:65535", 1, "host.example-1", "65535", "/" },
		{ .url = "https://127.0.0.1/" },
		{ .url = "127.0.0.1:8080/" },
		{ .url = "http://" },
		{ .url = "http:///path" },
		{ .url = "http://:80/" },
		{ .url = "http://h:0/" },
		{ .url = "http://h:65536/" },
		{ .url = "http://h:123456/" },
		{ .url = "http://h:/" },
		{ .url = "http://h:80x/" },
		{ .url = "http://h_x/" },
		{ .url = "http://[::1/" },
		{ .url = "http://[::1]x/" },
		{ .url = "http://h/a b" },
		{ .url = "http://h/a\tb" },
	};
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		struct lg_url u;
		char err[128] = "";
		int rc = lg_url_parse(cases[i].url, &u, err, sizeof(err));
		if (cases[i].ok != (rc == 0))
			fail_msg("%s: %s", cases[i].url, rc == 0 ? "accepted" : err);
		if (rc == 0 && (strcmp(u.host, cases[i].host) || strcmp(u.port, cases[i].port) ||
		                strcmp(u.path, cases[i].path)))
			fail_msg("%s: host %s port %s path %s", cases[i].url, u.host, u.port,
			         u.path);
		if (rc < 0 && err[0] == '\0')
			fail_msg("%s: rejected without a reason", cases[i].url);
	}
}

static void test_loopback(void **state)
{
	(void)state;
	static const struct {
		const char *addr;
		int loopback;
	} cases[] = { { "127.0.0.1", 1 },       { "127.9.8.7", 1 }, { "10.0.0.1", 0 },
		      { "198.18.0.1", 0 },      { "::1", 1 },       { "::ffff:127.0.0.1", 1 },
		      { "::ffff:10.0.0.1", 0 }, { "fe80::1", 0 } };
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		struct sockaddr_storage ss = { 0 };
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		if (inet_pton(AF_INET, cases[i].addr, &in->sin_addr) == 1)
			ss.ss_family = AF_INET;
		else if (inet_pton(AF_INET6, cases[i].addr, &in6->sin6_addr) == 1)
			ss.ss_family = AF_INET6;
		if (lg_addr_is_loopback((struct sockaddr *)&ss) != cases[i].loopback)
			fail_msg("%s: loopback should be %d", cases[i].addr, cases[i].loopback);
	}
}

/* The mix of one path, as loadgen makes it when --mix is not given. */
static struct lg_mix one_path(const char *path)
{
	struct lg_mix m = { .n = 1, .total = 1 };
	m.cls[0].weight = 1;
	snprintf(m.cls[0].path, sizeof(m.cls[0].path), "%s", path);
	return m;
}

static void test_capacity(void **state)
{
	(void)state;
	static const struct {
		const char *path;
		unsigned conns;
		double rps;
	} cases[] = {
		{ "/sleep/10", 1, 100 },    { "/sleep/10", 16, 1600 }, { "/cpu/500", 2, 4000 },
		{ "/", 1, 50000 },          { "/sleep/0", 1, 50000 },  { "/sleep/abc", 1, 50000 },
		{ "/sleep/10x", 1, 50000 }, { "/cpu/5", 3, 150000 },
	};
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		struct lg_mix m = one_path(cases[i].path);
		if (fabs(lg_capacity_rps(cases[i].conns, &m) - cases[i].rps) > 1e-6)
			fail_msg("%s over %u: %g req/s, expected %g", cases[i].path, cases[i].conns,
			         lg_capacity_rps(cases[i].conns, &m), cases[i].rps);
	}
}

static void test_mix_parse(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		unsigned n, total;
		const char *path0, *path_last;
		double service_us; /* the weighted mean holding time */
	} cases[] = {
		{ "/cpu/10:995,/cpu/10000:5", 2, 1000, "/cpu/10", "/cpu/10000", 69.9 },
		{ "/", 1, 1, "/", "/", 20 },
		{ "/a:2,/b", 2, 3, "/a", "/b", 20 },
		{ "/x:y:7", 1, 7, "/x:y", "/x:y", 20 },
		{ "/sleep/10:1,/cpu/20:1,/c,/d,/e,/f,/g,/h:1000000", 8, 1000007, "/sleep/10", "/h",
		  (10000 + 20 * 1000006.0) / 1000007 },
		{ .text = "" },
		{ .text = "cpu/10:1" },
		{ .text = "/a:0" },
		{ .text = "/a:1000001" },
		{ .text = "/a:" },
		{ .text = "/a:1x" },
		{ .text = "/a:-1" },
		{ .text = "/a," },
		{ .text = ",/a" },
		{ .text = "/a,,/b" },
		{ .text = "/a b:1" },
		{ .text = "/1,/2,/3,/4,/5,/6,/7,/8,/9" },
	};
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		struct lg_mix m;
		char err[128] = "";
		int rc = lg_mix_parse(cases[i].text, &m, err, sizeof(err));
		if ((cases[i].n > 0) != (rc == 0))
			fail_msg("\"%s\": %s", cases[i].text, rc == 0 ? "accepted" : err);
		if (rc < 0) {
			if (err[0] == '\0')
				fail_msg("\"%s\": rejected without a reason", cases[i].text);
			continue;
		}
		if (m.n != cases[i].n || m.total != cases[i].total ||
		    strcmp(m.cls[0].path, cases[i].path0) ||
		    strcmp(m.cls[m.n - 1].path, cases[i].path_last) ||
		    fabs(lg_mix_service_us(&m) - cases[i].service_us) > 1e-6)
			fail_msg("\"%s\": %u classes, total %u, %s .. %s, service %g us",
			         cases[i].text, m.n, m.total, m.cls[0].path, m.cls[m.n - 1].path,
			         lg_mix_service_us(&m));
	}
}

/* A draw picks each class in its weight's share of [0, 1): the edges exactly, and a uniform
 * sweep in proportion. */
static void test_mix_pick(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		double u;
		unsigned cls;
	} cases[] = {
		{ "/a:995,/b:5", 0.0, 0 },     { "/a:995,/b:5", 0.994999, 0 },
		{ "/a:995,/b:5", 0.995, 1 },   { "/a:995,/b:5", 0.999999, 1 },
		{ "/a:1,/b:1,/c:2", 0.49, 1 }, { "/a:1,/b:1,/c:2", 0.5, 2 },
		{ "/a:1,/b:1,/c:2", 0.24, 0 }, { "/only", 0.7, 0 },
	};
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		struct lg_mix m;
		char err[128];
		assert_int_equal(lg_mix_parse(cases[i].text, &m, err, sizeof(err)), 0);
		if (lg_mix_pick(&m, cases[i].u) != cases[i].cls)
			fail_msg("%s at u=%g: class %u, expected %u", cases[i].text, cases[i].u,
			         lg_mix_pick(&m, cases[i].u), cases[i].cls);
	}
	struct lg_mix m;
	char err[128];
	unsigned count[3] = { 0 };
	assert_int_equal(lg_mix_parse("/a:1,/b:2,/c:7", &m, err, sizeof(err)), 0);
	for (unsigned k = 0; k < 10000; k++)
		count[lg_mix_pick(&m, k / 10000.0)]++;
	if (count[0] != 1000 || count[1] != 2000 || count[2] != 7000)
		fail_msg("sweep of 10000: %u %u %u, expected 1000 2000 7000", count[0], count[1],
		         count[2]);
}

static void test_resp_head(void **state)
{
	(void)state;
	static const struct {
		const char *name, *text;
		int rc; /* > 0: the head's length is strlen(text) minus `tail` */
		size_t tail;
		int status;
		int64_t clen;
		int close;
	} cases[] = {
		{ "keep-alive 200", "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nHello world", 1,
		  11, 200, 11, 0 },
		{ "close 503",
		  "HTTP/1.1 503 Busy\r\nconnection: Close\r\ncontent-length: 0\r\n\r\n", 1, 0, 503,
		  0, 1 },
		{ "1.0 default close", "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhi", 1, 2, 200,
		  2, 1 },
		{ "1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n", 1, 0, 200,
		  -1, 0 },
		{ "no headers", "HTTP/1.1 204\r\n\r\n", 1, 0, 204, -1, 0 },
		{ .name = "incomplete", .text = "HTTP/1.1 200 OK\r\nContent-Len", .rc = 0 },
		{ .name = "empty", .text = "", .rc = 0 },
		{ .name = "chunked",
		  .text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
		  .rc = -1 },
		{ .name = "bad length",
		  .text = "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
		  .rc = -1 },
		{ .name = "negative length",
		  .text = "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		  .rc = -1 },
		{ .name = "not http", .text = "SSH-2.0-OpenSSH\r\n\r\n", .rc = -1 },
		{ .name = "http/2", .text = "HTTP/2 200\r\n\r\n", .rc = -1 },
		{ .name = "status 99", .text = "HTTP/1.1 099 x\r\n\r\n", .rc = -1 },
		{ .name = "status 4 digits", .text = "HTTP/1.1 2000 x\r\n\r\n", .rc = -1 },
	};
	for (size_t i = 0; i < N_ELEM(cases); i++) {
		struct lg_resp r = { 0 };
		size_t len = strlen(cases[i].text);
		int rc = lg_resp_head(cases[i].text, len, &r);
		int want = cases[i].rc > 0 ? (int)(len - cases[i].tail) : cases[i].rc;
		if (rc != want)
			fail_msg("%s: returned %d, expected %d", cases[i].name, rc, want);
		if (rc > 0 && (r.status != cases[i].status || r.content_length != cases[i].clen ||
		               r.close != cases[i].close))
			fail_msg("%s: status %d length %lld close %d", cases[i].name, r.status,
			         (long long)r.content_length, r.close);
		/* Every proper prefix of a complete head is "need more". */
		for (size_t k = 0; rc > 0 && k < (size_t)rc; k++)
			if (lg_resp_head(cases[i].text, k, &r) != LG_HEAD_MORE)
				fail_msg("%s: prefix of %zu bytes is not LG_HEAD_MORE",
				         cases[i].name, k);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_edges),
		cmocka_unit_test(test_buckets_tile_with_bounded_width),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_percentile_small_and_empty),
		cmocka_unit_test(test_merge_across_threads),
		cmocka_unit_test(test_url_parse),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_capacity),
		cmocka_unit_test(test_mix_parse),
		cmocka_unit_test(test_mix_pick),
		cmocka_unit_test(test_resp_head),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
