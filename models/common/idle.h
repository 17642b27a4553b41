/* idle.h -- connection timeouts in O(1): a list kept in deadline order for free.
 *
 * Every node of one list gets the same timeout, so re-inserting a node at the
 * tail whenever it is touched keeps the list sorted by deadline: the head is
 * always the next to expire. Touch, remove and "who has expired?" are all
 * O(1), with no heap and no timer wheel (those are needed only when timeouts
 * differ). A loop keeps one list per kind of timeout (idle, lingering).
 */
#ifndef IDLE_H
#define IDLE_H

struct idle_node {
	struct idle_node *prev, *next; /* NULL when in no list */
	long deadline;                 /* ms on clock_now_ms()'s clock */
};

struct idle_list {
	struct idle_node head; /* sentinel of a circular list: head.next is the oldest */
	long timeout_ms;
};

/* An empty list whose nodes expire timeout_ms after their last touch. */
void idle_init(struct idle_list *l, long timeout_ms);

/* A node in no list (idle_remove is then a no-op). */
void idle_node_init(struct idle_node *n);

/*
 * Make n expire timeout_ms after now: move it to the tail of l. n may be in
 * l, in another list (it leaves that one) or in none.
 */
void idle_touch(struct idle_list *l, struct idle_node *n, long now);

/* Take n out of its list, if any. */
void idle_remove(struct idle_node *n);

/* The oldest node of l if its deadline is not after now, else NULL. It stays in l. */
struct idle_node *idle_expired(struct idle_list *l, long now);

/* The oldest node of l, or NULL when l is empty. */
struct idle_node *idle_first(struct idle_list *l);

/* Milliseconds from now until the oldest node expires (0 if it has), -1 when l is empty. */
long idle_wait_ms(const struct idle_list *l, long now);

#endif
