/* kmem.c -- kernel memory from /proc: what a held connection costs beyond user space. */
#include "kmem.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The value of the "key:" line of a /proc/meminfo text into *v: 0 or -1. */
static int meminfo_line(const char *text, const char *key, long *v)
{
	const char *p = text;
	size_t len = strlen(key);

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, len) && p[len] == ':')
			return sscanf(p + len + 1, "%ld", v) == 1 ? 0 : -1;
	return -1;
}

int kmem_parse_meminfo(const char *text, long *kb)
{
	long slab, stack, tables;

	if (meminfo_line(text, "Slab", &slab) < 0 ||
	    meminfo_line(text, "KernelStack", &stack) < 0 ||
	    meminfo_line(text, "PageTables", &tables) < 0)
		return -1;
	*kb = slab + stack + tables;
	return 0;
}

/* The objsize of the slab cache called name in a /proc/slabinfo text, or -1. */
static long objsize(const char *text, const char *name)
{
	const char *p = text;
	size_t len = strlen(name);
	long active, total, size;

	for (; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, len) && p[len] == ' ' &&
		    sscanf(p + len, "%ld %ld %ld", &active, &total, &size) == 3)
			return size;
	return -1;
}

int kmem_parse_socket(const char *text, long *bytes)
{
	static const char *const caches[] = { "TCP", "sock_inode_cache", "filp", "dentry" };
	long size;

	*bytes = 0;
	for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
		if ((size = objsize(text, caches[i])) < 0)
			return -1;
		*bytes += size;
	}
	return 0;
}

int kmem_now_kb(long *kb)
{
	char *text = util_read_file("/proc/meminfo", NULL);
	int rc = text ? kmem_parse_meminfo(text, kb) : -1;

	free(text);
	return rc;
}

long kmem_server_share_kb(long before_kb, long after_kb, int conns)
{
	char *text;
	long socket_b;
	int rc;

	if (conns <= 0 || before_kb < 0 || after_kb < 0 ||
	    !(text = util_read_file("/proc/slabinfo", NULL)))
		return -1;
	rc = kmem_parse_socket(text, &socket_b);
	free(text);
	if (rc < 0)
		return -1;
	return after_kb - before_kb - (long)((double)conns * socket_b / 1024);
}
