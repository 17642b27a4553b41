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

size_t resp_build_ok(char *out, size_t cap, const char *server, const char *date, int keep_alive)
{
	int n = snprintf(out, cap,
	                 "HTTP/1.1 200 OK\r\n"
	                 "Server: %s\r\n"
	                 "Date: %s\r\n"
	                 "Content-Type: text/plain\r\n"
	                 "Content-Length: %d\r\n"
	                 "Connection: %s\r\n"
	                 "\r\n" RESP_BODY,
	                 server, date, RESP_BODY_LEN, keep_alive ? "keep-alive" : "close");
	return finish(n, cap);
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

static void refresh(void)
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

	refresh();
	n = cache.len[keep_alive != 0];
	if (n > cap)
		return 0;
	memcpy(out, cache.reply[keep_alive != 0], n);
	return n;
}

size_t resp_error(char *out, size_t cap, int status)
{
	refresh();
	return resp_build_error(out, cap, server_name, cache.date, status);
}
