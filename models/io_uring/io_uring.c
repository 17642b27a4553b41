/* io_uring.c -- completion-based loop (Proactor): I/O is submitted to a kernel ring and reaped. */
#include "clock.h"
#include "bufpool.h"
#include "conn.h"
#include "net.h"
#include "server.h"
#include "sig.h"
#include "work.h"

#include <liburing.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define RING_ENTRIES 1024
/*
 * Provided receive buffers, shared by every connection: RECV_BUFS_MIN at
 * start, doubled (once a turn) when a recv finds none left, up to the
 * connections expected (--max-conns, a power of two, at most the kernel's
 * RECV_BUFS_MAX). See bufs_grow.
 */
#define RECV_BUFS_MIN  256
#define RECV_BUFS_MAX  32768
#define RECV_BUF_LEN   4096 /* each; at most CONN_IN_CAP, so one fits an empty conn_buf */
#define RECV_BGID      0    /* their buffer group */
#define TICK_MS        250  /* how often idle and lingering connections are swept */
#define SQPOLL_IDLE_MS 10   /* the SQPOLL thread sleeps after this long with nothing to submit */
/*
 * A /file/ body goes out in slices of FILE_SLICE bytes, each read by the ring
 * into the connection's file buffer and sent from it, FILE_CHAIN slices in
 * one linked chain a submission (ring_file_submit).
 */
#define FILE_SLICE  (64 * 1024)
#define FILE_CHAIN  4
#define FILE_SPARES 16 /* file buffers kept past a burst; more go back to malloc */
/*
 * Every buffer defers its /sleep and /cpu work (bufpool_get): conn_process
 * stops before it (CONN_DEFER), so the loop queues it as a job and runs it in
 * its own time (job_run). Not a /file/ that is not in memory: the ring reads
 * it, and the loop does not wait for the disk.
 */
#define RING_DEFER_WORK CONN_DEFER_WORK

/*
 * The ladder (--uring STEP, README.md): each step keeps every feature of the
 * one before and adds one, so that each is measured on its own. Every step
 * receives into the shared provided buffers: none keeps a buffer per idle
 * connection.
 */
enum step {
	STEP_BASIC,    /* one io_uring_enter per SQE, each close a close(2) */
	STEP_FASTPOLL, /* one io_uring_enter per turn; recvs poll first; closes on the ring */
	STEP_MULTISHOT_ACCEPT, /* one accept SQE for every connection (5.19) */
	STEP_MULTISHOT_RECV,   /* one recv SQE for a connection's life (6.0) */
	STEP_REGISTERED,       /* direct descriptors (5.19) and a registered ring fd (5.18) */
	STEP_DEFER_TASKRUN,    /* IORING_SETUP_SINGLE_ISSUER | DEFER_TASKRUN (6.1) */
	STEP_SEND_ZC,          /* /bytes replies by IORING_OP_SENDMSG_ZC (6.1) */
	STEP_SQPOLL,           /* a kernel thread takes the SQEs (SQPOLL, without DEFER_TASKRUN) */
};
static const char *const step_names[] = { "basic",          "fastpoll",   "multishot-accept",
	                                  "multishot-recv", "registered", "defer-taskrun",
	                                  "send-zc",        "sqpoll",     NULL };
#define STEP_DEFAULT STEP_DEFER_TASKRUN

/*
 * A completion's user_data names what completed: a connection's address
 * with the operation in its low bits (struct ring_conn is aligned to 8), or
 * one of the small constants below, which no address can equal.
 */
enum { UD_IGNORE, UD_ACCEPT, UD_TICK, UD_SIGNAL, UD_LAST };
enum { OP_RECV = 1, OP_SEND = 2, OP_READ = 4, OP_MASK = 7 }; /* OP_READ: of a file body */

/*
 * Below multishot-recv one operation at most is in flight per connection:
 * recv, then send the replies, then recv again (the kernel may fill in[]
 * itself, so in[] must not move under a recv). From multishot-recv on, one
 * recv stays armed for the connection's life and takes provided buffers
 * only, so it may run beside a send: what arrives meanwhile is copied into
 * in[], or held in its provided buffer (held_*) when in[] has no room, and
 * answered once the send completes.
 */
struct ring_conn {
	int fd;           /* a descriptor, or a direct descriptor's index (registered) */
	int ops;          /* OP_RECV, OP_SEND and OP_READ in flight */
	int closing;      /* freed once no operation is in flight */
	int lingering;    /* write side shut down: only draining input now */
	int polled_first; /* the recv in flight has IORING_RECVSEND_POLL_FIRST */
	int eof;          /* the client has shut its side: close once all is answered */
	int own_recv;     /* the provided buffers ran out: the next recv is into buf */
	int recv_paused;  /* its multishot recv is being cancelled: in[] is full */
	int zc_res;       /* a zero-copy send's result, kept until its notification */
	int held_n, held_head, held_tail, held_off; /* held provided buffers (lp->held_next) */
	long deadline;              /* ms: close when the sweep finds it past this */
	struct iovec iov[CONN_IOV]; /* the send in flight: out[] and a slice of the body */
	struct msghdr msg;          /* for a send of both (IORING_OP_SENDMSG) */
	struct ring_conn *prev, *next;
	struct ring_conn *job_next; /* in the loop's job queue (jobs): its request's work waits */
	int queued;                 /* it is in the job queue */
	struct conn_buf *buf;  /* from the pool while bytes are in it; NULL while idle (bufs) */
	struct file_buf *fbuf; /* while a /file/ body is sent: its chain (ring_file_submit) */
};

/*
 * A /file/ body's chain (ring_file_submit) and the slice it reads and sends,
 * from the loop's spares: held only while a file goes out, so an idle
 * connection pays a pointer for it.
 */
struct file_buf {
	struct file_buf *next;    /* among the spares */
	int sqes;                 /* SQEs of the chain in flight: their CQEs still to come */
	int reads, err;           /* reads of the chain done; one failed or fell short */
	size_t sent;              /* bytes the chain's sends have sent, head included */
	unsigned len[FILE_CHAIN]; /* the length of each read of the chain */
	char data[FILE_SLICE];
};

#define SPARES_MAX 256 /* closed connections kept past a burst; more go back to malloc */

/* The whole state of the one loop, passed to every function (no file-scope variables). */
struct loop {
	struct io_uring ring;
	enum step step;           /* --uring */
	struct ring_conn *conns;  /* every connection, swept each tick and freed on exit */
	struct ring_conn *spares; /* closed ones, reused by on_accept: no malloc per client */
	int nspares;
	struct ring_conn *jobs, **jobs_tail; /* connections whose request's work waits, FIFO */
	long now_ms;   /* CLOCK_MONOTONIC, read once per batch of completions */
	long idle_ms;  /* --timeout */
	int lfd, sfd;  /* the listener; the signalfd for SIGTERM/SIGINT */
	int multishot; /* the kernel takes IORING_ACCEPT_MULTISHOT (5.19+): one SQE, many accepts */
	int poll_first; /* IORING_RECVSEND_POLL_FIRST (5.19+), off after an EINVAL */
	int fixed;      /* connections are direct descriptors (registered step on) */
	int draining;   /* shutting down: close at once, no more submissions */
	int ring_up;    /* the ring exists: drain and free it at exit */
	int accept_armed, accept_paused, tick_armed, stop;
	struct bufpool pool;      /* spare conn_bufs */
	struct file_buf *fspares; /* spare file buffers */
	int nfspares;
	struct io_uring_buf_ring *bufs; /* provided receive buffers (5.19+), or NULL */
	unsigned nbufs, bufs_cap;       /* buffers in the ring; its entries (bufs_grow) */
	int bufs_grown;                 /* the ring grew in this turn of the loop */
	char *bufmem;     /* their memory: bufs_cap of RECV_BUF_LEN, touched as used */
	short *held_next; /* [bufs_cap] a held buffer's successor in its conn's list */
	int *held_len;    /* [bufs_cap] the bytes a held buffer holds */
};

static const struct __kernel_timespec tick_ts = { 0, TICK_MS * 1000000L };

/*
 * A free SQE, submitting the full queue first if need be; NULL only if that
 * fails. The basic step submits the one before first: one SQE per enter.
 */
static struct io_uring_sqe *get_sqe(struct loop *lp)
{
	struct io_uring_sqe *sqe;

	if (lp->step == STEP_BASIC && io_uring_sq_ready(&lp->ring))
		io_uring_submit(&lp->ring); /* if it fails, the loop's next submit says why */
	sqe = io_uring_get_sqe(&lp->ring);
	if (!sqe && io_uring_submit(&lp->ring) >= 0)
		sqe = io_uring_get_sqe(&lp->ring);
	return sqe;
}

/* After the prep of an SQE on a connection: a direct descriptor is named as such. */
static void sqe_conn_fd(const struct loop *lp, struct io_uring_sqe *sqe)
{
	if (lp->fixed)
		sqe->flags |= IOSQE_FIXED_FILE;
}

/* --- connections ------------------------------------------------------- */

/*
 * Close fd with the next submission rather than a syscall of its own: a
 * closing connection has no operation in flight, so nothing else refers to
 * fd, and its number cannot be handed out again before the close has run.
 * A direct descriptor can only be closed on the ring; at exit the ring's
 * end closes them all.
 */
static void close_fd(struct loop *lp, int fd)
{
	struct io_uring_sqe *sqe;

	if (lp->fixed) {
		if (!lp->draining && (sqe = get_sqe(lp))) {
			io_uring_prep_close_direct(sqe, (unsigned)fd);
			io_uring_sqe_set_data64(sqe, UD_IGNORE);
		}
		return;
	}
	if (lp->step < STEP_FASTPOLL || lp->draining || !(sqe = get_sqe(lp))) {
		close(fd);
		return;
	}
	io_uring_prep_close(sqe, fd);
	io_uring_sqe_set_data64(sqe, UD_IGNORE);
}

/* Give provided buffer bid back to the ring. */
static void recv_buf_put(struct loop *lp, int bid)
{
	io_uring_buf_ring_add(lp->bufs, lp->bufmem + (size_t)bid * RECV_BUF_LEN, RECV_BUF_LEN,
	                      (unsigned short)bid, io_uring_buf_ring_mask(lp->bufs_cap), 0);
	io_uring_buf_ring_advance(lp->bufs, 1);
}

/* Put n more buffers in the ring, the next ids after those already in it. */
static void bufs_add(struct loop *lp, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		unsigned bid = lp->nbufs + i;

		io_uring_buf_ring_add(lp->bufs, lp->bufmem + (size_t)bid * RECV_BUF_LEN,
		                      RECV_BUF_LEN, (unsigned short)bid,
		                      io_uring_buf_ring_mask(lp->bufs_cap), (int)i);
	}
	io_uring_buf_ring_advance(lp->bufs, (int)n);
	lp->nbufs += n;
}

/*
 * A recv found no provided buffer left: double the buffers in the ring (once
 * a turn: every recv of the turn may fail alike), within bufs_cap. Only the
 * buffers the kernel has filled are in memory, so an idle connection costs
 * none, and the count follows the peak of requests arriving in one turn.
 * 0: grown, -1: at its cap already.
 */
static int bufs_grow(struct loop *lp)
{
	unsigned add = lp->nbufs < lp->bufs_cap - lp->nbufs ? lp->nbufs : lp->bufs_cap - lp->nbufs;

	if (lp->bufs_grown)
		return 0;
	if (add == 0)
		return -1;
	bufs_add(lp, add);
	lp->bufs_grown = 1;
	return 0;
}

/* Hold provided buffer bid (len bytes) at the end of c's list: in[] has no room for it. */
static void held_push(struct loop *lp, struct ring_conn *c, int bid, int len)
{
	lp->held_len[bid] = len;
	lp->held_next[bid] = -1;
	if (c->held_n++)
		lp->held_next[c->held_tail] = (short)bid;
	else
		c->held_head = bid;
	c->held_tail = bid;
}

/* Move what c holds into in[] as far as it has room; buffers emptied go back to the ring. */
static void held_refill(struct loop *lp, struct ring_conn *c)
{
	size_t room;

	while (c->held_n && (room = conn_in_room(c->buf)) > 0) {
		int bid = c->held_head;
		size_t n = (size_t)(lp->held_len[bid] - c->held_off);

		if (n > room)
			n = room;
		memcpy(c->buf->in + c->buf->in_len,
		       lp->bufmem + (size_t)bid * RECV_BUF_LEN + c->held_off, n);
		c->buf->in_len += n;
		c->held_off += (int)n;
		if (c->held_off < lp->held_len[bid])
			continue;
		c->held_head = lp->held_next[bid];
		c->held_off = 0;
		c->held_n--;
		recv_buf_put(lp, bid);
	}
}

/* Drop what c holds: it is closing or lingering. */
static void held_drop(struct loop *lp, struct ring_conn *c)
{
	while (c->held_n) {
		int bid = c->held_head;

		c->held_head = lp->held_next[bid];
		c->held_n--;
		recv_buf_put(lp, bid);
	}
	c->held_off = 0;
}

/* A file buffer for c, from the spares or new: 0, or -1 without memory. */
static int file_buf_get(struct loop *lp, struct ring_conn *c)
{
	if (c->fbuf)
		return 0;
	if ((c->fbuf = lp->fspares)) {
		lp->fspares = c->fbuf->next;
		lp->nfspares--;
		return 0;
	}
	c->fbuf = malloc(sizeof(*c->fbuf));
	return c->fbuf ? 0 : -1;
}

/* Give c's file buffer back (no file chain is in flight): the reply's body is all sent. */
static void file_buf_put(struct loop *lp, struct ring_conn *c)
{
	struct file_buf *f = c->fbuf;

	if (!f)
		return;
	c->fbuf = NULL;
	if (lp->nfspares >= FILE_SPARES) {
		free(f);
		return;
	}
	f->next = lp->fspares;
	lp->fspares = f;
	lp->nfspares++;
}

static void job_remove(struct loop *lp, struct ring_conn *c)
{
	struct ring_conn **p = &lp->jobs;

	while (*p != c)
		p = &(*p)->job_next;
	*p = c->job_next;
	if (!*p)
		lp->jobs_tail = p;
	c->queued = 0;
}

static void ring_conn_free(struct loop *lp, struct ring_conn *c)
{
	if (c->queued)
		job_remove(lp, c);
	if (c->prev)
		c->prev->next = c->next;
	else
		lp->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	close_fd(lp, c->fd);
	held_drop(lp, c);
	file_buf_put(lp, c);
	if (c->buf)
		bufpool_put(&lp->pool, c->buf);
	c->buf = NULL;
	if (lp->nspares >= SPARES_MAX) {
		free(c);
		return;
	}
	c->next = lp->spares;
	lp->spares = c;
	lp->nspares++;
}

static void spares_free(struct loop *lp)
{
	while (lp->spares) {
		struct ring_conn *c = lp->spares;

		lp->spares = c->next;
		free(c);
	}
	lp->nspares = 0;
	while (lp->fspares) {
		struct file_buf *f = lp->fspares;

		lp->fspares = f->next;
		free(f);
	}
	lp->nfspares = 0;
}

/* Cancel c's operation op (in flight): its completion, -ECANCELED, comes later. */
static int ring_conn_cancel(struct loop *lp, struct ring_conn *c, int op)
{
	struct io_uring_sqe *sqe = get_sqe(lp);

	if (!sqe)
		return -1;
	io_uring_prep_cancel64(sqe, (uintptr_t)c | (unsigned)op, 0);
	io_uring_sqe_set_data64(sqe, UD_IGNORE);
	return 0;
}

/* Close now, or once the operations in flight are cancelled and have completed. */
static void ring_conn_close(struct loop *lp, struct ring_conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	if (!c->ops) {
		ring_conn_free(lp, c);
		return;
	}
	for (int op = OP_RECV; op <= OP_READ; op <<= 1)
		if ((c->ops & op) && ring_conn_cancel(lp, c, op) < 0 && !lp->fixed)
			shutdown(c->fd, SHUT_RDWR); /* completes the operation just as well */
}

/*
 * The send of what is left of the replies: out[] alone as a plain send, or
 * out[] and a slice of the shared /bytes body (by reference: never copied)
 * as a sendmsg, zero-copy from the send-zc step on. Its iovec and msghdr
 * live in c until the send completes.
 */
static void ring_prep_send(struct loop *lp, struct io_uring_sqe *sqe, struct ring_conn *c)
{
	int n = conn_out_iov(c->buf, c->iov), flags = MSG_NOSIGNAL; /* a file: ring_file_submit */

	if (n == 1) {
		io_uring_prep_send(sqe, c->fd, c->iov[0].iov_base, c->iov[0].iov_len, flags);
		return;
	}
	c->msg = (struct msghdr){ .msg_iov = c->iov, .msg_iovlen = (size_t)n };
	if (lp->step >= STEP_SEND_ZC)
		io_uring_prep_sendmsg_zc(sqe, c->fd, &c->msg, flags);
	else
		io_uring_prep_sendmsg(sqe, c->fd, &c->msg, flags);
}

/*
 * The recv: from multishot-recv on, one armed for the connection's life into
 * provided buffers; below it one per request, into a provided buffer when
 * the connection holds no conn_buf, else straight into its in[]. After the
 * provided buffers ran out (own_recv), one into in[] in every step.
 */
static void ring_prep_recv(struct loop *lp, struct io_uring_sqe *sqe, struct ring_conn *c)
{
	if (c->buf && (c->own_recv || lp->step < STEP_MULTISHOT_RECV)) {
		if (c->lingering) /* the input is dropped: reuse the whole buffer as scratch */
			io_uring_prep_recv(sqe, c->fd, c->buf->in, sizeof(c->buf->in), 0);
		else
			io_uring_prep_recv(sqe, c->fd, c->buf->in + c->buf->in_len,
			                   conn_in_room(c->buf), 0);
		return;
	}
	if (lp->step >= STEP_MULTISHOT_RECV) /* liburing 2.3 has the helper: length 0, any buffer */
		io_uring_prep_recv_multishot(sqe, c->fd, NULL, 0, 0);
	else
		io_uring_prep_recv(sqe, c->fd, NULL, RECV_BUF_LEN, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT; /* the kernel picks a buffer once data arrives */
	sqe->buf_group = RECV_BGID;
}

static int ring_conn_submit(struct loop *lp, struct ring_conn *c, int op)
{
	struct io_uring_sqe *sqe = get_sqe(lp);

	if (!sqe)
		return -1;
	if (op == OP_SEND)
		ring_prep_send(lp, sqe, c);
	else
		ring_prep_recv(lp, sqe, c);
	sqe_conn_fd(lp, sqe);
	/*
	 * A recv is submitted when the client has just been answered (or has
	 * just connected): its next bytes are seldom there yet. Wait for
	 * readability first instead of trying a recv bound to find nothing.
	 */
	c->polled_first = op == OP_RECV && lp->poll_first && lp->step >= STEP_FASTPOLL;
	if (c->polled_first)
		sqe->ioprio |= IORING_RECVSEND_POLL_FIRST;
	io_uring_sqe_set_data64(sqe, (uintptr_t)c | (unsigned)op);
	c->ops |= op;
	return 0;
}

/*
 * n free SQEs in a row, submitting what is queued first if need be: a linked
 * chain must go in one submission, or its tail would start a new chain.
 * 0, or -1 if there is no room.
 */
static int sq_reserve(struct loop *lp, unsigned n)
{
	if (io_uring_sq_space_left(&lp->ring) >= n)
		return 0;
	io_uring_submit(&lp->ring); /* if it fails, the loop's next submit says why */
	if (lp->step >= STEP_SQPOLL && io_uring_sq_space_left(&lp->ring) < n)
		io_uring_sqring_wait(&lp->ring); /* the SQPOLL thread takes them in its own time */
	return io_uring_sq_space_left(&lp->ring) >= n ? 0 : -1;
}

/*
 * Send the /file/ body (and what is left of out[] before it: the head) by
 * the ring's own operations, so that the loop never waits for the disk: up
 * to FILE_CHAIN slices, each an IORING_OP_READ of the file into c's file
 * buffer linked (IOSQE_IO_LINK) to a send of it, the whole chain in one
 * submission. A link starts only once the one before has completed, so one
 * buffer serves every slice, and a read that fails or falls short (the file
 * shrank) cancels the rest. The sends carry MSG_WAITALL, which the ring
 * retries until all is sent (5.18), and no MSG_MORE: with it a reply's last
 * segment waited for the client's delayed ACK (README.md). Never zero-copy:
 * a send's completion would not mean the buffer is free for the next read.
 * on_file counts the chain's completions. 0, or -1 (no memory or no room).
 */
static int ring_file_submit(struct loop *lp, struct ring_conn *c)
{
	struct conn_buf *b = c->buf;
	size_t off = b->body_sent, left = b->body_len - b->body_sent;
	struct file_buf *f;
	int k;

	if (file_buf_get(lp, c) < 0 || sq_reserve(lp, 2 * FILE_CHAIN) < 0)
		return -1;
	f = c->fbuf;
	f->sqes = f->reads = f->err = 0;
	f->sent = 0;
	for (k = 0; k < FILE_CHAIN && left > 0; k++) {
		size_t n = left < FILE_SLICE ? left : FILE_SLICE;
		struct io_uring_sqe *rd = io_uring_get_sqe(&lp->ring),
		                    *wr = io_uring_get_sqe(&lp->ring);
		int flags = MSG_NOSIGNAL | MSG_WAITALL;

		io_uring_prep_read(rd, b->body_fd, f->data, (unsigned)n, off);
		rd->flags |= IOSQE_IO_LINK;
		io_uring_sqe_set_data64(rd, (uintptr_t)c | OP_READ);
		if (k == 0 && b->out_sent < b->out_len) { /* the head goes with the first slice */
			c->iov[0] =
			    (struct iovec){ b->out + b->out_sent, b->out_len - b->out_sent };
			c->iov[1] = (struct iovec){ f->data, n };
			c->msg = (struct msghdr){ .msg_iov = c->iov, .msg_iovlen = 2 };
			io_uring_prep_sendmsg(wr, c->fd, &c->msg, flags);
		} else {
			io_uring_prep_send(wr, c->fd, f->data, n, flags);
		}
		sqe_conn_fd(lp, wr);
		io_uring_sqe_set_data64(wr, (uintptr_t)c | OP_SEND);
		f->len[k] = (unsigned)n;
		off += n;
		left -= n;
		if (k + 1 < FILE_CHAIN && left > 0)
			wr->flags |= IOSQE_IO_LINK;
	}
	f->sqes = 2 * k;
	c->ops |= OP_READ | OP_SEND;
	return 0;
}

/* Have a recv armed (unless one is): -1, and c is closing, when it cannot be. */
static int ring_conn_read_on(struct loop *lp, struct ring_conn *c)
{
	if ((c->ops & OP_RECV) || ring_conn_submit(lp, c, OP_RECV) == 0)
		return 0;
	ring_conn_close(lp, c);
	return -1;
}

/*
 * Give the connection's buffer back to the pool once nothing is in it (or
 * its input is only drained now): an idle connection holds none, only a
 * recv that takes a provided buffer when data arrives.
 */
static void ring_conn_release(struct loop *lp, struct ring_conn *c)
{
	if (c->lingering)
		held_drop(lp, c);
	if (lp->bufs && c->buf && !c->held_n &&
	    (c->lingering || (c->buf->in_len == 0 && conn_out_pending(c->buf) == 0))) {
		bufpool_put(&lp->pool, c->buf);
		c->buf = NULL;
	}
}

/*
 * Shut the write side after an error reply, so the client reads it: on the
 * ring for a direct descriptor (submitted before the recv that drains).
 */
static int ring_conn_shut_wr(struct loop *lp, struct ring_conn *c)
{
	struct io_uring_sqe *sqe;

	if (!lp->fixed) {
		if (shutdown(c->fd, SHUT_WR) == 0)
			return 0;
	} else if ((sqe = get_sqe(lp))) {
		io_uring_prep_shutdown(sqe, c->fd, SHUT_WR);
		sqe_conn_fd(lp, sqe);
		io_uring_sqe_set_data64(sqe, UD_IGNORE);
		return 0;
	}
	ring_conn_close(lp, c);
	return -1;
}

/* What conn_next says once what c holds has been moved into in[] as far as it fits. */
static int ring_conn_next(struct loop *lp, struct ring_conn *c, int *answered)
{
	int n, next;

	*answered = 0;
	do {
		held_refill(lp, c);
		next = conn_next(c->buf, &n);
		*answered += n;
	} while (next == CONN_READ && c->held_n && conn_in_room(c->buf) > 0);
	return next;
}

/*
 * What next, decided by conn_next: answer what has arrived and submit the
 * whole batch of replies as one send; with nothing to send, have a recv
 * armed; with a request whose work blocks, queue it as a job. Once a
 * closing reply is out: close, or linger after an error so the client reads
 * it instead of a reset. Called only with no send in flight.
 */
static void ring_conn_advance(struct loop *lp, struct ring_conn *c)
{
	int answered, next = ring_conn_next(lp, c, &answered);

	if (answered > 0) { /* /sleep or /cpu may have held the loop: the clock moved */
		lp->now_ms = clock_now_ms();
		c->deadline = lp->now_ms + lp->idle_ms;
	}
	if (next == CONN_DEFER) { /* its work waits its turn in the job queue */
		c->job_next = NULL;
		*lp->jobs_tail = c;
		lp->jobs_tail = &c->job_next;
		c->queued = 1;
		return;
	}
	if (next == CONN_READ && c->eof)
		next = CONN_CLOSE; /* all answered, and the client sends no more */
	if (next == CONN_SEND) {
		if ((c->buf->body_file ? ring_file_submit(lp, c)
		                       : ring_conn_submit(lp, c, OP_SEND)) < 0)
			ring_conn_close(lp, c);
		return;
	}
	if (next == CONN_READ) {
		ring_conn_release(lp, c);
		ring_conn_read_on(lp, c);
		return;
	}
	if (next != CONN_LINGER) {
		ring_conn_close(lp, c); /* a clean close: nothing left to read */
		return;
	}
	c->lingering = 1;
	ring_conn_release(lp, c);
	c->deadline = lp->now_ms + CONN_LINGER_MS;
	if (ring_conn_shut_wr(lp, c) == 0)
		ring_conn_read_on(lp, c);
}

/*
 * Run the first queued job: a request's /sleep or /cpu work, in the loop's
 * thread. One job per turn of the loop, after submitting what the turn's
 * completions queued: replies, closes, the next recvs. Run inside the
 * batch, each job would hold every SQE queued before it until the batch
 * ends, so replies and closes would leave together: a batch of 30
 * /sleep/10 requests held the first reply 290 ms after it was ready (a
 * reactor writes each reply at once; see the README).
 */
static void job_run(struct loop *lp)
{
	struct ring_conn *c = lp->jobs;

	if (!c)
		return;
	job_remove(lp, c);
	io_uring_submit(&lp->ring); /* if it fails, the loop's next submit says why */
	work_run(&c->buf->work);
	conn_resume(c->buf);
	ring_conn_advance(lp, c); /* answers it: its reply is queued */
}

/*
 * A recv with a provided buffer has completed: copy its bytes into the
 * connection's own buffer (taken from the pool now; dropped if lingering or
 * closing) and give the provided buffer back to the ring at once, or hold
 * it while in[] has no room (a multishot recv runs beside a send), pausing
 * the recv. -1: no memory for the connection's buffer.
 */
static int ring_conn_take(struct loop *lp, struct ring_conn *c, int res, unsigned flags)
{
	int bid = (int)(flags >> IORING_CQE_BUFFER_SHIFT);

	if (res <= 0 || c->lingering || c->closing) {
		recv_buf_put(lp, bid);
		return 0;
	}
	if (!c->buf && !(c->buf = bufpool_get(&lp->pool, RING_DEFER_WORK))) {
		recv_buf_put(lp, bid);
		return -1;
	}
	if (!c->held_n && (size_t)res <= conn_in_room(c->buf)) {
		memcpy(c->buf->in + c->buf->in_len, lp->bufmem + (size_t)bid * RECV_BUF_LEN,
		       (size_t)res);
		c->buf->in_len += (size_t)res;
		recv_buf_put(lp, bid);
		return 0;
	}
	held_push(lp, c, bid, res);
	if ((flags & IORING_CQE_F_MORE) && !c->recv_paused && ring_conn_cancel(lp, c, OP_RECV) == 0)
		c->recv_paused = 1; /* armed again once in[] has room (ring_conn_advance) */
	return 0;
}

/* A recv straight into in[] (no provided buffer) has completed: count its bytes. */
static void recv_direct(struct ring_conn *c, int res)
{
	c->own_recv = 0;
	if (res > 0 && !c->lingering && !c->closing)
		c->buf->in_len += (size_t)res;
}

static void on_recv(struct loop *lp, struct ring_conn *c, int res, unsigned flags)
{
	int more = flags & IORING_CQE_F_MORE, busy = (c->ops & OP_SEND) || c->queued;

	if (res == -ECANCELED && c->recv_paused) {
		c->recv_paused = 0; /* paused while in[] was full: advance arms it again */
		res = -EAGAIN;
	}
	if (res == -ENOBUFS && bufs_grow(lp) == 0) {
		res = -EAGAIN;                 /* more buffers now: armed again as before */
	} else if (res == -ENOBUFS && !busy) { /* all taken, at their cap: use the conn's own */
		if (!c->buf && !(c->buf = bufpool_get(&lp->pool, RING_DEFER_WORK))) {
			ring_conn_close(lp, c);
			return;
		}
		c->own_recv = 1;
		res = -EAGAIN;
	}
	if (res == -EINVAL && c->polled_first) {
		lp->poll_first = 0; /* a kernel before 5.19: retry without the flag */
		res = -EAGAIN;
	}
	if (res == 0)
		c->eof = 1;
	if (res < 0 && res != -EINTR && res != -EAGAIN && res != -ENOBUFS) {
		ring_conn_close(lp, c); /* the client is gone */
		return;
	}
	if (c->lingering) { /* its input is dropped, until EOF */
		if (res == 0)
			ring_conn_close(lp, c);
		else if (!more)
			ring_conn_read_on(lp, c);
		return;
	}
	if (busy)
		return; /* answered once the send completes, or once the job has run */
	if (c->buf)
		ring_conn_advance(lp, c);
	else if (res == 0)
		ring_conn_close(lp, c); /* an idle connection, closed by the client */
	else
		ring_conn_read_on(lp, c);
}

/*
 * A send has completed: send the rest, or answer what arrived meanwhile.
 * A zero-copy send completes twice: its result (IORING_CQE_F_MORE), then a
 * notification (IORING_CQE_F_NOTIF) once the kernel is done with out[] and
 * the body; only then may out[] change. 0: wait for the notification.
 */
static int send_done(struct ring_conn *c, int *res, unsigned flags)
{
	if (flags & IORING_CQE_F_MORE) {
		c->zc_res = *res;
		return 0;
	}
	if (flags & IORING_CQE_F_NOTIF)
		*res = c->zc_res;
	return 1;
}

static void on_send(struct loop *lp, struct ring_conn *c, int res)
{
	if (res < 0 && res != -EINTR && res != -EAGAIN) {
		ring_conn_close(lp, c);
		return;
	}
	if (res > 0)
		conn_out_advance(c->buf, (size_t)res);
	if (!c->queued)
		ring_conn_advance(lp, c); /* sends the rest of a short send, or reads on */
}

/*
 * A completion of c's file chain (ring_file_submit), in the chain's order:
 * the reads that ran ran one after the other. Once the last has come, count
 * what was sent (the file is closed once all of it is) and go on: the next
 * chain, or the next request. A read that failed or fell short leaves a
 * reply whose length is already promised: close, as conn.c does.
 */
static void on_file(struct loop *lp, struct ring_conn *c, int op, int res)
{
	struct file_buf *f = c->fbuf;

	if (op == OP_READ && res != -ECANCELED &&
	    (f->reads >= FILE_CHAIN || res != (int)f->len[f->reads++]))
		f->err = 1;
	if (op == OP_SEND && res > 0)
		f->sent += (size_t)res;
	else if (op == OP_SEND && res < 0 && res != -ECANCELED && res != -EAGAIN && res != -EINTR)
		f->err = 1; /* the client is gone */
	if (--f->sqes > 0) {
		/* closing: the link this one starts was not in flight when the cancel came */
		if (c->closing && res != -ECANCELED)
			ring_conn_cancel(lp, c, op == OP_READ ? OP_SEND : OP_READ);
		return;
	}
	c->ops &= ~(OP_READ | OP_SEND);
	if (c->closing) {
		if (!c->ops)
			ring_conn_free(lp, c);
		return;
	}
	conn_out_advance(c->buf, f->sent);
	if (f->err) {
		ring_conn_close(lp, c); /* f goes back with c */
		return;
	}
	if (!c->buf->body_file)
		file_buf_put(lp, c);
	if (!c->queued)
		ring_conn_advance(lp, c);
}

static void on_conn(struct loop *lp, struct ring_conn *c, int op, int res, unsigned flags)
{
	int nomem = 0;

	if (op != OP_RECV && c->fbuf && c->fbuf->sqes) {
		on_file(lp, c, op, res);
		return;
	}
	if (op == OP_SEND && !send_done(c, &res, flags))
		return;
	if (op == OP_SEND || !(flags & IORING_CQE_F_MORE))
		c->ops &= ~op; /* a multishot recv stays armed while F_MORE says so */
	if (op == OP_RECV && (flags & IORING_CQE_F_BUFFER))
		nomem = ring_conn_take(lp, c, res, flags) < 0;
	else if (op == OP_RECV)
		recv_direct(c, res);
	if (c->closing) {
		if (!c->ops) /* nothing refers to it now */
			ring_conn_free(lp, c);
	} else if (nomem) {
		ring_conn_close(lp, c);
	} else if (op == OP_RECV) {
		on_recv(lp, c, res, flags);
	} else {
		on_send(lp, c, res);
	}
}

/* --- accepting ------------------------------------------------------------- */

static void arm_accept(struct loop *lp)
{
	struct io_uring_sqe *sqe = get_sqe(lp);

	if (!sqe)
		return; /* tried again next loop */
	if (lp->fixed)  /* a direct descriptor, in a free slot of the table (never inherited) */
		io_uring_prep_multishot_accept_direct(sqe, lp->lfd, NULL, NULL, 0);
	else if (lp->multishot && lp->step >= STEP_MULTISHOT_ACCEPT)
		io_uring_prep_multishot_accept(sqe, lp->lfd, NULL, NULL, SOCK_CLOEXEC);
	else
		io_uring_prep_accept(sqe, lp->lfd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, UD_ACCEPT);
	lp->accept_armed = 1;
}

/* A connection for the new descriptor fd (or direct descriptor), reused or new; NULL: none. */
static struct ring_conn *ring_conn_new(struct loop *lp, int fd)
{
	struct ring_conn *c = lp->spares;

	if (c) {
		lp->spares = c->next;
		lp->nspares--;
	} else if (!(c = malloc(sizeof(*c)))) {
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->deadline = lp->now_ms + lp->idle_ms;
	c->next = lp->conns;
	if (lp->conns)
		lp->conns->prev = c;
	lp->conns = c;
	return c;
}

static void on_accept(struct loop *lp, int res, unsigned flags)
{
	struct conn_buf *buf = NULL;
	struct ring_conn *c;

	if (!(flags & IORING_CQE_F_MORE))
		lp->accept_armed = 0; /* single-shot, or the multishot ended: arm again */
	if (res == -EINVAL && lp->multishot && !lp->fixed) {
		lp->multishot = 0; /* an older kernel: fall back to one accept per SQE */
		return;
	}
	if (res == -ECONNABORTED || res == -EINTR || res == -EAGAIN)
		return; /* the client is gone, or try again: armed again at once */
	if (res < 0) {
		/* out of descriptors (EMFILE, ENFILE: a full table of direct ones too) or memory,
		 * or an error that would come back at once: wait for the next tick, don't spin */
		lp->accept_paused = 1;
		return;
	}
	if (!lp->bufs &&
	    !(buf = bufpool_get(&lp->pool, RING_DEFER_WORK))) { /* no provided buffers: its own */
		close_fd(lp, res);
		return;
	}
	if (!(c = ring_conn_new(lp, res))) {
		if (buf)
			bufpool_put(&lp->pool, buf);
		close_fd(lp, res);
		return;
	}
	c->buf = buf;
	ring_conn_read_on(lp, c);
}

/* --- timers and signals ---------------------------------------------------- */

static void arm_tick(struct loop *lp)
{
	struct io_uring_sqe *sqe = get_sqe(lp);

	if (!sqe)
		return;
	io_uring_prep_timeout(sqe, (struct __kernel_timespec *)&tick_ts, 0, 0);
	io_uring_sqe_set_data64(sqe, UD_TICK);
	lp->tick_armed = 1;
}

/* Every tick: close connections idle past --timeout or done lingering; resume accepting. */
static void on_tick(struct loop *lp)
{
	struct ring_conn *c, *next;

	lp->tick_armed = 0;
	lp->accept_paused = 0;
	for (c = lp->conns; c; c = next) {
		next = c->next;
		if (!c->closing && !c->queued && lp->now_ms >= c->deadline) /* queued: not idle */
			ring_conn_close(lp, c);
	}
}

/*
 * SIGTERM/SIGINT arrive as the signalfd turning readable, i.e. as one more
 * completion: unlike a signal mask on the wait, this works even when the
 * ring is so busy that the wait never sleeps. A poll, not a read: the signal
 * stays pending, so work_run still sees it while a /sleep runs.
 */
static int arm_signal(struct loop *lp)
{
	struct io_uring_sqe *sqe = get_sqe(lp);

	if (!sqe)
		return -1;
	io_uring_prep_poll_add(sqe, lp->sfd, POLLIN);
	io_uring_sqe_set_data64(sqe, UD_SIGNAL);
	return 0;
}

static void on_completion(struct loop *lp, const struct io_uring_cqe *cqe)
{
	uint64_t ud = cqe->user_data;

	if (ud >= UD_LAST)
		on_conn(lp, (struct ring_conn *)(uintptr_t)(ud & ~(uint64_t)OP_MASK),
		        (int)(ud & OP_MASK), cqe->res, cqe->flags);
	else if (ud == UD_ACCEPT)
		on_accept(lp, cqe->res, cqe->flags);
	else if (ud == UD_TICK)
		on_tick(lp);
	else if (ud == UD_SIGNAL)
		lp->stop =
		    1; /* a short read or an error would stop us as well: nothing else to do */
}

/* --- setup and the loop ---------------------------------------------------- */

/* Why io_uring cannot be used here, for the skip line. */
static const char *unavailable_reason(int err)
{
	static char why[128];
	FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "r");
	int disabled = 0;

	if (f) {
		if (fscanf(f, "%d", &disabled) != 1)
			disabled = 0;
		fclose(f);
	}
	if (disabled)
		snprintf(why, sizeof(why), "disabled by sysctl kernel.io_uring_disabled=%d",
		         disabled);
	else
		snprintf(why, sizeof(why), "io_uring_queue_init: %s", strerror(err));
	return why;
}

/*
 * Create the ring with the step's flags: none below defer-taskrun, one
 * issuer with deferred task work from it on (6.1), and a kernel thread
 * polling the submission queue for sqpoll (5.11 unprivileged), which the
 * kernel refuses beside DEFER_TASKRUN, so that step drops it. That thread is
 * an io thread of this process (iou-sqp-<pid> in /proc/<pid>/task): its CPU
 * time counts in the process's own.
 */
static int ring_init(struct loop *lp)
{
	struct io_uring_params p = { 0 };

	if (lp->step >= STEP_DEFER_TASKRUN)
		p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
	if (lp->step >= STEP_SQPOLL) {
		p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_SQPOLL;
		p.sq_thread_idle = SQPOLL_IDLE_MS;
	}
	return io_uring_queue_init_params(RING_ENTRIES, &lp->ring, &p);
}

/* The operations the step submits: NULL, or the first one the kernel lacks. */
static const char *missing_op(struct loop *lp)
{
	static const struct {
		int op;
		enum step from; /* the first step that submits it */
		const char *name;
	} ops[] = {
		{ IORING_OP_ACCEPT, STEP_BASIC, "ACCEPT" },
		{ IORING_OP_RECV, STEP_BASIC, "RECV" },
		{ IORING_OP_SEND, STEP_BASIC, "SEND" },
		{ IORING_OP_SENDMSG, STEP_BASIC, "SENDMSG" },
		{ IORING_OP_TIMEOUT, STEP_BASIC, "TIMEOUT" },
		{ IORING_OP_POLL_ADD, STEP_BASIC, "POLL_ADD" },
		{ IORING_OP_ASYNC_CANCEL, STEP_BASIC, "ASYNC_CANCEL" },
		{ IORING_OP_CLOSE, STEP_FASTPOLL, "CLOSE" },
		{ IORING_OP_SHUTDOWN, STEP_REGISTERED, "SHUTDOWN" },
		{ IORING_OP_SENDMSG_ZC, STEP_SEND_ZC, "SENDMSG_ZC" },
	};
	struct io_uring_probe *probe = io_uring_get_probe_ring(&lp->ring);
	const char *missing = NULL;

	if (!probe)
		return "probe";
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]) && !missing; i++)
		if (lp->step >= ops[i].from && !io_uring_opcode_supported(probe, ops[i].op))
			missing = ops[i].name;
	io_uring_free_probe(probe);
	return missing;
}

/*
 * The registered step: a table of direct descriptors that accept fills (as
 * large as RLIMIT_NOFILE lets it be), and the ring's own fd registered, so
 * that io_uring_enter need not look it up each call. NULL, or what failed.
 */
static const char *registered_init(struct loop *lp)
{
	struct rlimit rl;
	unsigned n = 1024;

	if (lp->step < STEP_REGISTERED)
		return NULL;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		n = rl.rlim_cur > 65536 ? 65536 : (unsigned)rl.rlim_cur;
	if (io_uring_register_files_sparse(&lp->ring, n) < 0)
		return "io_uring_register_files_sparse";
	lp->fixed = 1;
	if (io_uring_register_ring_fd(&lp->ring) != 1)
		return "io_uring_register_ring_fd";
	return NULL;
}

/* The buffer ring's entries for max_conns connections: a power of two, RECV_BUFS_MIN.. _MAX. */
static unsigned bufs_cap(int max_conns)
{
	unsigned cap = RECV_BUFS_MIN;

	while (cap < (unsigned)max_conns && cap < RECV_BUFS_MAX)
		cap <<= 1;
	return cap;
}

/* The mapping of n bytes, or NULL: untouched pages cost no memory. */
static void *map_lazy(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
	               -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Provided receive buffers (5.19+): a ring the kernel takes buffers from as
 * data arrives, so a waiting recv pins none. Its entries (and the buffers'
 * memory, mapped but untouched) are for cap buffers; RECV_BUFS_MIN are in it
 * at first, more as they run out (bufs_grow). On an older kernel this fails
 * and each connection keeps a buffer of its own (lp->bufs stays NULL).
 * liburing 2.3 has no io_uring_setup_buf_ring: set it up here.
 */
static void bufs_init(struct loop *lp, unsigned cap)
{
	struct io_uring_buf_reg reg = { .ring_entries = cap, .bgid = RECV_BGID };
	void *ring = map_lazy(cap * sizeof(struct io_uring_buf));

	lp->bufs_cap = cap;
	lp->bufmem = map_lazy((size_t)cap * RECV_BUF_LEN);
	lp->held_next = map_lazy(cap * sizeof(*lp->held_next));
	lp->held_len = map_lazy(cap * sizeof(*lp->held_len));
	if (!ring || !lp->bufmem || !lp->held_next || !lp->held_len)
		return; /* bufs_free unmaps what was mapped */
	reg.ring_addr = (uintptr_t)ring;
	if (io_uring_register_buf_ring(&lp->ring, &reg, 0) < 0) {
		munmap(ring, cap * sizeof(struct io_uring_buf));
		return;
	}
	lp->bufs = ring;
	io_uring_buf_ring_init(lp->bufs);
	bufs_add(lp, RECV_BUFS_MIN);
}

static void unmap(void *p, size_t n)
{
	if (p)
		munmap(p, n);
}

/* After the ring is gone: nothing refers to the provided buffers any more. */
static void bufs_free(struct loop *lp)
{
	unsigned cap = lp->bufs_cap;

	unmap(lp->bufs, cap * sizeof(struct io_uring_buf));
	unmap(lp->bufmem, (size_t)cap * RECV_BUF_LEN);
	unmap(lp->held_next, cap * sizeof(*lp->held_next));
	unmap(lp->held_len, cap * sizeof(*lp->held_len));
	bufpool_free(&lp->pool);
}

/* Cancel what is in flight and reap it (bounded), so no buffer is freed under the kernel. */
static void drain(struct loop *lp)
{
	struct __kernel_timespec ts = { 0, 50 * 1000000L };
	long deadline = clock_now_ms() + 300;
	struct io_uring_sqe *sqe;

	lp->draining = 1; /* the last submission may never be made: close at once */
	for (struct ring_conn *c = lp->conns, *next; c; c = next) {
		next = c->next;
		ring_conn_close(lp, c);
	}
	if (lp->accept_armed && (sqe = get_sqe(lp))) {
		io_uring_prep_cancel64(sqe, UD_ACCEPT, 0);
		io_uring_sqe_set_data64(sqe, UD_IGNORE);
	}
	if (lp->tick_armed && (sqe = get_sqe(lp))) {
		io_uring_prep_timeout_remove(sqe, UD_TICK, 0);
		io_uring_sqe_set_data64(sqe, UD_IGNORE);
	}
	while ((lp->conns || lp->accept_armed || lp->tick_armed) && clock_now_ms() < deadline) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;
		int r = io_uring_submit_and_wait_timeout(&lp->ring, &cqe, 1, &ts, NULL);

		if (r < 0 && r != -ETIME && r != -EINTR)
			break;
		io_uring_for_each_cqe(&lp->ring, head, cqe)
		{
			if (cqe->user_data == UD_ACCEPT) {
				if (cqe->res >= 0)
					close_fd(lp,
					         cqe->res); /* accepted before the cancel took */
				if (!(cqe->flags & IORING_CQE_F_MORE))
					lp->accept_armed = 0;
			} else if (cqe->user_data == UD_TICK) {
				lp->tick_armed = 0;
			} else if (cqe->user_data >= UD_LAST) {
				on_completion(lp, cqe); /* closing: frees the connection */
			}
			n++;
		}
		io_uring_cq_advance(&lp->ring, n);
	}
}

#define EXIT_SKIP 77 /* the harness and the tests read it as "skipped: <reason>" */

/* Ring, buffers, signals and listener for the step: 0, or the exit status (EXIT_SKIP). */
static int loop_init(struct loop *lp, const struct opts *o)
{
	const char *missing, *step = step_names[lp->step];
	int r = ring_init(lp);

	if (r == -ENOSYS || r == -EPERM || r == -EACCES || r == -ENOMEM) {
		fprintf(stderr, "io_uring: skipped: %s\n", unavailable_reason(-r));
		return EXIT_SKIP;
	}
	if (r == -EINVAL) {
		fprintf(stderr, "io_uring: skipped: the kernel refuses the ring of --uring %s\n",
		        step);
		return EXIT_SKIP;
	}
	if (r < 0) {
		fprintf(stderr, "io_uring: io_uring_queue_init: %s\n", strerror(-r));
		return 1;
	}
	lp->ring_up = 1;
	if ((missing = missing_op(lp))) {
		fprintf(stderr, "io_uring: skipped: the kernel lacks IORING_OP_%s\n", missing);
		return EXIT_SKIP;
	}
	if ((missing = registered_init(lp))) {
		fprintf(stderr, "io_uring: skipped: --uring %s: %s failed\n", step, missing);
		return EXIT_SKIP;
	}
	bufs_init(lp, bufs_cap(o->max_conns));
	if (!lp->bufs && lp->step >= STEP_MULTISHOT_RECV) {
		fprintf(stderr, "io_uring: skipped: --uring %s needs provided buffer rings\n",
		        step);
		return EXIT_SKIP;
	}
	if ((lp->sfd = sig_fd()) < 0) {
		perror("io_uring: signals");
		return 1;
	}
	lp->lfd = server_listen(o, "io_uring", 0);
	if (arm_signal(lp) < 0 || net_announce(lp->lfd) < 0)
		return 1;
	return 0;
}

/* The whole model: keep accept and the tick armed, submit, wait, act on each completion, run
 * one job. 0 on a signal, 1 on a failure of the ring. */
static int loop_run(struct loop *lp)
{
	lp->now_ms = clock_now_ms();
	while (!lp->stop) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;
		int r;

		if (!lp->accept_armed && !lp->accept_paused)
			arm_accept(lp);
		if (!lp->tick_armed)
			arm_tick(lp);
		if (lp->jobs) /* a job waits: reap what has completed, but do not wait */
			r = io_uring_submit_and_get_events(&lp->ring);
		else
			r = io_uring_submit_and_wait_timeout(&lp->ring, &cqe, 1, NULL, NULL);
		if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY && r != -ETIME) {
			fprintf(stderr, "io_uring: io_uring_submit_and_wait: %s\n", strerror(-r));
			return 1;
		}
		lp->now_ms = clock_now_ms();
		lp->bufs_grown = 0;
		io_uring_for_each_cqe(&lp->ring, head, cqe)
		{
			on_completion(lp, cqe);
			n++;
		}
		io_uring_cq_advance(&lp->ring, n);
		if (!lp->stop) /* the signalfd took the signal: work_run could no longer see it */
			job_run(lp);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct loop loop = { .lfd = -1, .sfd = -1, .multishot = 1, .poll_first = 1 }, *lp = &loop;
	struct opts_choice uring = { .name = "uring",
		                     .values = step_names,
		                     .index = STEP_DEFAULT,
		                     .help = "the io_uring features used, each step adding one "
		                             "(README.md)" };
	struct opts o;
	int rc;

	/* SIGTERM/SIGINT are read from a signalfd on the ring (sig_fd), not sig_init */
	server_init_choice(argc, argv, "io_uring",
	                   "io_uring proactor: one ring, accept/recv/send completions, --workers "
	                   "ignored.",
	                   SERVER_OWN_SIGNALS, &uring, &o);
	lp->step = (enum step)uring.index;
	lp->idle_ms = o.timeout * 1000L;
	lp->jobs_tail = &lp->jobs;
	rc = loop_init(lp, &o);
	if (rc == 0)
		rc = loop_run(lp);
	if (lp->ring_up) {
		drain(lp);
		io_uring_queue_exit(&lp->ring);
	}
	while (lp->conns) /* only if the drain ran out of time */
		ring_conn_free(lp, lp->conns);
	spares_free(lp);
	bufs_free(lp);
	if (lp->sfd >= 0)
		close(lp->sfd);
	if (lp->lfd >= 0)
		close(lp->lfd);
	return rc;
}
