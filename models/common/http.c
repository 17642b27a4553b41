/* http.c -- a strict, allocation-free, incremental HTTP/1.x request parser.
 *
 * Every call starts again from the first byte: a request is at most
 * HTTP_MAX_REQUEST bytes, so re-scanning a partial one is cheap, and being
 * stateless is what lets a request be split anywhere across reads.
 */
#include "http.h"

#include <string.h>
#include <strings.h>

/* A parse step either advances, runs out of bytes, or fails with a status. */
enum { OK = 0, NEED = 1, FAIL = 2 };

struct cursor {
	const char *p;   /* next byte to look at */
	const char *end; /* the view ends here (may be shorter than the buffer) */
	int status;      /* set with FAIL */
};

struct fields {
	int hosts;        /* Host fields seen */
	int conn_close;   /* Connection: close seen */
	int conn_keep;    /* Connection: keep-alive seen */
	int chunked;      /* Transfer-Encoding: chunked */
	int has_te;       /* any Transfer-Encoding */
	int has_cl;       /* any Content-Length */
	int expect_100;   /* Expect: 100-continue */
	unsigned long cl; /* its value */
};

static int fail(struct cursor *c, int status)
{
	c->status = status;
	return FAIL;
}

/* RFC 9110 5.6.2 tchar. */
static int is_tchar(unsigned char ch)
{
	if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
		return 1;
	return ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

/* Field-value bytes: VCHAR, obs-text, SP and HTAB; no other control byte. */
static int is_value_char(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || (ch > 0x20 && ch != 0x7f);
}

static int is_hex(unsigned char ch, unsigned *v)
{
	if (ch >= '0' && ch <= '9')
		*v = ch - '0';
	else if (ch >= 'a' && ch <= 'f')
		*v = ch - 'a' + 10;
	else if (ch >= 'A' && ch <= 'F')
		*v = ch - 'A' + 10;
	else
		return 0;
	return 1;
}

/* Expect CR LF at the cursor: a bare LF or anything else is 400. */
static int expect_crlf(struct cursor *c)
{
	if (c->p >= c->end)
		return NEED;
	if (*c->p != '\r')
		return fail(c, 400);
	if (c->p + 1 >= c->end)
		return NEED;
	if (c->p[1] != '\n')
		return fail(c, 400);
	c->p += 2;
	return OK;
}

/* Does [s, s+n) equal the lower-case word w, ignoring case? */
static int word_is(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

/* Record the comma-separated Connection options we act on. */
static void scan_connection(const char *v, size_t n, struct fields *f)
{
	const char *end = v + n;

	while (v < end) {
		const char *tok, *tend;

		while (v < end && (*v == ' ' || *v == '\t' || *v == ','))
			v++;
		tok = v;
		while (v < end && *v != ',')
			v++;
		tend = v;
		while (tend > tok && (tend[-1] == ' ' || tend[-1] == '\t'))
			tend--;
		if (word_is(tok, tend - tok, "close"))
			f->conn_close = 1;
		else if (word_is(tok, tend - tok, "keep-alive"))
			f->conn_keep = 1;
	}
}

/* Content-Length: 1*DIGIT; repeated fields must agree. */
static int take_content_length(struct cursor *c, const char *v, size_t n, struct fields *f)
{
	unsigned long cl = 0;

	if (n == 0)
		return fail(c, 400);
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return fail(c, 400);
		if (cl <= HTTP_MAX_BODY) /* saturate: anything larger is 413 anyway */
			cl = cl * 10 + (unsigned long)(v[i] - '0');
	}
	if (f->has_cl && f->cl != cl)
		return fail(c, 400);
	f->has_cl = 1;
	f->cl = cl;
	return OK;
}

/* Transfer-Encoding: only a lone "chunked" is supported (else 501). */
static int take_transfer_encoding(struct cursor *c, const char *v, size_t n, struct fields *f)
{
	if (f->has_te || !word_is(v, n, "chunked"))
		return fail(c, 501);
	f->has_te = 1;
	f->chunked = 1;
	return OK;
}

static int take_field(struct cursor *c, const char *name, size_t nlen, const char *v, size_t vlen,
                      struct fields *f)
{
	if (word_is(name, nlen, "host"))
		f->hosts++;
	else if (word_is(name, nlen, "connection"))
		scan_connection(v, vlen, f);
	else if (word_is(name, nlen, "content-length"))
		return take_content_length(c, v, vlen, f);
	else if (word_is(name, nlen, "transfer-encoding"))
		return take_transfer_encoding(c, v, vlen, f);
	else if (word_is(name, nlen, "expect"))
		f->expect_100 = word_is(v, vlen, "100-continue");
	return OK;
}

/*
 * One header (or trailer) field line: token ":" OWS value OWS CRLF.
 * Whitespace before the colon and obsolete line folding are 400.
 * With f == NULL the field is only checked (trailers).
 */
static int parse_field(struct cursor *c, struct fields *f)
{
	const char *name = c->p, *v, *vend;
	size_t nlen;
	int r;

	if (*c->p == ' ' || *c->p == '\t')
		return fail(c, 400); /* obs-fold or leading whitespace */
	while (c->p < c->end && is_tchar((unsigned char)*c->p))
		c->p++;
	if (c->p >= c->end)
		return NEED;
	if (*c->p != ':' || c->p == name)
		return fail(c, 400);
	nlen = (size_t)(c->p - name);
	c->p++;
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
	v = c->p;
	while (c->p < c->end && *c->p != '\r') {
		if (!is_value_char((unsigned char)*c->p))
			return fail(c, 400);
		c->p++;
	}
	vend = c->p;
	while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
		vend--;
	if ((r = expect_crlf(c)) != OK)
		return r;
	return f ? take_field(c, name, nlen, v, (size_t)(vend - v), f) : OK;
}

/* Match the fixed string s at the cursor, allowing the buffer to end inside it. */
static int expect_prefix(struct cursor *c, const char *s)
{
	for (; *s; s++, c->p++) {
		if (c->p >= c->end)
			return NEED;
		if (*c->p != *s)
			return fail(c, 400);
	}
	return OK;
}

/* method SP request-target SP HTTP-version CRLF: records HEAD and the target in req. */
static int parse_request_line(struct cursor *c, const char *start, struct http_request *req)
{
	const char *t;
	int r;

	t = c->p;
	while (c->p < c->end && is_tchar((unsigned char)*c->p))
		c->p++;
	if (c->p >= c->end)
		return NEED;
	if (*c->p != ' ' || c->p == t)
		return fail(c, 400);
	req->head = c->p - t == 4 && memcmp(t, "HEAD", 4) == 0; /* methods are case-sensitive */
	t = ++c->p;
	while (c->p < c->end && (unsigned char)*c->p > 0x20 && *c->p != 0x7f) {
		if (c->p - t >= HTTP_MAX_TARGET)
			return fail(c, 414);
		c->p++;
	}
	if (c->p >= c->end)
		return c->p - start >= HTTP_MAX_HEAD ? fail(c, 414) : NEED;
	if (*c->p != ' ' || c->p == t)
		return fail(c, 400);
	req->target = t;
	req->target_len = (size_t)(c->p - t);
	c->p++;
	if ((r = expect_prefix(c, "HTTP/")) != OK)
		return r;
	if (c->end - c->p < 3)
		return NEED;
	if (c->p[0] < '0' || c->p[0] > '9' || c->p[1] != '.' || c->p[2] < '0' || c->p[2] > '9')
		return fail(c, 400);
	if (c->p[0] != '1')
		return fail(c, 505);
	/* HTTP/1.x, x > 1, is served as 1.1 (RFC 9110 2.5) */
	req->minor_version = c->p[2] == '0' ? 0 : 1;
	c->p += 3;
	return expect_crlf(c);
}

/* Skip a chunked body: chunk-size [ext] CRLF data CRLF ... 0 CRLF trailers CRLF. */
static int skip_chunked(struct cursor *c)
{
	for (;;) {
		unsigned long size = 0;
		unsigned v;
		const char *digits = c->p;
		int r;

		while (c->p < c->end && is_hex((unsigned char)*c->p, &v)) {
			if (size > HTTP_MAX_BODY)
				return fail(c, 413);
			size = size * 16 + v;
			c->p++;
		}
		if (c->p >= c->end)
			return NEED;
		if (c->p == digits)
			return fail(c, 400);
		if (size > HTTP_MAX_BODY)
			return fail(c, 413);
		if (*c->p == ';' || *c->p == ' ' || *c->p == '\t') { /* chunk extensions: ignored */
			while (c->p < c->end && *c->p != '\r') {
				if (!is_value_char((unsigned char)*c->p))
					return fail(c, 400);
				c->p++;
			}
		}
		if ((r = expect_crlf(c)) != OK)
			return r;
		if (size == 0)
			break;
		if ((size_t)(c->end - c->p) < size)
			return NEED;
		c->p += size;
		if ((r = expect_crlf(c)) != OK)
			return r;
	}
	for (;;) { /* trailer fields, checked and dropped */
		int r;

		if (c->p >= c->end)
			return NEED;
		if (*c->p == '\r')
			return expect_crlf(c);
		if ((r = parse_field(c, NULL)) != OK)
			return r;
	}
}

/* Turn NEED at the end of a limited view into the status for "too big". */
static ssize_t out_of_view(int r, struct cursor *c, size_t len, size_t limit_end, int status,
                           struct http_request *req)
{
	if (r == NEED && len >= limit_end)
		r = fail(c, status);
	if (r == FAIL) {
		req->status = c->status;
		return HTTP_MALFORMED;
	}
	return HTTP_NEED_MORE;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

static int check_semantics(struct cursor *c, const struct fields *f, int minor)
{
	if (f->has_te && f->has_cl)
		return fail(c, 400); /* request smuggling vector: refuse */
	if (f->hosts > 1 || (minor == 1 && f->hosts == 0))
		return fail(c, 400);
	if (f->has_cl && f->cl > HTTP_MAX_BODY)
		return fail(c, 413);
	return OK;
}

ssize_t http_parse_request(const char *buf, size_t len, struct http_request *req)
{
	struct cursor c = { buf, buf + min_size(len, HTTP_MAX_HEAD), 0 };
	struct fields f = { 0 };
	int r, nfields = 0, minor;
	const char *body;

	memset(req, 0, sizeof(*req));
	while (c.end - c.p >= 2 && c.p[0] == '\r' && c.p[1] == '\n')
		c.p += 2;
	if (c.p < c.end && c.p[0] == '\r' && c.end - c.p == 1 && len < HTTP_MAX_HEAD)
		return HTTP_NEED_MORE;
	if ((r = parse_request_line(&c, buf, req)) != OK)
		return out_of_view(r, &c, len, HTTP_MAX_HEAD, 431, req);
	minor = req->minor_version;
	for (;;) {
		if (c.p >= c.end) {
			r = NEED;
			break;
		}
		if (*c.p == '\r') {
			r = expect_crlf(&c);
			break;
		}
		if (++nfields > HTTP_MAX_FIELDS) {
			r = fail(&c, 431);
			break;
		}
		if ((r = parse_field(&c, &f)) != OK)
			break;
	}
	if (r != OK)
		return out_of_view(r, &c, len, HTTP_MAX_HEAD, 431, req);
	if ((r = check_semantics(&c, &f, minor)) != OK)
		return out_of_view(r, &c, len, HTTP_MAX_HEAD, 431, req);

	if (minor == 1)
		req->keep_alive = !f.conn_close;
	else /* an HTTP/1.0 body framed by Transfer-Encoding: close after it (RFC 9112 6.1) */
		req->keep_alive = f.conn_keep && !f.conn_close && !f.has_te;
	req->head_len = (size_t)(c.p - buf);
	req->expect_continue = f.expect_100 && minor == 1; /* reported with HTTP_NEED_MORE */
	body = c.p;
	c.end = buf + min_size(len, req->head_len + HTTP_MAX_BODY);
	if (f.chunked) {
		if ((r = skip_chunked(&c)) != OK)
			return out_of_view(r, &c, len, req->head_len + HTTP_MAX_BODY, 413, req);
	} else if (f.has_cl) {
		if ((size_t)(c.end - c.p) < f.cl)
			return HTTP_NEED_MORE;
		c.p += f.cl;
	}
	req->expect_continue = 0; /* the body is all here: nothing to wait for */
	req->body_len = (size_t)(c.p - body);
	return (ssize_t)(c.p - buf);
}

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}
