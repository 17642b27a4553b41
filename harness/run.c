/* run.c -- one run: fork the server and the tool pinned apart, wait with bounds, account, judge. */
#include "run.h"
#include "calib.h"
#include "child.h"
#include "cpus.h"
#include "health.h"
#include "idlehold.h"
#include "prefix.h"
#include "proctree.h"
#include "util.h"
#include "verify.h"
#include "workers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

volatile sig_atomic_t run_stop;

static sigset_t wait_mask; /* our mask with the stop signals unblocked: used only while waiting */
/* What interrupts a wait for the tool: run_stop, raised in wait_mask. */
static const struct child_interrupt interrupt = { .stop = &run_stop, .mask = &wait_mask };
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void on_stop(int sig)
{
	run_stop = sig;
}

int run_signals_init(void)
{
	struct sigaction sa;
	sigset_t set;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
		if (sigaction(stop_signals[i], &sa, NULL) < 0)
			return -1;
		sigaddset(&set, stop_signals[i]);
	}
	if (sigprocmask(SIG_BLOCK, &set, &wait_mask) < 0)
		return -1;
	for (i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigdelset(&wait_mask, stop_signals[i]);
	return 0;
}

int run_pin_setup(struct run_pin *pin, int enable, const char *client_cpus, const char *server_cpus,
                  const char *tool_name, char *err, size_t errlen)
{
	static struct cpus_topo topo; /* large: not on the stack */
	cpu_set_t all;
	char t[256], s[256];

	memset(pin, 0, sizeof(*pin));
	snprintf(pin->desc, sizeof(pin->desc), "off");
	snprintf(pin->topology, sizeof(pin->topology), "not read (pinning off)");
	err[0] = '\0';
	if (!enable) {
		if (client_cpus || server_cpus) {
			snprintf(err, errlen, "CPU lists given with pinning off (--pin 0, PIN=0)");
			return -1;
		}
		return 0;
	}
	if (sched_getaffinity(0, sizeof(all), &all) < 0) {
		snprintf(err, errlen, "sched_getaffinity: %s", strerror(errno));
		return -1;
	}
	cpus_topo_read("/sys/devices/system/cpu", &all, &topo);
	cpus_topo_describe(&topo, pin->topology, sizeof(pin->topology));
	if (cpus_place(&all, &topo, client_cpus, server_cpus, &pin->tool, &pin->server, err,
	               errlen) < 0)
		return err[0] ? -1 : 0; /* one CPU and nothing asked: pinning off */
	pin->enabled = 1;
	snprintf(pin->desc, sizeof(pin->desc), "%s on CPU %s; server on CPU %s", tool_name,
	         cpus_format(&pin->tool, t, sizeof(t)), cpus_format(&pin->server, s, sizeof(s)));
	return 0;
}

int run_is_bench_net(const char *addr)
{
	struct in_addr v4;

	/* 198.18.0.0/15: the first 15 bits of 198.18 */
	return inet_pton(AF_INET, addr, &v4) == 1 && (ntohl(v4.s_addr) >> 17) == (0xC612u >> 1);
}

int run_server_cpus(const struct run_pin *pin)
{
	cpu_set_t all;

	if (pin->enabled)
		return CPU_COUNT(&pin->server);
	return sched_getaffinity(0, sizeof(all), &all) == 0 ? CPU_COUNT(&all) : 1;
}

int run_is_loopback(const char *addr)
{
	char a[INET6_ADDRSTRLEN + 2];
	struct in_addr v4;
	struct in6_addr v6;
	size_t n = strlen(addr);

	if (n >= sizeof(a))
		return 0;
	if (addr[0] == '[' && n > 2 && addr[n - 1] == ']') {
		memcpy(a, addr + 1, n - 2);
		a[n - 2] = '\0';
	} else {
		strcpy(a, addr);
	}
	if (inet_pton(AF_INET, a, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, a, &v6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&v6) ||
		       (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
	return 0;
}

static int open_out(const char *dir, const char *tag, const char *suffix, char *path, size_t len)
{
	if (snprintf(path, len, "%s/%s.%s", dir, tag, suffix) >= (int)len)
		return -1;
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

/* The first line of the file at path holding needle (or the first line) into buf. */
static void file_line(const char *path, const char *needle, char *buf, size_t buflen)
{
	char *text = util_read_file(path, NULL), *p, *nl;

	buf[0] = '\0';
	if (!text)
		return;
	p = needle && strstr(text, needle) ? strstr(text, needle) : text;
	while (p > text && p[-1] != '\n')
		p--;
	if ((nl = strchr(p, '\n')))
		*nl = '\0';
	snprintf(buf, buflen, "%s", p);
	free(text);
}

enum { LINE_OK, LINE_EXITED, LINE_TIMEOUT, LINE_STOP, LINE_BAD, LINE_REMOTE };

/* Split "listening on ADDR:PORT" into addr and port: 0 or -1. */
static int parse_listening(const char *line, char *addr, size_t alen, int *port)
{
	const char *colon, *a;
	char *end;
	long p;

	if (strncmp(line, "listening on ", 13) != 0 || !(colon = strrchr(line, ':')))
		return -1;
	a = line + 13;
	p = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || (*end && *end != '\r') || p < 1 || p > 65535 ||
	    (size_t)(colon - a) >= alen || colon == a)
		return -1;
	memcpy(addr, a, colon - a);
	addr[colon - a] = '\0';
	*port = (int)p;
	return 0;
}

/* Read the server's first stdout line within wait_ms (a LINE_* answer). */
static int read_listening(int fd, struct child *c, int wait_ms, char *addr, size_t alen, int *port)
{
	long long deadline = util_now_ms() + wait_ms;
	char line[256];
	size_t n = 0;

	for (;;) {
		struct pollfd p[2] = { { .fd = fd, .events = POLLIN },
			               { .fd = c->pidfd, .events = POLLIN } };
		long long left = deadline - util_now_ms();
		struct timespec ts;
		char *nl;
		ssize_t r;
		int pr;

		if (run_stop)
			return LINE_STOP;
		if (left <= 0)
			return LINE_TIMEOUT;
		ts.tv_sec = left / 1000;
		ts.tv_nsec = left % 1000 * 1000000;
		pr = ppoll(p, 2, &ts, &wait_mask);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return LINE_BAD;
		if (pr == 0)
			return LINE_TIMEOUT;
		if (!(p[0].revents & (POLLIN | POLLHUP)))
			return LINE_EXITED; /* exited with nothing more to read */
		r = read(fd, line + n, sizeof(line) - 1 - n);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return LINE_EXITED;
		n += r;
		line[n] = '\0';
		if ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			return parse_listening(line, addr, alen, port) == 0 ? LINE_OK : LINE_BAD;
		}
		if (n == sizeof(line) - 1)
			return LINE_BAD;
	}
}

#define IDLE_TIMEOUT_SLACK_S 60 /* the models' --timeout beyond the run in idle scenarios */

static void set_status(struct run_outcome *out, const char *status, const char *detail)
{
	snprintf(out->status, sizeof(out->status), "%s", status);
	snprintf(out->detail, sizeof(out->detail), "%s", detail);
}

/* The server never got to listening: say why in out, from how it ended and its stderr. */
static void judge_no_start(struct run_outcome *out, int line, int wstatus, const char *errpath,
                           int wait_ms)
{
	char words[64], why[200];

	if (line == LINE_EXITED && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 77) {
		file_line(errpath, "skipped", why, sizeof(why));
		set_status(out, "skipped", why);
		return;
	}
	file_line(errpath, NULL, why, sizeof(why));
	if (line == LINE_TIMEOUT)
		snprintf(out->detail, sizeof(out->detail), "no listening line within %d ms",
		         wait_ms);
	else if (line == LINE_BAD)
		snprintf(out->detail, sizeof(out->detail), "unexpected first line on stdout");
	else
		snprintf(out->detail, sizeof(out->detail), "%s before listening%s%s",
		         verify_exit_words(wstatus, words, sizeof(words)), why[0] ? ": " : "", why);
	snprintf(out->status, sizeof(out->status), "no_start");
}

/*
 * Start the server; fills s and the address (addr, room for INET6_ADDRSTRLEN + 2)
 * and port it listens on. 0 listening, 1 did not start (out says why), -1 stopped.
 */
static int server_start(const struct run_cfg *cfg, const struct run_spec *spec, struct child *s,
                        int *outfd, char *addr, int *port, struct run_outcome *out)
{
	char errpath[PATH_MAX], workers[16], timeout[16], maxconns[16];
	char flags[RUN_ARGS_MAX], *w, *save;
	char *argv[12 + RUN_MAX_FLAGS] = { (char *)spec->model_path, "--host", (char *)cfg->host,
		                           "--port", "0" };
	int fds[3], pipefd[2], line, wstatus = 0, killed, a = 5;
	struct rusage ru;

	/* a scenario's own pool (overload's small one) over the plan's --workers */
	int nworkers = spec->scenario->workers > 0 ? spec->scenario->workers : cfg->workers;
	/* idle connections must fit beside the load; else the scenario's own cap, if any */
	int max_conns = scenario_is_idle(spec->scenario)
	                    ? spec->idle_conns + spec->concurrency + IDLEHOLD_MARGIN
	                    : spec->scenario->max_conns;

	if (nworkers > 0) {
		snprintf(workers, sizeof(workers), "%d", nworkers);
		argv[a++] = "--workers";
		argv[a++] = workers;
	}
	if (scenario_is_idle(spec->scenario)) { /* idle connections must outlive the run */
		snprintf(timeout, sizeof(timeout), "%d",
		         spec->duration_s + cfg->sock_timeout_s + IDLE_TIMEOUT_SLACK_S);
		argv[a++] = "--timeout";
		argv[a++] = timeout;
	}
	if (max_conns > 0) {
		snprintf(maxconns, sizeof(maxconns), "%d", max_conns);
		argv[a++] = "--max-conns";
		argv[a++] = maxconns;
	}
	/* a variant's own flags (MODEL:NAME) and the scenario's (run_one joins them), last */
	snprintf(flags, sizeof(flags), "%s", spec->model_flags ? spec->model_flags : "");
	for (w = strtok_r(flags, ",", &save); w && a < 11 + RUN_MAX_FLAGS;
	     w = strtok_r(NULL, ",", &save))
		argv[a++] = w;
	fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[2] = open_out(cfg->raw_dir, spec->tag, "server.err", errpath, sizeof(errpath));
	if (fds[0] < 0 || fds[2] < 0 || pipe2(pipefd, O_CLOEXEC) < 0) {
		set_status(out, "no_start", "harness: cannot open files or pipe");
		goto fail_fds;
	}
	fds[1] = pipefd[1];
	if (child_spawn(argv, cfg->pin.enabled ? &cfg->pin.server : NULL, fds, 1, s) < 0) {
		set_status(out, "no_start", "harness: cannot fork");
		close(pipefd[0]);
		close(pipefd[1]);
		goto fail_fds;
	}
	close(pipefd[1]);
	close(fds[0]);
	close(fds[2]);
	*outfd = pipefd[0];
	line = read_listening(*outfd, s, cfg->start_wait_ms, addr, INET6_ADDRSTRLEN + 2, port);
	if (line == LINE_OK && !cfg->allow_remote && !run_is_loopback(addr)) {
		set_status(out, "refused",
		           "listens on a non-loopback address (see --allow-remote)");
		line = LINE_REMOTE;
	}
	if (line == LINE_OK)
		return 0;
	if (child_stop(s, line == LINE_EXITED ? 0 : SIGTERM, cfg->stop_grace_ms, 1, &wstatus, &ru,
	               &killed) == 0)
		child_sweep(s->pid);
	close(*outfd);
	if (line == LINE_STOP)
		return -1;
	if (line != LINE_REMOTE)
		judge_no_start(out, line, wstatus, errpath, cfg->start_wait_ms);
	return 1;
fail_fds:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[2] >= 0)
		close(fds[2]);
	return 1;
}

/* Start the tool on the job (behind the prefix, in its own group). 0, or -1 (out says why). */
static int tool_start(const struct run_cfg *cfg, const struct run_spec *spec,
                      const struct tool_job *job, struct child *t, struct run_outcome *out)
{
	char *argv[TOOL_MAX_ARGS + 1], buf[8192], path[PATH_MAX], words[1024];
	char *full[PREFIX_MAX_WORDS + 3], **run = argv;
	int fds[3], rc = -1, i;

	fds[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	fds[1] = open_out(cfg->raw_dir, spec->tag, "tool.out", path, sizeof(path));
	fds[2] = open_out(cfg->raw_dir, spec->tag, "tool.err", path, sizeof(path));
	if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0 ||
	    spec->tool->argv(job, argv, buf, sizeof(buf)) < 0) {
		set_status(out, "tool_error", "harness: cannot prepare the tool's files");
		goto out;
	}
	/* We exec the resolved path without a PATH search; behind a prefix, the far side's PATH. */
	argv[0] = (char *)(cfg->client_prefix ? spec->tool->exe : spec->tool_path);
	if (cfg->client_prefix) {
		if (prefix_command(cfg->client_prefix, argv, full, words, sizeof(words), &fds[0]) <
		    0) {
			set_status(out, "tool_error",
			           "harness: cannot prepare CLIENT_PREFIX's command");
			goto out;
		}
		run = full;
	}
	if (child_spawn(run, cfg->pin.enabled ? &cfg->pin.tool : NULL, fds,
	                cfg->client_prefix != NULL, t) < 0) {
		set_status(out, "tool_error", "harness: cannot fork the tool");
		goto out;
	}
	rc = 0;
out:
	for (i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return rc;
}

/*
 * Behind a prefix: take the script's accounting out of the tool's stderr file
 * (rewritten with the tool's own lines only). 0 with *cpu_s and *wall_s (each
 * -1 when unknown), or -1 when the script never ran: the prefix failed, and
 * why holds its first line of stderr.
 */
static int prefix_collect(const struct run_cfg *cfg, const struct run_spec *spec, double *cpu_s,
                          double *wall_s, char *why, size_t whylen)
{
	char path[PATH_MAX], *err, *nl;
	int rc = -1;

	*cpu_s = *wall_s = -1;
	snprintf(path, sizeof(path), "%s/%s.tool.err", cfg->raw_dir, spec->tag);
	err = util_read_file(path, NULL);
	if (err && prefix_account(err, cpu_s, wall_s) == 0) {
		util_write_file(path, err, strlen(err));
		rc = 0;
	} else {
		if ((nl = err ? strchr(err, '\n') : NULL))
			*nl = '\0';
		snprintf(why, whylen, "CLIENT_PREFIX '%s' failed: %s", cfg->client_prefix,
		         err && *err ? err : "no output");
	}
	free(err);
	return rc;
}

/*
 * The CPUs the tool can use: its threads (one for ab), within the client CPUs
 * when it runs here pinned. Behind a prefix it may run on another machine,
 * whose CPUs CLIENT_THREADS describes, not our pinning.
 */
static int tool_cpus(const struct run_cfg *cfg, const struct run_spec *spec,
                     const struct tool_job *job)
{
	int n = spec->tool->threaded ? job->threads : 1;

	if (n > job->concurrency)
		n = job->concurrency;
	if (cfg->pin.enabled && !cfg->client_prefix && n > CPU_COUNT(&cfg->pin.tool))
		n = CPU_COUNT(&cfg->pin.tool);
	return n < 1 ? 1 : n;
}

static double seconds(struct timeval tv)
{
	return tv.tv_sec + tv.tv_usec / 1e6;
}

/* Hand the tool's stdout and stderr to its parser: 0, or -1 with out's status set. */
static int tool_collect(const struct run_cfg *cfg, const struct run_spec *spec,
                        const struct tool_job *job, struct run_outcome *out)
{
	char path[PATH_MAX], why[32], *text, *err;
	int rc;

	snprintf(path, sizeof(path), "%s/%s.tool.out", cfg->raw_dir, spec->tag);
	text = util_read_file(path, NULL);
	snprintf(path, sizeof(path), "%s/%s.tool.err", cfg->raw_dir, spec->tag);
	err = util_read_file(path, NULL);
	rc =
	    spec->tool->collect(job, text ? text : "", err ? err : "", &out->res, why, sizeof(why));
	free(text);
	free(err);
	if (rc < 0) {
		char line[200];

		file_line(path, NULL, line, sizeof(line));
		set_status(out, why, line[0] ? line : "the tool's output could not be read");
	}
	return rc;
}

/* Decide out's status once both processes are reaped. */
static void judge(const struct run_cfg *cfg, const struct run_spec *spec,
                  const struct tool_job *job, int died, int wstatus, int tool_wait, int tstatus,
                  int killed, int orphans, const char *prefix_why, struct run_outcome *out)
{
	char words[64], why[160];

	if (prefix_why) {
		set_status(out, "prefix_failed", prefix_why);
		return;
	}
	if (died) {
		snprintf(why, sizeof(why), "server ended during the run: %s",
		         verify_exit_words(wstatus, words, sizeof(words)));
		set_status(out, WIFSIGNALED(wstatus) ? "crashed" : "exited", why);
		tool_collect(cfg, spec, job, out); /* what was measured before, for the record */
		set_status(out, WIFSIGNALED(wstatus) ? "crashed" : "exited", why);
		return;
	}
	if (tool_wait == CHILD_DEADLINE) {
		snprintf(why, sizeof(why), "%s did not finish within %d s", spec->tool->name,
		         job->duration_s + cfg->sock_timeout_s + 5);
		set_status(out, "timeout", why);
		return;
	}
	if (tool_wait != CHILD_REAPED || tool_collect(cfg, spec, job, out) < 0) {
		if (tool_wait != CHILD_REAPED)
			set_status(out, "tool_error", "the tool could not be waited for");
		return;
	}
	if (tstatus != 0) {
		snprintf(why, sizeof(why), "%s: %s", spec->tool->name,
		         verify_exit_words(tstatus, words, sizeof(words)));
		set_status(out, "tool_error", why);
		return;
	}
	set_status(out,
	           verify_result(&out->res, spec->scenario->body_bytes, job->concurrency,
	                         spec->admission, why, sizeof(why)),
	           why);
	if (strcmp(out->status, "ok") == 0 && killed) {
		snprintf(why, sizeof(why), "server needed SIGKILL %d ms after SIGTERM",
		         cfg->stop_grace_ms);
		set_status(out, "stop_killed", why);
	} else if (strcmp(out->status, "ok") == 0 && orphans) {
		set_status(out, "orphans", "server left processes behind in its group");
	}
}

/* A sample of the machine's CPU accounting: 0, or -1 if /proc/stat cannot be read. */
struct cpu_sample {
	unsigned long long busy;  /* jiffies of all CPUs (health_busy_jiffies) */
	unsigned long long steal; /* the host's (health_steal_jiffies): noise too */
	double self_s;            /* the harness's own CPU seconds */
	long long ms;
};

static int cpu_sample(struct cpu_sample *c)
{
	char *text = util_read_file("/proc/stat", NULL);
	struct rusage ru;
	int rc;

	rc = text && health_busy_jiffies(text, &c->busy) == 0 &&
	             health_steal_jiffies(text, &c->steal) == 0 && getrusage(RUSAGE_SELF, &ru) == 0
	         ? 0
	         : -1;
	free(text);
	if (rc == 0) {
		c->self_s = seconds(ru.ru_utime) + seconds(ru.ru_stime);
		c->ms = util_now_ms();
	}
	return rc;
}

/*
 * Everyone else's CPU between a (before the server started) and now (both
 * processes reaped), as a % of one CPU: the machine's busy time and the
 * host's steal less the server's, the tool's and the harness's own. -1 if it cannot be told.
 */
static double other_cpu(const struct cpu_sample *a, int have_a, const struct rusage *sru,
                        const struct rusage *tru)
{
	struct cpu_sample b;
	double ours;

	if (!have_a || cpu_sample(&b) < 0 || b.busy < a->busy)
		return -1;
	ours = seconds(sru->ru_utime) + seconds(sru->ru_stime) + seconds(tru->ru_utime) +
	       seconds(tru->ru_stime) + (b.self_s - a->self_s);
	return health_other_cpu_pct(b.busy - a->busy + (b.steal - a->steal), sysconf(_SC_CLK_TCK),
	                            ours, (b.ms - a->ms) / 1000.0);
}

/*
 * The server's CPU in the load window into out: from start_s to end_s (its
 * tree's CPU just before and after the load; -1: unread, then the run's
 * start or end) out of life (its whole life's, wait4's), user and system in
 * the proportion of its whole life's (the window's own split is only known
 * in 10 ms ticks); what came before and after in its own columns.
 */
static void window_cpu(struct run_outcome *out, const struct rusage *life, double start_s,
                       double end_s)
{
	double user = seconds(life->ru_utime), total = user + seconds(life->ru_stime), window;

	window = fmax(0, (end_s >= 0 ? fmin(end_s, total) : total) - fmax(0, start_s));
	out->server_user_s = total > 0 ? window * user / total : 0;
	out->server_sys_s = window - out->server_user_s;
	out->server_start_cpu_s = start_s >= 0 ? fmin(start_s, total) : -1;
	out->server_exit_cpu_s = end_s >= 0 ? fmax(0, total - end_s) : -1;
}

#define TOOL_NOT_STARTED (-2) /* run_tool: the tool never started (nor the hook before it) */

/*
 * Start the tool and wait for it (bounded: the run, the socket timeout and
 * 5 s); its CPU share into out, measured where it ran (behind a prefix: by
 * the prefix script). child_wait's result, or TOOL_NOT_STARTED.
 * prefix_why is left empty unless the prefix's command failed: then it says how.
 */
static int run_tool(const struct run_cfg *cfg, const struct run_spec *spec,
                    const struct tool_job *job, struct child *t, int *tstatus, struct rusage *tru,
                    struct run_outcome *out, char *prefix_why, size_t whylen)
{
	long long deadline;
	double wall, far_wall, cpu;
	int tool_wait, tkilled;

	prefix_why[0] = '\0';
	if (tool_start(cfg, spec, job, t, out) < 0)
		return TOOL_NOT_STARTED;
	deadline = t->start_ms + (spec->duration_s + cfg->sock_timeout_s + 5) * 1000LL;
	tool_wait = child_wait(t, deadline, &interrupt, tstatus, tru);
	wall = (util_now_ms() - t->start_ms) / 1000.0;
	if (tool_wait != CHILD_REAPED)
		child_stop(t, SIGTERM, 1000, cfg->client_prefix != NULL, tstatus, tru, &tkilled);
	cpu = seconds(tru->ru_utime) + seconds(tru->ru_stime);
	if (cfg->client_prefix) {
		child_sweep(t->pid); /* the tool itself is the prefix shell's child */
		if (prefix_collect(cfg, spec, &cpu, &far_wall, prefix_why, whylen) == 0 &&
		    far_wall > 0)
			wall = far_wall;
	}
	if (wall > 0 && cpu >= 0)
		out->client_cpu_pct = 100 * cpu / wall / tool_cpus(cfg, spec, job);
	out->client_cpu_s = cpu >= 0 ? cpu : -1;
	return tool_wait;
}

/* One run under way: the server, the tool, the scenario's hooks and what each cost. */
struct run_state {
	const struct run_cfg *cfg;
	const struct run_spec *spec;
	struct run_outcome *out;
	struct cpu_sample before; /* the machine before the server started */
	int have_before;
	struct child server, tool;
	struct rusage sru, tru;
	int outfd, wstatus, tstatus, killed, died, orphans;
	int tool_wait; /* run_tool's enum wait_outcome */
	int hooked;    /* before_load succeeded (or there is none): after_load runs */
	int verdict;   /* after_load's 1: vwords replaces ok or errors */
	char addr[INET6_ADDRSTRLEN + 2], url[INET6_ADDRSTRLEN + 2 + 1024];
	char prefix[PATH_MAX], script[PATH_MAX], why[256], vwords[64];
	char prefix_why[RUN_DETAIL];
	int port;
	struct tool_job job;
	struct scenario_load load;
	/*
	 * The load window: the server tree's CPU just before the load and just
	 * after it, and the machine's busy time around them (so that its window
	 * holds the server's).
	 */
	double start_s, end_s;
	int have_start, have_end;
	struct cpu_sample window[2];
	int have_window[2];
	struct workers_snap workers_before, workers_after; /* each task's CPU around the load */
	struct workers_window workers;
	struct counts_run perf;   /* a counting run's perf, attached over the load */
	struct counts_run record; /* and with cfg->profile its perf record */
	struct run_spec own;      /* spec with the scenario's server flags joined to its own */
	char flags[RUN_ARGS_MAX];
};

/*
 * An idle scenario's descriptors: the server inherits the raised limit; a
 * cell that cannot fit is skipped (out says why), never shrunk. 0, or -1 skipped.
 */
static int reserve_idle(struct run_state *st)
{
	const struct run_spec *spec = st->spec;

	if (!scenario_is_idle(spec->scenario) ||
	    idlehold_reserve(spec->idle_conns + spec->concurrency, st->why, sizeof(st->why)) == 0)
		return 0;
	snprintf(st->out->status, sizeof(st->out->status), "skipped: %.54s", st->why);
	snprintf(st->out->detail, sizeof(st->out->detail),
	         "%d idle + %d load connections do not fit beside our own descriptors",
	         spec->idle_conns, spec->concurrency);
	return -1;
}

/*
 * Before the server starts: the raw files' prefix, the script, what the hooks see of the run,
 * the scenario's before_start (a files row's set and --docroot), and every flag of the server
 * joined into st->own. 0, or -1 with out's status set.
 */
static int prepare_start(struct run_state *st)
{
	const struct run_spec *spec = st->spec;
	const struct scenario *sc = spec->scenario;

	snprintf(st->prefix, sizeof(st->prefix), "%s/%s", st->cfg->raw_dir, spec->tag);
	if (sc->script && sc->script[0] != '/' && st->cfg->tree)
		snprintf(st->script, sizeof(st->script), "%s/%s", st->cfg->tree, sc->script);
	else if (sc->script)
		snprintf(st->script, sizeof(st->script), "%s", sc->script);
	st->load =
	    (struct scenario_load){ .concurrency = spec->concurrency,
		                    .idle = spec->idle_conns,
		                    .duration_s = spec->duration_s,
		                    .stop = &run_stop,
		                    .server_kmem_kb = -1,
		                    .tools_dir = st->cfg->tools_dir,
		                    .files_mib = st->cfg->files_mib,
		                    .files_delay_ms = st->cfg->files_delay_ms,
		                    .raw_prefix = st->prefix,
		                    .tool_path = spec->tool_path,
		                    .script = st->script,
		                    .tool_cpus = st->cfg->pin.enabled ? &st->cfg->pin.tool : NULL,
		                    .disk_lat_us = -1,
		                    .hot_p99_ms = -1,
		                    .disk_reads = -1,
		                    .disk_read_kb = -1 };
	if (sc->before_start && sc->before_start(sc, &st->load, st->why, sizeof(st->why)) < 0) {
		set_status(st->out, "scenario_error", st->why);
		return -1;
	}
	snprintf(st->flags, sizeof(st->flags), "%s,%s,%s",
	         spec->model_flags ? spec->model_flags : "", sc->server_args ? sc->server_args : "",
	         st->load.server_args);
	st->own = *spec;
	st->own.model_flags = st->flags;
	st->spec = &st->own;
	return 0;
}

/* The tool's job and the hooks' view of the load, against the listening server. */
static void prepare_load(struct run_state *st)
{
	const struct run_spec *spec = st->spec;
	const struct scenario *sc = spec->scenario;

	snprintf(st->url, sizeof(st->url), "http://%s:%d%s", st->addr, st->port,
	         spec->target ? spec->target : sc->target);
	st->job = (struct tool_job){ .url = st->url,
		                     .concurrency = spec->concurrency,
		                     .keepalive = spec->keepalive,
		                     .duration_s = spec->duration_s,
		                     .max_requests = spec->max_requests,
		                     .timeout_s = st->cfg->sock_timeout_s,
		                     .raw_prefix = st->prefix,
		                     .script = sc->script ? st->script : NULL,
		                     .script_args = st->load.script_args,
		                     .threads = sc->thread_per_conn ? spec->concurrency
		                                                    : st->cfg->client_threads,
		                     .rate = spec->rate,
		                     .mix = spec->target ? NULL : sc->mix,
		                     .per_conn = spec->per_conn,
		                     .seed = spec->seed };
	st->load.addr = st->addr;
	st->load.port = st->port;
}

/*
 * A counting run's perf: attached to the whole tree once the hooks are done,
 * counting from just before the tool starts (perf acknowledged it) to just
 * after it ends; its output is raw/<tag>.perf. A perf that cannot attach
 * leaves the counts unknown, never the run failed.
 */
static void count_start(struct run_state *st)
{
	char path[PATH_MAX + 16];

	if (!st->spec->count)
		return;
	snprintf(path, sizeof(path), "%s.perf", st->prefix);
	if (counts_start(&st->perf, st->server.pid, path, 1) == 0)
		counts_enable(&st->perf);
	snprintf(path, sizeof(path), "%s.perf.data", st->prefix);
	if (st->cfg->profile && counts_record_start(&st->record, st->server.pid, path) == 0)
		counts_enable(&st->record);
}

/*
 * How the server's workers shared the load: its tasks' CPU time between the snapshot taken
 * before the tool and now, the server's main thread left out. Unknown below 2 workers, and
 * above WORKERS_MAX tasks, where a snapshot would miss some.
 */
static void worker_balance(struct run_state *st)
{
	struct run_outcome *out = st->out;

	out->worker_shares[0] = '\0';
	out->jain = -1;
	if (workers_snapshot(st->server.pid, &st->workers_after) < 0 ||
	    st->workers_before.truncated || st->workers_after.truncated)
		return; /* a tree of more than WORKERS_MAX tasks (a thread per idle connection) */
	workers_window_of(&st->workers_before, &st->workers_after, st->server.pid,
	                  (double)sysconf(_SC_CLK_TCK), &st->workers);
	if (st->workers.n < 2 || st->workers.total_s <= 0)
		return;
	workers_format_shares(&st->workers, out->worker_shares, sizeof(out->worker_shares));
	out->jain = st->workers.jain;
}

/* The scenario's before_load, the tool, then its after_load (only if before_load succeeded). */
static void load(struct run_state *st)
{
	const struct scenario *sc = st->spec->scenario;
	pid_t pid = st->server.pid;

	st->why[0] = '\0';
	st->out->client_cpu_pct = -1;
	st->hooked =
	    !sc->before_load || sc->before_load(sc, &st->load, st->why, sizeof(st->why)) == 0;
	if (!st->hooked) {
		set_status(st->out, "scenario_error", st->why);
		st->tool_wait = TOOL_NOT_STARTED;
		return;
	}
	/*
	 * The whole tree's PSS with the hook's connections open, before the load;
	 * and the CPU it spent until the load starts (start-up, a pool's creation,
	 * accepting and answering an idle scenario's 10,000 connections), which is
	 * not the load's.
	 */
	st->out->server_mem_kb = proctree_pss_kb(pid);
	count_start(st); /* a counting run's perf, before the window opens */
	st->out->server_kmem_kb = st->load.server_kmem_kb;
	st->have_window[0] = cpu_sample(&st->window[0]) == 0;
	st->have_start = proctree_runtime_s(pid, &st->start_s) == 0;
	workers_snapshot(pid, &st->workers_before);
	st->tool_wait = run_tool(st->cfg, st->spec, &st->job, &st->tool, &st->tstatus, &st->tru,
	                         st->out, st->prefix_why, sizeof(st->prefix_why));
	worker_balance(st);
	if (st->spec->count) {
		counts_finish(&st->perf, &st->out->counts);
		counts_stop(&st->record);
	}
	/*
	 * Nor is what it spends after the load: tearing down its pool, reading the
	 * EOF of and closing the hook's connections (after_load), and exiting with
	 * them; charged to the load, it would grow with N alone.
	 */
	st->have_end = proctree_runtime_s(pid, &st->end_s) == 0;
	st->have_window[1] = cpu_sample(&st->window[1]) == 0;
	if (sc->after_load)
		st->verdict = sc->after_load(sc, &st->load, st->vwords, sizeof(st->vwords));
	st->out->disk_lat_us = st->load.disk_lat_us;
	st->out->hot_p99_ms = st->load.hot_p99_ms;
	st->out->disk_reads = st->load.disk_reads;
	st->out->disk_read_kb = st->load.disk_read_kb;
}

/* Did the server end on its own while under load? Else stop it; reap it and its group. */
static void stop_server(struct run_state *st)
{
	struct pollfd p = { .fd = st->server.pidfd, .events = POLLIN };

	st->died = poll(&p, 1, 0) == 1;
	if (st->died)
		child_wait(&st->server, -1, NULL, &st->wstatus, &st->sru);
	else
		child_stop(&st->server, SIGTERM, st->cfg->stop_grace_ms, 1, &st->wstatus, &st->sru,
		           &st->killed);
	st->orphans = child_sweep(st->server.pid);
	close(st->outfd);
}

/* What the run cost (the server's CPU in the load window, everyone else's) and its status. */
static void conclude(struct run_state *st)
{
	struct run_outcome *out = st->out;

	out->other_cpu_pct = other_cpu(&st->before, st->have_before, &st->sru, &st->tru);
	out->server_maxrss_kb = st->sru.ru_maxrss;
	window_cpu(out, &st->sru, st->have_start ? st->start_s : -1, st->have_end ? st->end_s : -1);
	if (st->have_window[0] && st->have_window[1] && st->window[1].busy >= st->window[0].busy)
		out->system_cpu_s =
		    (st->window[1].busy - st->window[0].busy) / (double)sysconf(_SC_CLK_TCK);
	if (st->tool_wait != TOOL_NOT_STARTED)
		judge(st->cfg, st->spec, &st->job, st->died, st->wstatus, st->tool_wait,
		      st->tstatus, st->killed, st->orphans,
		      st->prefix_why[0] ? st->prefix_why : NULL, out);
	/* The scenario's verdict names what the load tool only saw as errors (or missed). */
	if (st->verdict && (!strcmp(out->status, "ok") || !strcmp(out->status, "errors")))
		set_status(out, st->vwords, "the scenario's verdict (after_load)");
}

int run_one(const struct run_cfg *cfg, const struct run_spec *spec, struct run_outcome *out)
{
	struct run_state st;
	int r;

	memset(&st, 0, sizeof(st));
	memset(out, 0, sizeof(*out));
	counts_clear(&out->counts);
	st.cfg = cfg;
	st.spec = spec;
	st.out = out;
	out->other_cpu_pct = -1;
	out->server_start_cpu_s = out->server_exit_cpu_s = out->client_cpu_s = -1;
	out->system_cpu_s = -1;
	out->server_kmem_kb = -1;
	out->res.gen_waited = -1;
	out->calib_us = calib_us(); /* before anything of the run's is running */
	out->jain = -1;
	st.have_before = cpu_sample(&st.before) == 0;
	out->server_mem_kb = -1;
	out->disk_lat_us = out->hot_p99_ms = -1;
	out->disk_reads = out->disk_read_kb = -1;
	if (reserve_idle(&st) < 0 || prepare_start(&st) < 0)
		return 0;
	spec = st.spec;
	if ((r = server_start(cfg, spec, &st.server, &st.outfd, st.addr, &st.port, out)) == 0) {
		prepare_load(&st);
		load(&st);
		stop_server(&st);
	}
	if (spec->scenario->after_stop) /* the server gone: undo before_start (a slowfs mount) */
		spec->scenario->after_stop(spec->scenario, &st.load);
	if (r != 0 || run_stop) /* a server that did not start: its row; interrupted: -1 */
		return r > 0 ? 0 : -1;
	conclude(&st);
	return 0;
}

int run_command(char *const argv[], int limit_ms, const char *errpath)
{
	return child_run(argv, limit_ms, NULL, errpath);
}
