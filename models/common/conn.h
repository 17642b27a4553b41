/* conn.h -- the per-connection request handler every model shares (UNP's web_child).
 *
 * A connection is two buffers: bytes received and not yet answered, and
 * replies built and not yet sent. conn_process() turns the first into the
 * second; how and when the bytes move is the model's business.
 */
#ifndef CONN_H
#define CONN_H

#include "http.h"

#include <stddef.h>
#include <sys/types.h>

#define CONN_IN_CAP    HTTP_MAX_REQUEST /* always room for one whole request */
#define CONN_OUT_CAP   8192             /* replies waiting to be sent: bounds a pipeline flood */
#define CONN_LINGER_MS 1000             /* how long a closing connection drains its input */

struct conn_buf {
	size_t in_len;            /* bytes in in[] */
	size_t out_len, out_sent; /* out[out_sent..out_len) is still to send */
	int close;                /* close once out[] is sent: no more requests are read */
	int error;                /* the status of a malformed request, else 0 */
	int linger;       /* closing with input unread: close gracefully (conn_close_graceful) */
	int no_keepalive; /* the model cannot persist: every reply says close */
	unsigned long requests; /* complete requests answered */
	char in[CONN_IN_CAP];
	char out[CONN_OUT_CAP];
};

/* Make c an empty buffer for a new connection (no_keepalive is kept). */
void conn_reset(struct conn_buf *c);

/*
 * Answer every complete request in c->in while a reply still fits in c->out,
 * and remove them from c->in. A malformed request gets its error reply; it and
 * a request that does not persist set c->close and drop any later input.
 * Returns the number of requests answered.
 */
int conn_process(struct conn_buf *c);

/* Free space for the next read: 0 when in[] is full or the connection is closing. */
size_t conn_in_room(const struct conn_buf *c);

/* Bytes waiting in out[]. */
size_t conn_out_pending(const struct conn_buf *c);

/*
 * Non-blocking I/O on fd for event-driven models.
 * conn_read: recv into in[]: > 0 bytes read, 0 peer closed, -1 error,
 *            -2 would block (or no room, when the reply queue must drain first).
 * conn_write: send out[]: 1 all sent, 0 partial (wait for writability), -1 error.
 */
ssize_t conn_read(int fd, struct conn_buf *c);
int conn_write(int fd, struct conn_buf *c);

/* Non-blocking drain of a half-closed connection: 1 when it may be closed (EOF or error), 0 to
 * wait. */
int conn_drain(int fd);

/*
 * Serve one connection on a blocking socket, start to finish (the body of the
 * iterative, fork and thread models): read, answer, repeat until the client
 * closes, a request does not persist, an error, or timeout_s seconds pass
 * without a complete request. Closes fd gracefully. Returns requests answered.
 * flags: CONN_NO_KEEPALIVE, CONN_STOP_ON_SIGNAL (only for a caller whose
 * thread is the one that takes signals: the iterative model).
 */
#define CONN_NO_KEEPALIVE   1 /* every reply says Connection: close */
#define CONN_STOP_ON_SIGNAL 2 /* single-threaded caller: SIGTERM/SIGINT end the wait (sig.h) */
unsigned long conn_serve_blocking(int fd, int timeout_s, int flags);

/*
 * Close fd after sending: shut down the write side, read and drop what the
 * client still sends until it closes or linger_ms pass, then close. This is
 * what lets a client read an error reply instead of getting a reset.
 */
void conn_close_graceful(int fd, int linger_ms);

#define CONN_REJECT_WAIT_MS 100 /* how long conn_reject waits for the request it refuses */

/*
 * Refuse a connection the model has no room for (past --max-conns, a full
 * queue): answer `status` (e.g. 503) with Connection: close and close fd
 * gracefully. Meant for the accepting thread, so it never blocks for long:
 * it waits at most CONN_REJECT_WAIT_MS for the client's request and reads
 * it first, because closing with unread input makes the kernel send a
 * reset that can destroy the reply before the client reads it.
 */
void conn_reject(int fd, int status);

#endif
