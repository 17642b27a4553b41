/* slowfs.c -- a read-only passthrough FUSE filesystem whose every read waits --delay-ms first:
 * a slow disk under the real page cache, for the files scenario's cold rows (docs/files.md).
 *
 *   slowfs [--delay-ms D] SOURCE MOUNTPOINT     (D: default 5, a spinning disk's random read)
 *
 * The kernel caches a FUSE file's pages like any other file's, so only a page-cache miss
 * reaches read() below and pays D; a hit never leaves the kernel. Each open sets keep_cache,
 * so an open does not drop what is cached; posix_fadvise(POSIX_FADV_DONTNEED) through the
 * mount evicts as it does on a disk. libfuse runs the requests on several threads, so
 * concurrent misses overlap like a disk's queue. Its counters, like a disk's line in
 * /proc/diskstats, are the file /.slowfs-stats at the mount's root ("reads N bytes B", never
 * cached, not listed). It runs in the foreground and unmounts on SIGTERM or SIGINT (libfuse's
 * handlers) and on its parent's death (PR_SET_PDEATHSIG).
 */
#define FUSE_USE_VERSION 312

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define SLOWFS_DELAY_MS   5         /* a 7200 rpm disk's random read, about */
#define SLOWFS_DELAY_MAX  10000     /* a bound on the delay, ms */
#define SLOWFS_CACHE_SECS 86400.0   /* read-only: names and attributes never change under us */
#define SLOWFS_MAX_READ   (1 << 20) /* the largest read a request asks for */
#define SLOWFS_THREADS    64        /* requests in flight at most: the disk's queue depth */

#define SLOWFS_STATS "/.slowfs-stats" /* the counters, read like /proc/diskstats */

/* The filesystem's one state: what it serves, how slowly, and what it has read. */
struct slowfs {
	int root;      /* SOURCE, opened O_PATH: every path resolves under it */
	long delay_ns; /* each read's wait */
	long reads;    /* the reads served (page-cache misses), atomically */
	long bytes;    /* and their bytes */
};

static struct slowfs *fs(void)
{
	return fuse_get_context()->private_data;
}

/* FUSE paths start with "/": "/" is the root itself, "/a/b" is "a/b" under it. */
static const char *rel(const char *path)
{
	return path[1] ? path + 1 : ".";
}

static void *slowfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	/* One request per contiguous read of up to 1 MiB, as a disk pays one seek for it. */
	conn->max_readahead = conn->max_write = SLOWFS_MAX_READ;
	cfg->entry_timeout = cfg->attr_timeout = SLOWFS_CACHE_SECS;
	cfg->kernel_cache = 1; /* never invalidate the cache on open (keep_cache below as well) */
	cfg->use_ino = 1;
	return fuse_get_context()->private_data;
}

static int slowfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	int rc;

	if (!strcmp(path, SLOWFS_STATS)) { /* size 0: direct I/O reads what there is */
		memset(st, 0, sizeof(*st));
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		return 0;
	}
	rc = fi && fi->fh != UINT64_MAX
	         ? fstat((int)fi->fh, st)
	         : fstatat(fs()->root, rel(path), st, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH);
	return rc < 0 ? -errno : 0;
}

static int slowfs_readlink(const char *path, char *buf, size_t size)
{
	ssize_t n = readlinkat(fs()->root, rel(path), buf, size - 1);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static int slowfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
                          struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	int fd = openat(fs()->root, rel(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *e;
	DIR *d;

	(void)off, (void)fi, (void)flags;
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((e = readdir(d)))
		if (fill(buf, e->d_name, NULL, 0, 0))
			break;
	closedir(d);
	return 0;
}

/* Read-only: a write open is refused; the kernel's cache of the file survives the open. */
static int slowfs_open(const char *path, struct fuse_file_info *fi)
{
	int fd;

	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	if (!strcmp(path, SLOWFS_STATS)) { /* fresh at every read: no cache, no file */
		fi->fh = UINT64_MAX;
		fi->direct_io = 1;
		return 0;
	}
	if ((fd = openat(fs()->root, rel(path), O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	fi->fh = (uint64_t)fd;
	fi->keep_cache = 1;
	return 0;
}

/* The counters' text from off, at most size bytes into buf: its length. */
static int stats_read(char *buf, size_t size, off_t off)
{
	char text[64];
	int n = snprintf(text, sizeof(text), "reads %ld bytes %ld\n",
	                 __atomic_load_n(&fs()->reads, __ATOMIC_RELAXED),
	                 __atomic_load_n(&fs()->bytes, __ATOMIC_RELAXED));

	if (off >= n)
		return 0;
	n = (int)(n - off) < (int)size ? n - (int)off : (int)size;
	memcpy(buf, text + off, (size_t)n);
	return n;
}

/* A page-cache miss: the disk's wait, then the bytes from the source. */
static int slowfs_read(const char *path, char *buf, size_t size, off_t off,
                       struct fuse_file_info *fi)
{
	struct timespec t = { fs()->delay_ns / 1000000000L, fs()->delay_ns % 1000000000L };
	ssize_t n;

	(void)path;
	if (fi->fh == UINT64_MAX)
		return stats_read(buf, size, off);
	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
	if ((n = pread((int)fi->fh, buf, size, off)) < 0)
		return -errno;
	__atomic_fetch_add(&fs()->reads, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&fs()->bytes, n, __ATOMIC_RELAXED);
	return (int)n;
}

static int slowfs_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	if (fi->fh != UINT64_MAX)
		close((int)fi->fh);
	return 0;
}

static const struct fuse_operations slowfs_ops = {
	.init = slowfs_init,
	.getattr = slowfs_getattr,
	.readlink = slowfs_readlink,
	.readdir = slowfs_readdir,
	.open = slowfs_open,
	.read = slowfs_read,
	.release = slowfs_release,
};

static void usage(void)
{
	fprintf(stderr,
	        "usage: slowfs [--delay-ms D] SOURCE MOUNTPOINT  (D ms a read, default %d, "
	        "0..%d)\n",
	        SLOWFS_DELAY_MS, SLOWFS_DELAY_MAX);
}

/*
 * Mount, serve until SIGTERM or SIGINT (libfuse's handlers end the loop with the signal's
 * number), unmount. 0 when the loop ended by a signal or by an unmount from outside.
 */
static int serve(struct slowfs *s, const char *argv0, const char *mnt)
{
	char *opts[] = { (char *)argv0, "-oro,default_permissions,fsname=slowfs,subtype=slowfs" };
	struct fuse_args args = FUSE_ARGS_INIT(2, opts);
	struct fuse_loop_config *cfg = fuse_loop_cfg_create();
	struct fuse *f = cfg ? fuse_new(&args, &slowfs_ops, sizeof(slowfs_ops), s) : NULL;
	int rc = -1;

	if (!f || fuse_mount(f, mnt) < 0)
		goto out;
	if (fuse_set_signal_handlers(fuse_get_session(f)) == 0) {
		fuse_loop_cfg_set_max_threads(cfg, SLOWFS_THREADS);
		rc = fuse_loop_mt(f, cfg) < 0 ? -1 : 0;
		fuse_remove_signal_handlers(fuse_get_session(f));
	}
	fuse_unmount(f);
out:
	if (f)
		fuse_destroy(f);
	if (cfg)
		fuse_loop_cfg_destroy(cfg);
	fuse_opt_free_args(&args);
	return rc;
}

int main(int argc, char **argv)
{
	struct slowfs s = { .root = -1 };
	long delay = SLOWFS_DELAY_MS;
	char *end;
	int a = 1, rc;

	if (a + 1 < argc && !strcmp(argv[a], "--delay-ms")) {
		errno = 0;
		delay = strtol(argv[a + 1], &end, 10);
		if (errno || *end || end == argv[a + 1] || delay < 0 || delay > SLOWFS_DELAY_MAX) {
			fprintf(stderr, "slowfs: --delay-ms wants 0..%d, not '%s'\n",
			        SLOWFS_DELAY_MAX, argv[a + 1]);
			return 2;
		}
		a += 2;
	}
	if (argc - a != 2) {
		usage();
		return 2;
	}
	if ((s.root = open(argv[a], O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "slowfs: %s: %s\n", argv[a], strerror(errno));
		return 1;
	}
	s.delay_ns = delay * 1000000L;
	/* The harness's child: when it dies, unmount (SIGTERM) rather than leave a dead mount. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0)
		perror("slowfs: prctl");
	rc = serve(&s, argv[0], argv[a + 1]);
	close(s.root);
	return rc < 0 ? 1 : 0;
}
