/* files.c -- the files scenario: the set made ready and cached or evicted, the disk, the hot
 * clients. */
#include "files.h"

#include "parse_wrk.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define FILES_STEP_MS   600000 /* bound on warming, evicting or timing the set */
#define FILES_MOUNT_MS  5000   /* bound on slowfs's mount appearing */
#define FILES_UMOUNT_MS 3000   /* slowfs's grace to unmount on SIGTERM */

int files_dirs(int mib)
{
	return (int)(((long long)mib * 1048576 + FILES_DIR_BYTES - 1) / FILES_DIR_BYTES);
}

/*
 * fileset --mib mib [--dir docroot] [step [arg]] (docroot NULL: its default place), its stdout
 * to out (NULL: none): 0 or -1.
 */
static int fileset(const char *tools_dir, int mib, const char *docroot, const char *step,
                   const char *arg, const char *out, const char *err, int limit_ms)
{
	char exe[PATH_MAX], num[16];
	char *argv[8] = { exe, "--mib", num };
	int a = 3;

	snprintf(exe, sizeof(exe), "%s/fileset", tools_dir);
	snprintf(num, sizeof(num), "%d", mib);
	if (docroot) {
		argv[a++] = "--dir";
		argv[a++] = (char *)docroot;
	}
	argv[a++] = (char *)step; /* NULL ends argv here when there is no step */
	argv[a++] = (char *)arg;
	argv[a] = NULL;
	return child_run(argv, limit_ms, out, err) == 0 ? 0 : -1;
}

/*
 * The set of mib MiB written if missing, in fileset's default place, whose directory fileset
 * prints into docroot; once a process (the set is then reused). 0, or -1 with why.
 */
static int files_make(const char *tools_dir, int mib, const char *out, const char *err,
                      char *docroot, size_t dlen, char *why, size_t len)
{
	static char made[PATH_MAX];
	static int made_mib;
	char *text, *nl;

	if (made_mib != mib) {
		text = fileset(tools_dir, mib, NULL, NULL, NULL, out, err, FILES_MAKE_MS) == 0
		           ? util_read_file(out, NULL)
		           : NULL;
		if (!text || text[0] != '/') {
			snprintf(why, len, "fileset could not make the %d MiB set (%s)", mib, err);
			free(text);
			return -1;
		}
		if ((nl = strchr(text, '\n')))
			*nl = '\0';
		snprintf(made, sizeof(made), "%s", text);
		made_mib = mib;
		free(text);
	}
	snprintf(docroot, dlen, "%s", made);
	return 0;
}

/* 1 when dir is a mountpoint (another device than its parent's), else 0. */
static int mounted(const char *dir)
{
	char parent[PATH_MAX + 4];
	struct stat a, b;

	snprintf(parent, sizeof(parent), "%s/..", dir);
	return stat(dir, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

/*
 * Mount src through slowfs at a new temporary directory (m->dir) and wait for the mount.
 * 0, or -1 with why and nothing left (no process, no mount, no directory).
 */
static int files_mount(struct files_mount *m, const char *tools_dir, const char *src, char *why,
                       size_t len)
{
	char exe[PATH_MAX], num[16], errp[PATH_MAX + 16];
	char *argv[] = { exe, "--delay-ms", num, (char *)src, m->dir, NULL };
	long long deadline = util_now_ms() + FILES_MOUNT_MS;
	int fds[3], rc, i, status, w = CHILD_DEADLINE;
	struct rusage ru;

	snprintf(exe, sizeof(exe), "%s/slowfs", tools_dir);
	snprintf(num, sizeof(num), "%d", m->delay_ms);
	snprintf(errp, sizeof(errp), "%s.slowfs.err", m->raw_prefix);
	snprintf(m->dir, sizeof(m->dir), "%s/slowfs.XXXXXX",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(m->dir)) {
		snprintf(why, len, "files: cannot make slowfs's mountpoint (%s)", m->dir);
		m->dir[0] = '\0';
		return -1;
	}
	fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[1] = fds[2] = open(errp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	rc = fds[0] < 0 || fds[1] < 0 ? -1 : child_spawn(argv, NULL, fds, 1, &m->fs);
	for (i = 0; i < 2; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (rc < 0) {
		snprintf(why, len, "files: cannot start %s", exe);
		rmdir(m->dir);
		m->dir[0] = '\0';
		return -1;
	}
	while (!mounted(m->dir) && util_now_ms() < deadline &&
	       (w = child_wait(&m->fs, util_now_ms() + 50, NULL, &status, &ru)) == CHILD_DEADLINE)
		;
	if (w == CHILD_REAPED)
		m->fs.pid = 0; /* it exited (its reason in errp): nothing to stop */
	if (mounted(m->dir))
		return 0;
	snprintf(why, len, "files: slowfs did not mount %s (%s)", m->dir, errp);
	files_unmount(m);
	return -1;
}

void files_unmount(struct files_mount *m)
{
	int status, killed;
	struct rusage ru;

	if (!m->dir[0])
		return;
	if (m->fs.pid > 0) {
		child_stop(&m->fs, SIGTERM, FILES_UMOUNT_MS, 1, &status, &ru, &killed);
		child_sweep(m->fs.pid);
		m->fs.pid = 0;
	}
	if (mounted(m->dir) && umount2(m->dir, MNT_DETACH) < 0)
		fprintf(stderr, "harness: cannot unmount %s: %s\n", m->dir, strerror(errno));
	rmdir(m->dir);
	m->dir[0] = '\0';
}

int files_prepare(const char *tools_dir, int mib, int cold, const char *raw_prefix, char *docroot,
                  size_t dlen, struct files_mount *slow, double *disk_lat_us, char *why, size_t len)
{
	char err[PATH_MAX + 16], out[PATH_MAX + 16], num[16], *text;

	*disk_lat_us = -1;
	snprintf(err, sizeof(err), "%s.fileset.err", raw_prefix);
	snprintf(out, sizeof(out), "%s.fileset.out", raw_prefix);
	if (files_make(tools_dir, mib, out, err, docroot, dlen, why, len) < 0)
		return -1;
	if (slow) {
		if (files_mount(slow, tools_dir, docroot, why, len) < 0)
			return -1;
		snprintf(docroot, dlen, "%s", slow->dir);
	}
	if (!cold) {
		if (fileset(tools_dir, mib, docroot, "--warm", NULL, NULL, err, FILES_STEP_MS) == 0)
			return 0;
		snprintf(why, len, "fileset --warm failed (%s)", err);
		goto fail;
	}
	snprintf(num, sizeof(num), "%d", FILES_DISK_LATENCY_N);
	if (fileset(tools_dir, mib, docroot, "--disk-latency", num, out, err, FILES_STEP_MS) == 0 &&
	    (text = util_read_file(out, NULL))) {
		*disk_lat_us = files_latency_us(text);
		free(text);
	}
	if (fileset(tools_dir, mib, docroot, "--evict", NULL, NULL, err, FILES_STEP_MS) == 0)
		return 0;
	snprintf(why, len, "fileset --evict failed (%s)", err);
fail:
	if (slow)
		files_unmount(slow);
	return -1;
}

int files_diskstats(const char *text, unsigned major, unsigned minor, long *reads, long *sectors)
{
	const char *line = text;

	while (line && *line) {
		unsigned ma, mi;
		long r, merged, s;
		char name[64];

		if (sscanf(line, "%u %u %63s %ld %ld %ld", &ma, &mi, name, &r, &merged, &s) == 6 &&
		    ma == major && mi == minor) {
			*reads = r;
			*sectors = s;
			return 0;
		}
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	return -1;
}

int files_slowfs_stats(const char *text, long *reads, long *bytes)
{
	return sscanf(text, "reads %ld bytes %ld", reads, bytes) == 2 && *reads >= 0 && *bytes >= 0
	           ? 0
	           : -1;
}

double files_latency_us(const char *text)
{
	const char *p = strstr(text, "median ");
	char *end;
	double v;

	if (!p)
		return -1;
	v = strtod(p + strlen("median "), &end);
	return end != p + strlen("median ") && !strncmp(end, " us", 3) && v >= 0 ? v : -1;
}

/* The counters of p's device (or slowfs's) now, sectors of 512 bytes: 0, or -1. */
static int disk_now(const struct files_probe *p, long *reads, long *sectors)
{
	char *text = util_read_file(p->stats[0] ? p->stats : "/proc/diskstats", NULL);
	int rc = !text ? -1
	         : p->stats[0]
	             ? files_slowfs_stats(text, reads, sectors)
	             : files_diskstats(text, major(p->dev), minor(p->dev), reads, sectors);

	if (rc == 0 && p->stats[0])
		*sectors /= 512;
	free(text);
	return rc;
}

/* Start the hot clients (wrk -t N -c N: the script pairs each reply with its request). */
static int hot_start(struct files_probe *p, const struct files_hot *h, char *why, size_t len)
{
	char n[16], d[16], dirs[16], pause[16], errp[PATH_MAX + 16];
	char *argv[] = { (char *)h->tool_path,
		         "-t",
		         n,
		         "-c",
		         n,
		         "-d",
		         d,
		         "--latency",
		         "--timeout",
		         "5s",
		         "-s",
		         (char *)h->script,
		         (char *)h->url,
		         "--",
		         "hot",
		         dirs,
		         pause,
		         NULL };
	int fds[3], rc, i;

	snprintf(n, sizeof(n), "%d", h->conns);
	snprintf(d, sizeof(d), "%ds", h->duration_s);
	snprintf(dirs, sizeof(dirs), "%d", h->dirs);
	snprintf(pause, sizeof(pause), "%d", h->pause_ms);
	snprintf(p->hot_out, sizeof(p->hot_out), "%s.hot.out", h->raw_prefix);
	snprintf(errp, sizeof(errp), "%s.hot.err", h->raw_prefix);
	fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[1] = open(p->hot_out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	fds[2] = open(errp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	rc = fds[0] < 0 || fds[1] < 0 || fds[2] < 0 ? -1
	                                            : child_spawn(argv, h->cpus, fds, 1, &p->hot);
	for (i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (rc < 0) {
		snprintf(why, len, "files: cannot start the hot clients (%s)", h->tool_path);
		return -1;
	}
	p->hot_started = 1;
	p->deadline_ms = p->hot.start_ms + (h->duration_s + 10) * 1000LL;
	return 0;
}

int files_probe_start(struct files_probe *p, const char *docroot, const struct files_hot *hot,
                      char *why, size_t len)
{
	struct stat st;

	memset(p, 0, sizeof(*p));
	snprintf(p->stats, sizeof(p->stats), "%s/.slowfs-stats", docroot);
	if (access(p->stats, R_OK) < 0)
		p->stats[0] = '\0';
	if (stat(docroot, &st) == 0) {
		p->dev = st.st_dev;
		p->have_disk = disk_now(p, &p->reads0, &p->sectors0) == 0;
	}
	return hot ? hot_start(p, hot, why, len) : 0;
}

/* The hot clients' p99 from their output, or -1 with why when a reply or the run was wrong. */
static double hot_p99(const char *path, char *why, size_t len)
{
	char *text = util_read_file(path, NULL);
	struct parse_wrk_result w;
	double p99 = -1;

	if (!text || parse_wrk_output(text, strlen(text), &w) < 0)
		snprintf(why, len, "no hot clients' report");
	else if (!w.has_files || w.files_wrong || w.files_bad)
		snprintf(why, len, "hot replies wrong");
	else if (w.err_connect + w.err_read + w.err_write + w.err_timeout + w.non_2xx > 0)
		snprintf(why, len, "hot clients' errors");
	else
		p99 = w.lat_p99_ms;
	free(text);
	return p99;
}

int files_probe_end(struct files_probe *p, double *hot_p99_ms, long *reads, long *read_kb,
                    char *verdict, size_t len)
{
	long r1, s1;
	int status, killed, bad = 0;
	struct rusage ru;
	char why[64];

	*hot_p99_ms = -1;
	*reads = *read_kb = -1;
	if (p->have_disk && disk_now(p, &r1, &s1) == 0 && r1 >= p->reads0 && s1 >= p->sectors0) {
		*reads = r1 - p->reads0;
		*read_kb = (s1 - p->sectors0) / 2; /* diskstats' sectors are 512 bytes */
	}
	if (!p->hot_started)
		return 0;
	if (child_wait(&p->hot, p->deadline_ms, NULL, &status, &ru) != CHILD_REAPED) {
		child_stop(&p->hot, SIGTERM, 1000, 1, &status, &ru, &killed);
		status = 1;
	}
	child_sweep(p->hot.pid);
	if (status != 0) {
		snprintf(why, sizeof(why), "hot clients failed");
		bad = 1;
	} else if ((*hot_p99_ms = hot_p99(p->hot_out, why, sizeof(why))) < 0) {
		bad = 1;
	}
	if (bad)
		snprintf(verdict, len, "errors: %s", why);
	return bad;
}
