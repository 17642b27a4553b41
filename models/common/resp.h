/* resp.h -- the responses every model sends, built in one place. */
#ifndef RESP_H
#define RESP_H

#include <stddef.h>
#include <time.h>

#define RESP_BODY     "Hello world"
#define RESP_BODY_LEN 11
#define RESP_DATE_LEN 29  /* "Sun, 06 Nov 1994 08:49:37 GMT" */
#define RESP_MAX      512 /* no response this module builds is longer */

/* Format t as an IMF-fixdate (RFC 9110 5.6.7) into out[RESP_DATE_LEN + 1]. Pure. */
void resp_format_date(time_t t, char *out);

/*
 * Build the 200 reply ("Hello world") into out[0..cap): status line, Server,
 * Date, Content-Type, Content-Length, Connection, blank line, body.
 * Returns its length, or 0 if cap is too small. Pure: no clock, no I/O.
 */
size_t resp_build_ok(char *out, size_t cap, const char *server, const char *date, int keep_alive);

/* Build an error reply for status (its reason as the body, Connection: close). Pure. */
size_t resp_build_error(char *out, size_t cap, const char *server, const char *date, int status);

/* Name the server for resp_ok/resp_error. Call once from main, before any thread starts. */
void resp_init(const char *server);

/*
 * Copy the 200 reply into out[0..cap) and return its length (0: no room).
 * The two replies (keep-alive, close) are prebuilt per thread and rebuilt
 * only when the second changes, so the hot path is one clock read and a copy.
 */
size_t resp_ok(char *out, size_t cap, int keep_alive);

/*
 * Bring this thread's Date and prebuilt 200 replies up to the current second,
 * as resp_ok, resp_error and resp_bytes_head do first. A model that forks per
 * connection calls it before fork(): the child inherits them formatted, and
 * glibc's time-zone state with them (the first gmtime_r of a process reads
 * /etc/localtime), instead of doing both again for every connection.
 */
void resp_refresh(void);

/* Copy the error reply for status into out[0..cap); returns its length (0: no room). */
size_t resp_error(char *out, size_t cap, int status);

/*
 * The head of a /bytes reply (200, Content-Type application/octet-stream,
 * Content-Length n) into out[0..cap), ending with the blank line: the body
 * is sent after it from the shared buffer (work_body). Returns its length
 * (0: no room).
 */
size_t resp_bytes_head(char *out, size_t cap, size_t n, int keep_alive);

#define RESP_CONTINUE     "HTTP/1.1 100 Continue\r\n\r\n"
#define RESP_CONTINUE_LEN 25

/*
 * The length of the head of the reply in reply[0..len): up to and including
 * its blank line (len if it has none). What a HEAD request is sent. Pure.
 */
size_t resp_head_len(const char *reply, size_t len);

#endif
