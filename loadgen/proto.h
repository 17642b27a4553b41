/* proto.h -- the pure parts of the load generator: its URL, the reply head, what the
 * connections can carry. No I/O here, so every rule is unit-tested (tests/test_loadgen.c). */
#ifndef LG_PROTO_H
#define LG_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct lg_url {
	char host[256]; /* a name or an address literal, without IPv6 brackets */
	char port[6];   /* decimal, 1..65535; "80" when the URL has none */
	char path[1024];
};

/* Parse `http://HOST[:PORT][/PATH]` (HOST may be `[v6]`). 0 on success; -1 with a one-line
 * reason in err (at most errlen bytes) for anything else: another scheme, an empty or
 * oversized host, a bad port, a path with spaces or control characters. */
int lg_url_parse(const char *url, struct lg_url *u, char *err, size_t errlen);

/* True when the address is loopback (127.0.0.0/8, ::1, ::ffff:127.x.y.z). */
int lg_addr_is_loopback(const struct sockaddr *sa);

/* The shortest time one request can hold a connection: the work the target names
 * (`/sleep/<ms>`, `/cpu/<us>`), and never below LG_MIN_RTT_US (a loopback round trip). */
#define LG_MIN_RTT_US 20
uint64_t lg_target_service_us(const char *path);

/* A mix of targets: each request goes to class i with probability weight_i / total. */
#define LG_MAX_CLASSES 8
#define LG_MAX_WEIGHT  1000000
struct lg_class {
	char path[1024];
	unsigned weight; /* 1..LG_MAX_WEIGHT */
};
struct lg_mix {
	unsigned n;     /* classes, 1..LG_MAX_CLASSES */
	unsigned total; /* the sum of the weights */
	struct lg_class cls[LG_MAX_CLASSES];
};

/* Parse `/PATH[:WEIGHT],...` (a weight defaults to 1; the last ':' of a class starts its weight)
 * into m. 0, or -1 with a one-line reason in err: an empty class, a path not starting with '/'
 * or holding a space or control character, a weight outside 1..LG_MAX_WEIGHT, too many classes. */
int lg_mix_parse(const char *text, struct lg_mix *m, char *err, size_t errlen);

/* The class a uniform draw u in [0, 1) picks: class i for u in its weight's share of [0, 1). */
unsigned lg_mix_pick(const struct lg_mix *m, double u);

/* The mean shortest holding time of a request of the mix, us (lg_target_service_us, weighted). */
double lg_mix_service_us(const struct lg_mix *m);

/* The highest rate `conns` connections can carry for the mix: each holds one request at a time. */
double lg_capacity_rps(unsigned conns, const struct lg_mix *m);

/* What lg_resp_head() found in a reply head. */
struct lg_resp {
	int status;             /* 100..599 */
	int64_t content_length; /* -1 when absent: the body runs to the end of the connection */
	int close; /* the server will close: `Connection: close` or HTTP/1.0 without keep-alive */
};

#define LG_HEAD_MORE 0  /* the head is not complete yet */
#define LG_HEAD_BAD  -1 /* not an HTTP/1.x reply head we can frame (chunked included) */

/* Parse the reply head at buf[0..len). Returns its length (the body starts there) and fills r,
 * LG_HEAD_MORE or LG_HEAD_BAD. Pure; never reads past len. */
int lg_resp_head(const char *buf, size_t len, struct lg_resp *r);

#endif
