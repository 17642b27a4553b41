/* resp.c -- response builder: pure formatting plus a per-thread cache of the 200 replies. */
#include "resp.h"
#include "http.h"

#include <stdio.h>
#include <string.h>

void resp_format_date(time_t t, char *out)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
		                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	gmtime_r(&t, &tm);
	/* Formatted by hand: strftime's %a/%b follow the locale, HTTP's do not. */
	snprintf(out, RESP_DATE_LEN + 1, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	         days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	         (tm.tm_year + 1900) % 10000, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static size_t finish(int n, size_t cap)
{
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* The head every 200 reply starts with; resp_build_ok's body or resp_bytes_head's end follow. */
static int build_head(char *out, size_t cap, const char *server, const char *date, const char *type,
                      size_t length, int keep_alive)
{
	return snprintf(out, cap,
	                "HTTP/1.1 200 OK\r\n"
	                "Server: %s\r\n"
	                "Date: %s\r\n"
	                "Content-Type: %s\r\n"
	                "Content-Length: %zu\r\n"
	                "Connection: %s\r\n"
	                "\r\n",
	                server, date, type, length, keep_alive ? "keep-alive" : "close");
}

size_t resp_build_ok(char *out, size_t cap, const char *server, const char *date, int keep_alive)
{
	int n = build_head(out, cap, server, date, "text/plain", RESP_BODY_LEN, keep_alive);

	if (n < 0 || (size_t)n + RESP_BODY_LEN >= cap)
		return 0;
	memcpy(out + n, RESP_BODY, RESP_BODY_LEN + 1);
	return (size_t)n + RESP_BODY_LEN;
}

size_t resp_build_error(char *out, size_t cap, const char *server, const char *date, int status)
{
	const char *reason = http_reason(status);
	int n = snprintf(out, cap,
	                 "HTTP/1.1 %d %s\r\n"
	                 "Server: %s\r\n"
	                 "Date: %s\r\n"
	                 "Content-Type: text/plain\r\n"
	                 "Content-Length: %zu\r\n"
	                 "Connection: close\r\n"
	                 "\r\n%s\n",
	                 status, reason, server, date, strlen(reason) + 1, reason);
	return finish(n, cap);
}

size_t resp_head_len(const char *reply, size_t len)
{
	const char *end = memmem(reply, len, "\r\n\r\n", 4);

	return end ? (size_t)(end - reply) + 4 : len;
}

static const char *server_name = "server-models";

void resp_init(const char *server)
{
	server_name = server;
}

/* One per thread, so threaded models share nothing on the hot path. */
struct resp_cache {
	time_t sec;
	char date[RESP_DATE_LEN + 1];
	char reply[2][RESP_MAX]; /* [0]: Connection: close, [1]: keep-alive */
	size_t len[2];
};

static __thread struct resp_cache cache = { .sec = -1 };

void resp_refresh(void)
{
	time_t now = time(NULL);

	if (now == cache.sec)
		return;
	cache.sec = now;
	resp_format_date(now, cache.date);
	for (int ka = 0; ka < 2; ka++)
		cache.len[ka] =
		    resp_build_ok(cache.reply[ka], RESP_MAX, server_name, cache.date, ka);
}

size_t resp_ok(char *out, size_t cap, int keep_alive)
{
	size_t n;

	resp_refresh();
	n = cache.len[keep_alive != 0];
	if (n > cap)
		return 0;
	memcpy(out, cache.reply[keep_alive != 0], n);
	return n;
}

size_t resp_error(char *out, size_t cap, int status)
{
	resp_refresh();
	return resp_build_error(out, cap, server_name, cache.date, status);
}

size_t resp_bytes_head(char *out, size_t cap, size_t n, int keep_alive)
{
	resp_refresh();
	return finish(build_head(out, cap, server_name, cache.date, "application/octet-stream", n,
	                         keep_alive),
	              cap);
}
