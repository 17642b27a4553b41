/* cpus.c -- CPU placement: cpulists, the machine's cores, and the client/server split. */
#include "cpus.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_blanks(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* A decimal CPU number at *p (advanced past it): 0, or -1 when there is none. */
static int parse_cpu(const char **p, long *v)
{
	char *end;

	if (!isdigit((unsigned char)**p))
		return -1;
	errno = 0;
	*v = strtol(*p, &end, 10);
	if (errno)
		*v = LONG_MAX; /* reported as beyond CPU_SETSIZE */
	*p = end;
	return 0;
}

int cpus_parse(const char *text, cpu_set_t *set, char *err, size_t errlen)
{
	const char *p = skip_blanks(text);
	long lo, hi, c;

	CPU_ZERO(set);
	if (*p == '\0') {
		snprintf(err, errlen, "empty cpulist");
		return -1;
	}
	for (;;) {
		if (parse_cpu(&p, &lo) < 0)
			goto malformed;
		hi = lo;
		if (*p == '-') {
			p++;
			if (parse_cpu(&p, &hi) < 0)
				goto malformed;
		}
		if (hi < lo) {
			snprintf(err, errlen, "range %ld-%ld runs backwards", lo, hi);
			return -1;
		}
		if (hi >= CPU_SETSIZE) {
			snprintf(err, errlen,
			         "CPU %ld is beyond the highest CPU number this harness "
			         "handles (%d)",
			         hi, CPU_SETSIZE - 1);
			return -1;
		}
		for (c = lo; c <= hi; c++)
			CPU_SET(c, set);
		if (*p != ',')
			break;
		p++;
	}
	if (*skip_blanks(p) == '\0')
		return 0;
malformed:
	snprintf(err, errlen,
	         "'%s' is not a cpulist (numbers and ranges separated by commas, "
	         "like 0-3,8)",
	         text);
	return -1;
}

char *cpus_format(const cpu_set_t *set, char *buf, size_t buflen)
{
	int c, first = -1;
	size_t o = 0;

	if (buflen)
		buf[0] = '\0';
	for (c = 0; c <= CPU_SETSIZE && o < buflen; c++) {
		int in = c < CPU_SETSIZE && CPU_ISSET(c, set);

		if (in && first < 0)
			first = c;
		if (!in && first >= 0) {
			int n = snprintf(buf + o, buflen - o, first == c - 1 ? "%s%d" : "%s%d-%d",
			                 o ? "," : "", first, c - 1);

			o = n < 0 ? buflen : o + (size_t)n;
			first = -1;
		}
	}
	return buf;
}

/* The integer in the file root/cpuN/topology/name: 0, or -1 when missing or not a number. */
static int topo_int(const char *root, int cpu, const char *name, long *v)
{
	char path[PATH_MAX], *text, *end;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/cpu%d/topology/%s", root, cpu, name);
	text = util_read_file(path, NULL);
	if (!text)
		return -1;
	errno = 0;
	*v = strtol(text, &end, 10);
	if (end != text && *skip_blanks(end) == '\0' && !errno && *v >= SHRT_MIN && *v <= SHRT_MAX)
		rc = 0;
	free(text);
	return rc;
}

/* The lowest CPU of mask that shares cpu's physical core (cpu itself included): or -1. */
static int topo_first_sibling(const char *root, int cpu, const cpu_set_t *mask)
{
	char path[PATH_MAX], *text, err[160];
	cpu_set_t sib;
	int c, rc = -1;

	snprintf(path, sizeof(path), "%s/cpu%d/topology/thread_siblings_list", root, cpu);
	text = util_read_file(path, NULL);
	if (!text)
		return -1;
	if (cpus_parse(text, &sib, err, sizeof(err)) == 0 && CPU_ISSET(cpu, &sib)) {
		for (c = 0; c <= cpu && rc < 0; c++)
			if (CPU_ISSET(c, &sib) && CPU_ISSET(c, mask))
				rc = c;
	}
	free(text);
	return rc;
}

void cpus_topo_read(const char *root, const cpu_set_t *mask, struct cpus_topo *t)
{
	long pkg, core;
	int c, first;

	memset(t, 0, sizeof(*t));
	t->mask = *mask;
	for (c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, mask))
			continue;
		if (topo_int(root, c, "physical_package_id", &pkg) < 0 ||
		    topo_int(root, c, "core_id", &core) < 0)
			return;
		first = topo_first_sibling(root, c, mask);
		if (first < 0)
			return;
		t->package[c] = (short)pkg;
		t->core[c] = (short)core;
		t->first_sibling[c] = (short)first;
	}
	t->known = CPU_COUNT(mask) > 0;
}

/* The CPUs of t's mask on the physical core whose first sibling is first. */
static void core_cpus(const struct cpus_topo *t, int first, cpu_set_t *out)
{
	int c;

	CPU_ZERO(out);
	for (c = first; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &t->mask) && t->first_sibling[c] == first)
			CPU_SET(c, out);
}

char *cpus_topo_describe(const struct cpus_topo *t, char *buf, size_t buflen)
{
	cpu_set_t pkgs, core;
	int c, ncores = 0;
	size_t o;
	char list[64];

	if (!t->known) {
		snprintf(buf, buflen, "not visible");
		return buf;
	}
	CPU_ZERO(&pkgs);
	for (c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &t->mask))
			continue;
		ncores += t->first_sibling[c] == c;
		if (t->package[c] >= 0)
			CPU_SET(t->package[c], &pkgs);
	}
	o = snprintf(buf, buflen, "%d package%s, %d core%s, %d CPUs; cores", CPU_COUNT(&pkgs),
	             CPU_COUNT(&pkgs) == 1 ? "" : "s", ncores, ncores == 1 ? "" : "s",
	             CPU_COUNT(&t->mask));
	for (c = 0; c < CPU_SETSIZE && o < buflen; c++) {
		if (!CPU_ISSET(c, &t->mask) || t->first_sibling[c] != c)
			continue;
		core_cpus(t, c, &core);
		o += snprintf(buf + o, buflen - o, " %s", cpus_format(&core, list, sizeof(list)));
	}
	return buf;
}

/* The first k CPUs of mask to client, the others to server. */
static void split_by_count(const cpu_set_t *mask, int k, cpu_set_t *client, cpu_set_t *server)
{
	int c;

	for (c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, mask))
			continue;
		if (k-- > 0)
			CPU_SET(c, client);
		else
			CPU_SET(c, server);
	}
}

/*
 * Whole cores, lowest first, to client while it stays within half of mask;
 * every later core to server. -1 when even the first core is too big.
 */
static int split_by_cores(const cpu_set_t *mask, const struct cpus_topo *t, cpu_set_t *client,
                          cpu_set_t *server)
{
	int c, half = CPU_COUNT(mask) / 2, taking = 1;
	cpu_set_t core;

	for (c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, mask) || t->first_sibling[c] != c)
			continue;
		core_cpus(t, c, &core);
		if (taking && CPU_COUNT(client) + CPU_COUNT(&core) > half)
			taking = 0;
		CPU_OR(taking ? client : server, taking ? client : server, &core);
	}
	return CPU_COUNT(client) > 0 ? 0 : -1;
}

int cpus_split(const cpu_set_t *mask, const struct cpus_topo *t, cpu_set_t *client,
               cpu_set_t *server)
{
	int n = CPU_COUNT(mask);

	CPU_ZERO(client);
	CPU_ZERO(server);
	if (n < 2)
		return -1;
	if (n < CPUS_HALF_FROM) {
		split_by_count(mask, 1, client, server);
		return 0;
	}
	if (t && t->known && CPU_EQUAL(&t->mask, mask) &&
	    split_by_cores(mask, t, client, server) == 0)
		return 0;
	CPU_ZERO(client);
	CPU_ZERO(server);
	split_by_count(mask, n / 2, client, server);
	return 0;
}

/* One side's cpulist (name is how the user gave it) into *set, within mask: 0 or -1 with err. */
static int place_side(const char *name, const char *text, const cpu_set_t *mask, cpu_set_t *set,
                      char *err, size_t errlen)
{
	char why[200], outside[128], all[128];
	cpu_set_t extra;

	if (cpus_parse(text, set, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", name, why);
		return -1;
	}
	CPU_XOR(&extra, set, mask);
	CPU_AND(&extra, &extra, set);
	if (CPU_COUNT(&extra) > 0) {
		snprintf(err, errlen, "%s %s: CPU %s not in this process's affinity mask (%s)",
		         name, text, cpus_format(&extra, outside, sizeof(outside)),
		         cpus_format(mask, all, sizeof(all)));
		return -1;
	}
	return 0;
}

/* *other = mask without *given: 0, or -1 with err when that leaves nothing. */
static int place_rest(const char *name, const char *text, const char *other_name,
                      const cpu_set_t *mask, const cpu_set_t *given, cpu_set_t *other, char *err,
                      size_t errlen)
{
	char all[128];

	CPU_XOR(other, mask, given);
	if (CPU_COUNT(other) > 0)
		return 0;
	snprintf(err, errlen,
	         "%s %s takes every CPU of the affinity mask (%s): none is left for the "
	         "%s; give both sides explicitly",
	         name, text, cpus_format(mask, all, sizeof(all)), other_name);
	return -1;
}

int cpus_place(const cpu_set_t *mask, const struct cpus_topo *t, const char *client_text,
               const char *server_text, cpu_set_t *client, cpu_set_t *server, char *err,
               size_t errlen)
{
	static const char cname[] = "CLIENT_CPUS (--client-cpus)";
	static const char sname[] = "SERVER_CPUS (--server-cpus)";
	char shared[128];
	cpu_set_t both;

	err[0] = '\0';
	if (!client_text && !server_text)
		return cpus_split(mask, t, client, server);
	if (client_text && place_side(cname, client_text, mask, client, err, errlen) < 0)
		return -1;
	if (server_text && place_side(sname, server_text, mask, server, err, errlen) < 0)
		return -1;
	if (!server_text)
		return place_rest(cname, client_text, "server", mask, client, server, err, errlen);
	if (!client_text)
		return place_rest(sname, server_text, "load tool", mask, server, client, err,
		                  errlen);
	CPU_AND(&both, client, server);
	if (CPU_COUNT(&both) > 0) {
		snprintf(err, errlen,
		         "%s %s and %s %s overlap on CPU %s: the load tool and the "
		         "server must not share a CPU",
		         cname, client_text, sname, server_text,
		         cpus_format(&both, shared, sizeof(shared)));
		return -1;
	}
	return 0;
}
