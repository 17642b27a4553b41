/* server.h -- the setup every model's main() starts with, said once.
 *
 * A model's main() reads: server_init (command line, replies, signals),
 * its own preparation, server_listen, net_announce, then the model itself.
 * Setup failures are fatal: these functions print one line and exit, as
 * docs/design.md's contract asks (bad arguments exit 2, cannot bind exits 1).
 */
#ifndef SERVER_H
#define SERVER_H

#include "opts.h"

/*
 * For server_init: the model's event library (libevent, libuv, an io_uring
 * signalfd) takes SIGTERM/SIGINT itself, so sig_init() must not block them.
 */
#define SERVER_OWN_SIGNALS 1
/*
 * For server_init: the model's workers are event loops (reuseport), so
 * without --workers there is one per CPU in the affinity mask, not OPTS_POOL.
 */
#define SERVER_WORKERS_CPUS 2

/*
 * Parse the command line into o (--help prints the usage with summary and
 * exits 0; a bad argument exits 2), apply SERVER_WORKERS_CPUS, name the
 * server in every reply, fill the shared /bytes body (work_init), ignore
 * SIGPIPE and, unless flags has SERVER_OWN_SIGNALS, sig_init(). Call it
 * first in main(), before any thread or child starts: they inherit the
 * blocked signals. On failure prints "<model>: signals: <reason>" and exits 1.
 */
void server_init(int argc, char **argv, const char *model, const char *summary, int flags,
                 struct opts *o);

/* server_init for a model with an option of its own (choice: opts_parse_choice). */
void server_init_choice(int argc, char **argv, const char *model, const char *summary, int flags,
                        struct opts_choice *choice, struct opts *o);

/*
 * net_listen() on o->host:o->port with the NET_* flags. Returns the
 * listening fd; on failure prints "<model>: <reason>" on stderr and exits 1.
 */
int server_listen(const struct opts *o, const char *model, int net_flags);

/*
 * For a main thread that accepts: sleep until lfd has a connection, taking
 * signals meanwhile (sig_wait_readable), and accept it (blocking,
 * close-on-exec). Returns the new fd, or -1 when there is none this time: a
 * signal arrived (the caller checks sig_stop, sig_child) or accept failed.
 * A failure that is not net_accept_transient() is reported as
 * "<model>: accept: <reason>" on stderr; out of descriptors (EMFILE, ENFILE)
 * with no spare descriptor left to shed a client on, it pauses
 * NET_OUT_OF_FDS_PAUSE_MS first. Needs sig_init() (server_init).
 */
int server_accept(int lfd, const char *model);

/* Descriptors server_fit_fds keeps aside: stdio, the listener, net's reserve, one to refuse. */
#define SERVER_FD_RESERVE 8

/*
 * For a model that holds connections waiting in a queue: how many it can
 * hold open at once under RLIMIT_NOFILE, when it wants `want` of them and
 * keeps `others` descriptors of its own (prefork-fdpass: a socket per
 * child) beside SERVER_FD_RESERVE. Returns want, or what the limit leaves
 * (at least 1) after saying so on stderr: "<model>: <what> need <want>
 * descriptors; the limit is <L>: at most <K> connections at once". Past
 * that the model answers 503 instead of failing to accept.
 */
int server_fit_fds(int want, int others, const char *model, const char *what);

/*
 * ts = CLOCK_REALTIME now + ms: the absolute deadline pthread_cond_timedwait
 * and pthread_timedjoin_np take, for a bounded wait on stopping workers.
 */
struct timespec;
void server_deadline(struct timespec *ts, long ms);

#endif
