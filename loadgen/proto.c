/* proto.c -- URL, reply head and capacity rules of proto.h. */
#include "proto.h"

#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int fail(char *err, size_t errlen, const char *why)
{
	snprintf(err, errlen, "%s", why);
	return -1;
}

/* Copy [s, e) into dst (size n) if it fits; -1 otherwise. */
static int copy_span(char *dst, size_t n, const char *s, const char *e)
{
	if ((size_t)(e - s) >= n)
		return -1;
	memcpy(dst, s, (size_t)(e - s));
	dst[e - s] = '\0';
	return 0;
}

/* A request target we can put on the request line as it is. */
static int path_ok(const char *path)
{
	for (const char *c = path; *c; c++)
		if (*c <= ' ' || *c == 0x7f)
			return 0;
	return 1;
}

static int host_char_ok(int c, int bracketed)
{
	return isalnum(c) || c == '.' || c == '-' || (bracketed && c == ':');
}

int lg_url_parse(const char *url, struct lg_url *u, char *err, size_t errlen)
{
	static const char scheme[] = "http://";
	if (strncasecmp(url, scheme, sizeof(scheme) - 1) != 0)
		return fail(err, errlen,
		            "the URL must start with http:// (https is not supported)");
	const char *h = url + sizeof(scheme) - 1, *he;
	int bracketed = *h == '[';
	if (bracketed) {
		he = strchr(++h, ']');
		if (!he)
			return fail(err, errlen, "unterminated [ in the host");
	} else {
		he = h + strcspn(h, ":/");
	}
	if (he == h || copy_span(u->host, sizeof(u->host), h, he) < 0)
		return fail(err, errlen, "empty or over-long host");
	for (const char *c = h; c < he; c++)
		if (!host_char_ok((unsigned char)*c, bracketed))
			return fail(err, errlen, "bad character in the host");
	const char *p = he + bracketed;
	strcpy(u->port, "80");
	if (*p == ':') {
		const char *ps = ++p;
		while (isdigit((unsigned char)*p))
			p++;
		long port = p > ps && p - ps <= 5 ? strtol(ps, NULL, 10) : 0;
		if (port < 1 || port > 65535 || (*p && *p != '/'))
			return fail(err, errlen, "the port must be a number 1..65535");
		snprintf(u->port, sizeof(u->port), "%ld", port);
	}
	if (*p && *p != '/')
		return fail(err, errlen, "junk after the host");
	if (copy_span(u->path, sizeof(u->path), *p ? p : "/", *p ? p + strlen(p) : "/" + 1) < 0)
		return fail(err, errlen, "the path is over-long");
	if (!path_ok(u->path))
		return fail(err, errlen, "the path has a space or control character");
	return 0;
}

int lg_mix_parse(const char *text, struct lg_mix *m, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	for (const char *s = text;; s++) {
		const char *e = s + strcspn(s, ","), *colon = memrchr(s, ':', (size_t)(e - s));
		struct lg_class *k = &m->cls[m->n];
		char *num_end;

		if (m->n == LG_MAX_CLASSES)
			return fail(err, errlen, "more than 8 classes in the mix");
		if (*s != '/' || copy_span(k->path, sizeof(k->path), s, colon ? colon : e) < 0 ||
		    !path_ok(k->path))
			return fail(
			    err, errlen,
			    "each class is /PATH[:WEIGHT], the path without spaces or commas");
		k->weight = 1;
		if (colon) {
			long w = strtol(colon + 1, &num_end, 10);
			if (!isdigit((unsigned char)colon[1]) || num_end != e || w < 1 ||
			    w > LG_MAX_WEIGHT)
				return fail(err, errlen, "a weight is a whole number 1..1000000");
			k->weight = (unsigned)w;
		}
		m->total += k->weight;
		m->n++;
		if (!*e)
			return 0;
		s = e;
	}
}

unsigned lg_mix_pick(const struct lg_mix *m, double u)
{
	double at = u * m->total;
	unsigned i;

	for (i = 0; i + 1 < m->n && at >= m->cls[i].weight; i++)
		at -= m->cls[i].weight;
	return i;
}

int lg_addr_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return 0;
}

/* The number after `prefix` in path, when path is exactly prefix + digits; -1 otherwise. */
static long long target_number(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(path, prefix, n) != 0 || !isdigit((unsigned char)path[n]))
		return -1;
	char *end;
	long long v = strtoll(path + n, &end, 10);
	return *end ? -1 : v;
}

uint64_t lg_target_service_us(const char *path)
{
	long long ms = target_number(path, "/sleep/"), us = target_number(path, "/cpu/");
	uint64_t s = ms > 0 ? (uint64_t)ms * 1000 : us > 0 ? (uint64_t)us : 0;
	return s > LG_MIN_RTT_US ? s : LG_MIN_RTT_US;
}

double lg_mix_service_us(const struct lg_mix *m)
{
	double sum = 0;

	for (unsigned i = 0; i < m->n; i++)
		sum += (double)m->cls[i].weight * (double)lg_target_service_us(m->cls[i].path);
	return m->total ? sum / m->total : LG_MIN_RTT_US;
}

double lg_capacity_rps(unsigned conns, const struct lg_mix *m)
{
	return (double)conns * 1e6 / lg_mix_service_us(m);
}

/* The header value of `name` in the line [s, e), NULL if the line is another header. */
static const char *header_value(const char *s, const char *e, const char *name)
{
	size_t n = strlen(name);
	if ((size_t)(e - s) <= n || strncasecmp(s, name, n) != 0 || s[n] != ':')
		return NULL;
	for (s += n + 1; s < e && (*s == ' ' || *s == '\t'); s++)
		;
	return s;
}

static int value_is(const char *v, const char *e, const char *word)
{
	size_t n = strlen(word);
	return (size_t)(e - v) >= n && strncasecmp(v, word, n) == 0;
}

int lg_resp_head(const char *buf, size_t len, struct lg_resp *r)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4);
	if (!end)
		return len > 64 * 1024 ? LG_HEAD_BAD : LG_HEAD_MORE;
	if (end - buf < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || (buf[7] != '0' && buf[7] != '1') ||
	    buf[8] != ' ' || !isdigit((unsigned char)buf[9]) || !isdigit((unsigned char)buf[10]) ||
	    !isdigit((unsigned char)buf[11]) || (buf[12] != ' ' && buf[12] != '\r'))
		return LG_HEAD_BAD;
	r->status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	if (r->status < 100)
		return LG_HEAD_BAD;
	r->content_length = -1;
	int http10 = buf[7] == '0', keep = 0, close = 0;
	/* The status line ends at the first CRLF (at `end` itself when there are no headers);
	 * every header line ends with a CR at or before `end`. */
	for (const char *s = (const char *)memchr(buf, '\r', (size_t)(end - buf) + 1) + 2;
	     s < end + 2;) {
		const char *e = memchr(s, '\r', (size_t)(end + 2 - s));
		const char *v;
		if ((v = header_value(s, e, "Content-Length"))) {
			char *num_end;
			long long cl = strtoll(v, &num_end, 10);
			if (!isdigit((unsigned char)*v) || num_end != e || cl < 0)
				return LG_HEAD_BAD;
			r->content_length = cl;
		} else if ((v = header_value(s, e, "Transfer-Encoding"))) {
			return LG_HEAD_BAD;
		} else if ((v = header_value(s, e, "Connection"))) {
			close |= value_is(v, e, "close");
			keep |= value_is(v, e, "keep-alive");
		}
		s = e + 2;
	}
	r->close = close || (http10 && !keep);
	return (int)(end - buf) + 4;
}
