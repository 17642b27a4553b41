/* bufpool.c -- a loop's spare conn_bufs. */
#include "bufpool.h"

#include <stdlib.h>

struct conn_buf *bufpool_get(struct bufpool *p, int defer_work)
{
	struct conn_buf *b = p->n > 0 ? p->spare[--p->n] : malloc(sizeof(*b));

	if (b) {
		b->no_keepalive = 0;
		b->defer_work = defer_work;
		conn_reset(b);
	}
	return b;
}

void bufpool_put(struct bufpool *p, struct conn_buf *b)
{
	conn_release(b);
	if (p->n < BUFPOOL_MAX)
		p->spare[p->n++] = b;
	else
		free(b);
}

void bufpool_free(struct bufpool *p)
{
	while (p->n > 0)
		free(p->spare[--p->n]);
}
