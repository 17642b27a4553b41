/* fuzz_conn.c -- libFuzzer target: arbitrary bytes through conn_process, split as the input says.
 *
 * Input: byte 0 is flags, bytes 1-2 seed the split, the rest is the byte
 * stream a client sends. The stream is delivered in chunks (sizes drawn from
 * the seed), either by copying into in[] or over a socketpair with conn_read
 * and conn_write, and replies are taken out whole or in part. Whatever the
 * split, the outcome must equal that of parsing the whole stream in one go:
 * the same number of requests answered, the same error, the same close, and
 * a reply stream that frames correctly: every final reply framed by its
 * Content-Length (none after HEAD), "100 Continue" only as an interim reply,
 * a /bytes body equal to the pattern byte for byte. Replies are checked as
 * they arrive, never stored whole (a /bytes body may be 64 MiB). Blocking work
 * is deferred (defer_work) and resumed at once, as offload's helpers would,
 * so no input ever sleeps.
 *
 * /file/ is served from a document root made at the first input: its files
 * hold the /bytes pattern (so their bodies are checked as /bytes bodies are),
 * and a secret outside it, reachable by links that lead out, does not: a
 * file from outside the root fails the pattern check. The reference expects
 * a 200 only for the names in `served`, a 404 for any other valid name.
 *
 * flags: bit 0 no_keepalive; bit 1 socketpair (file bodies by sendfile, or
 * by read with bit 3); bit 2 take replies out in random parts (in-memory
 * only: file bodies read into out[]); bit 3 --file-io read; bits 4-7 log2 of
 * the largest chunk.
 */
#include "conn.h"
#include "file.h"
#include "resp.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* The reply stream, checked as it arrives. */
struct stream {
	char head[1024]; /* the head being collected */
	size_t head_len;
	size_t body_left;       /* body bytes still to come of the current reply */
	size_t body_off;        /* offset of the next one, for the /bytes pattern */
	int pattern;            /* the current body is a /bytes body */
	const int *heads;       /* heads[i]: the i-th final reply answers a HEAD */
	size_t nheads, replies; /* entries in heads, final replies seen */
	unsigned long ok, keep, errors;
	int last_status;
};

struct run {
	const uint8_t *s; /* the client's byte stream */
	size_t n, pos;    /* its length, bytes delivered so far */
	struct conn_buf *c;
	struct stream out;
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

/* A whole reply head has arrived: count it and set up its body. */
static void reply_head(struct stream *st)
{
	const char *h = st->head, *end = h + st->head_len;
	const char *cl = memmem(h, st->head_len, "Content-Length: ", 16);
	int status = 0, head;

	if (st->head_len < 13 || memcmp(h, "HTTP/1.1 ", 9) != 0)
		die("reply stream does not frame");
	for (int i = 9; i < 12; i++) /* the reply head is ours: three digits, then SP */
		status = status * 10 + (h[i] - '0');
	if (status == 100) { /* interim: no body, a final reply follows */
		if (cl)
			die("100 Continue with a Content-Length");
		return;
	}
	if (!cl)
		die("a final reply without Content-Length");
	if (st->replies >= st->nheads)
		die("more final replies than requests");
	head = st->heads[st->replies++];
	st->body_left = head ? 0 : strtoul(cl + 16, NULL, 10);
	st->body_off = 0;
	st->pattern = memmem(h, st->head_len, "application/octet-stream", 24) != NULL;
	st->last_status = status;
	st->ok += status == 200;
	st->errors += status != 200;
	st->keep += memmem(cl, (size_t)(end - cl), "Connection: keep-alive", 22) != NULL;
}

static void take(struct run *r, const char *p, size_t k)
{
	struct stream *st = &r->out;

	while (k > 0) {
		if (st->body_left > 0) {
			size_t n = k < st->body_left ? k : st->body_left;

			for (size_t i = 0; st->pattern && i < n; i++)
				if (p[i] != WORK_PATTERN[(st->body_off + i) % WORK_PATTERN_LEN])
					die("a /bytes body byte is not the pattern");
			st->body_off += n;
			st->body_left -= n;
			p += n;
			k -= n;
			continue;
		}
		if (st->head_len == sizeof(st->head))
			die("a reply head too long");
		st->head[st->head_len++] = *p++;
		k--;
		if (st->head_len >= 4 && memcmp(st->head + st->head_len - 4, "\r\n\r\n", 4) == 0) {
			reply_head(st);
			st->head_len = 0;
		}
	}
}

static void check_buf(struct run *r)
{
	const struct conn_buf *c = r->c;

	if (r->linger && !c->linger)
		die("linger was cleared while closing");
	r->linger |= c->linger;
	if (c->in_len > CONN_IN_CAP || c->out_len > CONN_OUT_CAP || c->out_sent > c->out_len ||
	    c->body_sent > c->body_len || c->body_len > WORK_BYTES_MAX)
		die("buffer lengths out of range");
	if (c->close && conn_in_room(c) != 0)
		die("closing connection still offers input room");
}

/* Move replies out: all of them, or (bit 2) a random part. */
static void drain(struct run *r, int all)
{
	struct conn_buf *c = r->c;
	struct iovec iov[CONN_IOV];
	size_t k;
	int n;

	if (r->flags & 2) {
		char buf[65536];
		ssize_t got;

		do {
			if (conn_write(r->sv[0], c) < 0)
				die("conn_write failed on a socketpair");
			while ((got = read(r->sv[1], buf, sizeof(buf))) > 0)
				take(r, buf, (size_t)got);
			if (got < 0 && errno != EAGAIN && errno != EINTR)
				die("client read failed");
		} while (all && conn_out_pending(c) > 0);
		return;
	}
	k = conn_out_pending(c);
	if (!all && (r->flags & 4))
		k = (size_t)(rng_next(&r->rng) % (k + 1));
	while (k > 0 && (n = conn_out_iov(c, iov)) > 0) {
		size_t sent = 0;

		for (int i = 0; i < n && sent < k; i++) {
			size_t m = iov[i].iov_len < k - sent ? iov[i].iov_len : k - sent;

			take(r, iov[i].iov_base, m);
			sent += m;
		}
		conn_out_advance(c, sent);
		k -= sent;
	}
}

/* conn_process, with deferred work "done by a helper" at once. */
static int process(struct conn_buf *c)
{
	int answered = conn_process(c);

	while (c->deferred) {
		if (!work_blocks(&c->work) && c->work.kind != WORK_FILE)
			die("deferred work that does not block");
		conn_resume(c);
		answered += conn_process(c);
	}
	return answered;
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
		int answered = process(c);

		check_buf(r);
		drain(r, 0);
		if (got == 0 && answered == 0) { /* stuck? the full reply queue must be the cause */
			drain(r, 1);
			answered = process(c);
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
		answered = process(c);
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
	int *heads; /* per final reply: it answers a HEAD */
	size_t nheads;
};

/* The names beneath the fuzz root that are served (the rest are 404s), with their sizes. */
static const struct {
	const char *name;
	size_t size;
} served[] = { { "p", 70001 }, { "d/q", 5000 }, { "e", 0 }, { "in", 70001 } };

/* The document root: the pattern files in `served` (in: a link to p, inside), a directory, and
 * links out to a secret that is not the pattern. Made once, removed at exit. */
static char fuzz_dir[] = "/tmp/fuzz_conn.XXXXXX";

static void remove_root(void)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fuzz_dir);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_conn: cannot remove %s\n", fuzz_dir);
}

static void make_root(void)
{
	static char pattern[70001];
	char p[128];
	FILE *f;

	if (!mkdtemp(fuzz_dir))
		die("mkdtemp");
	atexit(remove_root);
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = WORK_PATTERN[i % WORK_PATTERN_LEN];
	snprintf(p, sizeof(p), "%s/root", fuzz_dir);
	if (mkdir(p, 0755) < 0)
		die("mkdir root");
	snprintf(p, sizeof(p), "%s/root/d", fuzz_dir);
	if (mkdir(p, 0755) < 0)
		die("mkdir root/d");
	for (size_t i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s/root/%s", fuzz_dir, served[i].name);
		if (!(f = fopen(p, "w")) ||
		    fwrite(pattern, 1, served[i].size, f) != served[i].size || fclose(f) != 0)
			die("write a root file");
	}
	snprintf(p, sizeof(p), "%s/secret", fuzz_dir);
	if (!(f = fopen(p, "w")) || fputs("SECRET, not the pattern\n", f) < 0 || fclose(f) != 0)
		die("write the secret");
	snprintf(p, sizeof(p), "%s/root/in", fuzz_dir);
	if (symlink("p", p) < 0)
		die("symlink in");
	snprintf(p, sizeof(p), "%s/root/out", fuzz_dir);
	if (symlink("../secret", p) < 0)
		die("symlink out");
	snprintf(p, sizeof(p), "%s/root/up", fuzz_dir);
	if (symlink("..", p) < 0)
		die("symlink up");
}

/* 1 when the valid name w names a file `served` says is there. */
static int is_served(const struct work *w)
{
	for (size_t i = 0; i < sizeof(served) / sizeof(served[0]); i++)
		if (strlen(served[i].name) == w->arg &&
		    memcmp(served[i].name, w->name, w->arg) == 0)
			return 1;
	return 0;
}

/* The reference: the whole stream parsed in one buffer, request after request. */
static struct expect reference(const uint8_t *s, size_t n, int no_keepalive)
{
	struct expect e = { 0 };
	size_t off = 0;

	e.heads = malloc((n / 16 + 2) * sizeof(*e.heads)); /* a request is at least 16 bytes */
	if (!e.heads)
		abort();
	while (off < n) {
		struct http_request req;
		struct work w;
		size_t len = n - off < HTTP_MAX_REQUEST ? n - off : HTTP_MAX_REQUEST;
		ssize_t k = http_parse_request((const char *)s + off, len, &req);

		if (k == HTTP_NEED_MORE)
			break;
		e.heads[e.nheads++] = req.head;
		if (k == HTTP_MALFORMED) {
			e.error = req.status;
			e.close = 1;
			break;
		}
		if (work_parse(req.target, req.target_len, &w) < 0) {
			e.error = 400;
			e.close = 1;
			break;
		}
		if (w.kind == WORK_FILE && !is_served(&w)) {
			e.error = 404;
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

/* What the stream held, against the reference. */
static void check_replies(const struct run *r, const struct expect *e)
{
	const struct stream *st = &r->out;

	if (st->head_len != 0 || st->body_left != 0)
		die("the reply stream ends inside a reply");
	if (st->ok != e->requests || st->ok != r->c->requests)
		die("200 replies differ from the reference's requests");
	if (st->errors != (e->error != 0) || (e->error && st->last_status != e->error))
		die("error replies differ from the reference");
	if (st->keep != st->ok - (e->close && !e->error))
		die("keep-alive replies miscounted");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct conn_buf *c;
	struct run r = { 0 };
	struct expect e;
	char root[64], err[256];

	if (len < 3)
		return 0;
	if (!c) {
		c = malloc(sizeof(*c));
		if (!c)
			abort();
		resp_init("fuzz");
		make_root();
	}
	snprintf(root, sizeof(root), "%s/root", fuzz_dir);
	if (file_init(root, (data[0] & 8) ? FILE_IO_READ : FILE_IO_SENDFILE, err, sizeof(err)) < 0)
		die("file_init");
	r = (struct run){ .s = data + 3, .n = len - 3, .c = c, .flags = data[0] };
	r.rng = ((uint64_t)data[1] << 8 | data[2]) * 0x9e3779b97f4a7c15ull + 1;
	c->no_keepalive = data[0] & 1;
	c->defer_work = CONN_DEFER_WORK | CONN_DEFER_FILE;
	conn_reset(c);
	e = reference(r.s, r.n, c->no_keepalive);
	r.out.heads = e.heads;
	r.out.nheads = e.nheads;
	if ((r.flags & 2) &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, r.sv) < 0)
		die("socketpair");
	serve(&r);
	if (c->requests != e.requests || c->error != e.error || c->close != e.close)
		die("the split stream was answered differently from the whole");
	if (c->error && !c->linger)
		die("an error reply without a graceful close");
	check_replies(&r, &e);
	if (r.flags & 2) {
		close(r.sv[0]);
		close(r.sv[1]);
	}
	conn_release(c); /* a reply cut short (the split's end) may leave its file open */
	free(e.heads);
	return 0;
}
