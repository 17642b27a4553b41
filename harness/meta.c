/* meta.c -- a run's meta: the machine and software versions written, and read back for the laws. */
#include "meta.h"
#include "facts.h"
#include "util.h"

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

int meta_irq_accounting(const char *config, const char *proc_stat, char *buf, size_t len)
{
	unsigned long long v[7] = { 0 };

	if (config && strstr(config, "\nCONFIG_IRQ_TIME_ACCOUNTING=y")) {
		snprintf(
		    buf, len,
		    "irq time: accounted (CONFIG_IRQ_TIME_ACCOUNTING=y): interrupt and softirq "
		    "time is taken out of the interrupted process's CPU time, so the loopback "
		    "work a run causes in softirq is in no rusage and counts in other_cpu_pct "
		    "(a few %% there are the run's own)");
		return 1;
	}
	if (config && strstr(config, "CONFIG_IRQ_TIME_ACCOUNTING is not set")) {
		snprintf(buf, len,
		         "irq time: not accounted (CONFIG_IRQ_TIME_ACCOUNTING is not set): "
		         "interrupt and softirq time is charged to the process a tick finds "
		         "running, so the server's and the tool's CPU time include what "
		         "interrupted them, and other_cpu_pct only what ran outside the run");
		return 0;
	}
	if (proc_stat && sscanf(proc_stat, "cpu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
	                        &v[2], &v[3], &v[4], &v[5], &v[6]) == 7)
		snprintf(buf, len,
		         "irq time: unknown (no kernel config; /proc/stat irq %llu, softirq %llu "
		         "jiffies): other_cpu_pct may hold the run's own interrupt work",
		         v[5], v[6]);
	else
		snprintf(buf, len,
		         "irq time: unknown (no kernel config, no /proc/stat): other_cpu_pct may "
		         "hold the run's own interrupt work");
	return -1;
}

/* The kernel's config text (/boot/config-<release>, else /proc/config.gz), or NULL. */
static char *kernel_config(const char *release)
{
	char cmd[512], *text = NULL;
	size_t len = 0, n;
	char chunk[4096];
	FILE *p, *out;

	snprintf(cmd, sizeof(cmd),
	         "cat '/boot/config-%s' 2>/dev/null || gzip -dc /proc/config.gz 2>/dev/null",
	         release);
	if (!(p = popen(cmd, "re")))
		return NULL;
	if (!(out = open_memstream(&text, &len))) {
		pclose(p);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		fwrite(chunk, 1, n, out);
	pclose(p);
	if (fclose(out) != 0 || !len) {
		free(text);
		return NULL;
	}
	return text;
}

/* The "irq time" line into f. */
static void irq_line(FILE *f, const char *release)
{
	char *config = kernel_config(release), *stat = util_read_file("/proc/stat", NULL);
	char line[512];

	meta_irq_accounting(config, stat, line, sizeof(line));
	fprintf(f, "%s\n", line);
	free(config);
	free(stat);
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
	irq_line(f, u.release);
	fprintf(f, "compiler: %s\n", m->compiler ? m->compiler : "unknown");
	tool_lines(f, m);
	reference_lines(f, m->refs);
	fprintf(f, "libevent: %s\n", libevent);
	fprintf(f, "git: %s%s\n", commit, strcmp(dirty, "0") ? " (with uncommitted changes)" : "");
	fprintf(f, "pinning: %s\n", m->pinning);
	fprintf(f, "server cpus: %d\n", m->server_cpus);
	fprintf(f, "cpu sets: client %s; server %s\ntopology: %s\n",
	        m->client_cpus && *m->client_cpus ? m->client_cpus : "any (not pinned)",
	        m->server_list && *m->server_list ? m->server_list : "any (not pinned)",
	        m->topology ? m->topology : "unknown");
	fprintf(f, "client threads: %d (wrk -t; ab has one)\n", m->client_threads);
	fprintf(f, "client prefix: %s\nhost: %s\n",
	        m->client_prefix ? m->client_prefix : "none (the tool runs here)",
	        m->host ? m->host : "127.0.0.1");
	if (m->workers > 0)
		fprintf(f, "workers: %d (--workers given to every model)\n", m->workers);
	else
		fprintf(f, "workers: not passed (each model's default: its Facts line)\n");
	fprintf(f, "noise threshold: other processes above %.0f %% of one CPU (other_cpu_pct)\n",
	        m->noisy_pct);
	fprintf(f, "starvation threshold: served_conns below %.2g x concurrency\n",
	        m->starved_fraction);
	if (m->counts)
		fprintf(f, "counts: %s\n", m->counts);
	if (m->warning && *m->warning)
		fprintf(f, "%s\n", m->warning);
	fprintf(f, "%s%s%s", m->scenarios ? m->scenarios : "", m->facts ? m->facts : "",
	        m->plan ? m->plan : "");
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* "variant MODEL:NAME: FLAGS -- NOTE" for the variant m, its note from its README in dir. */
static void variant_line(FILE *f, const struct plan_model *m, const char *dir)
{
	struct facts_variant v[FACTS_VARIANTS_MAX];
	const char *name = m->name + strlen(m->base) + 1, *note = "";
	int n = facts_variants_load(dir, m->base, v, FACTS_VARIANTS_MAX), i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			note = v[i].note;
	fprintf(f, "variant %s: %s -- %s\n", m->name, m->flags, note);
}

void meta_plan_lines(const struct plan *p, const struct facts *facts, const char *dir, char **scen,
                     char **facts_text)
{
	char words[128];
	size_t len = 0;
	FILE *f = open_memstream(scen, &len);
	int i;

	for (i = 0; f && i < p->nscenarios; i++) {
		const struct scenario *s = p->scenarios[i];

		fprintf(f, "scenario %s: GET %s -- %s", s->name, s->target, s->shows);
		if (s->workers > 0)
			fprintf(f, " (every model: --workers %d)", s->workers);
		if (s->max_conns > 0)
			fprintf(f, " (every model: --max-conns %d)", s->max_conns);
		if (scenario_is_open(s))
			fprintf(f, " (capacity closed-loop at %d connections; load over up to %d)",
			        s->capacity_conns, s->load_conns);
		if (s->mix)
			fprintf(f, " (the mix %s: each class's capacity apart)", s->mix);
		fprintf(f, "\n");
	}
	if (f)
		fclose(f);
	if (!(f = open_memstream(facts_text, &len)))
		return;
	for (i = 0; i < p->nmodels; i++) {
		if (facts[i].known)
			fprintf(f, "facts %s: %s\n", p->models[i].name,
			        facts_format(&facts[i], words, sizeof(words)));
		else
			fprintf(f, "facts %s: unknown (no Facts line in %s/%s/README.md)\n",
			        p->models[i].name, dir, p->models[i].base);
		if (strcmp(p->models[i].name, p->models[i].base) != 0)
			variant_line(f, &p->models[i], dir);
	}
	fclose(f);
}

/*
 * The name that starts text and ends at the first ": " on its line into name (META_WORD),
 * and in *after how far past that ": " the rest starts: 0, or -1 (no name).
 */
static int name_before(const char *text, char *name, int *after)
{
	size_t line = strcspn(text, "\n");
	const char *sep = strstr(text, ": ");

	if (!sep || sep == text || (size_t)(sep - text) >= line || sep - text >= META_WORD)
		return -1;
	snprintf(name, META_WORD, "%.*s", (int)(sep - text), text);
	*after = (int)(sep - text) + 2;
	return 0;
}

/* "MODEL:NAME: FLAGS -- NOTE" (after "variant ") into env's next variant. */
static void read_variant(const char *text, struct meta_env *env)
{
	const char *note, *nl = text + strcspn(text, "\n");
	int len, i = env->nvariants;

	if (i == META_MAX_FACTS || name_before(text, env->variant[i], &len) < 0)
		return;
	note = strstr(text + len, " -- ");
	if (note && note < nl) {
		note += 4;
		snprintf(env->variant_note[i], sizeof(env->variant_note[i]), "%.*s",
		         (int)(nl - note), note);
	}
	env->nvariants++;
}

void meta_read_env(const char *meta, struct meta_env *env)
{
	const char *line;
	char facts[512];
	int len;

	memset(env, 0, sizeof(*env));
	for (line = meta; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		struct facts *f = &env->facts[env->nfacts];
		char *model = env->model[env->nfacts];

		if (sscanf(line, "server cpus: %d", &env->server_cpus) == 1 ||
		    sscanf(line, "workers: %d", &env->workers) == 1)
			continue;
		if (env->npooled < META_MAX_FACTS &&
		    sscanf(line, "scenario %63[^:]:", env->pooled[env->npooled]) == 1) {
			const char *nl = strchr(line, '\n'),
			           *p = strstr(line, "(every model: --workers");

			env->npooled += p && (!nl || p < nl);
			continue;
		}
		if (!strncmp(line, "variant ", 8)) {
			read_variant(line + 8, env);
			continue;
		}
		/*
		 * "facts MODEL: keepalive=yes ...": MODEL's Facts line as the README has it;
		 * a variant's name holds a colon ("io_uring:sqpoll"), so the name ends at ": "
		 */
		if (env->nfacts == META_MAX_FACTS || strncmp(line, "facts ", 6) ||
		    name_before(line + 6, model, &len) < 0)
			continue;
		len += 6;
		snprintf(facts, sizeof(facts), "Facts:%.*s", (int)strcspn(line + len, "\n"),
		         line + len);
		facts_parse(facts, f); /* a malformed one stays unknown */
		env->nfacts++;
	}
}
