/* toolplan.c -- the load tool of every scenario and mode, and where it is on this machine. */
#include "toolplan.h"

#include "cpus.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Find tool t's executable for tc: <bin>/tools/ for one built in the tree, its bare name behind
 * a client prefix, else PATH. Exits when it is missing.
 */
static void resolve_tool(const struct tool_want *want, const struct tool *t, struct tool_choice *tc)
{
	tc->tool = t;
	if (t->in_tree) {
		snprintf(tc->path, sizeof(tc->path), "%s/tools/%s", want->bin_dir, t->exe);
		if (access(tc->path, X_OK) < 0) {
			fprintf(stderr, "harness: %s is not built (make)\n", tc->path);
			exit(1);
		}
	} else if (want->client_prefix) {
		/* the tool runs behind the prefix, on its own host: its PATH finds it there */
		snprintf(tc->path, sizeof(tc->path), "%s", t->exe);
	} else if (util_which(t->exe, tc->path, sizeof(tc->path)) < 0) {
		fprintf(stderr, "harness: %s not found in PATH (Debian: scripts/install-deps.sh)\n",
		        t->exe);
		exit(1);
	}
}

int toolplan_setup(const struct plan *p, const struct tool_want *want, struct tool_plan *tp)
{
	const struct tool *chosen = tool_find(want->tool);
	static struct plan_cell cells[PLAN_MAX_CELLS];
	int n = plan_cells(p, cells), i;
	char open_names[128];

	if (!chosen)
		return -1;
	memset(tp, 0, sizeof(*tp));
	for (i = 0; i < n; i++) {
		const struct scenario *sc = p->scenarios[cells[i].scenario];
		struct tool_choice *tc = &tp->of[cells[i].scenario][cells[i].mode];
		int mode = cells[i].mode == PLAN_CLOSE ? TOOL_CLOSE : TOOL_KEEPALIVE;
		const struct tool *t = sc->tool ? tool_find(sc->tool)
		                       : mode == TOOL_CLOSE && want->close_tool
		                           ? tool_find(want->close_tool)
		                           : tool_for_mode(chosen, mode);

		if (tc->tool)
			continue;
		if (!t || !(t->modes & mode) || (sc->script && !t->scripts)) {
			fprintf(stderr,
			        "harness: scenario %s needs the tool %s, which cannot run it "
			        "in %s mode\n",
			        sc->name, sc->tool ? sc->tool : want->tool,
			        plan_mode_name(cells[i].mode));
			exit(2);
		}
		if (t->open_loop != scenario_is_open(sc)) {
			fprintf(stderr,
			        "harness: scenario %s is %s-loop, and the tool %s is not: an "
			        "open-loop tool runs only the scenarios that offer a rate "
			        "(%s)\n",
			        sc->name, scenario_is_open(sc) ? "open" : "closed", t->name,
			        scenario_kind_names(SCENARIO_OPEN_LOOP, open_names,
			                            sizeof(open_names)));
			exit(2);
		}
		resolve_tool(want, t, tc);
		/* An open-loop scenario's capacity is measured in keep-alive, closed loop. */
		if (scenario_is_open(sc) && !tp->closed.tool)
			resolve_tool(
			    want, tool_for_mode(chosen->open_loop ? NULL : chosen, TOOL_KEEPALIVE),
			    &tp->closed);
	}
	return 0;
}

void toolplan_words(const struct tool_plan *tp, char *buf, size_t len)
{
	const struct tool *seen[SCENARIO_MAX * PLAN_NMODES];
	int i, j, k = 0;
	size_t o = 0;

	buf[0] = '\0';
	for (i = 0; i < SCENARIO_MAX * PLAN_NMODES; i++) {
		const struct tool *t = tp->of[i / PLAN_NMODES][i % PLAN_NMODES].tool;

		for (j = 0; t && j < k && seen[j] != t; j++)
			;
		if (!t || j < k || o >= len)
			continue;
		seen[k++] = t;
		o += snprintf(buf + o, len - o, "%s%s", o ? " and " : "", t->name);
	}
}

void toolplan_ab_warning(const struct plan *p, const struct run_cfg *cfg,
                         const struct tool_plan *tp, char *buf, size_t len)
{
	int i, m, cpus = cfg->client_threads;
	char list[256];

	buf[0] = '\0';
	for (i = 0; cpus > 1 && i < p->nscenarios; i++)
		for (m = 0; m < PLAN_NMODES; m++) {
			const struct tool *t = tp->of[i][m].tool;

			if (!t || t->threaded)
				continue;
			snprintf(
			    buf, len,
			    "warning: %s is single-threaded: it uses 1 of the %d client CPUs (%s) "
			    "in %s %s; TOOL=wrk uses all of them, in both modes (close mode with "
			    "wrk sends Connection: close, and wrk connects again after each reply)",
			    t->name, cpus,
			    cfg->pin.enabled ? cpus_format(&cfg->pin.tool, list, sizeof(list))
			                     : "--client-threads",
			    p->scenarios[i]->name, plan_mode_name(m));
			return;
		}
}
