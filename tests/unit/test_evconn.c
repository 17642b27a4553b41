/* test_evconn.c -- closing a connection in the middle of a batch (evconn.h, issue 19). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "evconn.h"

/* A connection of s on one end of a fresh non-blocking socket pair; *peer gets the other. */
static struct evconn *open_pair(struct evconn_set *s, int *peer)
{
	int sv[2];
	struct evconn *c;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
	c = evconn_open(s, sv[0]);
	assert_non_null(c);
	*peer = sv[1];
	return c;
}

/*
 * What a loop can still do, later in the same batch, with a connection it
 * has closed (offload: finish() closes one that a later epoll event names):
 * each step must leave it alone, and no new connection of the batch may be
 * handed the same struct. Only after the next evconn_tick is it reused.
 */
static void test_closed_in_batch(void **state)
{
	static const char *const steps[] = { "evconn_handle", "evconn_resume", "evconn_close" };
	struct evconn_set s;
	struct evconn *c, *d, *e;
	int peer, peer2;

	(void)state;
	evconn_set_init(&s, 10);
	c = open_pair(&s, &peer);
	assert_int_equal(send(peer, "GET / HTTP/1.1\r\nHost: t\r\n\r\n", 27, MSG_NOSIGNAL), 27);
	evconn_close(&s, c);
	assert_true(evconn_closed(c));
	assert_null(c->buf);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int r = EVCONN_CLOSE;

		switch (i) {
		case 0: r = evconn_handle(&s, c); break;
		case 1: r = evconn_resume(&s, c); break;
		case 2: evconn_close(&s, c); break;
		}
		if (r != EVCONN_CLOSE || !evconn_closed(c) || c->buf)
			fail_msg("%s on a connection closed in this batch touched it", steps[i]);
	}
	assert_null(evconn_any(&s)); /* in no timer list */
	d = open_pair(&s, &peer2);
	assert_ptr_not_equal(d, c); /* not reused within the batch */
	evconn_close(&s, d);
	evconn_tick(&s); /* the next batch: both are spares now */
	close(peer2);
	e = open_pair(&s, &peer2);
	assert_true(e == c || e == d); /* a spare, no new allocation */
	assert_false(evconn_closed(e));
	evconn_close(&s, e);
	evconn_set_free(&s);
	close(peer);
	close(peer2);
}

/*
 * A keep-alive connection that keeps sending requests never expires: each
 * answered request restarts its idle timer, also when replies are then
 * pending (conn_next's CONN_SEND, the usual case). It was not restarted there,
 * so busy keep-alive clients were reset at --timeout (found by the soak).
 */
static void test_busy_connection_does_not_expire(void **state)
{
	static const char req[] = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";
	struct timespec gap = { 0, 100 * 1000000L };
	struct evconn_set s;
	struct evconn *c;
	int peer;

	(void)state;
	evconn_set_init(&s, 1); /* 1 s of idle timeout; the client is busy for 1.5 s */
	c = open_pair(&s, &peer);
	for (int i = 0; i < 15; i++) {
		char reply[4096];

		assert_int_equal(send(peer, req, sizeof(req) - 1, MSG_NOSIGNAL),
		                 (ssize_t)sizeof(req) - 1);
		evconn_tick(&s);
		assert_int_equal(evconn_handle(&s, c), EVCONN_READ);
		assert_true(recv(peer, reply, sizeof(reply), 0) > 0);
		if (evconn_expired(&s))
			fail_msg("request %d, %d ms after the first: expired while busy", i + 1,
			         i * 100);
		nanosleep(&gap, NULL);
	}
	evconn_close(&s, c);
	evconn_set_free(&s);
	close(peer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_closed_in_batch),
		cmocka_unit_test(test_busy_connection_does_not_expire),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
