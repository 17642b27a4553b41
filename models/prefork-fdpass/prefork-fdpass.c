/* prefork-fdpass.c -- the parent accepts and passes each connection to an idle child (UNP design
 * 5). */
#include "conn.h"
#include "net.h"
#include "procpool.h"
#include "server.h"
#include "sig.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ACCEPT_BATCH 4 /* connections accepted per wake-up of the listener, as the event loops */

/*
 * The model's whole state, the parent's (a child uses its copy of it). Per
 * child, its end of a Unix socket pair and whether the child is idle. A
 * child is idle from its start until it is handed a connection, and again
 * once it has written one byte back saying that connection is served (the
 * client left, a reply closed it, or the idle timeout). It writes the byte
 * BEFORE it closes the connection (conn_serve_held), so a client that
 * connects again once it sees the close finds the child idle, not a 503
 * (issue 19); a connection handed over while the child lingers in that
 * close (CONN_LINGER_MS at most) waits in its socket until it is done. A
 * busy child is never handed another one.
 *
 * Connections that find every child busy wait in a FIFO of --max-conns
 * (default 1024), as in threadpool: a keep-alive client holds its child for
 * as long as it stays, so C persistent clients with N children leave C - N
 * waiting; when the FIFO is full the parent answers 503 and closes. Each
 * waiting connection is a descriptor of the parent's, beside one socket per
 * child: where RLIMIT_NOFILE cannot hold --max-conns more, the FIFO is made
 * shorter at start (server_fit_fds says so on stderr), so overload is
 * answered 503 rather than failing to accept.
 */
struct child {
	int sock;    /* the parent's end; -1 while the slot has no child */
	int sock_ch; /* the child's end, open in the parent only from socketpair to fork */
	int idle;
};

struct fdpass {
	struct procpool pool; /* first: a procpool hook finds the state from its pool */
	struct child *kids;   /* pool.n of them */
	int lfd, timeout_s;
	int *fifo;          /* the connections waiting for an idle child */
	int cap, head, len; /* fifo[head], ... (len of them, wrapping at cap) */
};

#define FDPASS(p) ((struct fdpass *)(p)) /* the state of pool p (its first member) */

/* One descriptor's worth of ancillary data, aligned for the cmsghdr it holds. */
union fd_msg {
	char buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

/* ---- the child -------------------------------------------------------- */

/* Receive one descriptor over the Unix socket s: the fd, or -1 when the parent is gone. */
static int recv_fd(int s)
{
	union fd_msg ctl;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov,
		            .msg_iovlen = 1,
		            .msg_control = ctl.buf,
		            .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *cm;
	ssize_t n;
	int fd;

	do
		n = recvmsg(s, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	cm = n > 0 ? CMSG_FIRSTHDR(&m) : NULL;
	if (!cm || cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
	return fd;
}

/*
 * A child: wait for a connection from the parent, serve it to the end, say
 * so with one byte, again. It closes every descriptor it inherited but its
 * own socket: the listener, the parent's socket ends, and the connections
 * queued in the FIFO when it was forked (a copy kept here would hold such
 * a connection open after the child that serves it has closed it).
 */
static void child_run(struct procpool *p, int i)
{
	struct fdpass *fp = FDPASS(p);
	int s = fp->kids[i].sock_ch;

	close(fp->lfd);
	for (int k = 0; k < p->n; k++)
		if (fp->kids[k].sock >= 0)
			close(fp->kids[k].sock);
	for (int k = 0; k < fp->len; k++)
		close(fp->fifo[(fp->head + k) % fp->cap]);
	for (;;) {
		int fd = recv_fd(s), linger, idle;

		if (fd < 0)
			_exit(0); /* the parent closed its end: it is stopping */
		conn_serve_held(fd, fp->timeout_s, 0, &linger);
		idle = send(s, "i", 1, MSG_NOSIGNAL) == 1; /* before the client sees the close */
		conn_finish(fd, linger);
		if (!idle)
			_exit(0);
	}
}

/* ---- the parent: one child per slot, a socket pair each (procpool hooks) --- */

static int kid_before(struct procpool *p, int i)
{
	struct child *k = &FDPASS(p)->kids[i];
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		fprintf(stderr, "%s: socketpair: %m\n", p->model);
		return -1;
	}
	k->sock = sv[0];
	k->sock_ch = sv[1];
	k->idle = 1;
	return 0;
}

/* The child has its end: close the parent's copy, so the child's death shows as EOF. */
static void kid_forked(struct procpool *p, int i)
{
	struct child *k = &FDPASS(p)->kids[i];

	close(k->sock_ch);
	k->sock_ch = -1;
}

static void kid_after(struct procpool *p, int i)
{
	struct child *k = &FDPASS(p)->kids[i];

	if (k->sock >= 0)
		close(k->sock);
	if (k->sock_ch >= 0) /* fork failed */
		close(k->sock_ch);
	k->sock = k->sock_ch = -1;
	k->idle = 0;
}

/* Pass fd to child i: 0, or -1 when the child is gone (it is then forgotten). */
static int pass_fd(struct fdpass *fp, int i, int fd)
{
	union fd_msg ctl = { .buf = { 0 } };
	struct iovec iov = { .iov_base = "c", .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov,
		            .msg_iovlen = 1,
		            .msg_control = ctl.buf,
		            .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	ssize_t n;

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	do
		n = sendmsg(fp->kids[i].sock, &m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	fp->kids[i].idle = 0;
	if (n == 1)
		return 0;
	kid_after(&fp->pool, i); /* dying: SIGCHLD will empty and refill the slot */
	return -1;
}

/* Hand fd to an idle child: 0, or -1 when none is idle (the caller keeps fd). */
static int dispatch(struct fdpass *fp, int fd)
{
	for (int i = 0; i < fp->pool.n; i++) {
		if (!fp->kids[i].idle || pass_fd(fp, i, fd) < 0)
			continue;
		close(fd); /* the child has its own copy now */
		return 0;
	}
	return -1;
}

/* Hand the queued connections, oldest first, to idle children while there are both. */
static void drain_fifo(struct fdpass *fp)
{
	while (fp->len > 0 && dispatch(fp, fp->fifo[fp->head]) == 0) {
		fp->head = (fp->head + 1) % fp->cap;
		fp->len--;
	}
}

/* Child i says it is idle again (one byte per finished connection): give it the next in line. */
static void child_done(struct fdpass *fp, int i)
{
	char b[64];
	ssize_t n = recv(fp->kids[i].sock, b, sizeof(b), MSG_DONTWAIT);

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			kid_after(&fp->pool, i); /* the child is gone: stop watching its socket */
		return;
	}
	fp->kids[i].idle = 1;
	drain_fifo(fp);
}

/*
 * Read the "idle" bytes children have sent since the last poll. A child
 * sends it before it closes its connection, so its client may already be
 * connecting again, and be accepted in the same batch as the byte arrives.
 */
static void collect_idle(struct fdpass *fp)
{
	for (int i = 0; i < fp->pool.n; i++)
		if (!fp->kids[i].idle && fp->kids[i].sock >= 0)
			child_done(fp, i);
}

/* A new connection: to an idle child if the FIFO is empty, else queued, else 503. */
static void take(struct fdpass *fp, int fd)
{
	if (fp->len == 0 && dispatch(fp, fd) == 0)
		return;
	if (fp->len == fp->cap) { /* full, unless a child has just become idle */
		collect_idle(fp);
		if (fp->len == 0 && dispatch(fp, fd) == 0)
			return;
	}
	if (fp->len == fp->cap) {
		conn_reject(fd, 503);
		return;
	}
	fp->fifo[(fp->head + fp->len) % fp->cap] = fd;
	fp->len++;
}

/* Accept a bounded batch from the non-blocking listener and place each connection. */
static void accept_some(struct fdpass *fp)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd =
		    net_accept(fp->lfd, 0); /* blocking, as the child's conn_serve_held wants */

		if (fd < 0) {
			if (!net_accept_transient(errno))
				perror("prefork-fdpass: accept");
			return;
		}
		take(fp, fd);
	}
}

/*
 * The parent holds one descriptor per child (its socket end): at most half
 * the descriptor limit goes to them, the rest is for connections. A pool
 * larger than that is cut down, and it says so, rather than failing to start.
 */
static int fit_pool(int workers)
{
	struct rlimit rl;
	int fit;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur / 2 >= (rlim_t)workers)
		return workers;
	fit = rl.rlim_cur >= 4 ? (int)(rl.rlim_cur / 2) : 1;
	fprintf(stderr,
	        "prefork-fdpass: %d children need as many descriptors; the limit is %ld: %d "
	        "children\n",
	        workers, (long)rl.rlim_cur, fit);
	return fit;
}

int main(int argc, char **argv)
{
	struct fdpass fp = { .pool = { .model = "prefork-fdpass",
		                       .child = child_run,
		                       .before = kid_before,
		                       .forked = kid_forked,
		                       .after = kid_after } };
	struct procpool *pool = &fp.pool;
	struct pollfd *pf;
	struct opts o;

	server_init(argc, argv, "prefork-fdpass",
	            "Fixed pool: the parent accepts and passes each connection to an idle "
	            "pre-forked child, or holds it in a bounded queue (UNP design 5).",
	            0, &o);
	fp.timeout_s = o.timeout;
	pool->n = fit_pool(o.workers);
	fp.cap = server_fit_fds(o.max_conns, pool->n, "prefork-fdpass",
	                        "--max-conns connections waiting");
	if (!(fp.kids = calloc((size_t)pool->n, sizeof(*fp.kids))) ||
	    !(pf = calloc((size_t)pool->n + 1, sizeof(*pf))) ||
	    !(fp.fifo = calloc((size_t)fp.cap, sizeof(*fp.fifo)))) {
		perror("prefork-fdpass: calloc");
		return 1;
	}
	for (int i = 0; i < pool->n; i++)
		fp.kids[i].sock = fp.kids[i].sock_ch = -1;
	fp.lfd = server_listen(&o, "prefork-fdpass", NET_NONBLOCK);
	if (procpool_start(pool) < 0)
		return 1;
	if (net_announce(fp.lfd) < 0) {
		procpool_stop(pool);
		return 1;
	}

	/*
	 * The whole model, from the parent's side: one poll over the listener
	 * and every child's socket. A new connection goes to an idle child (or
	 * waits its turn); a byte from a child frees it for the next one.
	 */
	while (!sig_stop) {
		int wait = procpool_tend(pool), n;
		struct timespec ts = { wait / 1000, (wait % 1000) * 1000000L };

		drain_fifo(&fp); /* a child started in place of a dead one is idle */

		pf[0] = (struct pollfd){ .fd = fp.lfd, .events = POLLIN };
		for (int i = 0; i < pool->n; i++)
			pf[i + 1] = (struct pollfd){ .fd = fp.kids[i].sock, .events = POLLIN };
		n = ppoll(pf, (nfds_t)pool->n + 1, wait < 0 ? NULL : &ts, &sig_waitmask);
		if (n <= 0)
			continue; /* a signal, or the respawn timer */
		sig_poll();       /* a wait that did not sleep delivers no signal (sig.h) */
		for (int i = 0; i < pool->n; i++)
			if (pf[i + 1].revents)
				child_done(&fp, i);
		if (pf[0].revents)
			accept_some(&fp);
	}

	for (; fp.len > 0; fp.len--, fp.head = (fp.head + 1) % fp.cap)
		close(fp.fifo[fp.head]);
	procpool_stop(pool);
	close(fp.lfd);
	free(pf);
	free(fp.kids);
	free(fp.fifo);
	return 0;
}
