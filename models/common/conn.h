/* conn.h -- the per-connection request handler every model shares (UNP's web_child).
 *
 * A connection is two buffers: bytes received and not yet answered, and
 * replies built and not yet sent. conn_process() turns the first into the
 * second; how and when the bytes move is the model's business.
 *
 * A reply is its head in out[] plus, for /bytes, an optional reference to the
 * shared read-only body (work.h): body_len bytes that follow out[] on the
 * wire, sent from the shared buffer in slices (conn_out_iov), never copied.
 * For /file/ the body is an open file instead (body_file, body_fd: file.h):
 * conn_write sends it with sendfile, or, on the read path and for a model
 * that sends by itself, conn_out_iov reads the next slice into out[] once
 * out[] has room; body_sent then counts the bytes taken from the file. The
 * file is closed once all of it is taken, or by conn_release. While a body
 * is pending nothing more is answered, so it is always the last thing
 * queued, and a client that stops reading holds only its socket buffers
 * (and, for a file, one descriptor).
 *
 * The work a request asks for (/cpu, /sleep) runs inside conn_process, on
 * the caller's thread: where the model's design runs it. A model that hands
 * it to helper threads (offload) sets CONN_DEFER_WORK in defer_work:
 * conn_process then stops at such a request and leaves it in c->work, the
 * connection waits (CONN_DEFER) until a helper has done it, and conn_resume()
 * lets the reply be built. With CONN_DEFER_FILE a /file/ whose pages are not
 * all in memory (file_resident) is deferred too: the helper reads it in
 * (work_run), and the file is opened again and sent once the connection
 * resumes. A model whose own reads of the file never block it (io_uring's
 * IORING_OP_READ) leaves CONN_DEFER_FILE out.
 */
#ifndef CONN_H
#define CONN_H

#include "http.h"
#include "work.h"

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
	int defer_work;   /* CONN_DEFER_*: what the model hands out (conn_next: CONN_DEFER) */
	int deferred;     /* the first request in in[] waits for its work, held in work */
	int work_done;    /* its work is done (conn_resume): answer it without running it */
	int continued;    /* "100 Continue" was sent for the first request in in[] */
	struct work work; /* the deferred request's work, for the helper to run */
	size_t body_len, body_sent; /* the body that follows out[]: body_sent of body_len */
	int body_file;              /* the body is the open file body_fd, not the shared pattern */
	int body_fd;
	unsigned long requests; /* complete requests answered */
	char in[CONN_IN_CAP];
	char out[CONN_OUT_CAP];
};

/* conn_buf.defer_work: what conn_process leaves to the model, or'ed together. */
enum conn_defer {
	CONN_DEFER_WORK = 1, /* /cpu and /sleep */
	CONN_DEFER_FILE = 2, /* a /file/ whose pages are not all in the page cache */
};

/* Make c an empty buffer for a new connection (no_keepalive and defer_work are kept). */
void conn_reset(struct conn_buf *c);

/* Close the file c is sending, if any: before c is reset, freed or given back to a pool. */
void conn_release(struct conn_buf *c);

/*
 * Answer every complete request in c->in while a reply still fits in c->out,
 * and remove them from c->in. A malformed request, or a /cpu, /sleep or
 * /bytes target with a bad number, gets its error reply (400 for the target);
 * it and a request that does not persist set c->close and drop any later
 * input. HEAD gets the head of the reply it names, without the body. A head
 * whose body has not arrived and that asks Expect: 100-continue gets
 * "100 Continue" once. Answering stops after a reply with a body (until it is
 * sent) and, with defer_work, at a request whose work blocks (c->deferred).
 * Runs that work (work_run) otherwise. Returns the number of requests answered.
 */
int conn_process(struct conn_buf *c);

/* The next step of a connection, decided in one place for every event-driven model. */
enum conn_next {
	CONN_SEND = 0, /* replies are pending: send them, and read nothing meanwhile */
	CONN_READ,     /* all answered and sent: read more requests */
	CONN_DEFER,  /* a request's work is with a helper: neither read nor write until conn_resume
	              */
	CONN_LINGER, /* all sent, closing with input unread: shut the write side, drain, then close
	              */
	CONN_CLOSE,  /* all sent, closing: close now */
};

/*
 * Answer what c->in holds (conn_process), unless replies are still pending,
 * and say what the connection waits for next (enum conn_next). *answered
 * gets the requests answered (for the idle timer). Call it after every read
 * or completed send; with CONN_SEND, send (conn_write or conn_out_iov) and
 * call it again once the send completes.
 */
int conn_next(struct conn_buf *c, int *answered);

/* The deferred request's work (c->work) is done: let conn_process answer it. */
void conn_resume(struct conn_buf *c);

/* Free space for the next read: 0 when in[] is full or the connection is closing. */
size_t conn_in_room(const struct conn_buf *c);

/* Bytes still to send: out[] and the body that follows it. */
size_t conn_out_pending(const struct conn_buf *c);

/*
 * The bytes to send next, for a model that sends by itself (writev, sendmsg,
 * io_uring, uv_write, evbuffer_add_reference): fills iov[0..2) with what is
 * left of out[] and a slice of the shared body, and returns how many entries
 * (0: nothing to send). The body's memory is static and read-only: it may be
 * handed to the kernel or a library by reference and outlives every
 * connection. A file body is first read into the free end of out[] (the read
 * path: this blocks on the disk for a page not in memory); bytes already in
 * out[] never move until sent. A file that cannot be read (or shrank) ends
 * the reply short and the connection closes. After a send of n bytes call
 * conn_out_advance(c, n).
 *
 * A model that reads a file body by its own I/O (io_uring's IORING_OP_READ)
 * instead sends what is left of out[] and then the file from offset
 * body_sent of body_fd (body_len - body_sent bytes to go), and calls
 * conn_out_advance with the bytes sent, head and file together: once the
 * last byte of the file is counted, the file is closed.
 */
#define CONN_IOV 2
struct iovec;
int conn_out_iov(struct conn_buf *c, struct iovec *iov);
void conn_out_advance(struct conn_buf *c, size_t n);

/*
 * Non-blocking I/O on fd for event-driven models.
 * conn_read: recv into in[]: > 0 bytes read, 0 peer closed, -1 error,
 *            CONN_AGAIN would block (or no room: the reply queue must drain first).
 * conn_write: send out[] and the body: 1 all sent, 0 partial (wait for writability),
 *            -1 error. A file body goes by sendfile(2) unless file_io() is
 *            FILE_IO_READ (then as conn_out_iov reads it).
 */
#define CONN_AGAIN (-2)
ssize_t conn_read(int fd, struct conn_buf *c);
int conn_write(int fd, struct conn_buf *c);

/*
 * Read and drop what the client has sent, without waiting (MSG_DONTWAIT: on
 * a blocking or a non-blocking socket) and at most CONN_DRAIN_MAX bytes a
 * call: 1 when fd may be closed (EOF or error), 0 when the client is still
 * there (nothing more now, or the bound reached: call again later).
 */
#define CONN_DRAIN_MAX 65536
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
 * conn_serve_blocking in two halves, for a model with admission control
 * (--max-conns): conn_serve_held serves fd the same way but leaves it open,
 * setting *linger (1: close gracefully, 0: at once); the model frees the
 * connection's slot, then conn_finish(fd, linger) closes it. The slot is
 * then free before the client sees the close, so a client that connects
 * again only after that close is never refused (issue 19).
 */
unsigned long conn_serve_held(int fd, int timeout_s, int flags, int *linger);
void conn_finish(int fd, int linger);

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
 * reset that can destroy the reply before the client reads it. It reads
 * at most CONN_DRAIN_MAX before and after the reply (conn_drain): a client
 * that keeps streaming gets a reset instead of holding the thread.
 */
void conn_reject(int fd, int status);

#endif
