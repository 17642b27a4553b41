/* verify.c -- decide whether a run measured a correct server. */
#include "verify.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

const char *verify_result(const struct tool_result *r, long body_bytes, long inflight,
                          int admission, char *why, size_t whylen)
{
	/* refused by design: counted apart, neither an error nor a body */
	long refused = admission && r->rejected > 0 ? r->rejected : 0;
	long answers = r->requests - refused;

	snprintf(why, whylen, "%s", "");
	if (r->requests <= 0)
		snprintf(why, whylen, "no request completed");
	else if (r->failed > 0)
		snprintf(why, whylen, "%ld failed requests", r->failed);
	else if (r->non_2xx > refused && r->rejected > 0 && !admission)
		snprintf(why, whylen, "%ld 503 answers from a model without admission=yes",
		         r->rejected);
	else if (r->non_2xx > refused)
		snprintf(why, whylen, "%ld non-2xx answers", r->non_2xx - refused);
	else if (body_bytes == VERIFY_BODY_VARIES && r->body_bytes < 0)
		snprintf(why, whylen, "replies of varying length, and no script checked them");
	else if (body_bytes == VERIFY_BODY_VARIES)
		; /* each reply's length was checked by the tool's script */
	else if (r->body_bytes < 0 && r->bytes_read < body_bytes * answers)
		snprintf(why, whylen, "%ld bytes read for %ld answers of %ld-byte bodies",
		         r->bytes_read, answers, body_bytes);
	else if (r->body_bytes >= 0 && (r->body_bytes < body_bytes * answers ||
	                                r->body_bytes > body_bytes * (answers + inflight)))
		snprintf(why, whylen, "body bytes %ld != %ld x %ld requests", r->body_bytes,
		         body_bytes, answers);
	return why[0] ? "errors" : "ok";
}

char *verify_exit_words(int wstatus, char *buf, size_t buflen)
{
	if (WIFEXITED(wstatus))
		snprintf(buf, buflen, "exit %d", WEXITSTATUS(wstatus));
	else if (WIFSIGNALED(wstatus))
		snprintf(buf, buflen, "signal SIG%s",
		         sigabbrev_np(WTERMSIG(wstatus)) ? sigabbrev_np(WTERMSIG(wstatus)) : "?");
	else
		snprintf(buf, buflen, "status %#x", wstatus);
	return buf;
}
