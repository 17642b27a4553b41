/* test_conn.c -- conn_process, the shared per-connection handler: pipelines, closing,
 * back-pressure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "conn.h"
#include "resp.h"

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail_msg(__VA_ARGS__);                                                     \
	} while (0)

#define REQ_KA    "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
#define REQ_CLOSE "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
#define REQ_10    "GET / HTTP/1.0\r\n\r\n"
#define REQ_BAD   "GET / HTTP/1.1\r\nHost : a\r\n\r\n"
#define REQ_BODY  "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody"

static int setup(void **state)
{
	struct conn_buf *c = calloc(1, sizeof(*c));

	resp_init("unit");
	*state = c;
	return c ? 0 : -1;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static struct conn_buf *fresh(void **state, int no_keepalive)
{
	struct conn_buf *c = *state;

	c->no_keepalive = no_keepalive;
	conn_reset(c);
	return c;
}

static void feed(struct conn_buf *c, const char *s)
{
	size_t n = strlen(s);

	assert_true(n <= CONN_IN_CAP - c->in_len);
	memcpy(c->in + c->in_len, s, n);
	c->in_len += n;
}

/* Count the replies in out[0..out_len) whose status line starts with `status`, e.g. "200". */
static int count_replies(const struct conn_buf *c, const char *status, int *total)
{
	char line[32];
	int n = 0, all = 0;

	snprintf(line, sizeof(line), "HTTP/1.1 %s ", status);
	for (const char *p = c->out;
	     (p = memmem(p, (size_t)(c->out + c->out_len - p), "HTTP/1.1 ", 9)); p += 9) {
		all++;
		n += strncmp(p, line, strlen(line)) == 0;
	}
	if (total)
		*total = all;
	return n;
}

static int count_str(const struct conn_buf *c, const char *s)
{
	int n = 0;

	for (const char *p = c->out;
	     (p = memmem(p, (size_t)(c->out + c->out_len - p), s, strlen(s))); p++)
		n++;
	return n;
}

static void test_pipelined_batch(void **state)
{
	struct conn_buf *c = fresh(state, 0);
	int total;

	feed(c, REQ_KA REQ_BODY REQ_10 "\r\n");
	/* REQ_10 is HTTP/1.0 without keep-alive: the last one answered, then close */
	assert_int_equal(conn_process(c), 3);
	assert_int_equal(count_replies(c, "200", &total), 3);
	assert_int_equal(total, 3);
	assert_int_equal(count_str(c, "Connection: keep-alive\r\n"), 2);
	assert_int_equal(count_str(c, "Connection: close\r\n"), 1);
	assert_int_equal(c->requests, 3);
	assert_true(c->close);
	assert_true(c->linger); /* the trailing CRLF was input left unread */
	assert_int_equal(c->in_len, 0);
	assert_int_equal(c->error, 0);
}

static void test_keep_alive_stays_open(void **state)
{
	struct conn_buf *c = fresh(state, 0);

	feed(c, REQ_KA REQ_KA);
	assert_int_equal(conn_process(c), 2);
	assert_false(c->close);
	assert_false(c->linger);
	assert_int_equal(c->in_len, 0);
	assert_int_equal(conn_in_room(c), CONN_IN_CAP);
	assert_int_equal(conn_out_pending(c), c->out_len);
}

static void test_close_drops_later_input(void **state)
{
	struct conn_buf *c = fresh(state, 0);

	feed(c, REQ_KA REQ_CLOSE REQ_KA REQ_KA);
	assert_int_equal(conn_process(c), 2);
	assert_int_equal(count_replies(c, "200", NULL), 2);
	assert_int_equal(count_str(c, "Connection: close\r\n"), 1);
	assert_true(c->close);
	assert_true(c->linger);
	assert_int_equal(c->in_len, 0);
	assert_int_equal(conn_in_room(c), 0);
	/* nothing more is answered once closing, whatever arrives */
	feed(c, REQ_KA);
	assert_int_equal(conn_process(c), 0);
}

/* Models call conn_process again once the closing reply is sent: linger must survive that. */
static void test_linger_sticks(void **state)
{
	static const struct {
		const char *name, *in;
	} cases[] = {
		{ "close + more", REQ_CLOSE REQ_KA },
		{ "keep-alive + bad", REQ_KA REQ_BAD },
		{ "1.0 + a byte", REQ_10 "x" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conn_buf *c = fresh(state, 0);

		feed(c, cases[i].in);
		conn_process(c);
		CHECK(c->close && c->linger, "'%s': close %d linger %d", cases[i].name, c->close,
		      c->linger);
		c->out_sent = c->out_len; /* the replies went out */
		CHECK(conn_process(c) == 0 && c->close && c->linger,
		      "'%s': linger lost on the next call (close %d linger %d)", cases[i].name,
		      c->close, c->linger);
	}
}

static void test_close_without_leftover(void **state)
{
	struct conn_buf *c = fresh(state, 0);

	feed(c, REQ_CLOSE);
	assert_int_equal(conn_process(c), 1);
	assert_true(c->close);
	assert_false(c->linger); /* nothing unread: a plain close is enough */
}

static void test_error_sets_close(void **state)
{
	static const struct {
		const char *name, *in;
		int answered, status;
	} cases[] = {
		{ "bad", REQ_BAD, 0, 400 },
		{ "good, bad, good", REQ_KA REQ_BAD REQ_KA, 1, 400 },
		{ "HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 0, 505 },
		{ "gzip", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 0, 501 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conn_buf *c = fresh(state, 0);
		char status[8];
		int n, total;

		feed(c, cases[i].in);
		n = conn_process(c);
		snprintf(status, sizeof(status), "%d", cases[i].status);
		CHECK(n == cases[i].answered && c->error == cases[i].status && c->close &&
		          c->linger && c->in_len == 0,
		      "'%s': answered %d error %d close %d linger %d in_len %zu", cases[i].name, n,
		      c->error, c->close, c->linger, c->in_len);
		CHECK(count_replies(c, status, &total) == 1 && total == cases[i].answered + 1,
		      "'%s': replies %d, want %d then one %s", cases[i].name, total,
		      cases[i].answered, status);
		CHECK(count_str(c, "Connection: close\r\n") == 1, "'%s': error reply not close",
		      cases[i].name);
	}
}

static void test_partial_then_rest(void **state)
{
	static const char req[] = REQ_BODY;
	struct conn_buf *c = fresh(state, 0);

	for (size_t k = 0; k + 1 < sizeof(req); k++) {
		c->in[c->in_len++] = req[k];
		CHECK(conn_process(c) == (k + 2 == sizeof(req)), "after %zu bytes: wrong count",
		      k + 1);
	}
	assert_int_equal(c->in_len, 0);
	assert_int_equal(c->requests, 1);
}

/* A pipeline longer than the reply queue: stop when out[] is full, resume once it is sent. */
static void test_out_full_resumes(void **state)
{
	struct conn_buf *c = fresh(state, 0);
	size_t req_len = strlen(REQ_KA);
	int total = 0, rounds = 0, nreq = (int)(CONN_IN_CAP / req_len);

	for (int i = 0; i < nreq; i++)
		feed(c, REQ_KA);
	while (total < nreq) {
		int n = conn_process(c);

		CHECK(n > 0, "round %d: nothing answered with %zu bytes waiting", rounds,
		      c->in_len);
		total += n;
		CHECK(c->in_len == (size_t)(nreq - total) * req_len,
		      "round %d: %zu bytes left, want %zu", rounds, c->in_len,
		      (size_t)(nreq - total) * req_len);
		if (total < nreq) {
			CHECK(CONN_OUT_CAP - c->out_len < RESP_MAX,
			      "round %d: stopped with %zu bytes of room", rounds,
			      CONN_OUT_CAP - c->out_len);
			/* full and unsent: no progress, and nothing is lost */
			CHECK(conn_process(c) == 0, "round %d: answered into a full queue", rounds);
			c->out_sent = c->out_len / 2; /* a partial send does not free room */
			CHECK(conn_process(c) == 0, "round %d: answered into a half-sent queue",
			      rounds);
		}
		c->out_sent = c->out_len; /* all sent */
		rounds++;
	}
	assert_true(rounds > 1);
	assert_int_equal(c->requests, nreq);
	assert_false(c->close);
}

static void test_no_keepalive_forces_close(void **state)
{
	struct conn_buf *c = fresh(state, 1);

	feed(c, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" REQ_KA);
	assert_int_equal(conn_process(c), 1);
	assert_int_equal(count_str(c, "Connection: close\r\n"), 1);
	assert_int_equal(count_str(c, "keep-alive"), 0);
	assert_true(c->close);
	assert_true(c->linger);
	conn_reset(c);
	assert_true(c->no_keepalive); /* kept across reset */
	assert_int_equal(c->in_len + c->out_len + c->requests, 0);
}

static void set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	assert_true(fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0);
}

/* The non-blocking I/O pair over a socketpair: read a pipeline, answer it, write it back. */
static void test_read_write_socketpair(void **state)
{
	struct conn_buf *c = fresh(state, 0);
	char reply[CONN_OUT_CAP];
	ssize_t n;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	set_nonblock(sv[0]);
	assert_int_equal(conn_read(sv[0], c), CONN_AGAIN); /* nothing yet: would block */
	assert_int_equal(write(sv[1], REQ_KA REQ_KA, strlen(REQ_KA REQ_KA)),
	                 (ssize_t)strlen(REQ_KA REQ_KA));
	assert_int_equal(conn_read(sv[0], c), (ssize_t)strlen(REQ_KA REQ_KA));
	assert_int_equal(conn_process(c), 2);
	assert_int_equal(conn_write(sv[0], c), 1);
	assert_int_equal(conn_out_pending(c), 0);
	n = read(sv[1], reply, sizeof(reply));
	assert_true(n > 0);
	assert_non_null(memmem(reply, (size_t)n, "Hello worldHTTP/1.1 200 OK", 26));
	assert_int_equal(shutdown(sv[1], SHUT_WR), 0);
	assert_int_equal(conn_read(sv[0], c), 0); /* peer closed */
	assert_int_equal(conn_drain(sv[0]), 1);
	close(sv[0]);
	close(sv[1]);
}

/* Take all of c's pending replies (out[] and body) into dst through conn_out_iov; returns bytes. */
static size_t take_all(struct conn_buf *c, char *dst, size_t cap)
{
	size_t got = 0;
	struct iovec iov[CONN_IOV];
	int k;

	while ((k = conn_out_iov(c, iov)) > 0) {
		size_t n = 0;

		for (int i = 0; i < k; i++) {
			assert_true(got + n + iov[i].iov_len <= cap);
			memcpy(dst + got + n, iov[i].iov_base, iov[i].iov_len);
			n += iov[i].iov_len;
		}
		conn_out_advance(c, n);
		got += n;
	}
	assert_int_equal(conn_out_pending(c), 0);
	return got;
}

/* The body of the reply starting at r (Content-Length framed): its length, and where it starts. */
static const char *reply_body(const char *r, size_t len, size_t *blen)
{
	const char *h = memmem(r, len, "\r\n\r\n", 4), *cl = memmem(r, len, "Content-Length: ", 16);

	assert_non_null(h);
	assert_non_null(cl);
	*blen = strtoul(cl + 16, NULL, 10);
	return h + 4;
}

/* One request at a time through conn_next: its status, body and whether HEAD left the body out. */
static void test_targets(void **state)
{
	static const struct {
		const char *req;
		const char *status;
		size_t body;      /* bytes on the wire after the head */
		size_t announced; /* Content-Length */
		int close;
	} cases[] = {
		{ "GET / HTTP/1.1\r\nHost: a\r\n\r\n", "200", 11, 11, 0 },
		{ "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", "200", 0, 11, 0 },
		{ "GET /bytes/0 HTTP/1.1\r\nHost: a\r\n\r\n", "200", 0, 0, 0 },
		{ "GET /bytes/1 HTTP/1.1\r\nHost: a\r\n\r\n", "200", 1, 1, 0 },
		{ "GET /bytes/100000 HTTP/1.1\r\nHost: a\r\n\r\n", "200", 100000, 100000, 0 },
		{ "HEAD /bytes/100000 HTTP/1.1\r\nHost: a\r\n\r\n", "200", 0, 100000, 0 },
		{ "GET /cpu/10 HTTP/1.1\r\nHost: a\r\n\r\n", "200", 11, 11, 0 },
		{ "GET /sleep/1 HTTP/1.1\r\nHost: a\r\n\r\n", "200", 11, 11, 0 },
		{ "GET /sleep/x HTTP/1.1\r\nHost: a\r\n\r\n", "400", 12, 12, 1 },
		{ "HEAD /bytes/99999999999 HTTP/1.1\r\nHost: a\r\n\r\n", "400", 0, 12, 1 },
		{ "GET /bytes/1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", "200", 1, 1, 1 },
	};
	static char out[200000];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conn_buf *c = fresh(state, 0);
		size_t n, blen;
		const char *body;
		int answered, next;

		feed(c, cases[i].req);
		next = conn_next(c, &answered);
		CHECK(next == CONN_SEND, "%s: conn_next %d, want CONN_SEND", cases[i].req, next);
		n = take_all(c, out, sizeof(out));
		CHECK(strncmp(out + 9, cases[i].status, 3) == 0, "%s: status %.3s", cases[i].req,
		      out + 9);
		body = reply_body(out, n, &blen);
		CHECK(blen == cases[i].announced, "%s: Content-Length %zu", cases[i].req, blen);
		CHECK((size_t)(out + n - body) == cases[i].body, "%s: %zu body bytes, want %zu",
		      cases[i].req, (size_t)(out + n - body), cases[i].body);
		if (cases[i].body == cases[i].announced && strstr(cases[i].req, "/bytes/"))
			for (size_t k = 0; k < blen; k++)
				if (body[k] != WORK_PATTERN[k % WORK_PATTERN_LEN])
					fail_msg("%s: body byte %zu", cases[i].req, k);
		next = conn_next(c, &answered);
		CHECK(next == (cases[i].close ? (c->linger ? CONN_LINGER : CONN_CLOSE) : CONN_READ),
		      "%s: after the send conn_next %d", cases[i].req, next);
		CHECK(c->close == cases[i].close, "%s: close %d", cases[i].req, c->close);
	}
}

/* A reply with a body is the last thing queued: the requests behind it wait until it is sent. */
static void test_body_holds_pipeline(void **state)
{
	struct conn_buf *c = fresh(state, 0);
	static char out[300000];
	size_t n;
	int answered;

	feed(c, "GET /bytes/70000 HTTP/1.1\r\nHost: a\r\n\r\n" REQ_KA
	        "GET /bytes/70000 HTTP/1.1\r\nHost: a\r\n\r\n" REQ_KA);
	assert_int_equal(conn_next(c, &answered), CONN_SEND);
	assert_int_equal(answered, 1);
	assert_int_equal(conn_process(c), 0); /* nothing while the body is pending */
	n = take_all(c, out, sizeof(out));
	assert_int_equal(conn_next(c, &answered), CONN_SEND);
	assert_int_equal(answered, 2); /* hello, then the second /bytes */
	n += take_all(c, out + n, sizeof(out) - n);
	assert_int_equal(conn_next(c, &answered), CONN_SEND);
	assert_int_equal(answered, 1);
	n += take_all(c, out + n, sizeof(out) - n);
	assert_int_equal(conn_next(c, &answered), CONN_READ);
	assert_int_equal(c->requests, 4);
	assert_non_null(memmem(out, n, "Hello worldHTTP/1.1 200", 23));
}

/* Expect: 100-continue gets one interim reply, then the final one once the body is in. */
static void test_expect_continue(void **state)
{
	struct conn_buf *c = fresh(state, 0);
	char out[1024];
	size_t n;
	int answered;

	feed(c, "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
	assert_int_equal(conn_next(c, &answered), CONN_SEND);
	assert_int_equal(answered, 0);
	n = take_all(c, out, sizeof(out));
	assert_int_equal(n, RESP_CONTINUE_LEN);
	assert_memory_equal(out, "HTTP/1.1 100 Continue\r\n\r\n", RESP_CONTINUE_LEN);
	feed(c, "ab");
	assert_int_equal(conn_next(c, &answered), CONN_READ); /* no second 100 */
	feed(c, "cd");
	assert_int_equal(conn_next(c, &answered), CONN_SEND);
	assert_int_equal(answered, 1);
	n = take_all(c, out, sizeof(out));
	assert_memory_equal(out, "HTTP/1.1 200 OK\r\n", 17);
	assert_int_equal(c->continued, 0); /* the next request may get its own */
}

/* defer_work: a blocking request parks the connection until conn_resume, in order. */
static void test_defer_resume(void **state)
{
	struct conn_buf *c = fresh(state, 0);
	char out[2048];
	int answered;

	c->defer_work = CONN_DEFER_WORK;
	feed(c, REQ_KA "GET /sleep/10000 HTTP/1.1\r\nHost: a\r\n\r\n" REQ_KA);
	assert_int_equal(conn_next(c, &answered), CONN_SEND); /* the first reply goes out first */
	assert_int_equal(answered, 1);
	take_all(c, out, sizeof(out));
	assert_int_equal(conn_next(c, &answered), CONN_DEFER);
	assert_int_equal(answered, 0);
	assert_int_equal(c->work.kind, WORK_SLEEP);
	assert_int_equal(c->work.arg, 10000);
	assert_int_equal(conn_next(c, &answered), CONN_DEFER); /* stays parked */
	conn_resume(c);                                        /* the work "ran" elsewhere */
	assert_int_equal(conn_next(c, &answered), CONN_SEND);
	assert_int_equal(answered, 2);
	assert_int_equal(count_replies(c, "200", NULL), 2);
	take_all(c, out, sizeof(out));
	assert_int_equal(conn_next(c, &answered), CONN_READ);
	assert_int_equal(c->requests, 3);
	c->defer_work = 0;
}

/* A body sent to a peer that stops reading: partial writes resume, nothing is buffered. */
static void test_body_back_pressure(void **state)
{
	struct conn_buf *c = fresh(state, 0);
	static char got[1 << 21];
	size_t n = 0, blen;
	const char *body;
	int sv[2], partial = 0, bufsz = 4096;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz)), 0);
	set_nonblock(sv[0]);
	set_nonblock(sv[1]);
	feed(c, "GET /bytes/1048576 HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_int_equal(conn_process(c), 1);
	for (;;) {
		int w = conn_write(sv[0], c);
		ssize_t k;

		assert_true(w >= 0);
		assert_true(c->out_len <= CONN_OUT_CAP);
		if (w == 1)
			break;
		partial++;
		while ((k = read(sv[1], got + n, sizeof(got) - n)) > 0)
			n += (size_t)k;
	}
	for (ssize_t k; (k = read(sv[1], got + n, sizeof(got) - n)) > 0;)
		n += (size_t)k;
	assert_true(partial > 0); /* the socket did push back */
	body = reply_body(got, n, &blen);
	assert_int_equal(blen, 1048576);
	assert_int_equal((size_t)(got + n - body), blen);
	for (size_t k = 0; k < blen; k++)
		if (body[k] != WORK_PATTERN[k % WORK_PATTERN_LEN])
			fail_msg("body byte %zu is %#x", k, (unsigned char)body[k]);
	close(sv[0]);
	close(sv[1]);
}

/*
 * A client that keeps sending cannot hold the thread that refuses it
 * (issue 15 item 7): conn_reject and conn_drain read a bounded amount, on a
 * blocking socket too, and leave the rest unread. The socket is kept alive
 * past conn_reject's close by a dup, to count what it left.
 */
static void test_reject_bounded_drain(void **state)
{
	static char junk[4096];
	int sv[2], keep, big = 1 << 20, queued = 0, left = 0;
	size_t total = 0;
	ssize_t n;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	set_nonblock(sv[1]);
	while ((n = send(sv[1], junk, sizeof(junk), MSG_NOSIGNAL)) > 0)
		total += (size_t)n;
	assert_true(total > 3 * CONN_DRAIN_MAX); /* more than both bounded drains take */
	/* sv[0] is blocking: conn_drain must not wait once it has read its share */
	assert_int_equal(conn_drain(sv[0]), 0);
	assert_int_equal(ioctl(sv[0], FIONREAD, &queued), 0);
	assert_int_equal((size_t)queued, total - CONN_DRAIN_MAX);
	assert_true((keep = dup(sv[0])) >= 0);
	conn_reject(sv[0], 503);
	assert_int_equal(ioctl(keep, FIONREAD, &left), 0);
	assert_true(left >= queued - 2 * CONN_DRAIN_MAX); /* not drained to the end */
	close(keep);
	close(sv[1]);
}

/*
 * conn_reject answers whoever still waits (issue 19): a client that sent its
 * request and shut its write side down is waiting for the 503 as much as one
 * that keeps its side open; an EOF after the request is not a client that left.
 */
static void test_reject_half_closed(void **state)
{
	static const struct {
		const char *name;
		int shut_wr; /* the client shuts its write side after the request */
	} cases[] = {
		{ "request, side kept open", 0 },
		{ "request, then SHUT_WR", 1 },
	};
	static const char req[] = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char reply[512] = { 0 };
		size_t got = 0;
		ssize_t n;
		int sv[2];

		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
		assert_int_equal(send(sv[1], req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
		if (cases[i].shut_wr)
			assert_int_equal(shutdown(sv[1], SHUT_WR), 0);
		conn_reject(sv[0], 503);
		while (got < sizeof(reply) - 1 &&
		       (n = recv(sv[1], reply + got, sizeof(reply) - 1 - got, 0)) > 0)
			got += (size_t)n;
		if (strncmp(reply, "HTTP/1.1 503 ", 13) != 0)
			fail_msg("%s: got '%.40s' (%zu bytes), expected a 503", cases[i].name,
			         reply, got);
		close(sv[1]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipelined_batch),
		cmocka_unit_test(test_keep_alive_stays_open),
		cmocka_unit_test(test_close_drops_later_input),
		cmocka_unit_test(test_linger_sticks),
		cmocka_unit_test(test_close_without_leftover),
		cmocka_unit_test(test_error_sets_close),
		cmocka_unit_test(test_partial_then_rest),
		cmocka_unit_test(test_out_full_resumes),
		cmocka_unit_test(test_no_keepalive_forces_close),
		cmocka_unit_test(test_read_write_socketpair),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_body_holds_pipeline),
		cmocka_unit_test(test_expect_continue),
		cmocka_unit_test(test_defer_resume),
		cmocka_unit_test(test_body_back_pressure),
		cmocka_unit_test(test_reject_bounded_drain),
		cmocka_unit_test(test_reject_half_closed),
	};

	return cmocka_run_group_tests_name("conn_process", tests, setup, teardown);
}
