/* net.c -- listening socket helpers shared by every model. */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int fill_addr(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((unsigned short)port);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)port);
		*len = sizeof(*in6);
		return 0;
	}
	return -1;
}

int net_listen(const char *host, int port, int flags, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, defer_s = NET_DEFER_S, type = SOCK_STREAM | SOCK_CLOEXEC;

	if (fill_addr(host, port, &ss, &len) < 0) {
		snprintf(err, errlen, "bad address '%s': give an IPv4 or IPv6 literal", host);
		return -1;
	}
	if (flags & NET_NONBLOCK)
		type |= SOCK_NONBLOCK;
	if ((fd = socket(ss.ss_family, type, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/*
	 * TCP_NODELAY, which every accepted socket inherits, as nginx (tcp_nodelay
	 * on) and Apache do: without it a reply sent in pieces (a /file/ read in
	 * slices, a ring's chain of sends) has its short tail held by Nagle until
	 * the client's delayed ACK, ~40 ms a reply on loopback. A reply sent in one
	 * call is unaffected: its first segment has nothing unacknowledged ahead.
	 */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) < 0 ||
	    ((flags & NET_REUSEPORT) &&
	     setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)) {
		snprintf(err, errlen, "setsockopt: %s", strerror(errno));
		goto fail;
	}
	if ((flags & NET_DEFER) &&
	    setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer_s, sizeof(defer_s)) < 0) {
		snprintf(err, errlen, "setsockopt TCP_DEFER_ACCEPT: %s", strerror(errno));
		goto fail;
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
		snprintf(err, errlen, "cannot bind %s:%d: %s", host, port, strerror(errno));
		goto fail;
	}
	if (listen(fd, SOMAXCONN) < 0) {
		snprintf(err, errlen, "listen: %s", strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

int net_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int net_announce(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char addr[INET6_ADDRSTRLEN];
	const void *a;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	a = ss.ss_family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
	                             : (const void *)&((struct sockaddr_in *)&ss)->sin_addr;
	if (!inet_ntop(ss.ss_family, a, addr, sizeof(addr)))
		return -1;
	if (ss.ss_family == AF_INET6)
		printf("listening on [%s]:%d\n", addr, net_port(fd));
	else
		printf("listening on %s:%d\n", addr, net_port(fd));
	return fflush(stdout) == 0 ? 0 : -1;
}

int net_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

/* One spare descriptor per thread, given up to shed a connection when none are left. */
static __thread int reserve_fd = -1;

void net_accept_reserve(void)
{
	if (reserve_fd < 0)
		reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

int net_accept(int lfd, int flags)
{
	int fd, saved;

	net_accept_reserve();
	fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | ((flags & NET_NONBLOCK) ? SOCK_NONBLOCK : 0));
	if (fd >= 0 || (errno != EMFILE && errno != ENFILE))
		return fd;
	saved = errno;
	if (reserve_fd >= 0) { /* shed the client so the listener stops being readable */
		close(reserve_fd);
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			close(fd);
		reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	errno = saved;
	return -1;
}

int net_accept_spare(void)
{
	return reserve_fd >= 0;
}

void net_accept_pause(int err)
{
	struct timespec ts = { 0, NET_OUT_OF_FDS_PAUSE_MS * 1000000L };
	int saved = errno;

	if (err == EMFILE || err == ENFILE)
		nanosleep(&ts, NULL);
	errno = saved;
}

int net_accept_transient(int err)
{
	switch (err) {
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
	case EINTR:
	case ECONNABORTED:
	case EMFILE:
	case ENFILE:
	/* Linux hands a new connection's pending network error to accept() itself */
	case EPROTO:
	case ENOPROTOOPT:
	case ENETDOWN:
	case ENETUNREACH:
	case EHOSTDOWN:
	case EHOSTUNREACH:
	case ENONET:
	case EOPNOTSUPP:
	case EPERM: /* a firewall rule refused this connection */ return 1;
	default: return 0;
	}
}
