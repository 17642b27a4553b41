/* net.h -- the listening socket and accepting on it. */
#ifndef NET_H
#define NET_H

#include <stddef.h>

#define NET_NONBLOCK 1  /* the socket (or accepted socket) is non-blocking */
#define NET_REUSEPORT 2 /* SO_REUSEPORT: several listeners share the port */

/*
 * Create a TCP listener on host:port (IPv4 or IPv6 literal) with SO_REUSEADDR
 * and close-on-exec, plus the NET_* flags. Returns the fd, or -1 with a
 * one-line reason in err.
 */
int net_listen(const char *host, int port, int flags, char *err, size_t errlen);

/* The port fd is bound to, or -1. */
int net_port(int fd);

/* Print the contract's "listening on ADDR:PORT" line for fd to stdout and flush it. */
int net_announce(int fd);

/* Make fd non-blocking: 0 or -1. */
int net_set_nonblock(int fd);

/*
 * accept4() with close-on-exec (and NET_NONBLOCK). Returns the new fd, or -1
 * with errno: EAGAIN (nothing to accept), EINTR, or EMFILE/ENFILE after the
 * pending connection was accepted and closed on a reserve descriptor, so a
 * level-triggered loop does not spin when descriptors run out.
 */
int net_accept(int lfd, int flags);

#endif
