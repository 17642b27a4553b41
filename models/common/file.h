/* file.h -- /file/<name>: a file from the document root, opened beneath it (issue 24).
 *
 * A name is 1..FILE_NAME_MAX bytes of [A-Za-z0-9._-] components joined by
 * '/', none of them empty, "." or "..": no absolute path, no escape by
 * "..", and nothing to decode ('%' is refused, so "%2e%2e" never becomes
 * ".."). file_name_ok() says so, purely; work_parse() answers 400 without it.
 * The open itself is beneath the root in the kernel (openat2 with
 * RESOLVE_BENEATH): a symbolic link that leads out of the root fails, one
 * that stays inside is followed. Only a regular file is served; anything
 * else (missing, a directory, a FIFO, a link out) is a 404.
 *
 * The body goes out in one of two ways (--file-io, for comparison):
 *   FILE_IO_SENDFILE  sendfile(2) from the page cache to the socket, no copy
 *                     through user space (conn_write; default);
 *   FILE_IO_READ      pread(2) into the connection's out[] in slices, then
 *                     send: one copy in, one copy out.
 * A model that sends by itself from memory (conn_out_iov: libuv) always
 * takes the read path: sendfile needs the socket. io_uring reads the file
 * by the ring (IORING_OP_READ) and ignores the choice.
 */
#ifndef FILE_H
#define FILE_H

#include <stddef.h>
#include <sys/types.h>

#define FILE_NAME_MAX 1024

enum file_io {
	FILE_IO_SENDFILE = 0,
	FILE_IO_READ,
};

/*
 * Open the document root (a directory) once, before any thread or child
 * starts, and choose the send path. docroot NULL: the suite's generated
 * file set (file_default_root), and a missing one is no error: every
 * /file/ is then a 404. Returns 0, or -1 with the reason in err[0..errlen)
 * for a docroot given that cannot be opened as a directory.
 */
int file_init(const char *docroot, int io, char *err, size_t errlen);

/* The send path chosen by file_init (enum file_io). */
int file_io(void);

/*
 * The default document root, the generated file set with its default
 * parameters: ${XDG_CACHE_HOME:-$HOME/.cache}/server-models/FILE_SET_DEFAULT,
 * into out[0..len). Returns 0, or -1 when it does not fit or neither
 * variable is set.
 */
#define FILE_SET_DEFAULT "files-spec99-2048m"
int file_default_root(char *out, size_t len);

/* 1 when name[0..len) is a valid name (see above), else 0. Pure. */
int file_name_ok(const char *name, size_t len);

/*
 * Open name[0..len) beneath the root, read-only, close-on-exec, without
 * blocking on a FIFO. Returns the descriptor with its length in *size, or
 * -1 with the status to answer in *status: 404 (no such regular file
 * beneath the root, or no root), 503 (out of descriptors or memory).
 */
int file_open(const char *name, size_t len, off_t *size, int *status);

/*
 * 1 when every page of fd's first size bytes is in the page cache (mincore
 * over a mapping, as Flash did), 0 when a send would wait for the disk. A
 * check that fails says 1: the loop then serves it as it would without one.
 */
int file_resident(int fd, off_t size);

/*
 * Read the file name[0..len) through once, so that its pages are in the
 * page cache: the blocking part of a file that is not resident, for a
 * helper (offload) to do. Returns 0, or -1 if it cannot be opened or read.
 */
int file_warm(const char *name, size_t len);

#endif
