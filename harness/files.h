/* files.h -- the files scenario's set (bin/tools/fileset), its disk and its hot clients. */
#ifndef FILES_H
#define FILES_H

#include "child.h"

#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <sys/types.h>

#define FILES_DIR_BYTES      5119484L /* one directory of the set, its 36 files (fileset.h) */
#define FILES_DISK_LATENCY_N 32       /* evicted files timed for the disk's latency */
#define FILES_MAKE_MS        1800000  /* bound on writing a set (2 GiB: about a minute) */

/* The directories of a set of mib MiB (fileset_dirs): ceil(mib MiB / FILES_DIR_BYTES). */
int files_dirs(int mib);

/* A slow disk: the set seen through bin/tools/slowfs, mounted in a temporary directory. */
struct files_mount {
	struct child fs;        /* slowfs, in the foreground */
	char dir[PATH_MAX];     /* the mountpoint, made and removed here */
	int delay_ms;           /* each page-cache miss's wait */
	const char *raw_prefix; /* slowfs's stderr: raw_prefix.slowfs.err */
};

/*
 * Make the set of mib MiB ready for a run: written in fileset's default place if missing (once
 * a process; its directory into docroot, room for dlen), then, when slow is not NULL, mounted
 * through slowfs with slow->delay_ms (docroot becomes the mountpoint; files_unmount undoes it),
 * then either read whole into the page cache (cold 0) or, cold, the disk's random-read latency
 * measured (fileset --disk-latency: its median in *disk_lat_us, -1 unknown) and the set evicted
 * file by file with the hot subset read back in (fileset --evict). fileset's output goes to
 * raw_prefix.fileset.out and .err. 0, or -1 with why (and nothing left mounted).
 */
int files_prepare(const char *tools_dir, int mib, int cold, const char *raw_prefix, char *docroot,
                  size_t dlen, struct files_mount *slow, double *disk_lat_us, char *why,
                  size_t len);

/*
 * Undo a mount of files_prepare: slowfs stopped (SIGTERM: it unmounts), the mount detached
 * if it is somehow still there, the mountpoint removed. A mount not made is left alone.
 */
void files_unmount(struct files_mount *m);

/*
 * The reads completed and the sectors read by device major:minor in /proc/diskstats' text.
 * 0, or -1 when the device is not there or its line does not parse. Pure.
 */
int files_diskstats(const char *text, unsigned major, unsigned minor, long *reads, long *sectors);

/*
 * The reads and bytes in slowfs's counters ("reads N bytes B", its /.slowfs-stats). 0, or -1
 * when the text is not that. Pure.
 */
int files_slowfs_stats(const char *text, long *reads, long *bytes);

/* The median of fileset --disk-latency's line ("... median 89 us, ..."), µs; -1: none. Pure. */
double files_latency_us(const char *text);

/* The hot clients beside a load: wrk with the files script asking for the hot subset. */
struct files_hot {
	const char *tool_path; /* wrk */
	const char *script;    /* harness/wrk/files.lua */
	const char *url;       /* http://ADDR:PORT */
	int conns, pause_ms, duration_s, dirs;
	const cpu_set_t *cpus;
	const char *raw_prefix; /* its output: raw_prefix.hot.out and .hot.err */
};

/* One run's measures around its load: the disk's counters and the hot clients. */
struct files_probe {
	dev_t dev;
	char stats[PATH_MAX]; /* slowfs's counters when docroot is its mount; "": /proc/diskstats */
	int have_disk;
	long reads0, sectors0;
	struct child hot;
	int hot_started;
	long long deadline_ms;
	char hot_out[PATH_MAX];
};

/*
 * Open the probe: the disk counters of docroot's device (slowfs's own when docroot is its
 * mount: the emulated disk), then the hot clients when hot is not
 * NULL. 0, or -1 with why (the hot clients could not start).
 */
int files_probe_start(struct files_probe *p, const char *docroot, const struct files_hot *hot,
                      char *why, size_t len);

/*
 * Close it: wait for the hot clients (bounded) and read their p99 into *hot_p99_ms (-1: none),
 * the disk's reads and kB read since the start (-1: unknown). Returns 1 with "errors" in
 * verdict when a hot reply was wrong or the hot clients failed, else 0.
 */
int files_probe_end(struct files_probe *p, double *hot_p99_ms, long *reads, long *read_kb,
                    char *verdict, size_t len);

#endif
