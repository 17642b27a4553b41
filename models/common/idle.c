/* idle.c -- a deadline-ordered list of connections with one timeout per list. */
#include "idle.h"

#include <stddef.h>

void idle_init(struct idle_list *l, long timeout_ms)
{
	l->head.prev = l->head.next = &l->head;
	l->head.deadline = 0;
	l->timeout_ms = timeout_ms;
}

void idle_node_init(struct idle_node *n)
{
	n->prev = n->next = NULL;
	n->deadline = 0;
}

void idle_remove(struct idle_node *n)
{
	if (!n->next)
		return;
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = NULL;
}

void idle_touch(struct idle_list *l, struct idle_node *n, long now)
{
	n->deadline = now + l->timeout_ms;
	if (n->next == &l->head)
		return; /* already the newest: the common case under keep-alive load */
	idle_remove(n);
	n->prev = l->head.prev;
	n->next = &l->head;
	l->head.prev->next = n;
	l->head.prev = n;
}

struct idle_node *idle_first(struct idle_list *l)
{
	return l->head.next == &l->head ? NULL : l->head.next;
}

struct idle_node *idle_expired(struct idle_list *l, long now)
{
	struct idle_node *n = idle_first(l);

	return n && n->deadline <= now ? n : NULL;
}

long idle_wait_ms(const struct idle_list *l, long now)
{
	const struct idle_node *n = l->head.next;

	if (n == &l->head)
		return -1;
	return n->deadline > now ? n->deadline - now : 0;
}
