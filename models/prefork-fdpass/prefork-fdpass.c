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
 * The parent's view of the pool: per child, its end of a Unix socket pair
 * and whether the child is idle. A child is idle from its start until it is
 * handed a connection, and again once it has written one byte back saying
 * that connection is finished (the client left, or the idle timeout closed
 * a keep-alive connection). A busy child is never handed another one.
 *
 * Connections that find every child busy wait in a FIFO of --max-conns
 * (default 1024), as in threadpool: a keep-alive client holds its child for
 * as long as it stays, so C persistent clients with N children leave C - N
 * waiting; when the FIFO is full the parent answers 503 and closes.
 */
struct child {
	int sock;    /* the parent's end; -1 while the slot has no child */
	int sock_ch; /* the child's end, open in the parent only from socketpair to fork */
	int idle;
};

static struct child *kids;
static int nkids, lfd, timeout_s;
/* One descriptor's worth of ancillary data, aligned for the cmsghdr it holds. */
union fd_msg {
	char buf[CMSG_SPACE(sizeof(int))];
	struct cmsghdr align;
};

static struct {
	int *fds;
	int cap, head, len; /* fds[head], ... (len of them, wrapping at cap) */
} fifo;

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
	int s = kids[i].sock_ch;

	(void)p;
	close(lfd);
	for (int k = 0; k < nkids; k++)
		if (kids[k].sock >= 0)
			close(kids[k].sock);
	for (int k = 0; k < fifo.len; k++)
		close(fifo.fds[(fifo.head + k) % fifo.cap]);
	for (;;) {
		int fd = recv_fd(s);

		if (fd < 0)
			_exit(0); /* the parent closed its end: it is stopping */
		conn_serve_blocking(fd, timeout_s, 0);
		if (send(s, "i", 1, MSG_NOSIGNAL) != 1)
			_exit(0);
	}
}

/* ---- the parent: one child per slot, a socket pair each (procpool hooks) --- */

static int kid_before(struct procpool *p, int i)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		fprintf(stderr, "%s: socketpair: %m\n", p->model);
		return -1;
	}
	kids[i].sock = sv[0];
	kids[i].sock_ch = sv[1];
	kids[i].idle = 1;
	return 0;
}

/* The child has its end: close the parent's copy, so the child's death shows as EOF. */
static void kid_forked(struct procpool *p, int i)
{
	(void)p;
	close(kids[i].sock_ch);
	kids[i].sock_ch = -1;
}

static void kid_after(struct procpool *p, int i)
{
	(void)p;
	if (kids[i].sock >= 0)
		close(kids[i].sock);
	if (kids[i].sock_ch >= 0) /* fork failed */
		close(kids[i].sock_ch);
	kids[i].sock = kids[i].sock_ch = -1;
	kids[i].idle = 0;
}

/* Pass fd to child i: 0, or -1 when the child is gone (it is then forgotten). */
static int pass_fd(int i, int fd)
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
		n = sendmsg(kids[i].sock, &m, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	kids[i].idle = 0;
	if (n == 1)
		return 0;
	kid_after(NULL, i); /* dying: SIGCHLD will empty and refill the slot */
	return -1;
}

/* Hand fd to an idle child: 0, or -1 when none is idle (the caller keeps fd). */
static int dispatch(int fd)
{
	for (int i = 0; i < nkids; i++) {
		if (!kids[i].idle || pass_fd(i, fd) < 0)
			continue;
		close(fd); /* the child has its own copy now */
		return 0;
	}
	return -1;
}

/* A new connection: to an idle child if the FIFO is empty, else queued, else 503. */
static void take(int fd)
{
	if (fifo.len == 0 && dispatch(fd) == 0)
		return;
	if (fifo.len == fifo.cap) {
		conn_reject(fd, 503);
		return;
	}
	fifo.fds[(fifo.head + fifo.len) % fifo.cap] = fd;
	fifo.len++;
}

/* Hand the queued connections, oldest first, to idle children while there are both. */
static void drain_fifo(void)
{
	while (fifo.len > 0 && dispatch(fifo.fds[fifo.head]) == 0) {
		fifo.head = (fifo.head + 1) % fifo.cap;
		fifo.len--;
	}
}

/* Child i says it is idle again (one byte per finished connection): give it the next in line. */
static void child_done(int i)
{
	char b[64];
	ssize_t n = recv(kids[i].sock, b, sizeof(b), MSG_DONTWAIT);

	if (n <= 0) {
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			kid_after(NULL, i); /* the child is gone: stop watching its socket */
		return;
	}
	kids[i].idle = 1;
	drain_fifo();
}

/* Accept a bounded batch from the non-blocking listener and place each connection. */
static void accept_some(void)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd =
		    net_accept(lfd, 0); /* blocking, as the child's conn_serve_blocking wants */

		if (fd < 0) {
			if (!net_accept_transient(errno))
				perror("prefork-fdpass: accept");
			return;
		}
		take(fd);
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
	struct procpool pool = { .model = "prefork-fdpass",
		                 .child = child_run,
		                 .before = kid_before,
		                 .forked = kid_forked,
		                 .after = kid_after };
	struct pollfd *pf;
	struct opts o;

	server_init(argc, argv, "prefork-fdpass",
	            "Fixed pool: the parent accepts and passes each connection to an idle "
	            "pre-forked child, or holds it in a bounded queue (UNP design 5).",
	            0, &o);
	timeout_s = o.timeout;
	pool.n = nkids = fit_pool(o.workers);
	fifo.cap = o.max_conns;
	if (!(kids = calloc((size_t)pool.n, sizeof(*kids))) ||
	    !(pf = calloc((size_t)pool.n + 1, sizeof(*pf))) ||
	    !(fifo.fds = calloc((size_t)fifo.cap, sizeof(*fifo.fds)))) {
		perror("prefork-fdpass: calloc");
		return 1;
	}
	for (int i = 0; i < pool.n; i++)
		kids[i].sock = kids[i].sock_ch = -1;
	lfd = server_listen(&o, "prefork-fdpass", NET_NONBLOCK);
	if (procpool_start(&pool) < 0)
		return 1;
	if (net_announce(lfd) < 0) {
		procpool_stop(&pool);
		return 1;
	}

	/*
	 * The whole model, from the parent's side: one poll over the listener
	 * and every child's socket. A new connection goes to an idle child (or
	 * waits its turn); a byte from a child frees it for the next one.
	 */
	while (!sig_stop) {
		int wait = procpool_tend(&pool), n;
		struct timespec ts = { wait / 1000, (wait % 1000) * 1000000L };

		drain_fifo(); /* a child started in place of a dead one is idle */

		pf[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (int i = 0; i < pool.n; i++)
			pf[i + 1] = (struct pollfd){ .fd = kids[i].sock, .events = POLLIN };
		n = ppoll(pf, (nfds_t)pool.n + 1, wait < 0 ? NULL : &ts, &sig_waitmask);
		if (n <= 0)
			continue; /* a signal, or the respawn timer */
		sig_poll();       /* a wait that did not sleep delivers no signal (sig.h) */
		for (int i = 0; i < pool.n; i++)
			if (pf[i + 1].revents)
				child_done(i);
		if (pf[0].revents)
			accept_some();
	}

	for (; fifo.len > 0; fifo.len--, fifo.head = (fifo.head + 1) % fifo.cap)
		close(fifo.fds[fifo.head]);
	procpool_stop(&pool);
	close(lfd);
	free(pf);
	free(kids);
	free(fifo.fds);
	return 0;
}
