/* fuzz_conn.c -- libFuzzer target: arbitrary bytes through conn_process, split as the input says.
 *
 * Input: byte 0 is flags, bytes 1-2 seed the split, the rest is the byte
 * stream a client sends. The stream is delivered in chunks (sizes drawn from
 * the seed), either by copying into in[] or over a socketpair with conn_read
 * and conn_write, and replies are taken out whole or in part. Whatever the
 * split, the outcome must equal that of parsing the whole stream in one go:
 * the same number of requests answered, the same error, the same close, and
 * a reply stream that frames correctly.
 *
 * flags: bit 0 no_keepalive; bit 1 socketpair; bit 2 take replies out in
 * random parts (in-memory only); bits 4-7 log2 of the largest chunk.
 */
#include "conn.h"
#include "resp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct run {
	const uint8_t *s; /* the client's byte stream */
	size_t n, pos;    /* its length, bytes delivered so far */
	struct conn_buf *c;
	char *acc; /* replies taken out so far */
	size_t acc_len, acc_cap;
	uint64_t rng;
	int flags;
	int linger; /* linger was seen set: it must stay set */
	int sv[2];  /* [0] the server's end, [1] the client's (socketpair mode) */
};

static void die(const char *what)
{
	fprintf(stderr, "fuzz_conn: invariant broken: %s\n", what);
	abort();
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void take(struct run *r, const char *p, size_t k)
{
	if (k == 0)
		return;
	if (r->acc_len + k > r->acc_cap) {
		r->acc_cap = (r->acc_len + k) * 2;
		r->acc = realloc(r->acc, r->acc_cap);
		if (!r->acc)
			abort();
	}
	memcpy(r->acc + r->acc_len, p, k);
	r->acc_len += k;
}

static void check_buf(struct run *r)
{
	const struct conn_buf *c = r->c;

	if (r->linger && !c->linger)
		die("linger was cleared while closing");
	r->linger |= c->linger;
	if (c->in_len > CONN_IN_CAP || c->out_len > CONN_OUT_CAP || c->out_sent > c->out_len)
		die("buffer lengths out of range");
	if (c->close && conn_in_room(c) != 0)
		die("closing connection still offers input room");
}

/* Move replies out: all of them, or (bit 2) a random part. */
static void drain(struct run *r, int all)
{
	struct conn_buf *c = r->c;

	if (r->flags & 2) {
		char buf[4096];
		ssize_t k;

		if (conn_write(r->sv[0], c) < 0)
			die("conn_write failed on a socketpair");
		while ((k = read(r->sv[1], buf, sizeof(buf))) > 0)
			take(r, buf, (size_t)k);
		if (k < 0 && errno != EAGAIN && errno != EINTR)
			die("client read failed");
		return;
	}
	size_t k = conn_out_pending(c);

	if (!all && (r->flags & 4))
		k = (size_t)(rng_next(&r->rng) % (k + 1));
	take(r, c->out + c->out_sent, k);
	c->out_sent += k;
}

/* Deliver up to want bytes of the stream; returns bytes the server took in. */
static ssize_t deliver(struct run *r, size_t want)
{
	struct conn_buf *c = r->c;

	if (want > r->n - r->pos)
		want = r->n - r->pos;
	if (r->flags & 2) {
		ssize_t k;

		if (want > 0) {
			if (write(r->sv[1], r->s + r->pos, want) != (ssize_t)want)
				die("client write was short");
			r->pos += want;
		}
		k = conn_read(r->sv[0], c);
		if (k == -1 || k == 0)
			die("conn_read failed or saw EOF");
		return k < 0 ? 0 : k;
	}
	if (want > conn_in_room(c))
		want = conn_in_room(c);
	memcpy(c->in + c->in_len, r->s + r->pos, want);
	c->in_len += want;
	r->pos += want;
	return (ssize_t)want;
}

static void serve(struct run *r)
{
	struct conn_buf *c = r->c;
	unsigned shift = (unsigned)(r->flags >> 4);

	while (r->pos < r->n && !c->close) {
		size_t want = 1 + (size_t)(rng_next(&r->rng) % (1u << shift));
		ssize_t got = deliver(r, want);
		int answered = conn_process(c);

		check_buf(r);
		drain(r, 0);
		if (got == 0 && answered == 0) { /* stuck? the full reply queue must be the cause */
			drain(r, 1);
			answered = conn_process(c);
			check_buf(r);
			if (!(r->flags & 2) && answered == 0 && !c->close && conn_in_room(c) == 0)
				die("no progress with a full input buffer and an empty reply "
				    "queue");
		}
	}
	for (int rounds = 0;; rounds++) { /* everything is sent: answer what is left */
		ssize_t got = c->close ? 0 : deliver(r, 0);
		int answered;

		drain(r, 1);
		answered = conn_process(c);
		check_buf(r);
		drain(r, 1);
		if (got == 0 && answered == 0)
			break;
		if (rounds > 100000)
			die("no end to answering");
	}
}

struct expect {
	unsigned long requests;
	int error, close;
};

/* The reference: the whole stream parsed in one buffer, request after request. */
static struct expect reference(const uint8_t *s, size_t n, int no_keepalive)
{
	struct expect e = { 0, 0, 0 };
	size_t off = 0;

	while (off < n) {
		struct http_request req;
		size_t len = n - off < HTTP_MAX_REQUEST ? n - off : HTTP_MAX_REQUEST;
		ssize_t k = http_parse_request((const char *)s + off, len, &req);

		if (k == HTTP_NEED_MORE)
			break;
		if (k == HTTP_MALFORMED) {
			e.error = req.status;
			e.close = 1;
			break;
		}
		e.requests++;
		off += (size_t)k;
		if (!req.keep_alive || no_keepalive) {
			e.close = 1;
			break;
		}
	}
	return e;
}

/* Walk the replies: each frames by its Content-Length; count them by kind. */
static void check_replies(const struct run *r, const struct expect *e)
{
	const char *p = r->acc ? r->acc : "", *end = p + r->acc_len;
	unsigned long ok = 0, keep = 0, errors = 0;
	int last_status = 0;

	while (p < end) {
		const char *hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		const char *cl =
		    hend ? memmem(p, (size_t)(hend - p), "Content-Length: ", 16) : NULL;
		int status = 0;

		if (!hend || !cl || hend - p < 13 || memcmp(p, "HTTP/1.1 ", 9) != 0)
			die("reply stream does not frame");
		for (int i = 9; i < 12; i++) /* the reply head is ours: three digits, then SP */
			status = status * 10 + (p[i] - '0');
		p = hend + 4 + strtoul(cl + 16, NULL, 10);
		if (p > end)
			die("reply body cut short");
		last_status = status;
		ok += status == 200;
		errors += status != 200;
		keep += memmem(cl, (size_t)(hend - cl), "Connection: keep-alive", 22) != NULL;
	}
	if (ok != e->requests || ok != r->c->requests)
		die("200 replies differ from the reference's requests");
	if (errors != (e->error != 0) || (e->error && last_status != e->error))
		die("error replies differ from the reference");
	if (keep != ok - (e->close && !e->error))
		die("keep-alive replies miscounted");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct conn_buf *c;
	struct run r = { 0 };
	struct expect e;

	if (len < 3)
		return 0;
	if (!c) {
		c = malloc(sizeof(*c));
		if (!c)
			abort();
		resp_init("fuzz");
	}
	r = (struct run){ .s = data + 3, .n = len - 3, .c = c, .flags = data[0] };
	r.rng = ((uint64_t)data[1] << 8 | data[2]) * 0x9e3779b97f4a7c15ull + 1;
	c->no_keepalive = data[0] & 1;
	conn_reset(c);
	if ((r.flags & 2) &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, r.sv) < 0)
		die("socketpair");
	serve(&r);
	e = reference(r.s, r.n, c->no_keepalive);
	if (c->requests != e.requests || c->error != e.error || c->close != e.close)
		die("the split stream was answered differently from the whole");
	if (c->error && !c->linger)
		die("an error reply without a graceful close");
	check_replies(&r, &e);
	if (r.flags & 2) {
		close(r.sv[0]);
		close(r.sv[1]);
	}
	free(r.acc);
	return 0;
}
