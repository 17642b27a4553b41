/* opts.h -- the command line every model shares. */
#ifndef OPTS_H
#define OPTS_H

/*
 * The default pool of blocking workers (processes or threads): Apache
 * prefork's MaxRequestWorkers. A pool sized to the CPUs (1 when pinned) is
 * a strawman: with fewer workers than persistent clients, the rest wait.
 */
#define OPTS_POOL 256

struct opts {
	const char *host; /* --host, default 127.0.0.1 */
	int port;         /* --port, default 8080; 0: the kernel chooses */
	int workers;      /* --workers, default OPTS_POOL (server_init: SERVER_WORKERS_CPUS) */
	int workers_set;  /* 1 when --workers was given */
	int timeout;      /* --timeout seconds without a complete request, default 10 */
	int max_conns;    /* --max-conns for process/thread-per-connection models, default 1024 */
	const char *docroot; /* --docroot DIR for /file/; NULL: the generated set (file.h) */
	int file_io;         /* --file-io sendfile|read: enum file_io, default sendfile */
};

/*
 * Parse argv into o. --help prints the usage, naming model and what it is
 * (summary), to stdout and exits 0; a bad argument prints it to stderr and
 * exits 2.
 */
void opts_parse(int argc, char **argv, const char *model, const char *summary, struct opts *o);

/* The CPUs in this process's affinity mask (at least 1). */
int opts_cpus(void);

#endif
