/* meta.c -- describe the machine and the software versions of a run. */
#include "meta.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* The first line cmd prints (stderr discarded) into buf, or "unknown". */
static void first_line(const char *cmd, char *buf, size_t len)
{
	char full[512];
	FILE *p;

	snprintf(buf, len, "unknown");
	snprintf(full, sizeof(full), "%s 2>/dev/null", cmd);
	if (!(p = popen(full, "re")))
		return;
	if (fgets(buf, (int)len, p))
		buf[strcspn(buf, "\n")] = '\0';
	else
		snprintf(buf, len, "unknown");
	pclose(p);
	if (!buf[0])
		snprintf(buf, len, "unknown");
}

/* The "model name" of the first CPU in /proc/cpuinfo into buf. */
static void cpu_model(char *buf, size_t len)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "re");

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) == 0 && colon) {
			colon[strcspn(colon, "\n")] = '\0';
			snprintf(buf, len, "%s", colon + 2);
			break;
		}
	}
	fclose(f);
}

/* One "load tool" line per tool: its version and path, with its mode when they differ. */
static void tool_lines(FILE *f, const struct meta_info *m)
{
	char cmd[4200], version[256];
	int i;

	for (i = 0; i < m->ntools; i++) {
		snprintf(cmd, sizeof(cmd), "'%s' %s", m->tools[i].path, m->tools[i].version);
		first_line(cmd, version, sizeof(version));
		if (m->ntools == 1)
			fprintf(f, "load tool: %s (%s)\n", version, m->tools[i].path);
		else
			fprintf(f, "load tool (%s): %s (%s)\n", m->tools[i].mode, version,
			        m->tools[i].path);
	}
}

/* A "reference" line per ref-X in refs: X -v's first line (nginx prints it on stderr). */
static void reference_lines(FILE *f, const char *refs)
{
	char name[64], env[80], cmd[512], version[256];
	const char *s = refs;
	int n, i;

	while (s && sscanf(s, " %63s%n", name, &n) == 1) {
		const char *server = strchr(name, '-') ? strchr(name, '-') + 1 : name;

		s += n;
		snprintf(env, sizeof(env), "REF_%s_BIN", server);
		for (i = 0; env[i]; i++)
			env[i] =
			    isalnum((unsigned char)env[i]) ? toupper((unsigned char)env[i]) : '_';
		snprintf(
		    cmd, sizeof(cmd),
		    "{ b=${%s:-$(PATH=$PATH:/usr/sbin:/sbin command -v '%s')} && [ -x \"$b\" ] && "
		    "\"$b\" -v 2>&1; }",
		    env, server);
		first_line(cmd, version, sizeof(version));
		fprintf(f, "reference %s: %s\n", name,
		        strcmp(version, "unknown") ? version : "not installed");
	}
}

char *meta_collect(const struct meta_info *m)
{
	char date[64], cpu[256], libevent[64], commit[128], dirty[8];
	struct utsname u;
	time_t now = time(NULL);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S%z", localtime(&now));
	cpu_model(cpu, sizeof(cpu));
	first_line("pkg-config --modversion libevent", libevent, sizeof(libevent));
	first_line("git rev-parse HEAD", commit, sizeof(commit));
	first_line("git status --porcelain --untracked-files=no | head -1 | wc -l", dirty,
	           sizeof(dirty));
	if (uname(&u) < 0)
		memset(&u, 0, sizeof(u));
	fprintf(f, "run_id: %s\ndate: %s\ncpu: %s\ncpus: %ld online\n", m->run_id, date, cpu,
	        sysconf(_SC_NPROCESSORS_ONLN));
	fprintf(f, "kernel: %s %s %s %s\n", u.sysname, u.release, u.version, u.machine);
	fprintf(f, "compiler: %s\n", m->compiler ? m->compiler : "unknown");
	tool_lines(f, m);
	reference_lines(f, m->refs);
	fprintf(f, "libevent: %s\n", libevent);
	fprintf(f, "git: %s%s\n", commit, strcmp(dirty, "0") ? " (with uncommitted changes)" : "");
	fprintf(f, "pinning: %s\n", m->pinning);
	fprintf(f, "client cpus: %s\nserver cpus: %s\ntopology: %s\n",
	        m->client_cpus && *m->client_cpus ? m->client_cpus : "any (not pinned)",
	        m->server_cpus && *m->server_cpus ? m->server_cpus : "any (not pinned)",
	        m->topology ? m->topology : "unknown");
	fprintf(f, "client threads: %d (wrk -t; ab has one)\n", m->client_threads);
	fprintf(f, "client prefix: %s\nhost: %s\n",
	        m->client_prefix ? m->client_prefix : "none (the tool runs here)",
	        m->host ? m->host : "127.0.0.1");
	if (m->workers > 0)
		fprintf(f, "workers: %d (--workers given to every model)\n", m->workers);
	else
		fprintf(f, "workers: not passed (each model's default: the CPUs it may run on)\n");
	fprintf(f, "noise threshold: other processes above %.0f %% of one CPU (other_cpu_pct)\n",
	        m->noisy_pct);
	fprintf(f, "starvation threshold: served_conns below %.2g x concurrency\n",
	        m->starved_fraction);
	if (m->warning && *m->warning)
		fprintf(f, "%s\n", m->warning);
	fprintf(f, "%s", m->plan ? m->plan : "");
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
