/* memtree.c -- PSS of a process tree from /proc/PID/smaps_rollup. */
#include "memtree.h"

#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

long memtree_parse_pss(const char *text)
{
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, "Pss:", 4))
			return strtol(p + 4, NULL, 10);
	return -1;
}

int memtree_parse_ppid(const char *stat, pid_t *ppid)
{
	const char *p = strrchr(stat, ')');
	char state;
	long v;

	if (!p || sscanf(p + 1, " %c %ld", &state, &v) != 2 || v < 0)
		return -1;
	*ppid = (pid_t)v;
	return 0;
}

/* One process's PSS in kB, or -1 (gone, or not ours to read). */
static long pss_of(pid_t pid)
{
	char path[64], *text;
	long kb;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if (!(text = util_read_file(path, NULL)))
		return -1;
	kb = memtree_parse_pss(text);
	free(text);
	return kb;
}

/* The parent of pid, or -1. */
static pid_t parent_of(pid_t pid)
{
	char path[64], *text;
	pid_t pp = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((text = util_read_file(path, NULL)) && memtree_parse_ppid(text, &pp) < 0)
		pp = -1;
	free(text);
	return pp;
}

long memtree_pss_kb(pid_t root)
{
	struct proc {
		pid_t pid, ppid;
		int in;
	} *ps = NULL, *grown;
	int n = 0, cap = 0, i, added;
	long total = pss_of(root), kb;
	DIR *d;
	struct dirent *e;

	if (total < 0 || !(d = opendir("/proc")))
		return total;
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
		ps[n].ppid = parent_of(ps[n].pid);
		ps[n].in = ps[n].pid == root;
		n++;
	}
	closedir(d);
	/* Mark descendants until nothing changes: a tree of depth k takes k passes. */
	do {
		added = 0;
		for (i = 0; i < n; i++) {
			int j;

			for (j = 0; !ps[i].in && j < n; j++)
				if (ps[j].in && ps[j].pid == ps[i].ppid) {
					ps[i].in = added = 1;
					if ((kb = pss_of(ps[i].pid)) > 0)
						total += kb;
				}
		}
	} while (added);
	free(ps);
	return total;
}
