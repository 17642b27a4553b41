/* facts.c -- read a model's `Facts:` line (the scenario laws need its parallelism) and its
 * `Variants:` line (the models a plan may run it as). */
#include "facts.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const wait_names[] = {
	[FACTS_WAIT_READY] = "ready",
	[FACTS_WAIT_ALL] = "all",
	[FACTS_WAIT_NONE] = "-",
};

static const char *const discipline_names[] = {
	[FACTS_DISCIPLINE_FCFS] = "fcfs",
	[FACTS_DISCIPLINE_PS] = "ps",
};

/* The index of v among names[1..last], or 0 (unknown): an optional key's unknown value is no
 * law, never a guess, and never a broken line. */
static int facts_name(const char *v, const char *const *names, int last)
{
	for (int k = 1; k <= last; k++)
		if (!strcmp(v, names[k]))
			return k;
	return 0;
}

/* targets=V (optional): which targets the model does the work of. 0, or -1 on a bad value. */
static int facts_targets(const char *v, struct facts *f)
{
	if (!strcmp(v, "all"))
		f->targets = FACTS_TARGETS_ALL;
	else if (!strcmp(v, "hello"))
		f->targets = FACTS_TARGETS_HELLO;
	else
		return -1;
	return 0;
}

/* One key=value word of the line into f; unknown keys are fine. 0, or -1 on a bad value. */
static int facts_word(const char *w, struct facts *f, int *seen)
{
	const char *v = strchr(w, '=');
	char *end;
	long n;

	if (!v)
		return -1;
	v++;
	if (!strncmp(w, "wait=", 5)) {
		f->wait = facts_name(v, wait_names, FACTS_WAIT_NONE);
	} else if (!strncmp(w, "discipline=", 11)) {
		f->discipline = facts_name(v, discipline_names, FACTS_DISCIPLINE_PS);
	} else if (!strncmp(w, "targets=", 8)) {
		return facts_targets(v, f);
	} else if (!strncmp(w, "admission=", 10)) { /* optional: absent is no */
		if (strcmp(v, "yes") && strcmp(v, "no"))
			return -1;
		f->admission = !strcmp(v, "yes");
	} else if (!strncmp(w, "keepalive=", 10)) {
		if (strcmp(v, "yes") && strcmp(v, "no"))
			return -1;
		f->keepalive = !strcmp(v, "yes");
		*seen |= 1;
	} else if (!strncmp(w, "parallel=", 9)) {
		if (!strcmp(v, "1"))
			f->parallel = FACTS_ONE;
		else if (!strcmp(v, "conn"))
			f->parallel = FACTS_CONN;
		else if (!strcmp(v, "workers"))
			f->parallel = FACTS_WORKERS;
		else
			return -1;
		*seen |= 2;
	} else if (!strncmp(w, "workers=", 8)) {
		if (!strcmp(v, "-")) {
			f->workers = 0;
		} else if (!strcmp(v, "cpus")) {
			f->workers = FACTS_WORKERS_CPUS;
		} else {
			n = strtol(v, &end, 10);
			if (end == v || *end || n < 1 || n > 1000000)
				return -1;
			f->workers = (int)n;
		}
		*seen |= 4;
	}
	return 0;
}

/* The first line of text that starts with prefix, or NULL. */
static const char *find_line(const char *text, const char *prefix)
{
	const char *line = text;
	size_t n = strlen(prefix);

	while (line && strncmp(line, prefix, n) != 0)
		line = (line = strchr(line, '\n')) ? line + 1 : NULL;
	return line;
}

/*
 * The rest of the first line of text that starts with prefix into buf (size bytes): 1, 0
 * when there is no such line, -1 when it does not fit.
 */
static int line_after(const char *text, const char *prefix, char *buf, size_t size)
{
	const char *line = find_line(text, prefix);
	size_t len;

	if (!line)
		return 0;
	line += strlen(prefix);
	len = strcspn(line, "\r\n");
	if (len >= size)
		return -1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	return 1;
}

int facts_parse(const char *text, struct facts *f)
{
	char buf[512], *w, *save;
	int seen = 0;

	memset(f, 0, sizeof(*f));
	if (line_after(text, "Facts:", buf, sizeof(buf)) != 1)
		return -1;
	for (w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		if (facts_word(w, f, &seen) < 0)
			return -1;
	/* A pool without its size, or a size for what is no pool, is a broken line. */
	if (seen != 7 || (f->parallel == FACTS_WORKERS) != (f->workers != 0))
		return -1;
	f->known = 1;
	return 0;
}

const char *facts_wait_name(int wait)
{
	return wait > FACTS_WAIT_UNKNOWN && wait <= FACTS_WAIT_NONE ? wait_names[wait] : NULL;
}

int facts_family(const struct facts *f)
{
	if (!f || !f->known)
		return FACTS_FAMILY_UNKNOWN;
	if (!f->keepalive)
		return FACTS_FAMILY_ITERATIVE;
	if (f->parallel == FACTS_ONE)
		return FACTS_FAMILY_LOOP;
	if (f->parallel == FACTS_CONN)
		return FACTS_FAMILY_CONN;
	if (f->workers == FACTS_WORKERS_CPUS)
		return FACTS_FAMILY_LOOP_CPU;
	/* a line older than wait= cannot tell helpers from a pool: a pool, as offload is under
	 * sleep */
	return f->wait == FACTS_WAIT_READY ? FACTS_FAMILY_HELPERS : FACTS_FAMILY_POOL;
}

const char *facts_family_name(int family)
{
	static const char *const names[FACTS_NFAMILIES] = {
		[FACTS_FAMILY_UNKNOWN] = "unknown",        [FACTS_FAMILY_ITERATIVE] = "iterative",
		[FACTS_FAMILY_LOOP] = "one loop",          [FACTS_FAMILY_CONN] = "per connection",
		[FACTS_FAMILY_POOL] = "blocking pool",     [FACTS_FAMILY_LOOP_CPU] = "loop per CPU",
		[FACTS_FAMILY_HELPERS] = "loop + helpers",
	};

	return family >= 0 && family < FACTS_NFAMILIES ? names[family] : names[0];
}

const char *facts_discipline_name(int discipline)
{
	return discipline > FACTS_DISCIPLINE_UNKNOWN && discipline <= FACTS_DISCIPLINE_PS
	           ? discipline_names[discipline]
	           : NULL;
}

int facts_load(const char *dir, const char *model, struct facts *f)
{
	char path[PATH_MAX], *text;
	int rc;

	memset(f, 0, sizeof(*f));
	if (snprintf(path, sizeof(path), "%s/%s/README.md", dir, model) >= (int)sizeof(path) ||
	    !(text = util_read_file(path, NULL)))
		return -1;
	rc = facts_parse(text, f);
	free(text);
	return rc;
}

const char *facts_format(const struct facts *f, char *buf, size_t len)
{
	static const char *const par[] = { "1", "conn", "workers" };
	char w[16];

	if (f->workers == FACTS_WORKERS_CPUS)
		snprintf(w, sizeof(w), "cpus");
	else if (f->workers > 0)
		snprintf(w, sizeof(w), "%d", f->workers);
	else
		snprintf(w, sizeof(w), "-");
	snprintf(buf, len, "keepalive=%s parallel=%s workers=%s%s%s%s%s%s%s",
	         f->keepalive ? "yes" : "no", par[f->parallel], w,
	         facts_wait_name(f->wait) ? " wait=" : "",
	         facts_wait_name(f->wait) ? facts_wait_name(f->wait) : "",
	         facts_discipline_name(f->discipline) ? " discipline=" : "",
	         facts_discipline_name(f->discipline) ? facts_discipline_name(f->discipline) : "",
	         f->admission ? " admission=yes" : "",
	         f->targets == FACTS_TARGETS_HELLO ? " targets=hello" : "");
	return buf;
}

int facts_serves(const struct facts *f, const char *model, const char *target, char *status,
                 size_t len)
{
	if (!f->known || f->targets == FACTS_TARGETS_ALL || !strcmp(target, "/"))
		return 1;
	snprintf(status, len, "skipped: %.32s serves only /", model);
	return 0;
}

/* One word NAME=FLAGS of the Variants line into v: 0, or -1 when malformed or too long. */
static int variant_word(const char *w, struct facts_variant *v)
{
	const char *eq = strchr(w, '=');

	if (!eq || eq == w || !eq[1] || (size_t)(eq - w) >= sizeof(v->name) ||
	    strlen(eq + 1) >= sizeof(v->flags) || memchr(w, ':', (size_t)(eq - w)))
		return -1;
	snprintf(v->name, sizeof(v->name), "%.*s", (int)(eq - w), w);
	snprintf(v->flags, sizeof(v->flags), "%s", eq + 1);
	v->note[0] = '\0';
	return 0;
}

/* The "Variant notes:" line of text into the notes of out[0..n): 0, or -1 (facts_variants). */
static int variant_notes(const char *text, struct facts_variant *out, int n)
{
	char buf[2048], *item, *save, *colon;
	size_t len;
	int i, r = line_after(text, "Variant notes:", buf, sizeof(buf));

	if (r <= 0)
		return r;
	for (item = strtok_r(buf, ";", &save); item; item = strtok_r(NULL, ";", &save)) {
		item += strspn(item, " \t");
		if (!*item)
			continue; /* a trailing ';' */
		if (!(colon = strchr(item, ':')))
			return -1;
		*colon++ = '\0';
		colon += strspn(colon, " \t");
		for (len = strlen(colon); len && strchr(" \t", colon[len - 1]); len--)
			colon[len - 1] = '\0';
		for (i = 0; i < n && strcmp(out[i].name, item); i++)
			;
		if (i == n || !*colon || strlen(colon) >= sizeof(out[i].note))
			return -1;
		snprintf(out[i].note, sizeof(out[i].note), "%s", colon);
	}
	return 0;
}

int facts_variants(const char *text, struct facts_variant *out, int max)
{
	char buf[2048], *w, *save;
	int n = 0, i, r = line_after(text, "Variants:", buf, sizeof(buf));

	if (r <= 0)
		return r;
	for (w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == max || variant_word(w, &out[n]) < 0)
			return -1;
		for (i = 0; i < n; i++)
			if (!strcmp(out[i].name, out[n].name))
				return -1;
		n++;
	}
	return variant_notes(text, out, n) < 0 ? -1 : n;
}

int facts_variants_load(const char *dir, const char *model, struct facts_variant *out, int max)
{
	char path[PATH_MAX], *text;
	int n;

	if (snprintf(path, sizeof(path), "%s/%s/README.md", dir, model) >= (int)sizeof(path) ||
	    !(text = util_read_file(path, NULL)))
		return -1;
	n = facts_variants(text, out, max);
	free(text);
	return n;
}
