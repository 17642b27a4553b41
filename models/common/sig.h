/* sig.h -- stopping on SIGTERM/SIGINT without races.
 *
 * sig_init() blocks SIGTERM, SIGINT and SIGCHLD and installs handlers that
 * only set flags. They are delivered solely while a thread waits in one of
 * the calls that take sig_waitmask (ppoll, pselect, epoll_pwait, io_uring's
 * wait with a sigmask, sig_wait_readable), so a signal can never slip in
 * between checking sig_stop and going to sleep. Threads created afterwards
 * inherit the blocked mask and are never interrupted.
 */
#ifndef SIG_H
#define SIG_H

#include <signal.h>

extern volatile sig_atomic_t sig_stop;  /* SIGTERM or SIGINT arrived */
extern volatile sig_atomic_t sig_child; /* SIGCHLD arrived: reap with waitpid(WNOHANG) */
extern sigset_t sig_waitmask;           /* the mask to wait with: those signals unblocked */

/* Ignore SIGPIPE, install the handlers and block the signals: 0 or -1. */
int sig_init(void);

/*
 * Only ignore SIGPIPE (a write to a reset peer then fails with EPIPE): for a
 * model whose event library takes SIGTERM/SIGINT itself. 0 or -1.
 */
int sig_ignore_pipe(void);

/*
 * Take pending SIGTERM/SIGINT/SIGCHLD without blocking and set the flags.
 * Linux delivers a signal to ppoll/epoll_pwait/pselect only when it
 * interrupts a sleeping wait; under sustained load the wait never sleeps, so
 * an event loop calls this after a wait that returned events, or SIGTERM
 * would wait for a lull.
 */
void sig_poll(void);

/*
 * Wait until fd is readable, taking signals (and sig_poll()ing after a wait
 * that did not sleep): 1 readable, 0 timeout (ms; -1 waits forever), -1 stop
 * requested, interrupted or error.
 */
int sig_wait_readable(int fd, int timeout_ms);

/* In a forked child: default dispositions and nothing blocked, so SIGTERM ends it. */
void sig_reset_child(void);

/*
 * For a model whose event library watches descriptors instead of taking
 * signals (libevent, libuv, io_uring): ignore SIGPIPE, block SIGTERM and
 * SIGINT and return a signalfd (close-on-exec) that becomes readable when
 * one arrives, or -1. Blocked, a stop stays pending until the loop reads the
 * fd, which is what lets work_run end a /sleep early (work.h).
 */
int sig_fd(void);

#endif
