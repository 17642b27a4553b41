/* http_cases.h -- the request tables shared by the parser unit tests and the fuzz seed corpus.
 *
 * Each case is a literal request with its expected outcome. Lengths are taken
 * with sizeof so a case may contain NUL bytes. Requests that must be built at
 * run time (over-long targets, huge heads) live in test_http.c.
 */
#ifndef HTTP_CASES_H
#define HTTP_CASES_H

#include <stddef.h>

struct valid_case {
	const char *name;
	const char *text;
	size_t len;
	int minor;       /* expected minor_version */
	int keep_alive;  /* expected keep_alive */
	size_t body_len; /* expected body_len (framing included) */
};

struct error_case {
	const char *name;
	const char *text;
	size_t len;
	int status; /* expected req.status with HTTP_MALFORMED */
};

#define LIT(s) s, sizeof(s) - 1

static const struct valid_case http_valid_cases[] = {
	{ "minimal 1.1", LIT("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 1, 1, 0 },
	{ "minimal 1.0", LIT("GET /index.html?q=1 HTTP/1.0\r\n\r\n"), 0, 0, 0 },
	{ "1.0 keep-alive", LIT("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), 0, 1, 0 },
	{ "ab -k",
	  LIT("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\nHost: 127.0.0.1:8080\r\n"
	      "User-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n"),
	  0, 1, 0 },
	{ "wrk", LIT("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"), 1, 1, 0 },
	{ "curl",
	  LIT("GET /x HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/7.88.1\r\n"
	      "Accept: */*\r\n\r\n"),
	  1, 1, 0 },
	{ "leading CRLFs", LIT("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), 1, 1, 0 },
	{ "1.1 close", LIT("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"), 1, 0, 0 },
	{ "content-length body",
	  LIT("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"), 1, 1, 5 },
	{ "content-length 0", LIT("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"), 1, 1,
	  0 },
	{ "content-length repeated, equal",
	  LIT("PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\nabc"), 1,
	  1, 3 },
	{ "chunked",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "5\r\nhello\r\n0\r\n\r\n"),
	  1, 1, 15 },
	{ "chunked ext+trailers",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"
	      "4;name=val\r\nwiki\r\nA; x=\"y\"\r\n0123456789\r\n0;last\r\nTrailer-A: 1\r\nX: "
	      "y\r\n\r\n"),
	  1, 1, 70 },
	{ "chunked hex case, zeros",
	  LIT("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n00a\r\n0123456789\r\nB\r\n"
	      "0123456789a\r\n000\r\n\r\n"),
	  0, 0, 40 },
	/* the targets that select work (work.h), and HEAD: complete requests for the parser */
	{ "HEAD bytes", LIT("HEAD /bytes/100 HTTP/1.1\r\nHost: a\r\n\r\n"), 1, 1, 0 },
	{ "bytes", LIT("GET /bytes/70000 HTTP/1.1\r\nHost: a\r\n\r\n"), 1, 1, 0 },
	{ "sleep", LIT("GET /sleep/1 HTTP/1.1\r\nHost: a\r\n\r\n"), 1, 1, 0 },
	{ "cpu", LIT("GET /cpu/5 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"), 0, 1, 0 },
	{ "bytes, bad number", LIT("GET /bytes/1x HTTP/1.1\r\nHost: a\r\n\r\n"), 1, 1, 0 },
	{ "expect 100-continue",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nab"),
	  1, 1, 2 },
	/* RFC 9112 6.1: HTTP/1.0 framed by Transfer-Encoding is answered, then closed */
	{ "1.0 keep-alive chunked closes",
	  LIT("POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "0\r\n\r\n"),
	  0, 0, 5 },
	{ "OWS around value", LIT("GET / HTTP/1.1\r\nHost: \t a \t\r\nConnection:close  \r\n\r\n"),
	  1, 0, 0 },
	{ "empty value", LIT("GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\n\r\n"), 1, 1, 0 },
	{ "obs-text value", LIT("GET / HTTP/1.1\r\nHost: a\r\nX-T: caf\xc3\xa9\x80\xff\r\n\r\n"), 1,
	  1, 0 },
	{ "HTTP/1.2 served as 1.1", LIT("GET / HTTP/1.2\r\nHost: a\r\n\r\n"), 1, 1, 0 },
	{ "OPTIONS *", LIT("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), 1, 1, 0 },
	{ "absolute-form", LIT("GET http://a.example/b?c#d HTTP/1.1\r\nHost: a.example\r\n\r\n"), 1,
	  1, 0 },
	{ "odd method tchars", LIT("M-S.E_A!R#C$H%&'*+^`|~9 / HTTP/1.1\r\nHost: a\r\n\r\n"), 1, 1,
	  0 },
};

static const struct error_case http_error_cases[] = {
	{ "bad method char", LIT("G(T / HTTP/1.1\r\nHost: a\r\n\r\n"), 400 },
	{ "method with @", LIT("GET@ / HTTP/1.1\r\nHost: a\r\n\r\n"), 400 },
	{ "empty method", LIT(" / HTTP/1.1\r\nHost: a\r\n\r\n"), 400 },
	{ "missing target", LIT("GET  HTTP/1.1\r\nHost: a\r\n\r\n"), 400 },
	{ "no target, no space", LIT("GET HTTP/1.1\r\nHost: a\r\n\r\n"), 400 },
	{ "tab separator", LIT("GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n"), 400 },
	{ "NUL in target", LIT("GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n"), 400 },
	{ "bare LF request line", LIT("GET / HTTP/1.1\nHost: a\r\n\r\n"), 400 },
	{ "bare LF header", LIT("GET / HTTP/1.1\r\nHost: a\n\r\n"), 400 },
	{ "bare LF end of head", LIT("GET / HTTP/1.1\r\nHost: a\r\n\n"), 400 },
	{ "CR without LF", LIT("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n"), 400 },
	{ "lower-case version", LIT("GET / http/1.1\r\nHost: a\r\n\r\n"), 400 },
	{ "version junk", LIT("GET / HTTP/1.1x\r\nHost: a\r\n\r\n"), 400 },
	{ "version digits", LIT("GET / HTTP/11\r\nHost: a\r\n\r\n"), 400 },
	{ "space before colon", LIT("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), 400 },
	{ "empty field name", LIT("GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n"), 400 },
	{ "obs-fold", LIT("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n"), 400 },
	{ "leading space field", LIT("GET / HTTP/1.1\r\n Host: a\r\n\r\n"), 400 },
	{ "CTL in value", LIT("GET / HTTP/1.1\r\nHost: a\r\nX: a\x01z\r\n\r\n"), 400 },
	{ "DEL in value", LIT("GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fz\r\n\r\n"), 400 },
	{ "NUL in value", LIT("GET / HTTP/1.1\r\nHost: a\r\nX: a\0z\r\n\r\n"), 400 },
	{ "bad content-length", LIT("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\nab"),
	  400 },
	{ "negative content-length",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"), 400 },
	{ "empty content-length", LIT("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n"),
	  400 },
	{ "content-length list", LIT("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\na"),
	  400 },
	{ "duplicate differing content-length",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"),
	  400 },
	{ "1.1 without Host", LIT("GET / HTTP/1.1\r\nX: y\r\n\r\n"), 400 },
	{ "two Host", LIT("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n"), 400 },
	{ "CL and TE",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
	      "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
	  400 },
	{ "TE and CL",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	      "Content-Length: 5\r\n\r\n0\r\n\r\n"),
	  400 },
	{ "bad chunk size",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "zz\r\nhello\r\n0\r\n\r\n"),
	  400 },
	{ "empty chunk size",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "\r\nhello\r\n0\r\n\r\n"),
	  400 },
	{ "chunk size, bare LF",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "5\nhello\r\n0\r\n\r\n"),
	  400 },
	{ "chunk data overrun",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "3\r\nhello\r\n0\r\n\r\n"),
	  400 },
	{ "CTL in chunk ext",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "5;a=\x01\r\nhello\r\n0\r\n\r\n"),
	  400 },
	{ "bad trailer",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "0\r\nBad Trailer: x\r\n\r\n"),
	  400 },
	{ "content-length too big",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 8193\r\n\r\n"), 413 },
	{ "content-length huge",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 184467440737095516160\r\n\r\n"), 413 },
	{ "chunk too big",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "2001\r\n"),
	  413 },
	{ "chunk size huge",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "ffffffffffffffffffffffff\r\n"),
	  413 },
	{ "transfer-encoding gzip",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"), 501 },
	{ "transfer-encoding list",
	  LIT("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), 501 },
	{ "HTTP/2.0", LIT("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), 505 },
	{ "HTTP/0.9", LIT("GET / HTTP/0.9\r\n\r\n"), 505 },
	{ "HTTP/3.0", LIT("GET / HTTP/3.0\r\nHost: a\r\n\r\n"), 505 },
};

#define HTTP_N_VALID (sizeof(http_valid_cases) / sizeof(http_valid_cases[0]))
#define HTTP_N_ERROR (sizeof(http_error_cases) / sizeof(http_error_cases[0]))

#endif
