/* test_file.c -- /file/<name>: the name rule, the open beneath the root, and the body on both
 * send paths, pushed back by a peer that stops reading. */
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
#include <linux/openat2.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "conn.h"
#include "file.h"
#include "resp.h"
#include "work.h"

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail_msg(__VA_ARGS__);                                                     \
	} while (0)

#define BIG_LEN 300001 /* several slices of out[] and several socket buffers, odd on purpose */

static char dir[] = "/tmp/test_file.XXXXXX";
static char root[sizeof(dir) + 8];

/* Byte k of the test file "big": anything a lost, repeated or shifted slice would change. */
static char big_byte(size_t k)
{
	return (char)('a' + (k * 7 + k / 4096) % 26);
}

static void put(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* dir/root/{small, empty, sub/big, sub/in -> ../small, out -> ../secret, abs -> dir/secret,
 * up -> .., fifo, subdir/}; dir/secret outside the root. */
static int setup(void **state)
{
	char p[256], *big = malloc(BIG_LEN), err[256];

	(void)state;
	if (!big || !mkdtemp(dir))
		return -1;
	snprintf(root, sizeof(root), "%s/root", dir);
	mkdir(root, 0755);
	snprintf(p, sizeof(p), "%s/sub", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/secret", dir);
	put(p, "SECRET\n", 7);
	snprintf(p, sizeof(p), "%s/small", root);
	put(p, "small\n", 6);
	snprintf(p, sizeof(p), "%s/empty", root);
	put(p, "", 0);
	for (size_t k = 0; k < BIG_LEN; k++)
		big[k] = big_byte(k);
	snprintf(p, sizeof(p), "%s/sub/big", root);
	put(p, big, BIG_LEN);
	free(big);
	snprintf(p, sizeof(p), "%s/sub/in", root);
	if (symlink("../small", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/out", root);
	if (symlink("../secret", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/abs", root);
	char target[256];
	snprintf(target, sizeof(target), "%s/secret", dir);
	if (symlink(target, p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/up", root);
	if (symlink("..", p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/fifo", root);
	if (mkfifo(p, 0644) < 0)
		return -1;
	resp_init("unit");
	return file_init(root, FILE_IO_SENDFILE, err, sizeof(err));
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_name_rule(void **state)
{
	static const struct {
		const char *name;
		int ok;
	} cases[] = {
		{ "a", 1 },           { "dir00001/class2_7", 1 },
		{ "a.b-c_D9", 1 },    { "...", 1 }, /* a name, not a step up */
		{ ".hidden", 1 },     { "", 0 },
		{ "/etc/passwd", 0 }, { "..", 0 },
		{ "../x", 0 },        { "a/../../x", 0 },
		{ "a/..", 0 },        { ".", 0 },
		{ "a/./b", 0 },       { "a//b", 0 },
		{ "a/", 0 },          { "%2e%2e/x", 0 },
		{ "a%2fb", 0 },       { "a\\b", 0 },
		{ "a b", 0 },         { "a?x=1", 0 },
		{ "a\x01", 0 },       { "caf\xc3\xa9", 0 },
	};
	char longname[FILE_NAME_MAX + 2];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(file_name_ok(cases[i].name, strlen(cases[i].name)) == cases[i].ok,
		      "file_name_ok(\"%s\") != %d", cases[i].name, cases[i].ok);
	memset(longname, 'x', sizeof(longname));
	assert_int_equal(file_name_ok(longname, FILE_NAME_MAX), 1);
	assert_int_equal(file_name_ok(longname, FILE_NAME_MAX + 1), 0);
	assert_int_equal(file_name_ok("ab", 1), 1); /* never reads past len */
}

static void test_work_parse(void **state)
{
	static const struct {
		const char *target;
		int rc, kind;
	} cases[] = {
		{ "/file/a", 0, WORK_FILE },     { "/file/dir1/x.html", 0, WORK_FILE },
		{ "/file/", -1, WORK_FILE },     { "/file/../etc/passwd", -1, WORK_FILE },
		{ "/file//etc", -1, WORK_FILE }, { "/file/%2e%2e/x", -1, WORK_FILE },
		{ "/files/a", 0, WORK_HELLO },   { "/file", 0, WORK_HELLO },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct work w;
		int rc = work_parse(cases[i].target, strlen(cases[i].target), &w);

		CHECK(rc == cases[i].rc, "%s: work_parse %d", cases[i].target, rc);
		CHECK(w.kind == cases[i].kind, "%s: kind %d", cases[i].target, w.kind);
		if (rc == 0 && w.kind == WORK_FILE)
			CHECK(w.name == cases[i].target + 6 && w.arg == strlen(cases[i].target) - 6,
			      "%s: the name is not the rest of the target", cases[i].target);
	}
}

/* 1 when the kernel has openat2 (valgrind, for one, answers ENOSYS): file.c then follows links
 * that stay inside the root; without it, it walks with O_NOFOLLOW and follows none. */
static int have_openat2(void)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC };
	int fd = (int)syscall(SYS_openat2, AT_FDCWD, ".", &how, sizeof(how));

	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/* Names that pass the rule but are no regular file beneath the root: 404, never the secret. */
static void test_open_beneath(void **state)
{
	static const struct {
		const char *name;
		off_t size; /* -1: refused with 404; a link inside: 404 without openat2 */
	} cases[] = {
		{ "small", 6 }, { "empty", 0 }, { "sub/big", BIG_LEN }, { "sub/in", 6 },
		{ "out", -1 },  { "abs", -1 },  { "up/secret", -1 },    { "up/root/small", -1 },
		{ "fifo", -1 }, { "sub", -1 },  { "missing", -1 },      { "small/x", -1 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		off_t size = -1;
		int status = 0,
		    fd = file_open(cases[i].name, strlen(cases[i].name), &size, &status);

		/* under valgrind this runs the O_NOFOLLOW walk: both ways of file.c are tested */
		if (cases[i].size < 0 || (!strcmp(cases[i].name, "sub/in") && !have_openat2())) {
			CHECK(fd < 0, "%s: opened, want 404", cases[i].name);
			CHECK(status == 404, "%s: status %d, want 404", cases[i].name, status);
			continue;
		}
		CHECK(fd >= 0, "%s: refused with %d", cases[i].name, status);
		CHECK(size == cases[i].size, "%s: size %lld", cases[i].name, (long long)size);
		CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC, "%s: not close-on-exec", cases[i].name);
		close(fd);
	}
}

#define REQ_BIG "GET /file/sub/big HTTP/1.1\r\nHost: a\r\n\r\n"

static void feed(struct conn_buf *c, const char *s)
{
	size_t n = strlen(s);

	assert_true(n <= CONN_IN_CAP - c->in_len);
	memcpy(c->in + c->in_len, s, n);
	c->in_len += n;
}

static void set_nonblock(int fd)
{
	assert_int_equal(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
}

/* The body after a reply's head in buf[0..n), and its Content-Length in *len. */
static const char *reply_body(const char *buf, size_t n, size_t *len)
{
	const char *h = memmem(buf, n, "\r\n\r\n", 4), *cl = memmem(buf, n, "Content-Length: ", 16);

	assert_non_null(h);
	assert_non_null(cl);
	*len = strtoul(cl + 16, NULL, 10);
	return h + 4;
}

/* Read what is waiting on fd into got[*n..): the client side of the socketpair. */
static void drain_into(int fd, char *got, size_t cap, size_t *n)
{
	ssize_t k;

	while ((k = read(fd, got + *n, cap - *n)) > 0)
		*n += (size_t)k;
}

/* got[0..n) is the reply to GET sub/big, every byte, then the one to GET small (case what i). */
static void check_big_then_small(const char *got, size_t n, const char *what, size_t i)
{
	size_t blen;
	const char *body = reply_body(got, n, &blen);

	assert_int_equal(blen, BIG_LEN);
	for (size_t k = 0; k < blen; k++)
		if (body[k] != big_byte(k))
			fail_msg("%s %zu: body byte %zu is %#x", what, i, k,
			         (unsigned char)body[k]);
	assert_memory_equal(body + blen, "HTTP/1.1 200 OK\r\n", 17);
	assert_memory_equal(got + n - 6, "small\n", 6);
}

/*
 * GET sub/big then GET small, pipelined, through conn_process and conn_write
 * on a socketpair whose reader stops until the writer would block: on each
 * send path, partial sends resume, out[] never overflows, both bodies arrive
 * exactly, and the file is closed once sent.
 */
static void test_body_paths(void **state)
{
	static char got[BIG_LEN + 4096];
	static const int paths[] = { FILE_IO_SENDFILE, FILE_IO_READ };
	char err[256];

	(void)state;
	for (size_t p = 0; p < 2; p++) {
		struct conn_buf *c = calloc(1, sizeof(*c));
		size_t n = 0;
		int sv[2], partial = 0, bufsz = 4096, answered;

		assert_non_null(c);
		assert_int_equal(file_init(root, paths[p], err, sizeof(err)), 0);
		conn_reset(c);
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
		assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz)),
		                 0);
		set_nonblock(sv[0]);
		set_nonblock(sv[1]);
		feed(c, REQ_BIG "GET /file/small HTTP/1.1\r\nHost: a\r\n\r\n");
		while (conn_next(c, &answered) == CONN_SEND) {
			int w = conn_write(sv[0], c);

			assert_true(w >= 0);
			CHECK(c->out_len <= CONN_OUT_CAP, "path %zu: out[] overflowed", p);
			partial += w == 0;
			drain_into(sv[1], got, sizeof(got), &n);
		}
		drain_into(sv[1], got, sizeof(got), &n);
		CHECK(partial > 0, "path %zu: the socket never pushed back", p);
		CHECK(!c->body_file, "path %zu: the file is still open after its body", p);
		assert_int_equal(c->requests, 2);
		check_big_then_small(got, n, "path", p);
		close(sv[0]);
		close(sv[1]);
		free(c);
	}
	assert_int_equal(file_init(root, FILE_IO_SENDFILE, err, sizeof(err)), 0);
}

/*
 * A model that reads the file by its own I/O (io_uring): it sends out[] and
 * then the file from body_sent, in steps of `step` bytes that may end inside
 * the head, and counts each with conn_out_advance. The body arrives exactly,
 * the pipelined reply after it too, and the file is closed once all is sent.
 */
static void test_own_reads(void **state)
{
	static char got[BIG_LEN + 4096];
	static const size_t steps[] = { 1, 100, 4096, 65536, BIG_LEN + 4096 };

	(void)state;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct conn_buf *c = calloc(1, sizeof(*c));
		size_t n = 0, step = steps[i];
		int answered, fd = -1;

		assert_non_null(c);
		conn_reset(c);
		feed(c, REQ_BIG "GET /file/small HTTP/1.1\r\nHost: a\r\n\r\n");
		while (conn_next(c, &answered) == CONN_SEND) {
			size_t head = c->out_len - c->out_sent, k = head < step ? head : step;

			memcpy(got + n, c->out + c->out_sent, k);
			if (c->body_file &&
			    k < step) { /* the head is out: the file, as a read does */
				size_t left = c->body_len - c->body_sent, m = step - k;
				ssize_t r;

				fd = c->body_fd;
				r = pread(fd, got + n + k, m < left ? m : left,
				          (off_t)c->body_sent);
				assert_true(r > 0);
				k += (size_t)r;
			}
			CHECK(n + k <= sizeof(got), "step %zu: more bytes than the replies", step);
			n += k;
			conn_out_advance(c, k);
		}
		CHECK(!c->body_file, "step %zu: the file is still open after its body", step);
		CHECK(fd >= 0 && fcntl(fd, F_GETFD) == -1, "step %zu: the file was not closed",
		      step);
		assert_int_equal(c->requests, 2);
		check_big_then_small(got, n, "step", step);
		free(c);
	}
}

/* One request at a time: status, Content-Length, body bytes, and whether it closes. */
static void test_replies(void **state)
{
	static const struct {
		const char *req;
		const char *status;
		size_t announced, body;
		int close;
	} cases[] = {
		{ "GET /file/small HTTP/1.1\r\nHost: a\r\n\r\n", "200", 6, 6, 0 },
		{ "HEAD /file/sub/big HTTP/1.1\r\nHost: a\r\n\r\n", "200", BIG_LEN, 0, 0 },
		{ "GET /file/empty HTTP/1.1\r\nHost: a\r\n\r\n", "200", 0, 0, 0 },
		{ "GET /file/out HTTP/1.1\r\nHost: a\r\n\r\n", "404", 10, 10, 1 },
		{ "GET /file/../secret HTTP/1.1\r\nHost: a\r\n\r\n", "400", 12, 12, 1 },
		{ "GET /file/%2e%2e/secret HTTP/1.1\r\nHost: a\r\n\r\n", "400", 12, 12, 1 },
		{ "GET /file//etc/passwd HTTP/1.1\r\nHost: a\r\n\r\n", "400", 12, 12, 1 },
	};
	struct conn_buf *c = calloc(1, sizeof(*c));
	static char got[BIG_LEN];

	(void)state;
	assert_non_null(c);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct iovec iov[CONN_IOV];
		size_t n = 0, blen;
		const char *body;
		int answered, k;

		conn_reset(c);
		feed(c, cases[i].req);
		while (conn_next(c, &answered) == CONN_SEND && (k = conn_out_iov(c, iov)) > 0)
			for (int j = 0; j < k; j++) {
				memcpy(got + n, iov[j].iov_base, iov[j].iov_len);
				n += iov[j].iov_len;
				conn_out_advance(c, iov[j].iov_len);
			}
		CHECK(strncmp(got + 9, cases[i].status, 3) == 0, "%s: status %.3s", cases[i].req,
		      got + 9);
		body = reply_body(got, n, &blen);
		CHECK(blen == cases[i].announced, "%s: Content-Length %zu", cases[i].req, blen);
		CHECK((size_t)(got + n - body) == cases[i].body, "%s: %zu body bytes", cases[i].req,
		      (size_t)(got + n - body));
		CHECK(!memmem(got, n, "SECRET", 6), "%s: the file outside the root was sent",
		      cases[i].req);
		CHECK(c->close == cases[i].close, "%s: close %d", cases[i].req, c->close);
		CHECK(!c->body_file, "%s: a file left open", cases[i].req);
	}
	free(c);
}

/* A file that shrinks under its reply: the reply ends short and the connection closes. */
static void test_file_shrinks(void **state)
{
	struct conn_buf *c = calloc(1, sizeof(*c));
	struct iovec iov[CONN_IOV];
	char p[256];
	int answered, k;
	size_t n = 0;

	(void)state;
	assert_non_null(c);
	snprintf(p, sizeof(p), "%s/shrinks", root);
	put(p, "0123456789abcdefghij", 20);
	conn_reset(c);
	feed(c, "GET /file/shrinks HTTP/1.1\r\nHost: a\r\n\r\n");
	assert_int_equal(conn_next(c, &answered), CONN_SEND);
	assert_true(c->body_file);
	assert_int_equal(truncate(p, 0), 0);
	while ((k = conn_out_iov(c, iov)) > 0)
		for (int j = 0; j < k; j++) {
			n += iov[j].iov_len;
			conn_out_advance(c, iov[j].iov_len);
		}
	assert_false(c->body_file);
	assert_int_equal(c->close, 1);
	assert_int_equal(conn_next(c, &answered), CONN_CLOSE);
	free(c);
}

/* A connection that ends mid-body: conn_release closes the file (else a descriptor leaks). */
static void test_release_closes(void **state)
{
	struct conn_buf *c = calloc(1, sizeof(*c));
	int answered, fd;

	(void)state;
	assert_non_null(c);
	conn_reset(c);
	feed(c, REQ_BIG);
	assert_int_equal(conn_next(c, &answered), CONN_SEND);
	assert_true(c->body_file);
	fd = c->body_fd;
	assert_true(fcntl(fd, F_GETFD) >= 0);
	conn_release(c);
	assert_false(c->body_file);
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
	free(c);
}

/* 1 when every page of sub/big is in the page cache. */
static int big_resident(void)
{
	off_t size;
	int status, fd = file_open("sub/big", 7, &size, &status), r;

	assert_true(fd >= 0);
	r = file_resident(fd, size);
	close(fd);
	return r;
}

/* Drop sub/big from the page cache: 1 if it is out (POSIX_FADV_DONTNEED is only advice). */
static int evict_big(void)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/sub/big", root);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	fdatasync(fd);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	return !big_resident();
}

/*
 * defer_work: a file whose pages are not in memory parks the connection
 * (the helper's part is work_run: it reads the file in), a resident one does
 * not. Skipped where the page cache keeps the file (tmpfs cannot evict).
 */
static void test_defer_nonresident(void **state)
{
	struct conn_buf *c = calloc(1, sizeof(*c));
	int answered;

	(void)state;
	assert_non_null(c);
	if (!evict_big()) {
		free(c);
		skip();
	}
	/* only /cpu and /sleep handed out (io_uring): the file is answered at once */
	c->defer_work = CONN_DEFER_WORK;
	conn_reset(c);
	feed(c, REQ_BIG);
	assert_int_equal(conn_next(c, &answered), CONN_SEND);
	assert_true(c->body_file);
	conn_release(c);
	c->defer_work = CONN_DEFER_FILE;
	conn_reset(c);
	feed(c, REQ_BIG);
	assert_int_equal(conn_next(c, &answered), CONN_DEFER);
	assert_int_equal(c->work.kind, WORK_FILE);
	assert_false(c->body_file);
	work_run(&c->work); /* the helper's part */
	assert_true(big_resident());
	conn_resume(c);
	assert_int_equal(conn_next(c, &answered), CONN_SEND);
	assert_int_equal(answered, 1);
	assert_true(c->body_file);
	conn_release(c);
	/* resident now: answered in place, no deferral */
	conn_reset(c);
	feed(c, REQ_BIG);
	assert_int_equal(conn_next(c, &answered), CONN_SEND);
	conn_release(c);
	free(c);
}

/*
 * A file deferred behind a request answered in the same pass: the answered
 * one leaves in[], and the deferred request's name (pointing into in[]) must
 * move with it. It did not: the helper warmed whatever bytes came to lie
 * there, and the loop then read the file from the disk itself.
 */
static void test_defer_behind_answered(void **state)
{
	static const struct {
		const char *name, *req;
	} firsts[] = {
		{ "GET /", "GET / HTTP/1.1\r\nHost: a\r\n\r\n" },
		{ "HEAD /file/small", "HEAD /file/small HTTP/1.1\r\nHost: a\r\n\r\n" },
	};
	struct conn_buf *c = calloc(1, sizeof(*c));
	char req[512];
	int answered;

	(void)state;
	assert_non_null(c);
	for (size_t i = 0; i < sizeof(firsts) / sizeof(firsts[0]); i++) {
		if (!evict_big()) {
			free(c);
			skip();
		}
		c->defer_work = CONN_DEFER_FILE;
		conn_reset(c);
		snprintf(req, sizeof(req), "%s%s", firsts[i].req, REQ_BIG);
		feed(c, req);
		assert_int_equal(conn_next(c, &answered), CONN_SEND);
		assert_int_equal(answered, 1);
		assert_true(c->deferred);
		CHECK(c->work.name >= c->in && c->work.name + 7 <= c->in + c->in_len &&
		          memcmp(c->work.name, "sub/big", 7) == 0,
		      "behind %s: the deferred file's name is not sub/big", firsts[i].name);
		work_run(&c->work); /* the helper's part: it must warm sub/big */
		CHECK(big_resident(), "behind %s: sub/big not read in", firsts[i].name);
	}
	free(c);
}

static void test_bad_docroot(void **state)
{
	char err[256], p[256];

	(void)state;
	snprintf(p, sizeof(p), "%s/small", root);
	assert_int_equal(file_init(p, FILE_IO_SENDFILE, err, sizeof(err)), -1);
	CHECK(strstr(err, "--docroot") && strstr(err, "Not a directory"), "err: %s", err);
	assert_int_equal(file_init("/nonexistent/x", FILE_IO_SENDFILE, err, sizeof(err)), -1);
	assert_int_equal(file_init(root, FILE_IO_SENDFILE, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_rule),
		cmocka_unit_test(test_work_parse),
		cmocka_unit_test(test_open_beneath),
		cmocka_unit_test(test_body_paths),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_file_shrinks),
		cmocka_unit_test(test_release_closes),
		cmocka_unit_test(test_defer_nonresident),
		cmocka_unit_test(test_defer_behind_answered),
		cmocka_unit_test(test_bad_docroot),
		cmocka_unit_test(test_own_reads),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
