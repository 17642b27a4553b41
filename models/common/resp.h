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

/* Copy the error reply for status into out[0..cap); returns its length (0: no room). */
size_t resp_error(char *out, size_t cap, int status);

#endif
