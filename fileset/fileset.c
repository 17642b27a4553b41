/* fileset.c -- bin/tools/fileset: write (or check, or list) the generated file set (fileset.h).
 *
 *   fileset [--mib N] [--dir DIR] [--check] [--list]
 *
 * Writes the set of N MiB (default 2048) into DIR (default
 * ${XDG_CACHE_HOME:-$HOME/.cache}/server-models/files-spec99-<N>m), outside
 * the repository, and prints DIR on stdout. Deterministic and idempotent: a
 * file already there with its size is kept (--check reads every byte), a new
 * one is written beside and renamed into place, so an interrupted run leaves
 * no short file. Before writing it checks the free space and refuses, with
 * how much is missing, if the set would not fit with 64 MiB to spare.
 * --list prints "name size" per file and writes nothing. Exit 0, 1 on a
 * failure (a wrong file with --check), 2 on a bad argument.
 */
#include "fileset.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define SPARE_BYTES (64UL << 20) /* left free on the filesystem after the set */
#define MAX_FILE    921600       /* class3_8 */

struct set {
	unsigned long mib, dirs;
	char dir[PATH_MAX];
	char buf[MAX_FILE];
};

static struct set set;

static void usage(FILE *f)
{
	fprintf(f, "usage: fileset [--mib N] [--dir DIR] [--check] [--list]\n"
	           "  --mib N    the set's total size in MiB, 1..1048576 (default 2048)\n"
	           "  --dir DIR  where (default "
	           "${XDG_CACHE_HOME:-$HOME/.cache}/server-models/files-spec99-<N>m)\n"
	           "  --check    read every file and check its size and content\n"
	           "  --list     print \"name size\" for every file; write nothing\n");
}

/* mkdir -p path: 0, or -1 with errno. */
static int make_dirs(const char *path)
{
	char p[PATH_MAX];

	if (strlen(path) >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(p, path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int default_dir(char *out, size_t len, unsigned long mib)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char name[64];
	int n;

	snprintf(name, sizeof(name), FILESET_DIR_FORMAT, mib);
	if (xdg && *xdg)
		n = snprintf(out, len, "%s/server-models/%s", xdg, name);
	else if (home && *home)
		n = snprintf(out, len, "%s/.cache/server-models/%s", home, name);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* The size of path if it is a regular file, else -1. */
static long long size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
}

/* Call fn(name, size) for every file of the set; stop at the first non-zero return. */
static int each_file(int (*fn)(const char *name, size_t size))
{
	char name[FILESET_NAME_MAX];

	for (unsigned long d = 0; d < set.dirs; d++)
		for (int c = 0; c < FILESET_CLASSES; c++)
			for (int k = 0; k < FILESET_PER_CLASS; k++) {
				int r;

				fileset_name(d, c, k, name);
				if ((r = fn(name, fileset_size(c, k))) != 0)
					return r;
			}
	return 0;
}

static unsigned long long missing;

static int count_missing(const char *name, size_t size)
{
	char p[PATH_MAX + FILESET_NAME_MAX];

	snprintf(p, sizeof(p), "%s/%s", set.dir, name);
	if (size_of(p) != (long long)size)
		missing += size;
	return 0;
}

static int list_one(const char *name, size_t size)
{
	return printf("%s %zu\n", name, size) < 0;
}

static void fill(const char *name, size_t size)
{
	unsigned phase = fileset_phase(name, strlen(name));

	for (size_t i = 0; i < size; i++)
		set.buf[i] = fileset_byte(phase, i);
}

static int write_one(const char *name, size_t size)
{
	char p[PATH_MAX + FILESET_NAME_MAX], tmp[sizeof(p) + 8], *slash;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", set.dir, name);
	if (size_of(p) == (long long)size)
		return 0; /* there already: --check reads it */
	slash = strrchr(p, '/');
	*slash = '\0';
	if (make_dirs(p) < 0) {
		fprintf(stderr, "fileset: mkdir %s: %s\n", p, strerror(errno));
		return 1;
	}
	*slash = '/';
	snprintf(tmp, sizeof(tmp), "%s.tmp", p);
	fill(name, size);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0 ||
	    write(fd, set.buf, size) != (ssize_t)size || close(fd) < 0 || rename(tmp, p) < 0) {
		fprintf(stderr, "fileset: write %s: %s\n", p, strerror(errno));
		return 1;
	}
	return 0;
}

static int check_one(const char *name, size_t size)
{
	char p[PATH_MAX + FILESET_NAME_MAX];
	static char got[MAX_FILE + 1];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", set.dir, name);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "fileset: %s: %s\n", p, strerror(errno));
		return 1;
	}
	n = read(fd, got, sizeof(got)); /* a regular file of this size: one read */
	close(fd);
	fill(name, size);
	if (n != (ssize_t)size || memcmp(got, set.buf, size) != 0) {
		fprintf(stderr, "fileset: %s: %zd bytes, want %zu%s\n", p, n, size,
		        n == (ssize_t)size ? ", content differs" : "");
		return 1;
	}
	return 0;
}

/* Refuse before writing if the set cannot fit with SPARE_BYTES left over. */
static int check_space(void)
{
	char p[PATH_MAX];
	struct statvfs fs;
	unsigned long long avail;

	snprintf(p, sizeof(p), "%s", set.dir);
	while (statvfs(p, &fs) < 0) { /* the nearest existing ancestor */
		char *slash = strrchr(p, '/');

		if (!slash || slash == p) {
			snprintf(p, sizeof(p), "/");
			if (statvfs(p, &fs) < 0)
				return 0; /* cannot tell: the writes will say */
			break;
		}
		*slash = '\0';
	}
	avail = (unsigned long long)fs.f_bavail * fs.f_frsize;
	if (each_file(count_missing) == 0 && missing + SPARE_BYTES > avail) {
		fprintf(stderr,
		        "fileset: %s needs %llu MiB more and %lu MiB to spare, but %s has %llu MiB "
		        "free: choose a smaller --mib or another --dir\n",
		        set.dir, missing >> 20, SPARE_BYTES >> 20, p, avail >> 20);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mib", required_argument, NULL, 'm' }, { "dir", required_argument, NULL, 'd' },
		{ "check", no_argument, NULL, 'c' },     { "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },      { NULL, 0, NULL, 0 }
	};
	const char *dir = NULL;
	int ch, check = 0, list = 0;
	char *end;

	set.mib = FILESET_DEFAULT_MIB;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			errno = 0;
			set.mib = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || set.mib < 1 || set.mib > 1048576) {
				fprintf(stderr, "fileset: bad value '%s' for --mib\n", optarg);
				usage(stderr);
				return 2;
			}
			break;
		case 'd': dir = optarg; break;
		case 'c': check = 1; break;
		case 'l': list = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "fileset: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	set.dirs = fileset_dirs(set.mib);
	if (list)
		return each_file(list_one) != 0;
	if (dir)
		snprintf(set.dir, sizeof(set.dir), "%s", dir);
	else if (default_dir(set.dir, sizeof(set.dir), set.mib) < 0) {
		fprintf(stderr, "fileset: neither XDG_CACHE_HOME nor HOME is set: give --dir\n");
		return 2;
	}
	if (check) {
		if (each_file(check_one) != 0)
			return 1;
	} else if (check_space() < 0 || each_file(write_one) != 0) {
		return 1;
	}
	printf("%s\n", set.dir);
	return 0;
}
