/* test_idle.c -- the O(1) idle-timeout list: order, touch, remove, expiry, wait time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "idle.h"

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fail_msg(__VA_ARGS__);                                                     \
	} while (0)

#define NNODES  8    /* nodes 'a'..'h' */
#define TIMEOUT 100L /* ms, for every table case */

static struct idle_node nodes[NNODES];

static char name_of(const struct idle_node *n)
{
	return (char)('a' + (n - nodes));
}

/*
 * The nodes of l from oldest to newest as letters into out[NNODES + 1],
 * checking on the way that every back link mirrors its forward link.
 */
static void order(const char *what, const struct idle_list *l, char *out)
{
	const struct idle_node *n, *prev = &l->head;
	int i = 0;

	for (n = l->head.next; n != &l->head; prev = n, n = n->next) {
		CHECK(i < NNODES, "%s: the list does not end (a cycle?)", what);
		CHECK(n->prev == prev, "%s: node %c's prev link is wrong", what, name_of(n));
		out[i++] = name_of(n);
	}
	CHECK(l->head.prev == prev, "%s: the head's prev is not the last node", what);
	out[i] = '\0';
}

/*
 * Run ops on l: "a30" touches node a at 30 ms, "-a" removes it; separated by
 * spaces. deadline[i] gets the deadline node i must then carry (-1: never touched).
 */
static void run_ops(const char *what, struct idle_list *l, const char *ops, long *deadline)
{
	const char *p = ops;

	for (int i = 0; i < NNODES; i++) {
		idle_node_init(&nodes[i]);
		deadline[i] = -1;
	}
	while (*p) {
		int remove = *p == '-', used = 0;
		long t = 0;
		int i;

		if (remove)
			p++;
		i = *p++ - 'a';
		CHECK(i >= 0 && i < NNODES, "%s: bad op near '%s'", what, p - 1);
		if (remove)
			idle_remove(&nodes[i]);
		else {
			CHECK(sscanf(p, "%ld%n", &t, &used) == 1, "%s: no time near '%s'", what, p);
			p += used;
			idle_touch(l, &nodes[i], t);
			deadline[i] = t + TIMEOUT;
		}
		while (*p == ' ')
			p++;
	}
}

struct script_case {
	const char *name;
	const char *ops;     /* see run_ops */
	const char *order;   /* the list afterwards, oldest first */
	long now;            /* then, at this time: */
	long wait;           /* idle_wait_ms */
	const char *expired; /* what idle_expired yields, oldest first, removing each */
};

static const struct script_case scripts[] = {
	{ "empty", "", "", 0, -1, "" },
	{ "one node", "a0", "a", 0, TIMEOUT, "" },
	{ "insertion order is deadline order", "a0 b10 c20", "abc", 105, 0, "a" },
	{ "touching the head moves it to the tail", "a0 b10 c20 a30", "bca", 115, 0, "b" },
	{ "touching the tail keeps it, later", "a0 b10 b40", "ab", 50, 50, "" },
	{ "touching the middle", "a0 b10 c20 b30", "acb", 200, 0, "acb" },
	{ "same time keeps touch order", "a5 b5 c5 a5", "bca", 105, 0, "bca" },
	{ "remove the head", "a0 b10 c20 -a", "bc", 110, 0, "b" },
	{ "remove the middle", "a0 b10 c20 -b", "ac", 0, TIMEOUT, "" },
	{ "remove the tail", "a0 b10 c20 -c", "ab", 120, 0, "ab" },
	{ "remove twice is a no-op", "a0 b10 -a -a", "b", 60, 50, "" },
	{ "remove a node never inserted", "-c a0", "a", 30, 70, "" },
	{ "remove all, then insert again", "a0 b10 -a -b b20", "b", 20, TIMEOUT, "" },
	{ "deadline equal to now has expired", "a0", "a", TIMEOUT, 0, "a" },
	{ "one ms before the deadline", "a0", "a", TIMEOUT - 1, 1, "" },
	{ "long after every deadline", "c0 a1 b2", "cab", 10000, 0, "cab" },
};

/* Each script: the resulting order, deadlines, wait time and expiry order. */
static void test_scripts(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof(scripts) / sizeof(scripts[0]); k++) {
		const struct script_case *c = &scripts[k];
		struct idle_list l;
		struct idle_node *n;
		long deadline[NNODES];
		char got[NNODES + 1], expired[NNODES + 1];
		int ne = 0;

		idle_init(&l, TIMEOUT);
		run_ops(c->name, &l, c->ops, deadline);
		order(c->name, &l, got);
		CHECK(strcmp(got, c->order) == 0, "%s: order '%s', want '%s'", c->name, got,
		      c->order);
		for (const char *p = got; *p; p++)
			CHECK(nodes[*p - 'a'].deadline == deadline[*p - 'a'],
			      "%s: node %c deadline %ld, want %ld", c->name, *p,
			      nodes[*p - 'a'].deadline, deadline[*p - 'a']);
		n = idle_first(&l);
		CHECK(c->order[0] ? n == &nodes[c->order[0] - 'a'] : n == NULL,
		      "%s: idle_first is not the oldest", c->name);
		CHECK(idle_wait_ms(&l, c->now) == c->wait, "%s: wait %ld ms at %ld, want %ld",
		      c->name, idle_wait_ms(&l, c->now), c->now, c->wait);
		while ((n = idle_expired(&l, c->now)) && ne < NNODES) {
			CHECK(idle_first(&l) == n, "%s: expired node %c is not the oldest", c->name,
			      name_of(n));
			expired[ne++] = name_of(n);
			idle_remove(n);
		}
		expired[ne] = '\0';
		CHECK(strcmp(expired, c->expired) == 0, "%s: expired '%s' at %ld, want '%s'",
		      c->name, expired, c->now, c->expired);
		order(c->name, &l, got);
		CHECK(strcmp(got, c->order + ne) == 0, "%s: after expiry '%s', want '%s'", c->name,
		      got, c->order + ne);
	}
}

/* A node touched into a second list (idle -> lingering) leaves the first. */
static void test_move_between_lists(void **state)
{
	struct idle_list idle, linger;
	char got[NNODES + 1];

	(void)state;
	idle_init(&idle, TIMEOUT);
	idle_init(&linger, 7);
	idle_node_init(&nodes[0]);
	idle_node_init(&nodes[1]);
	idle_touch(&idle, &nodes[0], 0);
	idle_touch(&idle, &nodes[1], 1);
	idle_touch(&linger, &nodes[0], 50);
	order("idle after the move", &idle, got);
	CHECK(strcmp(got, "b") == 0, "idle list holds '%s', want 'b'", got);
	order("linger after the move", &linger, got);
	CHECK(strcmp(got, "a") == 0, "linger list holds '%s', want 'a'", got);
	CHECK(nodes[0].deadline == 57,
	      "moved node's deadline %ld, want 57 (its new list's timeout)", nodes[0].deadline);
	CHECK(idle_wait_ms(&linger, 50) == 7, "linger wait %ld, want 7", idle_wait_ms(&linger, 50));
	idle_remove(&nodes[0]);
	CHECK(idle_first(&linger) == NULL && idle_wait_ms(&linger, 50) == -1,
	      "linger list not empty after removing its only node");
	CHECK(idle_first(&idle) == &nodes[1], "the idle list lost its node");
}

/* A small deterministic generator, so a failure reproduces. */
static unsigned lcg(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) & 0x7fff;
}

/*
 * Many random touches and removals with time moving forward, checked after
 * every step against a plain array model: the list holds exactly the live
 * nodes, in deadline order (touch order on ties), and idle_first and
 * idle_wait_ms agree with the model's minimum.
 */
static void test_random_against_model(void **state)
{
	struct idle_list l;
	int live[NNODES] = { 0 };
	long seq[NNODES], dl[NNODES], now = 1000, count = 0;
	unsigned seed = 12345;
	char what[64];

	(void)state;
	idle_init(&l, TIMEOUT);
	for (int i = 0; i < NNODES; i++)
		idle_node_init(&nodes[i]);
	for (long step = 0; step < 5000; step++) {
		int i = (int)(lcg(&seed) % NNODES), best = -1, nlive = 0, n = 0;
		const struct idle_node *p, *prev = &l.head;
		long want;

		now += lcg(&seed) % 4; /* often unchanged: exercises ties */
		snprintf(what, sizeof(what), "step %ld (seed 12345)", step);
		if (lcg(&seed) % 3 == 0) {
			idle_remove(&nodes[i]);
			live[i] = 0;
		} else {
			idle_touch(&l, &nodes[i], now);
			live[i] = 1;
			dl[i] = now + TIMEOUT;
			seq[i] = count++;
		}
		for (int j = 0; j < NNODES; j++) {
			if (!live[j])
				continue;
			nlive++;
			if (best < 0 || dl[j] < dl[best] ||
			    (dl[j] == dl[best] && seq[j] < seq[best]))
				best = j;
		}
		for (p = l.head.next; p != &l.head; prev = p, p = p->next) {
			CHECK(++n <= NNODES, "%s: the list does not end", what);
			CHECK(live[p - nodes], "%s: removed node %c still listed", what,
			      name_of(p));
			CHECK(p->prev == prev, "%s: node %c's prev link is wrong", what,
			      name_of(p));
			CHECK(prev == &l.head || prev->deadline <= p->deadline,
			      "%s: %c (%ld) after %c (%ld): out of deadline order", what,
			      name_of(p), p->deadline, name_of(prev), prev->deadline);
		}
		CHECK(n == nlive, "%s: %d nodes listed, %d live", what, n, nlive);
		CHECK(idle_first(&l) == (best < 0 ? NULL : &nodes[best]),
		      "%s: idle_first is not the live node with the earliest deadline", what);
		want = best < 0 ? -1 : dl[best] > now ? dl[best] - now : 0;
		CHECK(idle_wait_ms(&l, now) == want, "%s: wait %ld, want %ld", what,
		      idle_wait_ms(&l, now), want);
	}
}

/* The clock is monotonic and in milliseconds. */
static void test_now_ms(void **state)
{
	const struct timespec pause = { 0, 20 * 1000000L };
	long t1, t2;

	(void)state;
	t1 = clock_now_ms();
	CHECK(nanosleep(&pause, NULL) == 0, "nanosleep failed");
	t2 = clock_now_ms();
	CHECK(t2 - t1 >= 20, "20 ms of sleep advanced the clock by %ld ms", t2 - t1);
	CHECK(t2 - t1 < 10000, "20 ms of sleep advanced the clock by %ld ms: not milliseconds?",
	      t2 - t1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scripts),
		cmocka_unit_test(test_move_between_lists),
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_now_ms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
