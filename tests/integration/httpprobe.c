/* httpprobe.c -- a raw-socket HTTP/1.x test client that checks what curl and ab cannot see.
 *
 * It sends exact bytes (a raw file, N pipelined requests in one write, or one
 * byte per write), parses every response strictly (status line, headers,
 * Content-Length, body) and checks it against the expectations given on the
 * command line: how many responses, their status and Connection header,
 * whether the server closes afterwards, and that no byte arrives beyond the
 * last response. Every wait is bounded by poll() with a deadline.
 *
 * Prints one line per response: "<n> <status> <connection> <content-length>",
 * then "eof" or "open" (what the connection did after the last response).
 * Exit: 0 every expectation met, 1 one was not (reason on stderr),
 * 2 usage, 3 a system error (cannot connect, poll fails).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PROBE_BUF        (256 * 1024) /* received bytes kept; far more than any test reply */
#define PROBE_REQ        (64 * 1024)  /* largest request payload (a raw file) */
#define PROBE_MAX_HEAD   16384        /* a response head longer than this is malformed */
#define PROBE_OK_BODY    "Hello world"
#define PROBE_MAX_BODIES 64 /* --bodies entries: responses in one round of a mixed pipeline */

enum { EXIT_PASS = 0, EXIT_CHECK = 1, EXIT_USAGE = 2, EXIT_SYS = 3 };

struct probe_opts {
	const char *host;
	int port;
	const char *raw;    /* file of request bytes, "-" for stdin, NULL for a default GET */
	int pipeline;       /* > 0: send this many GETs in one write */
	int bytewise;       /* one byte per send() */
	int delay_us;       /* pause between bytes when bytewise */
	int repeat;         /* send the payload this many times, each after its answers */
	int expect;         /* responses per round (0: pipeline or 1) */
	int status;         /* every response must have it */
	const char *conn;   /* every response's Connection value must be it (NULL: any) */
	const char *server; /* every response's Server value must be it (NULL: any) */
	int eof;            /* the server must close after the last response */
	int open;           /* the server must keep the connection open after it */
	int last_close;     /* the last generated request says Connection: close */
	int timeout_ms;     /* bound on each wait */
	int idle_ms;        /* how long to watch for stray bytes when not expecting EOF */
	int verbose;        /* print each response head */
	int head;           /* the requests are HEAD: responses have no body (RFC 9110 9.3.2) */
	int hold;           /* first open this many slowloris connections, held to the end */
	int nbodies;        /* > 0: --bodies, what each response of a round must carry */
	long body_len[PROBE_MAX_BODIES]; /* its exact Content-Length (and body bytes) */
	int body_head[PROBE_MAX_BODIES]; /* it answers a HEAD: no body follows the head */
};

struct response {
	int status;
	long content_length;
	char conn[32];
	char server[64];
	int has_date;
	const char *head; /* into the receive buffer, head_len bytes */
	size_t head_len;
	const char *body;
};

static char rbuf[PROBE_BUF];
static size_t rlen, roff; /* rbuf[roff..rlen) is received and not yet parsed */
static char req[PROBE_REQ];
static size_t req_len;

/* Print a failed check to stderr; returns EXIT_CHECK for the caller to return. */
static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("httpprobe: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_CHECK;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/*
 * Wait for events on fd until the absolute deadline (ms, CLOCK_MONOTONIC).
 * Returns the revents, 0 on timeout, -1 on error.
 */
static int wait_fd(int fd, short events, long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do {
		long left = deadline - now_ms();

		if (left < 0)
			left = 0;
		n = poll(&p, 1, (int)left);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	return n == 0 ? 0 : p.revents;
}

/* Connect to host:port without blocking past timeout_ms. Returns the fd or -1 (reason printed). */
static int probe_connect(const char *host, int port, int timeout_ms)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	int fd, one = 1, err = 0;
	socklen_t len = sizeof(err);

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "httpprobe: %s: not an IPv4 address\n", host);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("httpprobe: socket");
		return -1;
	}
	/* Bytewise sending means nothing unless every byte leaves in its own segment. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0)
		perror("httpprobe: TCP_NODELAY");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno != EINPROGRESS) {
			perror("httpprobe: connect");
			goto fail;
		}
		if (wait_fd(fd, POLLOUT, now_ms() + timeout_ms) <= 0) {
			fprintf(stderr, "httpprobe: connect: no answer within %d ms\n", timeout_ms);
			goto fail;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err) {
			fprintf(stderr, "httpprobe: connect: %s\n", strerror(err ? err : errno));
			goto fail;
		}
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/*
 * Send buf[0..len) in chunks of at most chunk bytes, pausing delay_us between
 * chunks. Returns 0, or -1 with errno (EPIPE/ECONNRESET: the server closed,
 * ETIMEDOUT: it did not take the bytes in time).
 */
static int send_all(int fd, const char *buf, size_t len, size_t chunk, int delay_us, int timeout_ms)
{
	size_t off = 0;

	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;
		ssize_t w = send(fd, buf + off, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			int ev = wait_fd(fd, POLLOUT, now_ms() + timeout_ms);

			if (ev == 0)
				errno = ETIMEDOUT;
			if (ev <= 0)
				return -1;
			continue;
		}
		if (w < 0)
			return -1;
		off += (size_t)w;
		if (delay_us > 0 && off < len)
			usleep((useconds_t)delay_us);
	}
	return 0;
}

/* Read what is available into rbuf: > 0 bytes, 0 EOF, -1 error, -2 nothing before the deadline. */
static ssize_t recv_some(int fd, long deadline)
{
	ssize_t n;
	int ev;

	if (rlen == sizeof(rbuf)) {
		errno = ENOBUFS;
		return -1;
	}
	ev = wait_fd(fd, POLLIN, deadline);
	if (ev < 0)
		return -1;
	if (ev == 0)
		return -2;
	do
		n = recv(fd, rbuf + rlen, sizeof(rbuf) - rlen, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return -2; /* a spurious wake-up: the caller loops until its deadline */
	if (n > 0)
		rlen += (size_t)n;
	return n;
}

/* Copy a header value (trimmed of blanks) into out[cap]. */
static void copy_value(const char *v, const char *end, char *out, size_t cap)
{
	size_t n;

	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	n = (size_t)(end - v) < cap - 1 ? (size_t)(end - v) : cap - 1;
	memcpy(out, v, n);
	out[n] = '\0';
}

/* Parse one header line [line, end) into r. Returns 0, or -1 with a reason in why. */
static int parse_field(const char *line, const char *end, struct response *r, const char **why)
{
	const char *colon = memchr(line, ':', (size_t)(end - line));
	size_t name_len;
	char num[32];
	char *stop;

	if (!colon || colon == line) {
		*why = "header line without a name and a colon";
		return -1;
	}
	name_len = (size_t)(colon - line);
	if (name_len == 14 && !strncasecmp(line, "Content-Length", 14)) {
		if (r->content_length >= 0) {
			*why = "Content-Length twice";
			return -1;
		}
		copy_value(colon + 1, end, num, sizeof(num));
		r->content_length = strtol(num, &stop, 10);
		if (!num[0] || *stop || r->content_length < 0) {
			*why = "bad Content-Length";
			return -1;
		}
	} else if (name_len == 10 && !strncasecmp(line, "Connection", 10)) {
		copy_value(colon + 1, end, r->conn, sizeof(r->conn));
	} else if (name_len == 6 && !strncasecmp(line, "Server", 6)) {
		copy_value(colon + 1, end, r->server, sizeof(r->server));
	} else if (name_len == 4 && !strncasecmp(line, "Date", 4)) {
		r->has_date = 1;
	} else if (name_len == 17 && !strncasecmp(line, "Transfer-Encoding", 17)) {
		*why = "Transfer-Encoding in a reply (every reply here has a Content-Length)";
		return -1;
	}
	return 0;
}

/*
 * Parse one whole response at p[0..len). Returns its length, 0 if more bytes
 * are needed, -1 if malformed (reason in why). With head, the response to a
 * HEAD request, it has no body whatever its Content-Length. Pure: no I/O.
 */
static long parse_response(const char *p, size_t len, int head, struct response *r,
                           const char **why)
{
	const char *end, *line, *eol;
	size_t head_len;

	memset(r, 0, sizeof(*r));
	r->content_length = -1;
	end = memmem(p, len, "\r\n\r\n", 4);
	if (!end) {
		if (len > PROBE_MAX_HEAD) {
			*why = "no end of the response head";
			return -1;
		}
		return 0;
	}
	head_len = (size_t)(end - p) + 4;
	/* "HTTP/1.x SSS " then a reason phrase: exactly what RFC 9112 4 allows. */
	if (head_len < 15 || memcmp(p, "HTTP/1.", 7) || (p[7] != '0' && p[7] != '1') ||
	    p[8] != ' ' || p[9] < '1' || p[9] > '5' || p[10] < '0' || p[10] > '9' || p[11] < '0' ||
	    p[11] > '9' || p[12] != ' ') {
		*why = "bad status line";
		return -1;
	}
	r->status = (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
	eol = memmem(p, head_len, "\r\n", 2);
	for (line = eol + 2; line < end + 2; line = eol + 2) {
		eol = memmem(line, (size_t)(end + 2 - line), "\r\n", 2);
		if (parse_field(line, eol, r, why) < 0)
			return -1;
	}
	if (r->content_length < 0) {
		*why = "no Content-Length";
		return -1;
	}
	if (!head && len - head_len < (size_t)r->content_length)
		return 0;
	r->head = p;
	r->head_len = head_len;
	r->body = p + head_len;
	return (long)(head_len + (head ? 0 : (size_t)r->content_length));
}

/*
 * Check response n (1-based) of total against the options. Returns EXIT_PASS
 * or EXIT_CHECK. With --last-close the last must say close: that it comes last
 * is what shows the replies are in request order.
 */
static int check_response(const struct probe_opts *o, int n, int total, const struct response *r)
{
	const char *conn = o->last_close && n == total ? "close" : o->conn;

	if (r->status != o->status)
		return fail("response %d: status %d, expected %d", n, r->status, o->status);
	if (!r->has_date)
		return fail("response %d: no Date header", n);
	if (conn && strcasecmp(r->conn, conn))
		return fail("response %d: Connection: '%s', expected '%s'", n, r->conn, conn);
	if (o->server && strcmp(r->server, o->server))
		return fail("response %d: Server: '%s', expected '%s'", n, r->server, o->server);
	if (o->nbodies && r->content_length != o->body_len[(n - 1) % o->nbodies])
		return fail("response %d: Content-Length %ld, expected %ld", n, r->content_length,
		            o->body_len[(n - 1) % o->nbodies]);
	if (r->status == 200 && !o->head && !o->nbodies &&
	    (r->content_length != (long)strlen(PROBE_OK_BODY) ||
	     memcmp(r->body, PROBE_OK_BODY, strlen(PROBE_OK_BODY))))
		return fail("response %d: body is not '%s' (Content-Length %ld)", n, PROBE_OK_BODY,
		            r->content_length);
	return EXIT_PASS;
}

/*
 * Read and check want responses. n counts responses across rounds.
 * Returns EXIT_PASS, EXIT_CHECK or EXIT_SYS. *closing is set when one said Connection: close.
 */
static int read_responses(const struct probe_opts *o, int fd, int want, int *n, int *closing)
{
	long deadline = now_ms() + o->timeout_ms;

	for (int got = 0; got < want;) {
		struct response r;
		const char *why = NULL;
		int head = o->head || (o->nbodies && o->body_head[*n % o->nbodies]);
		long used = parse_response(rbuf + roff, rlen - roff, head, &r, &why);
		ssize_t k;

		if (used < 0)
			return fail("response %d: %s", *n + 1, why);
		if (used > 0) {
			roff += (size_t)used;
			got++;
			++*n;
			printf("%d %d %s %ld\n", *n, r.status, r.conn[0] ? r.conn : "-",
			       r.content_length);
			if (o->verbose)
				printf("%.*s", (int)r.head_len, r.head);
			if (check_response(o, *n, o->expect * o->repeat, &r) != EXIT_PASS)
				return EXIT_CHECK;
			if (!strcasecmp(r.conn, "close"))
				*closing = 1;
			continue;
		}
		k = recv_some(fd, deadline);
		if (k == 0 && rlen > roff)
			return fail("EOF inside response %d (%zu bytes of it)", *n + 1,
			            rlen - roff);
		if (k == 0)
			return fail("EOF after %d of %d responses", got, want);
		if (k == -2 && now_ms() >= deadline)
			return fail("response %d: none within %d ms (%zu bytes of it)", *n + 1,
			            o->timeout_ms, rlen - roff);
		if (k == -1) {
			if (errno == ECONNRESET)
				return fail("connection reset before response %d", *n + 1);
			perror("httpprobe: recv");
			return EXIT_SYS;
		}
	}
	return EXIT_PASS;
}

/*
 * After the last response: with --eof the server must close within the
 * timeout and send nothing more; otherwise nothing more may arrive within
 * idle_ms, and with --open it must not close either. Prints "eof" or "open".
 */
static int check_after(const struct probe_opts *o, int fd)
{
	long deadline = now_ms() + (o->eof ? o->timeout_ms : o->idle_ms);
	ssize_t k;

	while ((k = recv_some(fd, deadline)) > 0 || (k == -2 && now_ms() < deadline))
		;
	if (rlen > roff)
		return fail("%zu extra bytes after the last response: '%.40s'", rlen - roff,
		            rbuf + roff);
	if (k == -1 && errno != ECONNRESET) {
		perror("httpprobe: recv");
		return EXIT_SYS;
	}
	puts(k == -2 ? "open" : "eof");
	if (k == -1)
		return fail("connection reset instead of a graceful close");
	if (o->eof && k == -2)
		return fail("connection still open %d ms after the last response", o->timeout_ms);
	if (o->open && k == 0)
		return fail("server closed a connection that should persist");
	return EXIT_PASS;
}

/*
 * Append request i of a pipeline to req[]: a GET, a POST with a Content-Length
 * body or a POST with a chunked body in turn, each to its own path, so the
 * server must find every boundary. With --last-close the last one asks to close.
 */
static int append_request(const struct probe_opts *o, int i)
{
	static const char *const bodies[] = {
		"",
		"Content-Length: 5\r\n\r\nhello",
		"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	};
	int last = i == (o->pipeline > 0 ? o->pipeline : 1);
	int kind = (i - 1) % 3;
	int n =
	    snprintf(req + req_len, sizeof(req) - req_len,
	             "%s /probe/%d HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: httpprobe\r\n%s%s",
	             kind ? "POST" : "GET", i, last && o->last_close ? "Connection: close\r\n" : "",
	             kind ? bodies[kind] : "\r\n");

	if (n < 0 || (size_t)n >= sizeof(req) - req_len)
		return -1;
	req_len += (size_t)n;
	return 0;
}

/* Fill req[] from the options: the raw file, N pipelined requests, or one GET. */
static int build_request(const struct probe_opts *o)
{
	if (o->raw) {
		FILE *f = strcmp(o->raw, "-") ? fopen(o->raw, "rb") : stdin;

		if (!f) {
			perror(o->raw);
			return -1;
		}
		req_len = fread(req, 1, sizeof(req), f);
		if (ferror(f) || !feof(f)) {
			fprintf(stderr, "httpprobe: %s: read error or over %d bytes\n", o->raw,
			        PROBE_REQ);
			if (f != stdin)
				fclose(f);
			return -1;
		}
		if (f != stdin)
			fclose(f);
		return 0;
	}
	for (int i = 1; i <= (o->pipeline > 0 ? o->pipeline : 1); i++) {
		if (append_request(o, i) < 0) {
			fprintf(stderr, "httpprobe: --pipeline %d does not fit in %d bytes\n",
			        o->pipeline, PROBE_REQ);
			return -1;
		}
	}
	return 0;
}

static void usage(FILE *f)
{
	fputs(
	    "usage: httpprobe --port N [--host ADDR] [--raw FILE|-] [--pipeline N [--last-close]]\n"
	    "         [--bytewise] [--delay-us N] [--repeat N] [--expect N] [--status S] [--conn "
	    "close|keep-alive]\n"
	    "         [--server NAME] [--eof | --open] [--timeout-ms N] [--idle-ms N] [--head]\n"
	    "         [--hold N] [--bodies LIST] [-v]\n"
	    "Sends the request (a raw file, N pipelined requests in one write, else one GET) "
	    "--repeat\n"
	    "times, each after its --expect responses, checks every response, then what follows.\n"
	    "--head: the requests are HEAD (no response body). --hold N: first open N connections\n"
	    "that send an unfinished request head (slowloris) and hold them until the end.\n"
	    "--bodies N,hN,...: a mixed pipeline; the i-th response of each round must have\n"
	    "Content-Length N and N body bytes (hN: it answers a HEAD, no body follows).\n"
	    "Exit 0 all checks pass, 1 a check failed, 2 usage, 3 system error.\n",
	    f);
}

/* A non-negative integer option, or exit 2. */
static int int_arg(const char *name, const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0 || v > 1000000) {
		fprintf(stderr, "httpprobe: %s: bad number '%s'\n", name, s);
		exit(EXIT_USAGE);
	}
	return (int)v;
}

/* --bodies N,hN,...: each response's Content-Length, h for one that answers a HEAD; or exit 2. */
static void parse_bodies(struct probe_opts *o, const char *list)
{
	char copy[1024], *save = NULL;

	snprintf(copy, sizeof(copy), "%s", list);
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int head = *t == 'h';

		if (o->nbodies == PROBE_MAX_BODIES) {
			fprintf(stderr, "httpprobe: --bodies: at most %d entries\n",
			        PROBE_MAX_BODIES);
			exit(EXIT_USAGE);
		}
		o->body_head[o->nbodies] = head;
		o->body_len[o->nbodies++] = int_arg("--bodies", t + head);
	}
}

static void parse_args(int argc, char **argv, struct probe_opts *o)
{
	static const struct option longs[] = {
		{ "host", 1, 0, 'H' },       { "port", 1, 0, 'p' },       { "raw", 1, 0, 'r' },
		{ "pipeline", 1, 0, 'P' },   { "bytewise", 0, 0, 'b' },   { "delay-us", 1, 0, 'd' },
		{ "repeat", 1, 0, 'R' },     { "expect", 1, 0, 'e' },     { "status", 1, 0, 's' },
		{ "conn", 1, 0, 'c' },       { "server", 1, 0, 'S' },     { "eof", 0, 0, 'E' },
		{ "open", 0, 0, 'O' },       { "timeout-ms", 1, 0, 't' }, { "idle-ms", 1, 0, 'i' },
		{ "last-close", 0, 0, 'L' }, { "help", 0, 0, 'h' },       { "head", 0, 0, 'D' },
		{ "hold", 1, 0, 'o' },       { "bodies", 1, 0, 'B' },     { 0, 0, 0, 0 },
	};
	int c;

	*o = (struct probe_opts){ .host = "127.0.0.1",
		                  .port = -1,
		                  .delay_us = 1000,
		                  .repeat = 1,
		                  .status = 200,
		                  .timeout_ms = 3000,
		                  .idle_ms = 100 };
	while ((c = getopt_long(argc, argv, "v", longs, NULL)) != -1) {
		switch (c) {
		case 'H': o->host = optarg; break;
		case 'p': o->port = int_arg("--port", optarg); break;
		case 'r': o->raw = optarg; break;
		case 'P': o->pipeline = int_arg("--pipeline", optarg); break;
		case 'b': o->bytewise = 1; break;
		case 'd': o->delay_us = int_arg("--delay-us", optarg); break;
		case 'R': o->repeat = int_arg("--repeat", optarg); break;
		case 'e': o->expect = int_arg("--expect", optarg); break;
		case 's': o->status = int_arg("--status", optarg); break;
		case 'c': o->conn = optarg; break;
		case 'S': o->server = optarg; break;
		case 'E': o->eof = 1; break;
		case 'O': o->open = 1; break;
		case 'L': o->last_close = 1; break;
		case 't': o->timeout_ms = int_arg("--timeout-ms", optarg); break;
		case 'i': o->idle_ms = int_arg("--idle-ms", optarg); break;
		case 'v': o->verbose = 1; break;
		case 'D': o->head = 1; break;
		case 'o': o->hold = int_arg("--hold", optarg); break;
		case 'B': parse_bodies(o, optarg); break;
		case 'h': usage(stdout); exit(EXIT_PASS);
		default: usage(stderr); exit(EXIT_USAGE);
		}
	}
	if (optind != argc || o->port < 1 || o->port > 65535 || o->repeat < 1 ||
	    (o->eof && o->open)) {
		usage(stderr);
		exit(EXIT_USAGE);
	}
	if (!o->expect)
		o->expect = o->nbodies ? o->nbodies : o->pipeline > 0 && !o->raw ? o->pipeline : 1;
}

#define SLOWLORIS "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " /* and never the rest */

/*
 * Open n connections that each send the start of a request head and stop
 * (slowloris), into fds[]; the caller closes them. Returns how many are
 * open, or -1 when one cannot connect or send (printed).
 */
static int hold_open(const struct probe_opts *o, int *fds, int n)
{
	for (int i = 0; i < n; i++) {
		if ((fds[i] = probe_connect(o->host, o->port, o->timeout_ms)) < 0 ||
		    send_all(fds[i], SLOWLORIS, strlen(SLOWLORIS), strlen(SLOWLORIS), 0,
		             o->timeout_ms) < 0) {
			fprintf(stderr, "httpprobe: held connection %d: cannot connect or send\n",
			        i);
			if (fds[i] >= 0)
				close(fds[i]);
			while (i-- > 0)
				close(fds[i]);
			return -1;
		}
	}
	return n;
}

int main(int argc, char **argv)
{
	static int held[10000];
	struct probe_opts o;
	int fd, rc = EXIT_PASS, n = 0, closing = 0, nheld = 0;

	parse_args(argc, argv, &o);
	if (build_request(&o) < 0 || o.hold > (int)(sizeof(held) / sizeof(held[0])))
		return EXIT_USAGE;
	if ((nheld = hold_open(&o, held, o.hold)) < 0)
		return EXIT_SYS;
	if ((fd = probe_connect(o.host, o.port, o.timeout_ms)) < 0)
		return EXIT_SYS;
	for (int round = 1; round <= o.repeat && rc == EXIT_PASS; round++) {
		if (closing) {
			rc = fail("round %d: the server said Connection: close before it", round);
			break;
		}
		/*
		 * A send error is not final: a server may answer a bad request and
		 * close before taking it all. The response (or its absence) decides.
		 */
		if (send_all(fd, req, req_len, o.bytewise ? 1 : req_len,
		             o.bytewise ? o.delay_us : 0, o.timeout_ms) < 0)
			fprintf(stderr, "httpprobe: round %d: send: %s\n", round, strerror(errno));
		rc = read_responses(&o, fd, o.expect, &n, &closing);
	}
	if (rc == EXIT_PASS)
		rc = check_after(&o, fd);
	close(fd);
	while (nheld-- > 0)
		close(held[nheld]);
	return rc;
}
