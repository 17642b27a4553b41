/* fuzz_parser.c -- libFuzzer target: http_parse_request and its invariants on arbitrary bytes.
 *
 * Beyond "does not crash" (ASan/UBSan catch over-reads and overflows), every
 * input is checked against the parser's contract: the return value is in
 * range, a malformed request names a status we answer, a complete request is
 * complete on its own (the consumed prefix gives the same answer) and stays
 * the same when more bytes arrive behind it, and "need more" is only said of
 * inputs shorter than HTTP_MAX_REQUEST whose shorter prefixes also need more.
 * The target of a complete request lies inside its request line, and the
 * target parser (work_parse) maps it to work within the documented ranges.
 */
#include "http.h"
#include "work.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAIL "GET / HTTP/1.1\r\nHost: t\r\n\r\n"

static void die(const char *what, size_t len, ssize_t r, const struct http_request *req)
{
	fprintf(stderr, "fuzz_parser: invariant broken: %s (len %zu, returned %zd, status %d)\n",
	        what, len, r, req->status);
	abort();
}

static int same(const struct http_request *a, const struct http_request *b)
{
	return a->minor_version == b->minor_version && a->keep_alive == b->keep_alive &&
	       a->status == b->status && a->head_len == b->head_len && a->body_len == b->body_len &&
	       a->head == b->head && a->target_len == b->target_len;
}

static int known_status(int s)
{
	return s == 400 || s == 413 || s == 414 || s == 431 || s == 501 || s == 505;
}

/* Parse data[0..n) from an exact-size heap copy, so ASan sees any read past n. */
static ssize_t parse_copy(const uint8_t *data, size_t n, const char *tail, size_t tlen,
                          struct http_request *req)
{
	char *buf = malloc(n + tlen ? n + tlen : 1);
	ssize_t r;

	if (!buf)
		abort();
	memcpy(buf, data, n);
	memcpy(buf + n, tail, tlen);
	r = http_parse_request(buf, n + tlen, req);
	free(buf);
	return r;
}

/*
 * A /file/ name that cannot leave the root, checked here without file.c: it
 * is not absolute, has no "." or ".." component, and holds nothing that a
 * client could have meant to be decoded or that a filesystem treats apart.
 */
static int file_name_safe(const char *n, size_t len)
{
	if (len == 0 || n[0] == '/' || n[len - 1] == '/')
		return 0;
	for (size_t i = 0; i < len; i++) {
		int start = i == 0 || n[i - 1] == '/';

		if (n[i] == '%' || n[i] == '\\' || n[i] == '\0' || (unsigned char)n[i] <= ' ' ||
		    (unsigned char)n[i] >= 0x7f)
			return 0;
		if (start && n[i] == '.' && (i + 1 == len || n[i + 1] == '/'))
			return 0; /* "." */
		if (start && n[i] == '.' && i + 1 < len && n[i + 1] == '.' &&
		    (i + 2 == len || n[i + 2] == '/'))
			return 0; /* ".." */
		if (n[i] == '/' && i + 1 < len && n[i + 1] == '/')
			return 0;
	}
	return 1;
}

/* The target is inside the head, work_parse keeps every number in its range and every file
 * name beneath the root. */
static void check_target(const uint8_t *data, size_t len, ssize_t r, const struct http_request *req)
{
	const char *t = req->target, *start = (const char *)data;
	struct work w;

	if (!t || t < start || req->target_len == 0 || t + req->target_len > start + req->head_len)
		die("target outside the request head", len, r, req);
	if (work_parse(t, req->target_len, &w) < 0)
		return;
	if ((w.kind == WORK_HELLO && w.arg != 0) ||
	    (w.kind == WORK_CPU && w.arg > WORK_CPU_MAX_US) ||
	    (w.kind == WORK_SLEEP && w.arg > WORK_SLEEP_MAX_MS) ||
	    (w.kind == WORK_BYTES && w.arg > WORK_BYTES_MAX))
		die("work_parse let a number out of its range", len, r, req);
	if (w.kind == WORK_FILE && !file_name_safe(w.name, w.arg))
		die("work_parse let a /file/ name out of the document root", len, r, req);
}

static void check_complete(const uint8_t *data, size_t len, ssize_t r,
                           const struct http_request *req)
{
	struct http_request again;
	ssize_t r2;

	check_target(data, len, r, req);
	if ((size_t)r > len || r == 0)
		die("consumed out of range", len, r, req);
	if (req->head_len + req->body_len != (size_t)r)
		die("head_len + body_len != consumed", len, r, req);
	if ((req->minor_version != 0 && req->minor_version != 1) ||
	    (req->keep_alive != 0 && req->keep_alive != 1))
		die("minor_version or keep_alive out of range", len, r, req);
	r2 = parse_copy(data, (size_t)r, "", 0, &again);
	if (r2 != r || !same(req, &again))
		die("the consumed prefix alone parses differently", len, r2, &again);
	r2 = parse_copy(data, len, TAIL, sizeof(TAIL) - 1, &again);
	if (r2 != r || !same(req, &again))
		die("appending bytes changed a complete request", len, r2, &again);
}

static void check_malformed(const uint8_t *data, size_t len, const struct http_request *req)
{
	struct http_request again;
	ssize_t r2;

	if (!known_status(req->status))
		die("malformed without a status we answer", len, HTTP_MALFORMED, req);
	r2 = parse_copy(data, len, TAIL, sizeof(TAIL) - 1, &again);
	if (r2 != HTTP_MALFORMED || again.status != req->status)
		die("appending bytes changed a malformed verdict", len, r2, &again);
}

static void check_need_more(const uint8_t *data, size_t len, const struct http_request *req)
{
	struct http_request again;
	ssize_t r2;

	if (len >= HTTP_MAX_REQUEST)
		die("need more at or past HTTP_MAX_REQUEST", len, HTTP_NEED_MORE, req);
	if (len > 0) {
		r2 = parse_copy(data, len - 1, "", 0, &again);
		if (r2 != HTTP_NEED_MORE)
			die("a prefix of a need-more input was decided", len - 1, r2, &again);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct http_request req;
	ssize_t r = http_parse_request((const char *)data, len, &req);

	if (r == HTTP_NEED_MORE)
		check_need_more(data, len, &req);
	else if (r == HTTP_MALFORMED)
		check_malformed(data, len, &req);
	else
		check_complete(data, len, r, &req);
	return 0;
}
