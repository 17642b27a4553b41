/* toolplan.h -- which load tool drives each scenario and mode, found on this machine. */
#ifndef TOOLPLAN_H
#define TOOLPLAN_H

#include "plan.h"
#include "run.h"
#include "scenario.h"
#include "tool.h"

#include <limits.h>
#include <stddef.h>

/* The load tool of one scenario in one mode, resolved in PATH. */
struct tool_choice {
	const struct tool *tool;
	char path[PATH_MAX];
};

/* Every scenario's tool per mode; the closed-loop tool that measures open-loop capacities. */
struct tool_plan {
	struct tool_choice of[SCENARIO_MAX][PLAN_NMODES];
	struct tool_choice closed;
};

/* Where the tools are looked for, and which the command line chose. */
struct tool_want {
	const char *tool;          /* --tool */
	const char *close_tool;    /* close mode's own tool (--compare: ab), or NULL */
	const char *bin_dir;       /* an in-tree tool is <bin_dir>/tools/<exe> */
	const char *client_prefix; /* behind a prefix, the far side's PATH finds the tool */
};

/*
 * The tool of each scenario and mode of p into tp: the scenario's own when it
 * names one, else want->close_tool in close mode, else want->tool where it can
 * measure the mode, else the table's tool that can (tool_for_mode: close mode
 * is never measured by a keep-alive-only tool); an open-loop scenario also
 * gets the closed-loop tool that measures its capacity (tp->closed). 0, or -1
 * when want->tool is no tool. Exits (setup) on a tool that cannot measure a
 * planned mode or scenario, or one PATH lacks (behind a prefix the far side's
 * PATH is not checked: a missing tool is a run's tool_error).
 */
int toolplan_setup(const struct plan *p, const struct tool_want *want, struct tool_plan *tp);

/* The distinct tools of tp, " and " separated, into buf (for the pinning line). */
void toolplan_words(const struct tool_plan *tp, char *buf, size_t len);

/*
 * A single-threaded tool (ab) where the client side has more CPUs: the
 * warning (for the terminal and the report) into buf, naming the first
 * scenario and mode it drives; "" otherwise.
 */
void toolplan_ab_warning(const struct plan *p, const struct run_cfg *cfg,
                         const struct tool_plan *tp, char *buf, size_t len);

#endif
