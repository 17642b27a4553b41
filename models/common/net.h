/* net.h -- the listening socket and accepting on it. */
#ifndef NET_H
#define NET_H

#include <stddef.h>

#define NET_NONBLOCK  1 /* the socket (or accepted socket) is non-blocking */
#define NET_REUSEPORT 2 /* SO_REUSEPORT: several listeners share the port */
/*
 * TCP_DEFER_ACCEPT for NET_DEFER_S seconds: the kernel hands a connection to
 * accept() only once its first data has arrived, so the first read after
 * accept finds the request. The price: a client that connects and sends
 * nothing is held by the kernel (no descriptor, no --timeout) until the
 * period is over (the SYN-ACK is resent and the client's ACK gets it
 * accepted), so it is closed --timeout + NET_DEFER_S seconds after connecting.
 */
#define NET_DEFER   4
#define NET_DEFER_S 1

/*
 * Create a TCP listener on host:port (IPv4 or IPv6 literal) with SO_REUSEADDR,
 * TCP_NODELAY (inherited by every accepted socket) and close-on-exec, plus the
 * NET_* flags. Returns the fd, or -1 with a
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

/*
 * Open the calling thread's reserve descriptor now (net_accept opens it on
 * its first call): a child that may wait long for its first accept (behind
 * prefork-flock's lock) holds from its start the descriptors it will hold
 * for good, so its count does not change under load (the soak checks it).
 */
void net_accept_reserve(void);

/*
 * For a loop that blocks in accept() itself (a pool of acceptors), after a
 * failed accept: when err is EMFILE or ENFILE, sleep NET_OUT_OF_FDS_PAUSE_MS.
 * A blocking accept() takes a descriptor before it waits, so until one is
 * free every call fails at once, whether or not a client is waiting, and
 * net_accept's spare descriptor sheds a client only for the thread or
 * process that still has one. A loop that waits for readiness first needs
 * no pause while the spare sheds the client: it sleeps in its wait call; a
 * main thread whose workers may take the spare meanwhile pauses too
 * (server_accept).
 * Any other err returns at once. errno is kept.
 */
void net_accept_pause(int err);

/* 1 while net_accept holds its spare descriptor (it can shed a client), else 0. */
int net_accept_spare(void);

/* How long a loop that ran out of descriptors waits before it accepts again (evworker too). */
#define NET_OUT_OF_FDS_PAUSE_MS 100

/*
 * 1 if err, from a failed accept, concerns one connection or one moment and
 * not the listener, so the loop goes on without a log line: EAGAIN, EINTR,
 * ECONNABORTED, EMFILE/ENFILE (net_accept has shed the client) and the
 * network errors accept(2) says to treat like EAGAIN (EPROTO, ENETDOWN, ...).
 * 0 otherwise (EBADF, EINVAL, ENOMEM, ...): worth reporting.
 */
int net_accept_transient(int err);

#endif
