/* fileset.h -- the generated file set of the files scenario: names, sizes and contents, each
 * computed from the name alone (issue 24).
 *
 * The layout is SPECweb99's: directories dir00000, dir00001, ..., each with
 * 36 files, class<C>_<K> for class C in 0..3 and K in 0..8, of
 * (K + 1) x 1024 x 10^C / 10 bytes:
 *   class 0: 102 .. 921 bytes       (0.1 to 0.9 KB)
 *   class 1: 1,024 .. 9,216 bytes   (1 to 9 KB)
 *   class 2: 10,240 .. 92,160 bytes (10 to 90 KB)
 *   class 3: 102,400 .. 921,600     (100 to 900 KB)
 * so a directory holds 5,119,484 bytes (4.88 MiB), and a set of T MiB has
 * ceil(T MiB / that) directories. SPECweb99 requests the classes 35, 50, 14
 * and 1 % of the time: most requests are small files, most bytes are large.
 *
 * Byte i of a file is FILESET_PATTERN[(i + phase) % 61], its phase being a
 * hash of its name (fileset_phase): a client checks any byte of any reply
 * from the name it asked for and the offset, and a file sent for another
 * (same size, other phase) shows 60 times in 61.
 */
#ifndef FILESET_H
#define FILESET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FILESET_CLASSES     4
#define FILESET_PER_CLASS   9
#define FILESET_PER_DIR     (FILESET_CLASSES * FILESET_PER_CLASS)
#define FILESET_DIR_BYTES   5119484UL /* the sizes of one directory, summed */
#define FILESET_DEFAULT_MIB 2048
#define FILESET_NAME_MAX    32 /* "dir99999/class3_8" and its NUL fit */
#define FILESET_PATTERN     "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwx\n"
#define FILESET_PATTERN_LEN 61
/* The cache directory's name for a set of T MiB; file.h's FILE_SET_DEFAULT is T = 2048. */
#define FILESET_DIR_FORMAT "files-spec99-%lum"

/* SPECweb99's request mix over the classes, in percent. */
static const int fileset_class_pct[FILESET_CLASSES] = { 35, 50, 14, 1 };

/* The size of class<cls>_<k>, in bytes. */
static inline size_t fileset_size(int cls, int k)
{
	size_t s = (size_t)(k + 1) * 1024;

	for (int i = 0; i < cls; i++)
		s *= 10;
	return s / 10;
}

/* The name of file k of class cls in directory d, into out[FILESET_NAME_MAX]. */
static inline void fileset_name(unsigned long d, int cls, int k, char *out)
{
	snprintf(out, FILESET_NAME_MAX, "dir%05lu/class%d_%d", d % 100000, cls, k);
}

/*
 * The hot subset of the cold scenario: the small files (classes 0 and 1) of
 * the first directory, the most popular under the Zipf law over directories
 * and the classes SPECweb99 asks for 85 % of the time; 18 files, 50 KB.
 * fileset --evict leaves them cached: they stay hot under load.
 */
static inline int fileset_hot(unsigned long dir, int cls)
{
	return dir == 0 && cls <= 1;
}

/* The directories of a set of total_mib MiB (at least 1). */
static inline unsigned long fileset_dirs(unsigned long total_mib)
{
	unsigned long long bytes = (unsigned long long)total_mib << 20;
	unsigned long n = (unsigned long)((bytes + FILESET_DIR_BYTES - 1) / FILESET_DIR_BYTES);

	return n > 0 ? n : 1;
}

/* The phase of the file named name[0..len): FNV-1a of the name, mod 61. */
static inline unsigned fileset_phase(const char *name, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h % FILESET_PATTERN_LEN;
}

/* Byte i of the file whose phase is phase. */
static inline char fileset_byte(unsigned phase, size_t i)
{
	return FILESET_PATTERN[(i + phase) % FILESET_PATTERN_LEN];
}

#endif
