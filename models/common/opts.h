/* opts.h -- the command line every model shares. */
#ifndef OPTS_H
#define OPTS_H

/*
 * The default pool of blocking workers (processes or threads): Apache
 * prefork's MaxRequestWorkers. A pool sized to the CPUs (1 when pinned) is
 * a strawman: with fewer workers than persistent clients, the rest wait.
 */
#define OPTS_POOL 256

/*
 * A model's own option, one row: --NAME VALUE, VALUE one of values[]
 * (NULL-terminated). The model sets index to its default; opts_parse sets it
 * to the value given. A value not in the list is a bad argument (exit 2).
 * Its variants (docs/design.md, "Variants") are values of such an option.
 */
struct opts_choice {
	const char *name;          /* without the dashes: "uring" */
	const char *const *values; /* "basic", "fastpoll", ..., NULL */
	int index;                 /* in: the default's index; out: the value given */
	const char *help;          /* one line for --help */
};

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

/* opts_parse, and the model's own option too (choice, filled in; NULL: none). */
void opts_parse_choice(int argc, char **argv, const char *model, const char *summary,
                       struct opts_choice *choice, struct opts *o);

/* The CPUs in this process's affinity mask (at least 1). */
int opts_cpus(void);

#endif
