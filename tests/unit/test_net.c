/* test_net.c -- net_listen's socket options reach the sockets it accepts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"

/* A connection to a fresh listener, accepted: the accepted side's TCP_NODELAY is on. */
static void test_accepted_nodelay(void **state)
{
	static const int flags[] = { 0, NET_NONBLOCK, NET_REUSEPORT };
	char err[200];

	(void)state;
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		int lfd = net_listen("127.0.0.1", 0, flags[i], err, sizeof(err)), cfd, afd, on = 0;
		struct sockaddr_in sa = { .sin_family = AF_INET };
		socklen_t len = sizeof(on);

		assert_true(lfd >= 0);
		sa.sin_port = htons((uint16_t)net_port(lfd));
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		cfd = socket(AF_INET, SOCK_STREAM, 0);
		assert_int_equal(connect(cfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
		afd = accept(lfd, NULL, NULL);
		assert_true(afd >= 0);
		assert_int_equal(getsockopt(afd, IPPROTO_TCP, TCP_NODELAY, &on, &len), 0);
		assert_int_equal(on, 1);
		close(afd);
		close(cfd);
		close(lfd);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted_nodelay),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
