/* test_resp.c -- the response builder: exact bytes, dates, error replies, the cached replies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "http.h"
#include "resp.h"

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail_msg(__VA_ARGS__);                                                     \
	} while (0)

#define DATE "Sun, 06 Nov 1994 08:49:37 GMT"

/*
 * The header value of `name` in the reply head out[0..len), copied to val.
 * Returns 0, or -1 if absent.
 */
static int header(const char *out, size_t len, const char *name, char *val, size_t cap)
{
	const char *end = memmem(out, len, "\r\n\r\n", 4);
	size_t nlen = strlen(name);

	if (!end)
		return -1;
	for (const char *p = memmem(out, len, "\r\n", 2); p && p < end;
	     p = memmem(p + 2, (size_t)(end - p), "\r\n", 2)) {
		const char *line = p + 2, *eol = memmem(line, (size_t)(end + 2 - line), "\r\n", 2);

		if (eol && (size_t)(eol - line) > nlen + 2 && strncmp(line, name, nlen) == 0 &&
		    line[nlen] == ':' && line[nlen + 1] == ' ') {
			size_t vlen = (size_t)(eol - line) - nlen - 2;

			if (vlen >= cap)
				return -1;
			memcpy(val, line + nlen + 2, vlen);
			val[vlen] = '\0';
			return 0;
		}
	}
	return -1;
}

/* Content-Length of the reply equals the bytes after the blank line. */
static void check_framing(const char *what, const char *out, size_t len)
{
	const char *body = memmem(out, len, "\r\n\r\n", 4);
	char cl[32];

	CHECK(body != NULL, "%s: no blank line", what);
	body += 4;
	CHECK(header(out, len, "Content-Length", cl, sizeof(cl)) == 0, "%s: no Content-Length",
	      what);
	CHECK(strtoul(cl, NULL, 10) == (size_t)(out + len - body),
	      "%s: Content-Length %s, body %zu bytes", what, cl, (size_t)(out + len - body));
}

static void test_build_ok_exact(void **state)
{
	static const struct {
		int keep_alive;
		const char *want;
	} c[] = {
		{ 1, "HTTP/1.1 200 OK\r\nServer: unit\r\nDate: " DATE
		     "\r\nContent-Type: text/plain\r\n"
		     "Content-Length: 11\r\nConnection: keep-alive\r\n\r\nHello world" },
		{ 0, "HTTP/1.1 200 OK\r\nServer: unit\r\nDate: " DATE
		     "\r\nContent-Type: text/plain\r\n"
		     "Content-Length: 11\r\nConnection: close\r\n\r\nHello world" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char out[RESP_MAX];
		size_t n = resp_build_ok(out, sizeof(out), "unit", DATE, c[i].keep_alive);
		size_t wl = strlen(c[i].want);

		CHECK(n == wl && memcmp(out, c[i].want, wl) == 0,
		      "keep_alive=%d: got %zu bytes '%.*s'", c[i].keep_alive, n, (int)n, out);
		CHECK(n > 15 && memcmp(out + n - 15, "\r\n\r\nHello world", 15) == 0,
		      "keep_alive=%d: does not end with the blank line and body", c[i].keep_alive);
		check_framing(c[i].keep_alive ? "ok keep-alive" : "ok close", out, n);
	}
}

/* Too small a buffer gives 0 and writes nothing past cap (guard page behind it). */
static void test_build_ok_no_room(void **state)
{
	struct guard g;
	char full[RESP_MAX];
	size_t need = resp_build_ok(full, sizeof(full), "unit", DATE, 1);

	(void)state;
	assert_int_equal(guard_init(&g, RESP_MAX), 0);
	for (size_t cap = 0; cap <= need + 1; cap++) {
		char *out = g.base + g.usable - cap;
		size_t n = resp_build_ok(out, cap, "unit", DATE, 1);

		if (cap <= need) /* snprintf needs room for its NUL too */
			CHECK(n == 0, "cap %zu of %zu: returned %zu, want 0", cap, need, n);
		else
			CHECK(n == need && memcmp(out, full, n) == 0, "cap %zu: returned %zu", cap,
			      n);
	}
	guard_free(&g);
}

static void test_format_date(void **state)
{
	static const struct {
		time_t t;
		const char *want;
	} c[] = {
		{ 0, "Thu, 01 Jan 1970 00:00:00 GMT" },
		{ 784111777, "Sun, 06 Nov 1994 08:49:37 GMT" },
		{ 951827696, "Tue, 29 Feb 2000 12:34:56 GMT" },
		{ 1709251199, "Thu, 29 Feb 2024 23:59:59 GMT" },
		{ 946684799, "Fri, 31 Dec 1999 23:59:59 GMT" },
		{ 2147483648, "Tue, 19 Jan 2038 03:14:08 GMT" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char out[RESP_DATE_LEN + 8];

		memset(out, 'x', sizeof(out));
		resp_format_date(c[i].t, out);
		CHECK(strcmp(out, c[i].want) == 0, "t=%lld: '%s', want '%s'", (long long)c[i].t,
		      out, c[i].want);
		CHECK(strlen(out) == RESP_DATE_LEN, "t=%lld: %zu chars", (long long)c[i].t,
		      strlen(out));
	}
}

static const int error_statuses[] = { 400, 408, 413, 414, 431, 501, 503, 505 };

static void test_build_error(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(error_statuses) / sizeof(error_statuses[0]); i++) {
		int st = error_statuses[i];
		char out[RESP_MAX], line[64], body[64], what[32], conn[32];
		size_t n = resp_build_error(out, sizeof(out), "unit", DATE, st);
		const char *b = memmem(out, n, "\r\n\r\n", 4);

		snprintf(what, sizeof(what), "error %d", st);
		snprintf(line, sizeof(line), "HTTP/1.1 %d %s\r\n", st, http_reason(st));
		snprintf(body, sizeof(body), "%s\n", http_reason(st));
		CHECK(n > 0 && strncmp(out, line, strlen(line)) == 0, "%s: status line '%.*s'",
		      what, (int)(n < 40 ? n : 40), out);
		CHECK(strcmp(http_reason(st), "Error") != 0, "%s: no reason phrase", what);
		CHECK(header(out, n, "Connection", conn, sizeof(conn)) == 0 &&
		          strcmp(conn, "close") == 0,
		      "%s: not Connection: close", what);
		CHECK(b && strlen(body) == (size_t)(out + n - b - 4) &&
		          memcmp(b + 4, body, strlen(body)) == 0,
		      "%s: body is not the reason", what);
		check_framing(what, out, n);
		CHECK(resp_build_error(out, n, "unit", DATE, st) == 0, "%s: no room, not 0", what);
	}
}

/* resp_ok is resp_build_ok with the cached date and the resp_init name. */
static void test_cached_ok(void **state)
{
	(void)state;
	resp_init("unit-cache");
	for (int ka = 0; ka <= 1; ka++) {
		char out[RESP_MAX], date[64], again[RESP_MAX];
		size_t n = resp_ok(out, sizeof(out), ka), m;

		CHECK(n > 0, "resp_ok(%d): 0", ka);
		CHECK(header(out, n, "Date", date, sizeof(date)) == 0 &&
		          strlen(date) == RESP_DATE_LEN &&
		          strcmp(date + RESP_DATE_LEN - 4, " GMT") == 0,
		      "resp_ok(%d): bad Date", ka);
		m = resp_build_ok(again, sizeof(again), "unit-cache", date, ka);
		CHECK(m == n && memcmp(out, again, n) == 0,
		      "resp_ok(%d) differs from resp_build_ok", ka);
		CHECK(resp_ok(out, n - 1, ka) == 0, "resp_ok(%d) into %zu bytes: not 0", ka, n - 1);
		CHECK(resp_ok(out, n, ka) == n, "resp_ok(%d) into exactly %zu bytes", ka, n);
	}
}

static void test_cached_error(void **state)
{
	(void)state;
	resp_init("unit-cache");
	for (size_t i = 0; i < sizeof(error_statuses) / sizeof(error_statuses[0]); i++) {
		int st = error_statuses[i];
		char out[RESP_MAX], date[64], again[RESP_MAX];
		size_t n = resp_error(out, sizeof(out), st), m;

		CHECK(n > 0 && header(out, n, "Date", date, sizeof(date)) == 0,
		      "resp_error(%d): no Date", st);
		m = resp_build_error(again, sizeof(again), "unit-cache", date, st);
		CHECK(m == n && memcmp(out, again, n) == 0,
		      "resp_error(%d) differs from the builder", st);
		CHECK(resp_error(out, 10, st) == 0, "resp_error(%d) into 10 bytes: not 0", st);
	}
}

/* The /bytes head: its Content-Length and type, ending at the blank line; 0 when out of room. */
static void test_bytes_head(void **state)
{
	static const size_t sizes[] = { 0, 1, 1048576, 67108864 };

	(void)state;
	resp_init("unit-bytes");
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (int ka = 0; ka <= 1; ka++) {
			char out[RESP_MAX], v[64], want[32];
			size_t n = resp_bytes_head(out, sizeof(out), sizes[i], ka);

			snprintf(want, sizeof(want), "%zu", sizes[i]);
			CHECK(n > 4 && memcmp(out + n - 4, "\r\n\r\n", 4) == 0,
			      "/bytes/%zu: no blank line at the end", sizes[i]);
			CHECK(resp_head_len(out, n) == n, "/bytes/%zu: resp_head_len %zu of %zu",
			      sizes[i], resp_head_len(out, n), n);
			CHECK(header(out, n, "Content-Length", v, sizeof(v)) == 0 &&
			          !strcmp(v, want),
			      "/bytes/%zu: Content-Length '%s'", sizes[i], v);
			CHECK(header(out, n, "Content-Type", v, sizeof(v)) == 0 &&
			          !strcmp(v, "application/octet-stream"),
			      "/bytes/%zu: Content-Type '%s'", sizes[i], v);
			CHECK(header(out, n, "Connection", v, sizeof(v)) == 0 &&
			          !strcmp(v, ka ? "keep-alive" : "close"),
			      "/bytes/%zu ka %d: Connection '%s'", sizes[i], ka, v);
			CHECK(resp_bytes_head(out, n, sizes[i], ka) == 0,
			      "/bytes/%zu into %zu bytes: not 0", sizes[i], n);
		}
	}
}

/* resp_head_len cuts a reply after its blank line: what HEAD gets. */
static void test_head_len(void **state)
{
	static const struct {
		const char *reply;
		size_t want;
	} cases[] = {
		{ "HTTP/1.1 200 OK\r\nA: b\r\n\r\nHello world", 25 },
		{ "HTTP/1.1 200 OK\r\n\r\n", 19 },
		{ "HTTP/1.1 200 OK\r\n\r\n\r\n\r\n", 19 },
		{ "no blank line\r\n", 15 },
		{ "", 0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = resp_head_len(cases[i].reply, strlen(cases[i].reply));

		CHECK(n == cases[i].want, "'%s': %zu, want %zu", cases[i].reply, n, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_ok_exact), cmocka_unit_test(test_build_ok_no_room),
		cmocka_unit_test(test_format_date),    cmocka_unit_test(test_build_error),
		cmocka_unit_test(test_cached_ok),      cmocka_unit_test(test_cached_error),
		cmocka_unit_test(test_bytes_head),     cmocka_unit_test(test_head_len),
	};

	return cmocka_run_group_tests_name("resp", tests, NULL, NULL);
}
