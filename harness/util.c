/* util.c -- small helpers the harness modules share. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char *util_read_file(const char *path, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap), *nb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0 || !buf)
		goto fail;
	for (;;) {
		if (n + 1 >= cap) {
			if (!(nb = realloc(buf, cap * 2)))
				goto fail;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		n += r;
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

int util_write_file(const char *path, const char *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t off = 0;

	if (fd < 0)
		return -1;
	while (off < size) {
		ssize_t w = write(fd, data + off, size - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			close(fd);
			return -1;
		}
		off += w;
	}
	return close(fd);
}

int util_which(const char *exe, char *out, size_t outlen)
{
	const char *path = getenv("PATH"), *p, *colon;

	if (strchr(exe, '/')) {
		snprintf(out, outlen, "%s", exe);
		return access(out, X_OK);
	}
	for (p = path ? path : ""; *p; p = *colon ? colon + 1 : colon) {
		int dlen;

		colon = strchrnul(p, ':');
		dlen = (int)(colon - p);
		if (snprintf(out, outlen, "%.*s/%s", dlen, dlen ? p : ".", exe) < (int)outlen &&
		    access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

int util_mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	char *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -1;
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

int util_symlink_replace(const char *target, const char *link)
{
	char tmp[PATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", link, (long)getpid()) >= (int)sizeof(tmp))
		return -1;
	unlink(tmp);
	if (symlink(target, tmp) < 0)
		return -1;
	if (rename(tmp, link) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

long long util_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *util_thousands(double v, char *buf, size_t buflen)
{
	char digits[32];
	int n, i, o = 0;

	n = snprintf(digits, sizeof(digits), "%.0f", v < 0 ? 0 : v);
	for (i = 0; i < n && o + 2 < (int)buflen; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

char *util_duration(double s, char *buf, size_t buflen)
{
	long t = (long)(s + 0.5);

	if (t < 0)
		t = 0;
	if (t >= 3600)
		snprintf(buf, buflen, "%ldh%02ldm", t / 3600, t % 3600 / 60);
	else if (t >= 60)
		snprintf(buf, buflen, "%ldm%02lds", t / 60, t % 60);
	else
		snprintf(buf, buflen, "%lds", t);
	return buf;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double util_median(double *v, int n)
{
	if (n <= 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int util_make_run_dir(const char *results, char *id, size_t idlen, char *dir, size_t dirlen)
{
	char stamp[32];
	time_t now = time(NULL);
	int i;

	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&now));
	if (util_mkdir_p(results) < 0)
		return -1;
	for (i = 1; i < 100; i++) {
		if (i == 1)
			snprintf(id, idlen, "%s", stamp);
		else
			snprintf(id, idlen, "%s-%d", stamp, i);
		snprintf(dir, dirlen, "%s/%s", results, id);
		if (mkdir(dir, 0755) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

void util_relative_path(const char *from, const char *to, char *buf, size_t len)
{
	char a[PATH_MAX], b[PATH_MAX];
	size_t i = 0, common = 0, o = 0;

	if (!realpath(from, a) || !realpath(to, b)) {
		snprintf(buf, len, "%s", to);
		return;
	}
	strcat(a, "/");
	strcat(b, "/");
	for (i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			common = i + 1;
	buf[0] = '\0';
	for (i = common; a[i]; i++)
		if (a[i] == '/')
			o += snprintf(buf + o, o < len ? len - o : 0, "../");
	snprintf(buf + o, o < len ? len - o : 0, "%.*s", (int)(strlen(b + common) - 1), b + common);
	if (!buf[0])
		snprintf(buf, len, ".");
}

const char *util_fixed(double v, int decimals, const char *unknown, char *buf, size_t len)
{
	if (v < 0)
		snprintf(buf, len, "%s", unknown);
	else
		snprintf(buf, len, "%.*f", decimals, v);
	return buf;
}
