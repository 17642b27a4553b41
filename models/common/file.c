/* file.c -- files beneath the document root: name check, open, residency, warming. */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int root_fd = -1; /* O_PATH descriptor of the document root; -1: none */
static int io_path = FILE_IO_SENDFILE;

int file_default_root(char *out, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;

	if (xdg && *xdg)
		n = snprintf(out, len, "%s/server-models/%s", xdg, FILE_SET_DEFAULT);
	else if (home && *home)
		n = snprintf(out, len, "%s/.cache/server-models/%s", home, FILE_SET_DEFAULT);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int file_init(const char *docroot, int io, char *err, size_t errlen)
{
	char def[4096];

	io_path = io;
	if (root_fd >= 0) /* called again (a test): the new root replaces the old */
		close(root_fd);
	root_fd = -1;
	if (!docroot) {
		/* the default set may not be generated yet: then every /file/ is a 404 */
		if (file_default_root(def, sizeof(def)) == 0)
			root_fd = open(def, O_PATH | O_DIRECTORY | O_CLOEXEC);
		return 0;
	}
	if ((root_fd = open(docroot, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "--docroot %s: %s", docroot, strerror(errno));
		return -1;
	}
	return 0;
}

int file_io(void)
{
	return io_path;
}

static int name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       ch == '.' || ch == '_' || ch == '-';
}

int file_name_ok(const char *name, size_t len)
{
	size_t start = 0;

	if (len == 0 || len > FILE_NAME_MAX)
		return 0;
	for (size_t i = 0; i <= len; i++) {
		size_t n = i - start;

		if (i < len && name[i] != '/') {
			if (!name_char(name[i]))
				return 0;
			continue;
		}
		/* a component ends at i: not empty (a leading, doubled or trailing '/'), "." or
		 * ".." */
		if (n == 0 ||
		    (name[start] == '.' && (n == 1 || (n == 2 && name[start + 1] == '.'))))
			return 0;
		start = i + 1;
	}
	return 1;
}

/*
 * Without openat2 (before Linux 5.6, or a seccomp filter that hides it):
 * walk the components with O_NOFOLLOW, so no symbolic link is followed at
 * all. Stricter than RESOLVE_BENEATH (a link inside the root fails too),
 * never looser. path is a valid name (no "..", not absolute).
 */
static int open_walk(char *path, int flags)
{
	int dir = root_fd, fd = -1;
	char *comp = path, *slash;

	while ((slash = strchr(comp, '/'))) {
		*slash = '\0';
		fd = openat(dir, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dir != root_fd)
			close(dir);
		if (fd < 0)
			return -1;
		dir = fd;
		comp = slash + 1;
	}
	fd = openat(dir, comp, flags | O_NOFOLLOW);
	if (dir != root_fd) {
		int e = errno;

		close(dir);
		errno = e;
	}
	return fd;
}

/* Open path beneath the root: -1 with errno (EXDEV or ELOOP: a link out of the root). */
static int open_beneath(char *path)
{
	static int no_openat2;
	/* O_NONBLOCK: a FIFO does not hold the thread in open; regular files ignore it */
	int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	struct open_how how = { .flags = (unsigned long long)flags,
		                .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
	int fd;

	if (!no_openat2) {
		fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return fd;
		no_openat2 = 1; /* a race between threads only makes both take the walk */
	}
	return open_walk(path, flags);
}

int file_open(const char *name, size_t len, off_t *size, int *status)
{
	char path[FILE_NAME_MAX + 1];
	struct stat st;
	int fd;

	*status = 404;
	if (root_fd < 0 || !file_name_ok(name, len))
		return -1;
	memcpy(path, name, len);
	path[len] = '\0';
	if ((fd = open_beneath(path)) < 0) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOMEM)
			*status = 503;
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	*size = st.st_size;
	return fd;
}

#define RESIDENT_WINDOW (1L << 20) /* bytes mapped per mincore: a 256-byte vector */

int file_resident(int fd, off_t size)
{
	unsigned char vec[RESIDENT_WINDOW / 4096];

	for (off_t off = 0; off < size; off += RESIDENT_WINDOW) {
		size_t len = size - off < RESIDENT_WINDOW ? (size_t)(size - off) : RESIDENT_WINDOW;
		void *p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);
		size_t pages = (len + 4095) / 4096;
		int r;

		if (p == MAP_FAILED)
			return 1;
		r = mincore(p, len, vec);
		munmap(p, len);
		if (r < 0)
			return 1;
		for (size_t i = 0; i < pages; i++)
			if (!(vec[i] & 1))
				return 0;
	}
	return 1;
}

int file_warm(const char *name, size_t len)
{
	char buf[16384];
	off_t size, off = 0;
	int status, fd = file_open(name, len, &size, &status), rc = 0;

	if (fd < 0)
		return -1;
	while (off < size) {
		ssize_t n = pread(fd, buf, sizeof(buf), off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -1 : 0; /* 0: it shrank since fstat */
			break;
		}
		off += n;
	}
	close(fd);
	return rc;
}
