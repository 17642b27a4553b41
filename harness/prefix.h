/* prefix.h -- the load tool under a command prefix (CLIENT_PREFIX: `ssh loadgen`, `ip netns exec
 * ns`). */
#ifndef PREFIX_H
#define PREFIX_H

#include <stddef.h>

#define PREFIX_MAX_WORDS 32

/*
 * Why a shell script on stdin: a prefix such as `ip netns exec ns` execs its
 * arguments as they are, while `ssh host` joins them with blanks for the far
 * side's shell to split again. Both hand their stdin on unchanged, so the
 * harness runs `PREFIX sh -s` and writes the command, every word quoted, to
 * its stdin: the same bytes mean the same command behind any prefix. The
 * script also measures the tool where it runs (the shell's `times` for its
 * children, `date` around it), so its CPU share is known even on another
 * machine, and it marks that it started, so a prefix that failed is told
 * from a tool that failed.
 */

/*
 * Split the prefix text on blanks into words (pointers into buf, which
 * receives a copy of text): the number of words, or -1 when text has none,
 * more than max, or does not fit buf. No quoting: a word holds no blank.
 */
int prefix_split(const char *text, char *buf, size_t buflen, char **words, int max);

/*
 * The script (see above) that runs argv (NULL-terminated; argv[0] is looked
 * up in the far side's PATH) with stdin from /dev/null and exits with its
 * status, into buf: its length, or -1 when buf is too small.
 */
int prefix_script(char *const argv[], char *buf, size_t buflen);

/*
 * Read and strip what the script added to the tool's stderr text err
 * (modified in place: only the tool's own lines stay). 0 with *cpu_s (the
 * tool's user + system seconds) and *wall_s (its wall seconds) set, each -1
 * where the far side could not tell; -1 when the script never started, so
 * the prefix itself failed (err is then left as the prefix wrote it).
 */
int prefix_account(char *err, double *cpu_s, double *wall_s);

/*
 * The tool's argv behind the prefix client_prefix: full becomes the prefix's words and
 * `sh -s` (its strings in words, room for wlen), and the script that runs argv
 * (prefix_script) goes to its stdin: *stdin_fd (closed) becomes the read end of a pipe that
 * holds it. 0, or -1 when they do not fit or the pipe fails.
 */
int prefix_command(const char *client_prefix, char *const argv[], char **full, char *words,
                   size_t wlen, int *stdin_fd);

#endif
