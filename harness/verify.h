/* verify.h -- pure verdicts on a run: did the server answer every request correctly? */
#ifndef VERIFY_H
#define VERIFY_H

#include "tool.h"

#include <stddef.h>

/*
 * The verdict on a finished tool run: "ok", or "errors" when any request
 * failed, any answer was not 2xx, nothing completed, or the body bytes
 * received are not body_bytes x requests (a malformed answer that the tool
 * counted as complete). The one exception is a 503 from a model designed to
 * refuse (admission 1: its Facts say admission=yes) counted apart by the tool
 * (r->rejected): a measured rejection, so the run stays ok and the bodies are
 * those of the requests less the rejected ones; a 503 from any other model,
 * or one the tool cannot tell apart, is an error. A time-bounded ab run stops with up to one answer
 * per connection read but not counted as complete, so up to inflight extra
 * bodies are accepted; fewer bytes never are. A tool that cannot count body
 * bytes (r->body_bytes < 0: wrk) is held to the weaker bound of at least
 * body_bytes x requests bytes read in all. With body_bytes VERIFY_BODY_VARIES
 * (replies of many lengths, /file/) the tool's script checked each reply: its
 * body bytes must then be known (r->body_bytes >= 0), else it did not run. why names the first
 * problem found
 * ("" when ok).
 */
#define VERIFY_BODY_VARIES (-1L) /* body_bytes: each reply's length is the script's to check */

const char *verify_result(const struct tool_result *r, long body_bytes, long inflight,
                          int admission, char *why, size_t whylen);

/*
 * Describe a wait status in words ("exit 1", "signal SIGSEGV") into buf;
 * returns buf.
 */
char *verify_exit_words(int wstatus, char *buf, size_t buflen);

#endif
