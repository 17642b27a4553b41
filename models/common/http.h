/* http.h -- the one HTTP/1.x request parser every model uses.
 *
 * Contract (in the manner of picohttpparser): the parser is handed the bytes
 * received so far and answers for the first request in them. It never
 * allocates, never keeps state between calls and never reads past `len`, so a
 * model simply calls it again when more bytes arrive.
 */
#ifndef HTTP_H
#define HTTP_H

#include <stddef.h>
#include <sys/types.h>

#define HTTP_NEED_MORE (-2) /* no complete request yet: read more, call again */
#define HTTP_MALFORMED (-1) /* answer req->status, then close */

#define HTTP_MAX_HEAD    8192 /* request line + header fields + blank line */
#define HTTP_MAX_FIELDS  100  /* header fields in one request */
#define HTTP_MAX_TARGET  4096 /* request-target; longer is 414 */
#define HTTP_MAX_BODY    8192 /* request body, as sent (chunked framing included); longer is 413 */
#define HTTP_MAX_REQUEST (HTTP_MAX_HEAD + HTTP_MAX_BODY)

struct http_request {
	int minor_version; /* 0 or 1 (HTTP/1.0, HTTP/1.1) */
	int keep_alive;    /* 1: the connection persists after the reply */
	int status;        /* with HTTP_MALFORMED: 400, 413, 414, 431, 501 or 505 */
	int head;          /* the method is HEAD: the reply carries no body (RFC 9110 9.3.2) */
	/*
	 * With HTTP_NEED_MORE: the head is complete, the body is not, and the
	 * client (HTTP/1.1) sent Expect: 100-continue: it may wait for a
	 * "100 Continue" before sending the body (RFC 9110 10.1.1).
	 */
	int expect_continue;
	const char *target; /* the request-target, in the caller's buffer (not NUL-terminated) */
	size_t target_len;  /* its length; target and head are set once the request line parses */
	size_t head_len;    /* bytes of request line, fields and blank line */
	size_t body_len;    /* bytes of body as framed on the wire (discarded) */
};

/*
 * Parse the first request in buf[0..len).
 * Returns the bytes it occupies (head and body) when it is complete,
 * HTTP_NEED_MORE when buf is a proper prefix of a request that may still be
 * valid, or HTTP_MALFORMED with req->status set to the status to answer.
 * HTTP_NEED_MORE is only returned while len < HTTP_MAX_REQUEST, so a buffer of
 * HTTP_MAX_REQUEST bytes always suffices. Leading empty lines are skipped
 * (RFC 9112 2.2) and counted in the returned length. An HTTP/1.0 request with
 * Transfer-Encoding is answered but never kept alive (RFC 9112 6.1: its
 * framing cannot be trusted). req->target points into buf: it is valid as
 * long as buf is (conn_process compacts in[] after answering).
 */
ssize_t http_parse_request(const char *buf, size_t len, struct http_request *req);

/* The reason phrase for a status this module answers ("Bad Request"), or "Error". */
const char *http_reason(int status);

#endif
