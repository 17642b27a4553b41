/* workers.c -- each worker's CPU time over a window from /proc, its share and Jain's index. */
#include "workers.h"

#include "proctree.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double workers_jain(const double *x, int n)
{
	double sum = 0, squares = 0;

	for (int i = 0; i < n; i++) {
		sum += x[i];
		squares += x[i] * x[i];
	}
	return squares > 0 ? sum * sum / (n * squares) : WORKERS_JAIN_UNDEFINED;
}

/* The ticks `s` has for tid, 0 when it has none (the task was born after s). */
static unsigned long long ticks_of(const struct workers_snap *s, pid_t tid)
{
	for (int i = 0; i < s->n; i++)
		if (s->task[i].tid == tid)
			return s->task[i].ticks;
	return 0;
}

/* Sort the window's workers largest first (insertion: a pool has at most hundreds). */
static void sort_largest_first(struct workers_window *w)
{
	for (int i = 1; i < w->n; i++) {
		double cpu = w->cpu_s[i];
		pid_t tid = w->tid[i];
		int j = i;

		for (; j > 0 && w->cpu_s[j - 1] < cpu; j--) {
			w->cpu_s[j] = w->cpu_s[j - 1];
			w->tid[j] = w->tid[j - 1];
		}
		w->cpu_s[j] = cpu;
		w->tid[j] = tid;
	}
}

void workers_window_of(const struct workers_snap *before, const struct workers_snap *after,
                       pid_t exclude, double tick_hz, struct workers_window *w)
{
	memset(w, 0, sizeof(*w));
	for (int i = 0; i < after->n && w->n < WORKERS_MAX; i++) {
		const struct workers_task *t = &after->task[i];
		unsigned long long was = ticks_of(before, t->tid);

		if (t->tid == exclude)
			continue;
		w->tid[w->n] = t->tid;
		w->cpu_s[w->n] = t->ticks > was ? (double)(t->ticks - was) / tick_hz : 0;
		w->total_s += w->cpu_s[w->n++];
	}
	sort_largest_first(w);
	w->jain = workers_jain(w->cpu_s, w->n);
}

char *workers_format_shares(const struct workers_window *w, char *buf, size_t buflen)
{
	/* every share is 4 characters ("0.52", "1.00"), a '/' between two */
	size_t all = (size_t)(5 * w->n - 1), at = 0;
	size_t room = all < buflen                ? buflen
	              : buflen > WORKERS_MORE_LEN ? buflen - WORKERS_MORE_LEN
	                                          : 0;
	int i;

	if (buflen)
		buf[0] = '\0';
	if (!(w->total_s > 0) || !buflen)
		return buf;
	for (i = 0; i < w->n && at + (i ? 5 : 4) < room; i++)
		at += (size_t)snprintf(buf + at, room - at, "%s%.2f", i ? "/" : "",
		                       w->cpu_s[i] / w->total_s);
	if (i < w->n)
		snprintf(buf + at, buflen - at, "%s+%d", at ? "/" : "", w->n - i);
	return buf;
}

int workers_count(const char *shares)
{
	int n = 0;

	for (const char *p = shares; *p; p += strcspn(p, "/"), p += *p == '/')
		n += *p == '+' ? atoi(p + 1) : 1;
	return n;
}

/* Add every task of process pid to s. */
static void add_tasks(pid_t pid, struct workers_snap *s)
{
	char path[64];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if (!(d = opendir(path)))
		return; /* gone meanwhile */
	while ((e = readdir(d))) {
		struct proctree_stat st;
		char stat_path[96], *text;
		pid_t tid = (pid_t)atoi(e->d_name);

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		if (s->n == WORKERS_MAX) {
			s->truncated = 1;
			break;
		}
		snprintf(stat_path, sizeof(stat_path), "%s/%d/stat", path, (int)tid);
		if (!(text = util_read_file(stat_path, NULL)))
			continue;
		if (proctree_parse_stat(text, &st) == 0)
			s->task[s->n++] =
			    (struct workers_task){ .tid = tid, .ticks = st.utime + st.stime };
		free(text);
	}
	closedir(d);
}

int workers_snapshot(pid_t root, struct workers_snap *s)
{
	pid_t *pids;
	int n = proctree_pids(root, &pids);

	s->n = s->truncated = 0;
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++)
		add_tasks(pids[i], s);
	free(pids);
	return 0;
}
