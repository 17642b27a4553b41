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
#include <sys/socket.h>
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
	assert_int_equal(conn_read(sv[0], c), -2); /* nothing yet: would block */
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
	};

	return cmocka_run_group_tests_name("conn_process", tests, setup, teardown);
}
