/* prefix.c -- the load tool under a command prefix: words, the script, its accounting. */
#include "prefix.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MARK_RAN  "smbench-prefix-ran"
#define MARK_WALL "smbench-prefix-wall "

int prefix_split(const char *text, char *buf, size_t buflen, char **words, int max)
{
	int n = 0;
	char *p;

	if (snprintf(buf, buflen, "%s", text) >= (int)buflen)
		return -1;
	for (p = buf; *p;) {
		while (isspace((unsigned char)*p))
			*p++ = '\0';
		if (!*p)
			break;
		if (n == max)
			return -1;
		words[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
	}
	return n > 0 ? n : -1;
}

/* Append s to buf at *o: 0, or -1 when it does not fit. */
static int put(char *buf, size_t buflen, size_t *o, const char *s)
{
	size_t n = strlen(s);

	if (*o + n >= buflen)
		return -1;
	memcpy(buf + *o, s, n + 1);
	*o += n;
	return 0;
}

int prefix_script(char *const argv[], char *buf, size_t buflen)
{
	size_t o = 0;
	int i;
	const char *c;

	if (put(buf, buflen, &o, "echo " MARK_RAN " >&2; s=$(date +%s%N 2>/dev/null);") < 0)
		return -1;
	for (i = 0; argv[i]; i++) {
		if (put(buf, buflen, &o, " '") < 0)
			return -1;
		for (c = argv[i]; *c; c++) {
			char one[2] = { *c, '\0' };

			if (put(buf, buflen, &o, *c == '\'' ? "'\\''" : one) < 0)
				return -1;
		}
		if (put(buf, buflen, &o, "'") < 0)
			return -1;
	}
	if (put(buf, buflen, &o,
	        " </dev/null; r=$?; e=$(date +%s%N 2>/dev/null); echo \"" MARK_WALL
	        "$s $e\" >&2; times >&2; exit $r\n") < 0)
		return -1;
	return (int)o;
}

/* The start of the first line of text that begins with mark, or NULL. */
static char *line_with(char *text, const char *mark)
{
	size_t n = strlen(mark);
	char *p = text;

	for (;;) {
		if (strncmp(p, mark, n) == 0)
			return p;
		if (!(p = strchr(p, '\n')))
			return NULL;
		p++;
	}
}

/* A run of digits (a nanosecond stamp from date +%s%N) at s: its value, or -1. */
static double stamp(const char *s, char **end)
{
	double v = 0;

	*end = (char *)s;
	if (!isdigit((unsigned char)*s))
		return -1;
	for (; isdigit((unsigned char)**end); (*end)++)
		v = v * 10 + (**end - '0');
	return v;
}

/* "0m1.250s 0m0.125s" (bash) or "0m1.250000s 0m0.125000s" (dash): user + system, or -1. */
static double times_line(const char *line)
{
	long um, sm;
	double us, ss;

	if (sscanf(line, "%ldm%lfs %ldm%lfs", &um, &us, &sm, &ss) != 4)
		return -1;
	return um * 60 + us + sm * 60 + ss;
}

int prefix_account(char *err, double *cpu_s, double *wall_s)
{
	char *ran = line_with(err, MARK_RAN "\n"), *wall, *end, *p;
	double s, e;

	*cpu_s = *wall_s = -1;
	if (!ran)
		return -1;
	if ((wall = line_with(ran, MARK_WALL))) {
		p = wall + strlen(MARK_WALL);
		s = stamp(p, &end);
		e = *end == ' ' ? stamp(end + 1, &end) : -1;
		if (s >= 0 && e >= s && (*end == '\n' || !*end))
			*wall_s = (e - s) / 1e9;
		/* `times`: the shell's own line, then its children's: the tool's. */
		if ((p = strchr(wall, '\n')) && (p = strchr(p + 1, '\n')))
			*cpu_s = times_line(p + 1);
		*wall = '\0';
	}
	memmove(ran, ran + strlen(MARK_RAN "\n"), strlen(ran + strlen(MARK_RAN "\n")) + 1);
	return 0;
}

int prefix_command(const char *client_prefix, char *const argv[], char **full, char *words,
                   size_t wlen, int *stdin_fd)
{
	char script[16384];
	int n = prefix_split(client_prefix, words, wlen, full, PREFIX_MAX_WORDS), len, p[2];

	if (n < 0 || (len = prefix_script(argv, script, sizeof(script))) < 0 ||
	    pipe2(p, O_CLOEXEC) < 0)
		return -1;
	full[n] = "sh";
	full[n + 1] = "-s";
	full[n + 2] = NULL;
	/* Far below the pipe's buffer: the write completes before anyone reads. */
	if (write(p[1], script, len) != len) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	close(p[1]);
	close(*stdin_fd);
	*stdin_fd = p[0];
	return 0;
}
