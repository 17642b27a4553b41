/* proctree.c -- sums over a process tree from /proc/PID/smaps_rollup and /proc/PID/stat. */
#include "proctree.h"

#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

long proctree_parse_pss(const char *text)
{
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, "Pss:", 4))
			return strtol(p + 4, NULL, 10);
	return -1;
}

int proctree_parse_stat(const char *stat, struct proctree_stat *st)
{
	const char *p = strrchr(stat, ')');
	long ppid;

	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ... */
	if (!p ||
	    sscanf(p + 1, " %*c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu", &ppid,
	           &st->utime, &st->stime, &st->cutime, &st->cstime) != 5 ||
	    ppid < 0)
		return -1;
	st->ppid = (pid_t)ppid;
	return 0;
}

/* pid's stat into st: 0, or -1 (gone, or malformed). */
static int stat_of(pid_t pid, struct proctree_stat *st)
{
	char path[64], *text;
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(text = util_read_file(path, NULL)))
		return -1;
	rc = proctree_parse_stat(text, st);
	free(text);
	return rc;
}

/* One process's PSS in kB, or -1 (gone, or not ours to read). */
static long pss_of(pid_t pid)
{
	char path[64], *text;
	long kb;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if (!(text = util_read_file(path, NULL)))
		return -1;
	kb = proctree_parse_pss(text);
	free(text);
	return kb;
}

/* Every process of /proc is read once; a tree of depth k takes k passes over them. */
int proctree_pids(pid_t root, pid_t **out)
{
	struct proc {
		pid_t pid, ppid;
		int in;
	} *ps = NULL, *grown;
	struct proctree_stat st;
	int n = 0, cap = 0, k = 1, i, j, added;
	DIR *d;
	struct dirent *e;

	if (stat_of(root, &st) < 0 || !(*out = malloc(sizeof(**out))))
		return -1;
	(*out)[0] = root;
	if (!(d = opendir("/proc")))
		return 1;
	while ((e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			if (!(grown = realloc(ps, cap * sizeof(*ps))))
				break;
			ps = grown;
		}
		ps[n].pid = (pid_t)atoi(e->d_name);
		ps[n].ppid = stat_of(ps[n].pid, &st) == 0 ? st.ppid : -1;
		ps[n].in = ps[n].pid == root;
		n++;
	}
	closedir(d);
	do {
		added = 0;
		for (i = 0; i < n; i++)
			for (j = 0; !ps[i].in && j < n; j++)
				if (ps[j].in && ps[j].pid == ps[i].ppid) {
					pid_t *more = realloc(*out, (k + 1) * sizeof(**out));

					if (!more)
						goto out;
					*out = more;
					(*out)[k++] = ps[i].pid;
					ps[i].in = added = 1;
				}
	} while (added);
out:
	free(ps);
	return k;
}

long proctree_pss_kb(pid_t root)
{
	pid_t *pids;
	int n = proctree_pids(root, &pids), i;
	long total, kb;

	if (n < 0)
		return -1;
	if ((total = pss_of(pids[0])) >= 0) /* root's own unreadable: unknown */
		for (i = 1; i < n; i++)
			if ((kb = pss_of(pids[i])) > 0)
				total += kb;
	free(pids);
	return total;
}

int proctree_parse_schedstat(const char *text, unsigned long long *ns)
{
	char *end;

	if (!isdigit((unsigned char)*text))
		return -1;
	*ns = strtoull(text, &end, 10);
	return *end == ' ' || *end == '\n' || !*end ? 0 : -1;
}

/* The scheduler runtime of pid's live threads, in seconds; -1 if none could be read. */
static double threads_runtime_s(pid_t pid)
{
	char path[300], *text;
	struct dirent *e;
	unsigned long long ns;
	double total = -1;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if (!(d = opendir(path)))
		return -1;
	while ((e = readdir(d))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/schedstat", (int)pid, e->d_name);
		if (!(text = util_read_file(path, NULL)))
			continue; /* it exited meanwhile */
		if (proctree_parse_schedstat(text, &ns) == 0)
			total = (total < 0 ? 0 : total) + ns / 1e9;
		free(text);
	}
	closedir(d);
	return total;
}

int proctree_runtime_s(pid_t root, double *s)
{
	double tick = (double)sysconf(_SC_CLK_TCK), own, live;
	struct proctree_stat st;
	pid_t *pids;
	int n = proctree_pids(root, &pids), i;

	*s = 0;
	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (stat_of(pids[i], &st) < 0)
			continue;
		own = (st.utime + st.stime) / tick;
		live = threads_runtime_s(pids[i]);
		*s += (live > own ? live : own) + (st.cutime + st.cstime) / tick;
	}
	free(pids);
	return 0;
}
