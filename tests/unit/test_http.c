/* test_http.c -- table-driven tests of http_parse_request: prefixes, splits, pipelines, errors.
 *
 * Every input is parsed where it ends right before a PROT_NONE page (guard.h),
 * so a parser that reads one byte past `len` crashes the test. A failing
 * check names the case (and the prefix length) that broke.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "http.h"
#include "http_cases.h"

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail_msg(__VA_ARGS__);                                                     \
	} while (0)

/* A case built at run time: too big to write as a literal. status 0: valid. */
struct gen_case {
	const char *name;
	char *text;
	size_t len;
	int status;
	int minor, keep_alive;
	size_t body_len;
};

#define N_GEN 12

struct fixture {
	struct guard g;
	struct gen_case gen[N_GEN];
	int ngen;
};

/* The input being parsed, named by the SIGSEGV handler if the parser reads past it. */
static char current_case[160];
static struct sigaction cmocka_segv;

static void say(const char *s)
{
	ssize_t n = write(STDERR_FILENO, s, strlen(s));

	(void)n; /* best effort: we are about to fail anyway */
}

static void on_segv(int sig)
{
	(void)sig;
	say("test_http: SIGSEGV (read past the input?) while parsing case '");
	say(current_case);
	say("\n");
	/* Back to cmocka's handler: the faulting read repeats and cmocka fails the test. */
	sigaction(SIGSEGV, &cmocka_segv, NULL);
}

/* Called first in each test: cmocka installs its handler per test, ours goes on top. */
static void name_crashes(void)
{
	struct sigaction sa = { .sa_handler = on_segv };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &cmocka_segv);
}

/* Parse data[0..len) placed right before the guard page. */
static ssize_t parse_at_guard(struct fixture *fx, const char *name, const char *data, size_t len,
                              struct http_request *req)
{
	const char *p = guard_place(&fx->g, data, len);

	if (!p)
		fail_msg("'%s': input of %zu bytes does not fit the guard mapping", name, len);
	snprintf(current_case, sizeof(current_case), "%s', %zu bytes", name, len);
	return http_parse_request(p, len, req);
}

/* Append n copies of s to buf at *off (the caller sized buf). */
static void put_rep(char *buf, size_t *off, const char *s, size_t n)
{
	size_t l = strlen(s);

	for (size_t i = 0; i < n; i++) {
		memcpy(buf + *off, s, l);
		*off += l;
	}
}

static void put_fill(char *buf, size_t *off, char ch, size_t n)
{
	memset(buf + *off, ch, n);
	*off += n;
}

static void add_gen(struct fixture *fx, const char *name, char *text, size_t len, int status,
                    int minor, int ka, size_t body_len)
{
	struct gen_case *g;

	assert_true(fx->ngen < N_GEN);
	g = &fx->gen[fx->ngen++];
	*g = (struct gen_case){ name, text, len, status, minor, ka, body_len };
}

/* A request whose target is tlen bytes long. */
static void gen_target(struct fixture *fx, const char *name, size_t tlen, int status)
{
	char *b = malloc(tlen + 64);
	size_t o = 0;

	assert_non_null(b);
	put_rep(b, &o, "GET /", 1);
	put_fill(b, &o, 'a', tlen - 1);
	put_rep(b, &o, " HTTP/1.1\r\nHost: a\r\n\r\n", 1);
	add_gen(fx, name, b, o, status, 1, 1, 0);
}

/* A request whose head is exactly head_len bytes (one padded field). */
static void gen_head(struct fixture *fx, const char *name, size_t head_len, int status)
{
	const char *pre = "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: ";
	char *b = malloc(head_len + 1);
	size_t o = 0;

	assert_non_null(b);
	put_rep(b, &o, pre, 1);
	put_fill(b, &o, 'p', head_len - strlen(pre) - 4);
	put_rep(b, &o, "\r\n\r\n", 1);
	add_gen(fx, name, b, o, status, 1, 1, 0);
}

/* A request with nfields header fields (Host among them). */
static void gen_fields(struct fixture *fx, const char *name, int nfields, int status)
{
	char *b = malloc(64 + (size_t)nfields * 16);
	size_t o = 0;

	assert_non_null(b);
	put_rep(b, &o, "GET / HTTP/1.1\r\nHost: a\r\n", 1);
	for (int i = 1; i < nfields; i++)
		o += (size_t)sprintf(b + o, "X-%d: v\r\n", i);
	put_rep(b, &o, "\r\n", 1);
	add_gen(fx, name, b, o, status, 1, 1, 0);
}

/* A chunked request with nchunks chunks of 0x1000 bytes plus one of tail bytes. */
static void gen_chunked(struct fixture *fx, const char *name, int nchunks, size_t tail, int status)
{
	const char *head = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
	char *b = malloc(strlen(head) + (size_t)(nchunks + 1) * 4200 + 16);
	size_t o = 0;

	assert_non_null(b);
	put_rep(b, &o, head, 1);
	for (int i = 0; i < nchunks; i++) {
		put_rep(b, &o, "1000\r\n", 1);
		put_fill(b, &o, 'c', 0x1000);
		put_rep(b, &o, "\r\n", 1);
	}
	o += (size_t)sprintf(b + o, "%zx\r\n", tail);
	put_fill(b, &o, 't', tail);
	put_rep(b, &o, "\r\n0\r\n\r\n", 1);
	add_gen(fx, name, b, o, status, 1, 1, o - strlen(head));
}

/* Content-Length body of exactly HTTP_MAX_BODY bytes: the largest accepted. */
static void gen_max_cl(struct fixture *fx)
{
	char *b = malloc(HTTP_MAX_BODY + 128);
	size_t o = 0;

	assert_non_null(b);
	o += (size_t)sprintf(b, "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: %d\r\n\r\n",
	                     HTTP_MAX_BODY);
	put_fill(b, &o, 'b', HTTP_MAX_BODY);
	add_gen(fx, "content-length at the limit", b, o, 0, 1, 1, HTTP_MAX_BODY);
}

/* So many leading CRLFs that the request line starts past the head limit. */
static void gen_crlf_flood(struct fixture *fx)
{
	char *b = malloc(HTTP_MAX_HEAD + 64);
	size_t o = 0;

	assert_non_null(b);
	put_rep(b, &o, "\r\n", HTTP_MAX_HEAD / 2);
	put_rep(b, &o, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 1);
	add_gen(fx, "8 KiB of leading CRLFs", b, o, 431, 1, 1, 0);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx || guard_init(&fx->g, 2 * HTTP_MAX_REQUEST) < 0)
		return -1;
	gen_target(fx, "target at the limit", HTTP_MAX_TARGET, 0);
	gen_target(fx, "target over the limit", HTTP_MAX_TARGET + 1, 414);
	gen_head(fx, "head at the limit", HTTP_MAX_HEAD, 0);
	gen_head(fx, "head over the limit", HTTP_MAX_HEAD + 1, 431);
	gen_head(fx, "head far over the limit", 3 * HTTP_MAX_HEAD / 2, 431);
	gen_fields(fx, "fields at the limit", HTTP_MAX_FIELDS, 0);
	gen_fields(fx, "fields over the limit", HTTP_MAX_FIELDS + 1, 431);
	gen_chunked(fx, "chunked body under the limit", 1, 0xf00, 0);
	gen_chunked(fx, "chunked body over the limit", 2, 16, 413);
	gen_max_cl(fx);
	gen_crlf_flood(fx);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	for (int i = 0; i < fx->ngen; i++)
		free(fx->gen[i].text);
	guard_free(&fx->g);
	free(fx);
	return 0;
}

/* The valid cases, literal and generated, as one list. */
static size_t n_valid(struct fixture *fx)
{
	size_t n = HTTP_N_VALID;

	for (int i = 0; i < fx->ngen; i++)
		n += fx->gen[i].status == 0;
	return n;
}

static struct valid_case valid_at(struct fixture *fx, size_t i)
{
	if (i < HTTP_N_VALID)
		return http_valid_cases[i];
	i -= HTTP_N_VALID;
	for (int k = 0; k < fx->ngen; k++) {
		struct gen_case *g = &fx->gen[k];

		if (g->status == 0 && i-- == 0)
			return (struct valid_case){ g->name,  g->text,       g->len,
				                    g->minor, g->keep_alive, g->body_len };
	}
	fail_msg("no valid case %zu", i);
	return http_valid_cases[0];
}

static size_t n_error(struct fixture *fx)
{
	return HTTP_N_ERROR + (size_t)fx->ngen + HTTP_N_VALID - n_valid(fx);
}

static struct error_case error_at(struct fixture *fx, size_t i)
{
	if (i < HTTP_N_ERROR)
		return http_error_cases[i];
	i -= HTTP_N_ERROR;
	for (int k = 0; k < fx->ngen; k++) {
		struct gen_case *g = &fx->gen[k];

		if (g->status != 0 && i-- == 0)
			return (struct error_case){ g->name, g->text, g->len, g->status };
	}
	fail_msg("no error case %zu", i);
	return http_error_cases[0];
}

static void check_valid(const struct valid_case *v, ssize_t r, const struct http_request *req,
                        const char *how)
{
	CHECK(r == (ssize_t)v->len, "'%s' (%s): returned %zd, want %zu", v->name, how, r, v->len);
	CHECK(req->minor_version == v->minor, "'%s' (%s): minor %d, want %d", v->name, how,
	      req->minor_version, v->minor);
	CHECK(req->keep_alive == v->keep_alive, "'%s' (%s): keep_alive %d, want %d", v->name, how,
	      req->keep_alive, v->keep_alive);
	CHECK(req->body_len == v->body_len, "'%s' (%s): body_len %zu, want %zu", v->name, how,
	      req->body_len, v->body_len);
	CHECK(req->head_len + req->body_len == v->len, "'%s' (%s): head %zu + body %zu != %zu",
	      v->name, how, req->head_len, req->body_len, v->len);
}

/* Stride through long inputs: every position near both ends, a sample in between. */
static size_t next_pos(size_t k, size_t len)
{
	if (len <= 1024 || k < 300 || k + 300 >= len)
		return k + 1;
	return k + 97;
}

static void test_valid_whole(void **state)
{
	struct fixture *fx = *state;

	name_crashes();
	for (size_t i = 0; i < n_valid(fx); i++) {
		struct valid_case v = valid_at(fx, i);
		struct http_request req;
		ssize_t r = parse_at_guard(fx, v.name, v.text, v.len, &req);

		check_valid(&v, r, &req, "whole");
	}
}

/* Every proper prefix of a valid request may still become valid: HTTP_NEED_MORE. */
static void test_valid_prefixes(void **state)
{
	struct fixture *fx = *state;

	name_crashes();
	for (size_t i = 0; i < n_valid(fx); i++) {
		struct valid_case v = valid_at(fx, i);

		for (size_t k = 0; k < v.len; k = next_pos(k, v.len)) {
			struct http_request req;
			ssize_t r = parse_at_guard(fx, v.name, v.text, k, &req);

			CHECK(r == HTTP_NEED_MORE, "'%s' prefix of %zu/%zu bytes: returned %zd",
			      v.name, k, v.len, r);
		}
	}
}

/*
 * Split at every position with a second request behind: the first part alone
 * is "need more" (or the whole first request once it is all there), and
 * the whole buffer then gives exactly the first request, as in one piece.
 */
static void test_split_anywhere(void **state)
{
	static const char next[] = "GET /next HTTP/1.1\r\nHost: b\r\n\r\n";
	struct fixture *fx = *state;

	name_crashes();
	for (size_t i = 0; i < n_valid(fx); i++) {
		struct valid_case v = valid_at(fx, i);
		size_t total = v.len + sizeof(next) - 1;
		char *buf = malloc(total);

		assert_non_null(buf);
		memcpy(buf, v.text, v.len);
		memcpy(buf + v.len, next, sizeof(next) - 1);
		for (size_t k = 0; k <= total; k = next_pos(k, total)) {
			struct http_request req;
			ssize_t r = parse_at_guard(fx, v.name, buf, k, &req);
			char how[64];

			snprintf(how, sizeof(how), "first %zu of %zu bytes", k, total);
			if (k < v.len)
				CHECK(r == HTTP_NEED_MORE, "'%s' (%s): returned %zd", v.name, how,
				      r);
			else
				check_valid(&v, r, &req, how);
			r = parse_at_guard(fx, v.name, buf, total, &req);
			snprintf(how, sizeof(how), "whole after split at %zu", k);
			check_valid(&v, r, &req, how);
		}
		free(buf);
	}
}

static int known_status(int s)
{
	return s == 400 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505;
}

/*
 * Each malformed case gives its status; every prefix gives either "need more"
 * or already that same status; bytes after it do not change the verdict.
 */
static void test_errors(void **state)
{
	static const char more[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	struct fixture *fx = *state;

	name_crashes();
	for (size_t i = 0; i < n_error(fx); i++) {
		struct error_case e = error_at(fx, i);
		struct http_request req;
		ssize_t r = parse_at_guard(fx, e.name, e.text, e.len, &req);
		char *buf;

		CHECK(r == HTTP_MALFORMED && req.status == e.status,
		      "'%s': returned %zd status %d, want -1 status %d", e.name, r, req.status,
		      e.status);
		for (size_t k = 0; k < e.len; k = next_pos(k, e.len)) {
			r = parse_at_guard(fx, e.name, e.text, k, &req);
			CHECK(r == HTTP_NEED_MORE ||
			          (r == HTTP_MALFORMED && req.status == e.status),
			      "'%s' prefix of %zu/%zu bytes: returned %zd status %d", e.name, k,
			      e.len, r, req.status);
		}
		buf = malloc(e.len + sizeof(more));
		assert_non_null(buf);
		memcpy(buf, e.text, e.len);
		memcpy(buf + e.len, more, sizeof(more) - 1);
		r = parse_at_guard(fx, e.name, buf, e.len + sizeof(more) - 1, &req);
		CHECK(r == HTTP_MALFORMED && req.status == e.status,
		      "'%s' + a request behind: returned %zd status %d", e.name, r, req.status);
		CHECK(known_status(e.status), "'%s': table status %d", e.name, e.status);
		free(buf);
	}
}

/* All valid cases back to back in one buffer: consumed lengths add up to the whole. */
static void test_pipelined(void **state)
{
	struct fixture *fx = *state;
	size_t total = 0, off = 0, n = n_valid(fx);
	char *buf;

	name_crashes();
	for (size_t i = 0; i < n; i++)
		total += valid_at(fx, i).len;
	buf = malloc(total);
	assert_non_null(buf);
	for (size_t i = 0; i < n; i++) {
		struct valid_case v = valid_at(fx, i);

		memcpy(buf + off, v.text, v.len);
		off += v.len;
	}
	off = 0;
	for (size_t i = 0; i < n; i++) {
		struct valid_case v = valid_at(fx, i);
		struct http_request req;
		ssize_t r = parse_at_guard(fx, v.name, buf + off, total - off, &req);

		check_valid(&v, r, &req, "pipelined");
		off += (size_t)r;
	}
	CHECK(off == total, "pipeline: consumed %zu of %zu", off, total);
	free(buf);
}

/* s with CR and LF spelled out, for a failure message (one static buffer). */
static const char *show(const char *s)
{
	static char out[256];
	size_t o = 0;

	for (; *s && o + 3 < sizeof(out); s++) {
		if (*s == '\r' || *s == '\n') {
			out[o++] = '\\';
			out[o++] = *s == '\r' ? 'r' : 'n';
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
	return out;
}

/* Persistence: HTTP/1.0 and 1.1 against every shape of Connection field. */
static void test_keep_alive_matrix(void **state)
{
	static const struct {
		const char *fields; /* extra header lines */
		int ka10, ka11;     /* expected keep_alive for HTTP/1.0, HTTP/1.1 */
	} m[] = {
		{ "", 0, 1 },
		{ "Connection: close\r\n", 0, 0 },
		{ "Connection: keep-alive\r\n", 1, 1 },
		{ "Connection: Keep-Alive\r\n", 1, 1 },
		{ "Connection: CLOSE\r\n", 0, 0 },
		{ "connection: KEEP-alive\r\n", 1, 1 },
		{ "Connection: foo, Keep-Alive\r\n", 1, 1 },
		{ "Connection: foo , Close ,bar\r\n", 0, 0 },
		{ "Connection: ,,keep-alive,,\r\n", 1, 1 },
		{ "Connection: keep-alive, close\r\n", 0, 0 },
		{ "Connection: close, keep-alive\r\n", 0, 0 },
		{ "Connection: keep-alive\r\nConnection: close\r\n", 0, 0 },
		{ "Connection: close\r\nConnection: keep-alive\r\n", 0, 0 },
		{ "Connection: keep-alivex\r\n", 0, 1 },
		{ "Connection: closed\r\n", 0, 1 },
		{ "Connection: Upgrade\r\n", 0, 1 },
		{ "X-Connection: close\r\n", 0, 1 },
		{ "Keep-Alive: timeout=5\r\n", 0, 1 },
	};
	struct fixture *fx = *state;

	name_crashes();
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		for (int minor = 0; minor <= 1; minor++) {
			char buf[256];
			struct http_request req;
			int n = snprintf(buf, sizeof(buf), "GET / HTTP/1.%d\r\nHost: a\r\n%s\r\n",
			                 minor, m[i].fields);
			ssize_t r = parse_at_guard(fx, m[i].fields, buf, (size_t)n, &req);
			int want = minor ? m[i].ka11 : m[i].ka10;

			CHECK(r == n && req.keep_alive == want && req.minor_version == minor,
			      "HTTP/1.%d with '%s': returned %zd keep_alive %d, want %d", minor,
			      show(m[i].fields), r, req.keep_alive, want);
		}
	}
}

/* The method (is it HEAD?) and the target, as pointer and length into the buffer. */
static void test_method_and_target(void **state)
{
	static const struct {
		const char *text;
		int head;
		const char *target;
	} cases[] = {
		{ "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 0, "/" },
		{ "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", 1, "/" },
		{ "HEAD /bytes/10 HTTP/1.0\r\n\r\n", 1, "/bytes/10" },
		{ "head / HTTP/1.1\r\nHost: a\r\n\r\n", 0, "/" }, /* methods are case-sensitive */
		{ "HEADX / HTTP/1.1\r\nHost: a\r\n\r\n", 0, "/" },
		{ "HEA / HTTP/1.1\r\nHost: a\r\n\r\n", 0, "/" },
		{ "POST /sleep/10?x=%20 HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n", 0,
		  "/sleep/10?x=%20" },
		{ "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", 0, "*" },
		{ "\r\nGET http://a/cpu/5 HTTP/1.1\r\nHost: a\r\n\r\n", 0, "http://a/cpu/5" },
	};
	struct fixture *fx = *state;

	name_crashes();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *t = cases[i].text;
		size_t len = strlen(t), tlen = strlen(cases[i].target);
		struct http_request req;
		ssize_t r = parse_at_guard(fx, show(t), t, len, &req);

		CHECK(r == (ssize_t)len, "'%s': returned %zd", show(t), r);
		CHECK(req.head == cases[i].head, "'%s': head %d", show(t), req.head);
		CHECK(req.target_len == tlen && memcmp(req.target, cases[i].target, tlen) == 0,
		      "'%s': target '%.*s'", show(t), (int)req.target_len, req.target);
	}
}

/* Expect: 100-continue is reported with HTTP_NEED_MORE while the head is in and the body is not. */
static void test_expect_continue(void **state)
{
	static const struct {
		const char *text;
		int expect; /* req.expect_continue */
		ssize_t r;  /* HTTP_NEED_MORE, or 0 for "the whole text" */
	} cases[] = {
		{ "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n",
		  1, HTTP_NEED_MORE },
		{ "POST / HTTP/1.1\r\nHost: a\r\nexpect:  100-Continue \r\nContent-Length: "
		  "4\r\n\r\nab",
		  1, HTTP_NEED_MORE },
		{ "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: "
		  "chunked\r\n\r\n4\r\n",
		  1, HTTP_NEED_MORE },
		{ "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: "
		  "4\r\n\r\nabcd",
		  0, 0 },
		{ "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n\r\n", 0,
		  0 }, /* no body */
		{ "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Len", 0,
		  HTTP_NEED_MORE }, /* the head is not complete yet */
		{ "POST / HTTP/1.1\r\nHost: a\r\nExpect: something\r\nContent-Length: 4\r\n\r\n", 0,
		  HTTP_NEED_MORE },
		{ "POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n", 0,
		  HTTP_NEED_MORE }, /* never to HTTP/1.0 (RFC 9110 15.2) */
		{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\n", 0, HTTP_NEED_MORE },
	};
	struct fixture *fx = *state;

	name_crashes();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *t = cases[i].text;
		size_t len = strlen(t);
		struct http_request req;
		ssize_t r = parse_at_guard(fx, show(t), t, len, &req);
		ssize_t want = cases[i].r ? cases[i].r : (ssize_t)len;

		CHECK(r == want, "'%s': returned %zd, want %zd", show(t), r, want);
		CHECK(req.expect_continue == cases[i].expect, "'%s': expect_continue %d", show(t),
		      req.expect_continue);
	}
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Fill buf[0..len) with a random mix of request fragments (and some random bytes). */
static void random_request(char *buf, size_t len, uint64_t *s)
{
	static const char *frag[] = {
		"GET / HTTP/1.1\r\n",
		"POST /x HTTP/1.0\r\n",
		"Host: a\r\n",
		"Content-Length: 8192\r\n",
		"Content-Length: 100\r\n",
		"Transfer-Encoding: chunked\r\n",
		"\r\n",
		"\r\n\r\n",
		"1000\r\n",
		"1\r\n",
		"a",
		"0000000000000000",
		"X-Pad: ",
		"0\r\n",
		";ext=1",
		" ",
		"Connection: close\r\n",
		"HTTP/1.1",
		"\r",
		"\n",
		"/",
		"fff\r\n",
		"T: v\r\n",
		":",
	};
	size_t nfrag = sizeof(frag) / sizeof(frag[0]);
	size_t o = 0;

	while (o < len) {
		uint64_t r = rng_next(s);
		size_t reps = 1 + (r >> 32) % 64;

		for (size_t k = 0; k < reps && o < len; k++) {
			if (r % 50 == 0) {
				buf[o++] = (char)(rng_next(s) & 0xff);
				continue;
			}
			const char *f = frag[(r >> 8) % nfrag];
			size_t n = strlen(f);

			if (n > len - o)
				n = len - o;
			memcpy(buf + o, f, n);
			o += n;
		}
	}
}

/* Structured floods that stay "almost valid" as long as possible. */
static void flood(char *buf, size_t len, int kind)
{
	static const char *head[] = {
		"GET /",
		"GET / HTTP/1.1\r\nHost: a\r\nX: ",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n",
		"",
		"GET / HTTP/1.1\r\nHost: a\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 8192\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n",
		"GET",
	};
	static const char *body[] = { "a",        "a", "1\r\na\r\n", "\r\n",
		                      "X: y\r\n", "b", "T: v\r\n",   "G" };
	size_t o = strlen(head[kind]);

	memcpy(buf, head[kind], o);
	while (o < len) {
		size_t n = strlen(body[kind]);

		if (n > len - o)
			n = len - o;
		memcpy(buf + o, body[kind], n);
		o += n;
	}
}

/* Property: with HTTP_MAX_REQUEST bytes or more the parser always decides. */
static void test_never_need_more_when_full(void **state)
{
	struct fixture *fx = *state;
	size_t cap = HTTP_MAX_REQUEST + 64;
	char *buf = malloc(cap);
	uint64_t seed = 0x9e3779b97f4a7c15ull;

	name_crashes();
	assert_non_null(buf);
	for (int i = 0; i < 1200; i++) {
		size_t len = HTTP_MAX_REQUEST + (size_t)(rng_next(&seed) % 64);
		struct http_request req;
		ssize_t r;
		char what[48];

		if (i < 160) {
			flood(buf, len, i % 8);
			snprintf(what, sizeof(what), "flood %d", i % 8);
		} else {
			random_request(buf, len, &seed);
			snprintf(what, sizeof(what), "random input %d", i);
		}
		r = parse_at_guard(fx, what, buf, len, &req);
		CHECK(r != HTTP_NEED_MORE, "%s (%zu bytes): need more at the limit", what, len);
		CHECK(r == HTTP_MALFORMED ? known_status(req.status) : r > 0 && (size_t)r <= len,
		      "%s (%zu bytes): returned %zd status %d", what, len, r, req.status);
	}
	free(buf);
}

static void test_reason(void **state)
{
	static const int codes[] = { 200, 400, 408, 413, 414, 431, 501, 503, 505 };

	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		CHECK(strcmp(http_reason(codes[i]), "Error") != 0, "status %d has no reason",
		      codes[i]);
	assert_string_equal(http_reason(400), "Bad Request");
	assert_string_equal(http_reason(999), "Error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_whole),
		cmocka_unit_test(test_valid_prefixes),
		cmocka_unit_test(test_split_anywhere),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_keep_alive_matrix),
		cmocka_unit_test(test_method_and_target),
		cmocka_unit_test(test_expect_continue),
		cmocka_unit_test(test_never_need_more_when_full),
		cmocka_unit_test(test_reason),
	};

	return cmocka_run_group_tests_name("http_parse_request", tests, setup, teardown);
}
