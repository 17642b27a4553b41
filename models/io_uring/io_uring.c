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
#include <sys/signalfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define RING_ENTRIES 1024
#define RECV_BUFS    256  /* provided receive buffers, shared by every connection */
#define RECV_BUF_LEN 4096 /* each; at most CONN_IN_CAP, so one fits an empty conn_buf */
#define RECV_BGID    0    /* their buffer group */
#define TICK_MS      250  /* how often idle and lingering connections are swept */
/*
 * Every buffer defers its /sleep and /cpu work (bufpool_get): conn_process
 * stops before it (CONN_DEFER), so the loop queues it as a job and runs it in
 * its own time (job_run).
 */
#define RING_DEFER_WORK 1

/*
 * A completion's user_data names what completed: a connection's address
 * with the operation in its low bits (struct ring_conn is aligned to 8), or
 * one of the small constants below, which no address can equal.
 */
enum { UD_IGNORE, UD_ACCEPT, UD_TICK, UD_SIGNAL, UD_LAST };
enum { OP_RECV = 1, OP_SEND = 2, OP_MASK = 7 };

/*
 * One operation at most is in flight per connection: recv, then send the
 * replies, then recv again. The kernel fills in[] asynchronously, so in[]
 * must not be moved by conn_process while a recv owns it; alternating makes
 * that true by construction, and request/response clients lose nothing.
 */
struct ring_conn {
	int fd;
	int op;                     /* OP_RECV or OP_SEND in flight, or 0 */
	int closing;                /* freed once its operation completes */
	int lingering;              /* write side shut down: only draining input now */
	int polled_first;           /* the recv in flight has IORING_RECVSEND_POLL_FIRST */
	long deadline;              /* ms: close when the sweep finds it past this */
	struct iovec iov[CONN_IOV]; /* the send in flight: out[] and a slice of the body */
	struct msghdr msg;          /* for a send of both (IORING_OP_SENDMSG) */
	struct ring_conn *prev, *next;
	struct ring_conn *job_next; /* in the loop's job queue (jobs): its request's work waits */
	int queued;                 /* it is in the job queue */
	struct conn_buf *buf; /* from the pool while bytes are in it; NULL while idle (bufs) */
};

#define SPARES_MAX 256 /* closed connections kept past a burst; more go back to malloc */

/* The whole state of the one loop, passed to every function (no file-scope variables). */
struct loop {
	struct io_uring ring;
	struct ring_conn *conns;  /* every connection, swept each tick and freed on exit */
	struct ring_conn *spares; /* closed ones, reused by on_accept: no malloc per client */
	int nspares;
	struct ring_conn *jobs, **jobs_tail; /* connections whose request's work waits, FIFO */
	long now_ms;   /* CLOCK_MONOTONIC, read once per batch of completions */
	long idle_ms;  /* --timeout */
	int lfd, sfd;  /* the listener; the signalfd for SIGTERM/SIGINT */
	int multishot; /* the kernel takes IORING_ACCEPT_MULTISHOT (5.19+): one SQE, many accepts */
	int ring_close; /* close descriptors through the ring (IORING_OP_CLOSE, 5.6+) */
	int poll_first; /* IORING_RECVSEND_POLL_FIRST (5.19+), off after an EINVAL */
	int accept_armed, accept_paused, tick_armed, stop;
	struct signalfd_siginfo siginfo; /* the signalfd read's buffer */
	struct bufpool pool;             /* spare conn_bufs */
	struct io_uring_buf_ring *bufs;  /* provided receive buffers (5.19+), or NULL */
	char *bufmem;                    /* their memory: RECV_BUFS of RECV_BUF_LEN */
};

static const struct __kernel_timespec tick_ts = { 0, TICK_MS * 1000000L };

/* A free SQE, submitting the full queue first if need be; NULL only if that fails. */
static struct io_uring_sqe *get_sqe(struct loop *lp)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&lp->ring);

	if (!sqe && io_uring_submit(&lp->ring) >= 0)
		sqe = io_uring_get_sqe(&lp->ring);
	return sqe;
}

/* --- connections ------------------------------------------------------- */

/*
 * Close fd with the next submission rather than a syscall of its own: a
 * closing connection has no operation in flight, so nothing else refers to
 * fd, and its number cannot be handed out again before the close has run.
 */
static void close_fd(struct loop *lp, int fd)
{
	struct io_uring_sqe *sqe;

	if (!lp->ring_close || !(sqe = get_sqe(lp))) {
		close(fd);
		return;
	}
	io_uring_prep_close(sqe, fd);
	io_uring_sqe_set_data64(sqe, UD_IGNORE);
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
}

/* Close now, or once the operation in flight is cancelled and has completed. */
static void ring_conn_close(struct loop *lp, struct ring_conn *c)
{
	struct io_uring_sqe *sqe;

	if (c->closing)
		return;
	c->closing = 1;
	if (!c->op) {
		ring_conn_free(lp, c);
		return;
	}
	if ((sqe = get_sqe(lp))) {
		io_uring_prep_cancel64(sqe, (uintptr_t)c | (unsigned)c->op, 0);
		io_uring_sqe_set_data64(sqe, UD_IGNORE);
	} else {
		shutdown(c->fd, SHUT_RDWR); /* completes the operation just as well */
	}
}

/*
 * The send of what is left of the replies: out[] alone as a plain send, or
 * out[] and a slice of the shared /bytes body (by reference: never copied)
 * as a sendmsg. Its iovec and msghdr live in c until the send completes.
 */
static void ring_prep_send(struct io_uring_sqe *sqe, struct ring_conn *c)
{
	int n = conn_out_iov(c->buf, c->iov);

	if (n == 1) {
		io_uring_prep_send(sqe, c->fd, c->iov[0].iov_base, c->iov[0].iov_len, MSG_NOSIGNAL);
		return;
	}
	c->msg = (struct msghdr){ .msg_iov = c->iov, .msg_iovlen = (size_t)n };
	io_uring_prep_sendmsg(sqe, c->fd, &c->msg, MSG_NOSIGNAL);
}

static int ring_conn_submit(struct loop *lp, struct ring_conn *c, int op)
{
	struct io_uring_sqe *sqe = get_sqe(lp);

	if (!sqe)
		return -1;
	if (op == OP_SEND) {
		ring_prep_send(sqe, c);
	} else if (!c->buf) { /* the kernel picks a provided buffer once data arrives */
		io_uring_prep_recv(sqe, c->fd, NULL, RECV_BUF_LEN, 0);
		sqe->flags |= IOSQE_BUFFER_SELECT;
		sqe->buf_group = RECV_BGID;
	} else if (c->lingering) { /* the input is dropped: reuse the whole buffer as scratch */
		io_uring_prep_recv(sqe, c->fd, c->buf->in, sizeof(c->buf->in), 0);
	} else {
		io_uring_prep_recv(sqe, c->fd, c->buf->in + c->buf->in_len, conn_in_room(c->buf),
		                   0);
	}
	/*
	 * A recv is submitted when the client has just been answered (or has
	 * just connected): its next bytes are seldom there yet. Wait for
	 * readability first instead of trying a recv bound to find nothing.
	 */
	c->polled_first = op == OP_RECV && lp->poll_first;
	if (c->polled_first)
		sqe->ioprio |= IORING_RECVSEND_POLL_FIRST;
	io_uring_sqe_set_data64(sqe, (uintptr_t)c | (unsigned)op);
	c->op = op;
	return 0;
}

/*
 * With provided buffers, give the connection's buffer back to the pool once
 * nothing is in it (or its input is only drained now): an idle connection
 * holds none, only a recv that takes a provided buffer when data arrives.
 */
static void ring_conn_release(struct loop *lp, struct ring_conn *c)
{
	if (lp->bufs && c->buf &&
	    (c->lingering || (c->buf->in_len == 0 && conn_out_pending(c->buf) == 0))) {
		bufpool_put(&lp->pool, c->buf);
		c->buf = NULL;
	}
}

/*
 * What next, decided by conn_next: answer what has arrived and submit the
 * whole batch of replies as one send; with nothing to send, submit the next
 * recv; with a request whose work blocks, queue it as a job. Once a closing
 * reply is out: close, or linger after an error so the client reads it
 * instead of a reset.
 */
static void ring_conn_advance(struct loop *lp, struct ring_conn *c)
{
	int answered, next = conn_next(c->buf, &answered);

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
	if (next == CONN_READ)
		ring_conn_release(lp, c);
	if (next == CONN_SEND || next == CONN_READ) {
		if (ring_conn_submit(lp, c, next == CONN_SEND ? OP_SEND : OP_RECV) < 0)
			ring_conn_close(lp, c);
		return;
	}
	if (next != CONN_LINGER) {
		ring_conn_close(lp, c); /* a clean close: nothing left to read */
		return;
	}
	c->lingering = 1;
	ring_conn_release(lp, c);
	c->deadline = lp->now_ms + CONN_LINGER_MS;
	if (shutdown(c->fd, SHUT_WR) < 0 || ring_conn_submit(lp, c, OP_RECV) < 0)
		ring_conn_close(lp, c);
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
 * closing), and give the provided buffer back to the ring at once. -1: no
 * memory for the connection's buffer.
 */
static int ring_conn_take(struct loop *lp, struct ring_conn *c, int res, unsigned flags)
{
	unsigned bid = flags >> IORING_CQE_BUFFER_SHIFT;
	char *data = lp->bufmem + (size_t)bid * RECV_BUF_LEN;
	int rc = 0;

	if (res > 0 && !c->lingering && !c->closing) {
		if (!c->buf && !(c->buf = bufpool_get(&lp->pool, RING_DEFER_WORK)))
			rc = -1;
		else
			memcpy(c->buf->in + c->buf->in_len, data, (size_t)res);
	}
	io_uring_buf_ring_add(lp->bufs, data, RECV_BUF_LEN, (unsigned short)bid,
	                      io_uring_buf_ring_mask(RECV_BUFS), 0);
	io_uring_buf_ring_advance(lp->bufs, 1);
	return rc;
}

static void on_recv(struct loop *lp, struct ring_conn *c, int res)
{
	if (res == -ENOBUFS && !c->buf && !(c->buf = bufpool_get(&lp->pool, RING_DEFER_WORK))) {
		ring_conn_close(lp, c); /* no provided buffer free, and no memory for its own */
		return;
	}
	if (res == -EINVAL && c->polled_first)
		lp->poll_first = 0; /* a kernel before 5.19: retry without the flag */
	/* -ENOBUFS: every provided buffer is taken; the retry reads into the connection's own */
	if (res == -EINTR || res == -EAGAIN || res == -ENOBUFS ||
	    (res == -EINVAL && c->polled_first)) {
		if (ring_conn_submit(lp, c, OP_RECV) < 0)
			ring_conn_close(lp, c);
		return;
	}
	if (res <= 0) { /* the client is gone, or done after our error reply */
		ring_conn_close(lp, c);
		return;
	}
	if (c->lingering) {
		if (ring_conn_submit(lp, c, OP_RECV) < 0)
			ring_conn_close(lp, c);
		return;
	}
	c->buf->in_len += (size_t)res;
	ring_conn_advance(lp, c);
}

static void on_send(struct loop *lp, struct ring_conn *c, int res)
{
	if (res < 0 && res != -EINTR && res != -EAGAIN) {
		ring_conn_close(lp, c);
		return;
	}
	if (res > 0)
		conn_out_advance(c->buf, (size_t)res);
	ring_conn_advance(lp, c); /* sends the rest of a short send, or reads on */
}

static void on_conn(struct loop *lp, struct ring_conn *c, int op, int res, unsigned flags)
{
	int nomem = (flags & IORING_CQE_F_BUFFER) && ring_conn_take(lp, c, res, flags) < 0;

	c->op = 0;
	if (c->closing) /* its one operation has completed: nothing refers to it now */
		ring_conn_free(lp, c);
	else if (nomem)
		ring_conn_close(lp, c);
	else if (op == OP_RECV)
		on_recv(lp, c, res);
	else
		on_send(lp, c, res);
}

/* --- accepting ------------------------------------------------------------- */

static void arm_accept(struct loop *lp)
{
	struct io_uring_sqe *sqe = get_sqe(lp);

	if (!sqe)
		return; /* tried again next loop */
	if (lp->multishot)
		io_uring_prep_multishot_accept(sqe, lp->lfd, NULL, NULL, SOCK_CLOEXEC);
	else
		io_uring_prep_accept(sqe, lp->lfd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data64(sqe, UD_ACCEPT);
	lp->accept_armed = 1;
}

static void on_accept(struct loop *lp, int res, unsigned flags)
{
	struct conn_buf *buf = NULL;
	struct ring_conn *c;

	if (!(flags & IORING_CQE_F_MORE))
		lp->accept_armed = 0; /* single-shot, or the multishot ended: arm again */
	if (res == -EINVAL && lp->multishot) {
		lp->multishot = 0; /* an older kernel: fall back to one accept per SQE */
		return;
	}
	if (res == -EMFILE || res == -ENFILE || res == -ENOBUFS || res == -ENOMEM) {
		lp->accept_paused = 1; /* out of descriptors: wait for the next tick, don't spin */
		return;
	}
	if (res < 0)
		return; /* ECONNABORTED and the like: the client is gone */
	if (!lp->bufs &&
	    !(buf = bufpool_get(&lp->pool, RING_DEFER_WORK))) { /* no provided buffers: its own */
		close(res);
		return;
	}
	if (lp->spares) {
		c = lp->spares;
		lp->spares = c->next;
		lp->nspares--;
	} else if (!(c = malloc(sizeof(*c)))) {
		if (buf)
			bufpool_put(&lp->pool, buf);
		close(res);
		return;
	}
	memset(c, 0, sizeof(*c));
	c->buf = buf;
	c->fd = res;
	c->deadline = lp->now_ms + lp->idle_ms;
	c->next = lp->conns;
	if (lp->conns)
		lp->conns->prev = c;
	lp->conns = c;
	if (ring_conn_submit(lp, c, OP_RECV) < 0)
		ring_conn_close(lp, c);
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
 * SIGTERM/SIGINT arrive as a read on a signalfd, i.e. as one more completion:
 * unlike a signal mask on the wait, this works even when the ring is so busy
 * that the wait never sleeps.
 */
static int arm_signal(struct loop *lp)
{
	struct io_uring_sqe *sqe = get_sqe(lp);

	if (!sqe)
		return -1;
	io_uring_prep_read(sqe, lp->sfd, &lp->siginfo, sizeof(lp->siginfo), 0);
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
 * Create the ring with the best flags this kernel takes: one issuer with
 * deferred task work (6.1+), cooperative task work (5.19+), or none.
 */
static int ring_init(struct loop *lp)
{
	static const unsigned flags[] = { IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,
		                          IORING_SETUP_COOP_TASKRUN, 0 };
	int r = -EINVAL;

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]) && r == -EINVAL; i++) {
		struct io_uring_params p = { .flags = flags[i] };

		r = io_uring_queue_init_params(RING_ENTRIES, &lp->ring, &p);
	}
	return r;
}

/* The operations this model submits, all in the kernel since 5.6: NULL, or the missing one's name.
 */
static const char *missing_op(struct loop *lp)
{
	static const struct {
		int op;
		const char *name;
	} ops[] = {
		{ IORING_OP_ACCEPT, "ACCEPT" },
		{ IORING_OP_RECV, "RECV" },
		{ IORING_OP_SEND, "SEND" },
		{ IORING_OP_SENDMSG, "SENDMSG" },
		{ IORING_OP_TIMEOUT, "TIMEOUT" },
		{ IORING_OP_READ, "READ" },
		{ IORING_OP_ASYNC_CANCEL, "ASYNC_CANCEL" },
	};
	struct io_uring_probe *probe = io_uring_get_probe_ring(&lp->ring);
	const char *missing = NULL;

	if (!probe)
		return "probe";
	lp->ring_close = io_uring_opcode_supported(probe, IORING_OP_CLOSE); /* optional */
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]) && !missing; i++)
		if (!io_uring_opcode_supported(probe, ops[i].op))
			missing = ops[i].name;
	io_uring_free_probe(probe);
	return missing;
}

/*
 * Provided receive buffers (5.19+): RECV_BUFS buffers in one ring the kernel
 * takes from as data arrives, so a waiting recv pins none. On an older
 * kernel this fails and each connection keeps a buffer of its own (lp->bufs
 * stays NULL). liburing 2.3 has no io_uring_setup_buf_ring: set it up here.
 */
static void bufs_init(struct loop *lp)
{
	struct io_uring_buf_reg reg = { .ring_entries = RECV_BUFS, .bgid = RECV_BGID };
	size_t len = RECV_BUFS * sizeof(struct io_uring_buf);
	void *ring = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (ring == MAP_FAILED)
		return;
	reg.ring_addr = (uintptr_t)ring;
	if (!(lp->bufmem = malloc((size_t)RECV_BUFS * RECV_BUF_LEN)) ||
	    io_uring_register_buf_ring(&lp->ring, &reg, 0) < 0) {
		free(lp->bufmem);
		lp->bufmem = NULL;
		munmap(ring, len);
		return;
	}
	lp->bufs = ring;
	io_uring_buf_ring_init(lp->bufs);
	for (int i = 0; i < RECV_BUFS; i++)
		io_uring_buf_ring_add(lp->bufs, lp->bufmem + (size_t)i * RECV_BUF_LEN, RECV_BUF_LEN,
		                      (unsigned short)i, io_uring_buf_ring_mask(RECV_BUFS), i);
	io_uring_buf_ring_advance(lp->bufs, RECV_BUFS);
}

/* After the ring is gone: nothing refers to the provided buffers any more. */
static void bufs_free(struct loop *lp)
{
	if (lp->bufs)
		munmap(lp->bufs, RECV_BUFS * sizeof(struct io_uring_buf));
	free(lp->bufmem);
	bufpool_free(&lp->pool);
}

/* Cancel what is in flight and reap it (bounded), so no buffer is freed under the kernel. */
static void drain(struct loop *lp)
{
	struct __kernel_timespec ts = { 0, 50 * 1000000L };
	long deadline = clock_now_ms() + 300;
	struct io_uring_sqe *sqe;

	lp->ring_close = 0; /* the last submission may never be made: close at once */
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
					close(cqe->res); /* accepted before the cancel took */
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

int main(int argc, char **argv)
{
	struct loop loop = { .lfd = -1, .sfd = -1, .multishot = 1, .poll_first = 1 }, *lp = &loop;
	struct opts o;
	const char *missing;
	int r, rc = 1;

	/* SIGTERM/SIGINT are read from a signalfd on the ring (sig_fd), not sig_init */
	server_init(argc, argv, "io_uring",
	            "io_uring proactor: one ring, accept/recv/send completions, --workers ignored.",
	            SERVER_OWN_SIGNALS, &o);
	lp->idle_ms = o.timeout * 1000L;
	lp->jobs_tail = &lp->jobs;
	if ((r = ring_init(lp)) < 0) {
		if (r == -ENOSYS || r == -EPERM || r == -EACCES || r == -ENOMEM) {
			fprintf(stderr, "io_uring: skipped: %s\n", unavailable_reason(-r));
			return 77;
		}
		fprintf(stderr, "io_uring: io_uring_queue_init: %s\n", strerror(-r));
		return 1;
	}
	if ((missing = missing_op(lp))) {
		fprintf(stderr, "io_uring: skipped: the kernel lacks IORING_OP_%s\n", missing);
		io_uring_queue_exit(&lp->ring);
		return 77;
	}
	bufs_init(lp);
	if ((lp->sfd = sig_fd()) < 0) {
		perror("io_uring: signals");
		goto out;
	}
	lp->lfd = server_listen(&o, "io_uring", 0);
	if (arm_signal(lp) < 0 || net_announce(lp->lfd) < 0)
		goto out;

	/* The whole model: keep accept and the tick armed, submit, wait, act on each completion,
	 * run one job. */
	lp->now_ms = clock_now_ms();
	while (!lp->stop) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;

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
			goto out;
		}
		lp->now_ms = clock_now_ms();
		io_uring_for_each_cqe(&lp->ring, head, cqe)
		{
			on_completion(lp, cqe);
			n++;
		}
		io_uring_cq_advance(&lp->ring, n);
		if (!lp->stop) /* the signalfd took the signal: work_run could no longer see it */
			job_run(lp);
	}
	rc = 0;
out:
	drain(lp);
	io_uring_queue_exit(&lp->ring);
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
