/* bufpool.h -- a loop's spare conn_bufs, so that an idle connection holds none.
 *
 * A connection of an event loop needs its 24 KiB struct conn_buf only while
 * bytes are in it: a request partly read, or replies not yet sent. It takes
 * one from its loop's pool when input arrives and gives it back once all is
 * answered and sent, so thousands of idle keep-alive connections pin no
 * buffer, and the buffer in use stays hot in the cache. Not thread-safe: one
 * pool per loop thread. evconn_set keeps one.
 */
#ifndef BUFPOOL_H
#define BUFPOOL_H

#include "conn.h"

#define BUFPOOL_MAX 64 /* spare buffers kept; more go back to malloc */

struct bufpool {
	int n;
	struct conn_buf *spare[BUFPOOL_MAX];
};

/*
 * An empty buffer (conn_reset, keep-alive allowed), or NULL: no memory.
 * defer_work: what the loop runs outside conn_process (conn_buf.defer_work,
 * CONN_DEFER_*: offload's helpers, io_uring's job queue); 0: all in place.
 */
struct conn_buf *bufpool_get(struct bufpool *p, int defer_work);

/* Give b back to p (or free it when p is full), closing the file it was sending (conn_release). */
void bufpool_put(struct bufpool *p, struct conn_buf *b);

/* Free every spare buffer (at exit). */
void bufpool_free(struct bufpool *p);

#endif
