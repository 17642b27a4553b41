/* fileset.c -- bin/tools/fileset: write (or check, or list) the generated file set (fileset.h).
 *
 *   fileset [--mib N] [--dir DIR] [--check | --list | --evict | --warm | --resident |
 *            --disk-latency N]
 *
 * Writes the set of N MiB (default 2048) into DIR (default
 * ${XDG_CACHE_HOME:-$HOME/.cache}/server-models/files-spec99-<N>m), outside
 * the repository, and prints DIR on stdout. Deterministic and idempotent: a
 * file already there with its size is kept (--check reads every byte), a new
 * one is written beside and renamed into place, so an interrupted run leaves
 * no short file. Before writing it checks the free space and refuses, with
 * how much is missing, if the set would not fit with 64 MiB to spare.
 * --list prints "name size" per file and writes nothing.
 *
 * For the cold scenario, on a set already written: --evict drops every file
 * but the hot subset (fileset_hot) from the page cache, file by file with
 * posix_fadvise(POSIX_FADV_DONTNEED), never the machine's whole cache, and
 * reads the hot subset in; --warm reads the whole set in; --resident prints how much of the set is
 * in the page cache (mincore); --disk-latency N evicts N large files spread over the set and times
 * a server's first read of each (open, then pread of 16 KiB at offset 0: one random read with its
 * readahead), printing the median and the mean: the miss cost of the cold scenario's law. Exit 0, 1
 * on a failure (a wrong file with --check), 2 on a bad argument.
 */
#include "fileset.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#define SPARE_BYTES (64UL << 20) /* left free on the filesystem after the set */
#define MAX_FILE    921600       /* class3_8 */

struct set {
	unsigned long mib, dirs;
	char dir[PATH_MAX];
	char buf[MAX_FILE];
	char pattern[MAX_FILE + FILESET_PATTERN_LEN]; /* every file is a slice of it */
};

static struct set set;

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: fileset [--mib N] [--dir DIR] [--check | --list | --evict | --warm |\n"
	        "               --resident | --disk-latency N]\n"
	        "  --mib N    the set's total size in MiB, 1..1048576 (default 2048)\n"
	        "  --dir DIR  where (default "
	        "${XDG_CACHE_HOME:-$HOME/.cache}/server-models/files-spec99-<N>m)\n"
	        "  --check    read every file and check its size and content\n"
	        "  --list     print \"name size\" for every file; write nothing\n"
	        "  --evict    drop the set but its hot subset from the page cache, file by file\n"
	        "  --warm     read the whole set into the page cache\n"
	        "  --resident print how much of the set is in the page cache\n"
	        "  --disk-latency N  time the first read of N evicted large files\n");
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

/* The content of the file name: the pattern from its phase on (fileset_byte, laid out once). */
static const char *content(const char *name)
{
	if (!set.pattern[0])
		for (size_t i = 0; i < sizeof(set.pattern); i++)
			set.pattern[i] = fileset_byte(0, i);
	return set.pattern + fileset_phase(name, strlen(name));
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
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0 ||
	    write(fd, content(name), size) != (ssize_t)size || close(fd) < 0 ||
	    rename(tmp, p) < 0) {
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
	if (n != (ssize_t)size || memcmp(got, content(name), size) != 0) {
		fprintf(stderr, "fileset: %s: %zd bytes, want %zu%s\n", p, n, size,
		        n == (ssize_t)size ? ", content differs" : "");
		return 1;
	}
	return 0;
}

/* Open a file of the set by name: the descriptor, or -1 after saying why. */
static int open_set_file(const char *name)
{
	char p[PATH_MAX + FILESET_NAME_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", set.dir, name);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) < 0)
		fprintf(stderr, "fileset: %s: %s\n", p, strerror(errno));
	return fd;
}

static int is_hot(const char *name)
{
	unsigned long d;
	int c, k;

	return sscanf(name, "dir%lu/class%d_%d", &d, &c, &k) == 3 && fileset_hot(d, c);
}

/* Read a file through, into the page cache. */
static int warm_one(const char *name, size_t size)
{
	int fd = open_set_file(name), rc;

	if (fd < 0)
		return 1;
	rc = read(fd, set.buf, size) != (ssize_t)size;
	close(fd);
	return rc;
}

/* Evict a file (fadvise: advice, which the kernel takes for clean pages), or warm a hot one. */
static int evict_one(const char *name, size_t size)
{
	int fd, rc;

	if (is_hot(name))
		return warm_one(name, size);
	if ((fd = open_set_file(name)) < 0)
		return 1;
	/* dirty pages (a set just written) stay: write them first */
	rc = fdatasync(fd) != 0 || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) != 0;
	close(fd);
	return rc;
}

static unsigned long long resident_bytes, set_bytes;

static int resident_one(const char *name, size_t size)
{
	static unsigned char vec[MAX_FILE / 4096 + 1];
	size_t pages = (size + 4095) / 4096;
	int fd = open_set_file(name);
	void *p;

	if (fd < 0)
		return 1;
	set_bytes += size;
	if (size == 0) {
		close(fd);
		return 0;
	}
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED || mincore(p, size, vec) < 0) {
		fprintf(stderr, "fileset: mincore %s: %s\n", name, strerror(errno));
		return 1;
	}
	munmap(p, size);
	for (size_t i = 0; i < pages; i++)
		if (vec[i] & 1)
			resident_bytes += i + 1 < pages ? 4096 : size - i * 4096;
	return 0;
}

static double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * The first read of n evicted files: class3_<k> of directories spread over
 * the set, so that consecutive reads land far apart on the disk.
 */
static int disk_latency(int n)
{
	double *t = calloc((size_t)n, sizeof(*t)), sum = 0;
	char name[FILESET_NAME_MAX];
	int rc = 1;

	if (!t)
		return 1;
	for (int i = 0; i < n; i++) {
		unsigned long d = (unsigned long)i * 7919 % set.dirs;
		int fd;
		double t0;

		fileset_name(d, 3, i % FILESET_PER_CLASS, name);
		if ((fd = open_set_file(name)) < 0)
			goto out;
		fdatasync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
		t0 = now_us();
		if ((fd = open_set_file(name)) < 0)
			goto out;
		if (pread(fd, set.buf, 16384, 0) != 16384) {
			close(fd);
			goto out;
		}
		t[i] = now_us() - t0;
		sum += t[i];
		close(fd);
	}
	qsort(t, (size_t)n, sizeof(*t), cmp_double);
	printf("disk: %d first reads of evicted files: median %.0f us, mean %.0f us, p90 %.0f us\n",
	       n, t[n / 2], sum / n, t[n * 9 / 10]);
	rc = 0;
out:
	free(t);
	return rc;
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
	static const struct option opts[] = { { "mib", required_argument, NULL, 'm' },
		                              { "dir", required_argument, NULL, 'd' },
		                              { "check", no_argument, NULL, 'c' },
		                              { "list", no_argument, NULL, 'l' },
		                              { "evict", no_argument, NULL, 'e' },
		                              { "warm", no_argument, NULL, 'w' },
		                              { "resident", no_argument, NULL, 'r' },
		                              { "disk-latency", required_argument, NULL, 'L' },
		                              { "help", no_argument, NULL, 'h' },
		                              { NULL, 0, NULL, 0 } };
	const char *dir = NULL;
	int ch, check = 0, list = 0, evict = 0, warm = 0, resident = 0, latency = 0;
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
		case 'e': evict = 1; break;
		case 'w': warm = 1; break;
		case 'r': resident = 1; break;
		case 'L':
			latency = atoi(optarg);
			if (latency < 1 || latency > 100000) {
				fprintf(stderr, "fileset: bad value '%s' for --disk-latency\n",
				        optarg);
				return 2;
			}
			break;
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
	if (evict || warm || resident || latency) { /* on a set already written */
		if ((evict && each_file(evict_one) != 0) || (warm && each_file(warm_one) != 0) ||
		    (resident && each_file(resident_one) != 0) ||
		    (latency && disk_latency(latency)))
			return 1;
		if (resident)
			printf("resident: %llu of %llu bytes (%.1f %%)\n", resident_bytes,
			       set_bytes, 100.0 * (double)resident_bytes / (double)set_bytes);
		return 0;
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
