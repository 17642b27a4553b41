/* test_idle.c -- the idle-connection holder against a fake server that holds, refuses, drops or
 * never answers, its descriptor-limit check, and the whole tree's memory (PSS) and CPU time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "idlehold.h"
#include "proctree.h"
#include "util.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FAKE_MAX 256

/* How the fake server treats a connection after the first keep of them. */
enum fake_mode { HOLD, REFUSE, SILENT };

struct fake {
	enum fake_mode mode;
	int keep; /* REFUSE: the first keep are answered and held, the rest closed at once */
	int lfd, port, stop[2], n, held[FAKE_MAX];
	pthread_t th;
};

static void answer(int fd)
{
	static const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";
	char buf[512];
	size_t got = 0;
	ssize_t r;

	while (got < sizeof(buf) - 1 && (r = recv(fd, buf + got, sizeof(buf) - 1 - got, 0)) > 0) {
		got += r;
		buf[got] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			break;
	}
	assert_true(send(fd, reply, sizeof(reply) - 1, MSG_NOSIGNAL) > 0);
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	struct pollfd p[2] = { { .fd = f->lfd, .events = POLLIN },
		               { .fd = f->stop[0], .events = POLLIN } };

	while (poll(p, 2, -1) > 0 && !p[1].revents) {
		int fd = accept(f->lfd, NULL, NULL);

		if (fd < 0)
			continue;
		if (f->n >= FAKE_MAX || (f->mode == REFUSE && f->n >= f->keep)) {
			struct linger lg = { .l_onoff = 1, .l_linger = 0 };

			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)); /* a reset */
			close(fd);
			continue;
		}
		if (f->mode != SILENT)
			answer(fd);
		f->held[f->n++] = fd;
	}
	return NULL;
}

static void fake_start(struct fake *f, enum fake_mode mode, int keep)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);

	memset(f, 0, sizeof(*f));
	f->mode = mode;
	f->keep = keep;
	f->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(f->lfd >= 0);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(f->lfd, 512), 0);
	assert_int_equal(getsockname(f->lfd, (struct sockaddr *)&a, &alen), 0);
	f->port = ntohs(a.sin_port);
	assert_int_equal(pipe(f->stop), 0);
	assert_int_equal(pthread_create(&f->th, NULL, fake_main, f), 0);
}

/* Stop the fake; with drop, close what it held (the server dropping its idle connections). */
static void fake_stop(struct fake *f, int drop)
{
	int i;

	assert_int_equal(write(f->stop[1], "x", 1), 1);
	pthread_join(f->th, NULL);
	close(f->lfd);
	close(f->stop[0]);
	close(f->stop[1]);
	if (drop)
		for (i = 0; i < f->n; i++)
			close(f->held[i]);
}

static void fake_free(struct fake *f)
{
	int i;

	for (i = 0; i < f->n; i++)
		close(f->held[i]);
}

static volatile sig_atomic_t no_stop;

static void test_hold_refuse_drop(void **state)
{
	static const struct {
		const char *name;
		enum fake_mode mode;
		int keep, want, limit_ms, drop;
		int held, refused, dropped;
		const char *status;
	} cases[] = {
		{ "holds all", HOLD, 0, 40, 5000, 0, 40, 0, 0, "" },
		{ "none asked", HOLD, 0, 0, 5000, 0, 0, 0, 0, "" },
		{ "refuses past 10", REFUSE, 10, 30, 5000, 0, 10, 20, 0,
		  "refused: 20 of 30 idle connections" },
		{ "never answers", SILENT, 0, 20, 300, 0, 0, 20, 0,
		  "refused: 20 of 20 idle connections" },
		{ "drops them later", HOLD, 0, 20, 5000, 1, 20, 0, 20,
		  "dropped: 20 of 20 idle connections" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake f;
		struct idlehold h;
		char why[256] = "", status[128];
		long long t0 = util_now_ms();
		int rc;

		print_message("case: %s\n", cases[i].name);
		fake_start(&f, cases[i].mode, cases[i].keep);
		rc = idlehold_open(&h, "127.0.0.1", f.port, cases[i].want, cases[i].limit_ms,
		                   &no_stop, why, sizeof(why));
		assert_int_equal(rc, 0);
		assert_true(util_now_ms() - t0 < cases[i].limit_ms + 3000); /* bounded */
		assert_int_equal(h.nheld, cases[i].held);
		assert_int_equal(h.refused, cases[i].refused);
		fake_stop(&f, cases[i].drop);
		if (cases[i].drop)
			usleep(100 * 1000); /* the FINs reach our sockets */
		assert_int_equal(idlehold_check(&h), cases[i].dropped);
		assert_int_equal(idlehold_status(&h, status, sizeof(status)),
		                 cases[i].status[0] != 0);
		assert_string_equal(status, cases[i].status);
		idlehold_close(&h);
		idlehold_close(&h); /* twice is harmless */
		if (!cases[i].drop)
			fake_free(&f);
	}
}

static void test_no_listener_and_bad_input(void **state)
{
	struct fake f;
	struct idlehold h;
	volatile sig_atomic_t stop = 1;
	char why[256];
	int port;

	(void)state;
	/* A port nobody listens on: every connection refused, quickly, no error. */
	fake_start(&f, HOLD, 0);
	port = f.port;
	fake_stop(&f, 0);
	assert_int_equal(idlehold_open(&h, "127.0.0.1", port, 15, 5000, &no_stop, why, sizeof(why)),
	                 0);
	assert_int_equal(h.refused, 15);
	idlehold_close(&h);
	/* Not a numeric address. */
	assert_int_equal(idlehold_open(&h, "localhost", port, 5, 1000, &no_stop, why, sizeof(why)),
	                 -1);
	assert_non_null(strstr(why, "not a numeric address: localhost"));
	/* Stopped (Ctrl-C): -1, nothing held. */
	fake_start(&f, SILENT, 0);
	assert_int_equal(
	    idlehold_open(&h, "[::ffff:127.0.0.1]", f.port, 5, 5000, &stop, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "stopped"));
	assert_null(h.fds);
	fake_stop(&f, 0);
	fake_free(&f);
}

static void test_reserve_limit(void **state)
{
	struct rlimit rl;
	char why[128] = "", want[128];

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_int_equal(idlehold_reserve(100, why, sizeof(why)), 0);
	if (rl.rlim_max == RLIM_INFINITY)
		skip();
	/* More than the hard limit: refused and named, never a smaller N. */
	assert_int_equal(idlehold_reserve((long)rl.rlim_max, why, sizeof(why)), -1);
	snprintf(want, sizeof(want), "RLIMIT_NOFILE hard limit %llu",
	         (unsigned long long)rl.rlim_max);
	assert_string_equal(why, want);
	/* What fits raises the soft limit to at least it. */
	assert_int_equal(idlehold_reserve((long)rl.rlim_max / 2, why, sizeof(why)), 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	assert_true(rl.rlim_cur >= rl.rlim_max / 2);
}

static void test_parse_pss_stat(void **state)
{
	static const struct {
		const char *text;
		long pss;
	} pss[] = {
		{ "55d0-7ffe ---p 00000000 00:00 0 [rollup]\nRss: 4200 kB\nPss: 1234 kB\n"
		  "Pss_Anon: 1000 kB\n",
		  1234 },
		{ "Pss: 7 kB", 7 },
		{ "Rss: 4200 kB\nPss_Anon: 1000 kB\n", -1 },
		{ "", -1 },
	};
	static const struct {
		const char *stat;
		int rc;
		struct proctree_stat want;
	} stats[] = {
		{ "42 (sleep) S 7 42 42 0 -1 4194304 90 0 0 0 11 22 33 44 20 0 1 0",
		  0,
		  { 7, 11, 22, 33, 44 } },
		{ "43 (a) b (c) R 1 43 43 0 -1 0 0 0 0 0 5 6 7 8", 0, { 1, 5, 6, 7, 8 } },
		{ "44 no parens", -1, { 0 } },
		{ "45 (x)", -1, { 0 } },
		{ "46 (x) S 1 46 46 0 -1 0 0 0 0 0 5", -1, { 0 } }, /* cut short */
	};
	static const struct {
		const char *text;
		int rc;
		unsigned long long ns;
	} sched[] = {
		{ "128226490 2031112362 613\n", 0, 128226490ULL },
		{ "7", 0, 7 },
		{ "", -1, 0 },
		{ "x 1 2", -1, 0 },
		{ "12x 1 2", -1, 0 },
	};
	struct proctree_stat st;
	unsigned long long ns;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(sched) / sizeof(sched[0]); i++) {
		ns = 0;
		if (proctree_parse_schedstat(sched[i].text, &ns) != sched[i].rc ||
		    (sched[i].rc == 0 && ns != sched[i].ns))
			fail_msg("schedstat \"%s\": not %d, %llu", sched[i].text, sched[i].rc,
			         sched[i].ns);
	}
	for (i = 0; i < sizeof(pss) / sizeof(pss[0]); i++) {
		print_message("pss: %s\n", pss[i].text);
		assert_int_equal(proctree_parse_pss(pss[i].text), pss[i].pss);
	}
	for (i = 0; i < sizeof(stats) / sizeof(stats[0]); i++) {
		print_message("stat: %s\n", stats[i].stat);
		memset(&st, 0, sizeof(st));
		assert_int_equal(proctree_parse_stat(stats[i].stat, &st), stats[i].rc);
		if (stats[i].rc == 0)
			assert_memory_equal(&st, &stats[i].want, sizeof(st));
	}
}

/*
 * A child and grandchild each dirtying 8 MiB and burning 0.2 s of CPU: the
 * tree's PSS is about 16 MiB, its CPU time at least 0.3 s.
 */
static void test_tree_pss(void **state)
{
	enum { MB = 8 };
	int go[2], ready[2], i;
	long self, tree;
	double cpu;
	pid_t child;
	char c;

	(void)state;
	self = proctree_pss_kb(getpid());
	assert_true(self > 0);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		char *m;

		close(go[1]);
		fork(); /* the grandchild does the same */
		m = malloc(MB << 20);
		if (!m)
			_exit(1);
		memset(m, 1, MB << 20);
		while (clock() < CLOCKS_PER_SEC / 5)
			;
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(0);
	}
	for (i = 0; i < 2; i++)
		assert_int_equal(read(ready[0], &c, 1), 1);
	tree = proctree_pss_kb(child);
	assert_int_equal(proctree_runtime_s(child, &cpu), 0);
	close(go[1]); /* both exit */
	waitpid(child, NULL, 0);
	print_message("self %ld kB, child tree %ld kB\n", self, tree);
	print_message("child tree CPU: %.3f s\n", cpu);
	assert_true(tree >= 2 * MB * 1024 * 9 / 10);
	assert_true(cpu >= 0.3); /* two processes that spun 0.2 s of CPU each */
	assert_int_equal(proctree_pss_kb(child), -1); /* gone */
	assert_int_equal(proctree_runtime_s(child, &cpu), -1);
	close(go[0]);
	close(ready[0]);
	close(ready[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hold_refuse_drop),
		cmocka_unit_test(test_no_listener_and_bad_input),
		cmocka_unit_test(test_reserve_limit),
		cmocka_unit_test(test_parse_pss_stat),
		cmocka_unit_test(test_tree_pss),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
