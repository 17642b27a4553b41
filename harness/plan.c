/* plan.c -- build the run list: what the harness measures and in which order. */
#include "plan.h"
#include "mixlaw.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PLAN_WARMUP_S 1 /* a warm-up run is also count-bounded; see main.c */

static const char *const mode_names[PLAN_NMODES] = { "close", "keepalive" };

const char *plan_mode_name(int mode)
{
	return mode >= 0 && mode < PLAN_NMODES ? mode_names[mode] : "?";
}

int plan_mode_parse(const char *name)
{
	if (strcmp(name, "close") == 0)
		return PLAN_CLOSE;
	if (strcmp(name, "keepalive") == 0 || strcmp(name, "ka") == 0 || strcmp(name, "k") == 0)
		return PLAN_KEEPALIVE;
	return -1;
}

void plan_defaults(struct plan *p)
{
	memset(p, 0, sizeof(*p));
	p->nscenarios = scenario_defaults(p->scenarios, SCENARIO_MAX);
	p->warmup = 1;
	p->order_seed = PLAN_ORDER_SEED;
}

int plan_parse_scenarios(struct plan *p, const char *list, char *err, size_t errlen)
{
	int n = scenario_parse_list(list, p->scenarios, SCENARIO_MAX, err, errlen);

	if (n < 0)
		return -1;
	p->nscenarios = n;
	return 0;
}

/* The next word of a blank/comma separated list into w; returns the rest, or NULL at the end. */
static const char *next_word(const char *s, char *w, size_t wlen)
{
	size_t n = 0;

	while (*s == ' ' || *s == ',' || *s == '\t')
		s++;
	if (!*s)
		return NULL;
	while (*s && *s != ' ' && *s != ',' && *s != '\t') {
		if (n + 1 < wlen)
			w[n++] = *s;
		s++;
	}
	w[n] = '\0';
	return s;
}

int plan_parse_levels(const char *s, int *v, int max)
{
	char w[32];
	int n = 0;

	while ((s = next_word(s, w, sizeof(w)))) {
		char *end;
		long l = strtol(w, &end, 10);

		if (*end || end == w || l < 0 || l > 100000 || n == max)
			return -1;
		v[n++] = (int)l;
	}
	return n;
}

int plan_parse_modes(struct plan *p, const char *s)
{
	char w[32];
	int n = 0, m, i;

	while ((s = next_word(s, w, sizeof(w)))) {
		if ((m = plan_mode_parse(w)) < 0)
			return -1;
		for (i = 0; i < n; i++)
			if (p->modes[i] == m)
				break;
		if (i == n)
			p->modes[n++] = m;
	}
	if (n == 0)
		return -1;
	p->nmodes = n;
	return 0;
}

int plan_is_reference(const char *name)
{
	return strncmp(name, PLAN_REF_PREFIX, strlen(PLAN_REF_PREFIX)) == 0;
}

int plan_drop_references(struct plan *p)
{
	int i, kept = 0, gone;

	for (i = 0; i < p->nmodels; i++)
		if (!plan_is_reference(p->models[i].name))
			p->models[kept++] = p->models[i];
	gone = p->nmodels - kept;
	p->nmodels = kept;
	return gone;
}

/* Scenario i's cells of the plan appended to out at n; returns the new count. */
static int scenario_cells(const struct plan *p, int i, struct plan_cell *out, int n)
{
	const struct scenario *s = p->scenarios[i];
	int modes[PLAN_NMODES], levels[PLAN_MAX_LEVELS], nm = p->nmodes, nl = p->nlevels, m, l;
	struct plan scratch;
	int reps = p->reps ? p->reps : p->quick ? 1 : s->reps ? s->reps : PLAN_REPS;
	int dur = p->duration_s   ? p->duration_s
	          : p->quick      ? 1
	          : s->duration_s ? s->duration_s
	                          : PLAN_DURATION_S;

	memcpy(modes, p->modes, sizeof(modes));
	memcpy(levels, p->levels, sizeof(levels));
	if (!nm && plan_parse_modes(&scratch, s->modes) == 0) {
		nm = scratch.nmodes;
		memcpy(modes, scratch.modes, sizeof(modes));
	}
	if (!nl)
		nl = plan_parse_levels(p->quick ? s->quick_levels : s->levels, levels,
		                       PLAN_MAX_LEVELS);
	for (m = 0; m < nm; m++)
		for (l = 0; l < nl && n < PLAN_MAX_CELLS; l++)
			if (levels[l] > 0 || scenario_is_idle(s)) /* idle's N = 0 is its baseline */
				out[n++] = (struct plan_cell){ .scenario = i,
					                       .mode = modes[m],
					                       .level = levels[l],
					                       .reps = reps,
					                       .duration_s = dur };
	return n;
}

int plan_cells(const struct plan *p, struct plan_cell *out)
{
	int n = 0, i;

	if (p->ncells > 0) {
		memcpy(out, p->cells, p->ncells * sizeof(*out));
		return p->ncells;
	}
	for (i = 0; i < p->nscenarios; i++)
		n = scenario_cells(p, i, out, n);
	return n;
}

int plan_has_mode(const struct plan *p, int mode)
{
	struct plan_cell cells[PLAN_MAX_CELLS];
	int n = plan_cells(p, cells), i;

	for (i = 0; i < n; i++)
		if (cells[i].mode == mode)
			return 1;
	return 0;
}

int plan_add_model(struct plan *p, const char *name, const char *path)
{
	int i;

	if (p->nmodels == PLAN_MAX_MODELS || strlen(name) >= PLAN_NAME_MAX || !*name ||
	    strlen(path) >= PATH_MAX)
		return -1;
	for (i = 0; i < p->nmodels; i++)
		if (strcmp(p->models[i].name, name) == 0)
			return -1;
	strcpy(p->models[p->nmodels].name, name);
	strcpy(p->models[p->nmodels].base, name);
	strcpy(p->models[p->nmodels].path, path);
	p->models[p->nmodels].flags[0] = '\0';
	p->nmodels++;
	return 0;
}

int plan_add_variant(struct plan *p, const char *base, const char *variant, const char *flags)
{
	char name[PLAN_NAME_MAX];
	int i, b = -1;

	if (snprintf(name, sizeof(name), "%s:%s", base, variant) >= (int)sizeof(name) ||
	    strlen(flags) >= PLAN_FLAGS_MAX)
		return -1;
	for (i = 0; i < p->nmodels; i++) {
		if (!strcmp(p->models[i].name, name))
			return 0;
		if (!strcmp(p->models[i].name, base))
			b = i;
	}
	if (b < 0 || plan_add_model(p, name, p->models[b].path) < 0)
		return -1;
	strcpy(p->models[p->nmodels - 1].base, base);
	strcpy(p->models[p->nmodels - 1].flags, flags);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int plan_discover(struct plan *p, const char *dir)
{
	char *names[PLAN_MAX_MODELS], path[PATH_MAX];
	struct dirent *e;
	struct stat st;
	int n = 0, added = 0, i;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((e = readdir(d)) && n < PLAN_MAX_MODELS) {
		if (e->d_name[0] == '.' || strcmp(e->d_name, "harness") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, e->d_name) >= (int)sizeof(path))
			continue;
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || access(path, X_OK) < 0)
			continue;
		if (!(names[n] = strdup(e->d_name)))
			break;
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp_name);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (plan_add_model(p, names[i], path) == 0)
			added++;
		free(names[i]);
	}
	return added;
}

int plan_select(struct plan *p, const char *list, char *err, size_t errlen)
{
	struct plan_model *kept = malloc(sizeof(p->models));
	char w[PLAN_NAME_MAX];
	int n = 0, i;

	if (!kept) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	while ((list = next_word(list, w, sizeof(w)))) {
		for (i = 0; i < p->nmodels; i++)
			if (strcmp(p->models[i].name, w) == 0)
				break;
		if (i == p->nmodels) {
			snprintf(err, errlen, "%s", w);
			free(kept);
			return -1;
		}
		kept[n++] = p->models[i];
	}
	memcpy(p->models, kept, n * sizeof(kept[0]));
	p->nmodels = n;
	free(kept);
	return 0;
}

/* The measured runs of the plan and, in *seconds, their run time with overhead_s each. */
static int plan_sum(const struct plan *p, double overhead_s, double *seconds)
{
	static struct plan_cell cells[PLAN_MAX_CELLS];
	int ncells = plan_cells(p, cells), runs = 0, c;

	*seconds = 0;
	for (c = 0; c < ncells; c++) {
		runs += cells[c].reps * p->nmodels;
		*seconds += cells[c].reps * p->nmodels * (cells[c].duration_s + overhead_s);
	}
	return runs;
}

int plan_count(const struct plan *p)
{
	double s;

	return plan_sum(p, 0, &s);
}

/* The measured run of model m in cell c at repetition r. */
static struct plan_run cell_run(const struct plan_cell *c, int m, int r)
{
	return (struct plan_run){ .model = m,
		                  .scenario = c->scenario,
		                  .mode = c->mode,
		                  .level = c->level,
		                  .duration_s = c->duration_s,
		                  .rep = r,
		                  .reps = c->reps };
}

/* splitmix64: a well-mixed 64-bit value from x (the order's random numbers). */
static unsigned long long mix64(unsigned long long x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void plan_model_order(const struct plan *p, int cell, int rep, int *order)
{
	unsigned long long state = mix64(((unsigned long long)p->order_seed << 40) ^
	                                 ((unsigned long long)cell << 20) ^ (unsigned)rep);
	int i;

	for (i = 0; i < p->nmodels; i++)
		order[i] = i;
	if (!p->order_seed)
		return;
	for (i = p->nmodels - 1; i > 0; i--) { /* Fisher-Yates */
		int j = (int)((state = mix64(state)) % (unsigned long long)(i + 1)), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
}

/* 1 if cell c's scenario pairs its levels (scenario.h), else 0. */
static int paired(const struct plan *p, const struct plan_cell *c)
{
	return c->scenario >= 0 && c->scenario < p->nscenarios && p->scenarios[c->scenario]->paired;
}

/* The end of the group of cells[start..n) that share start's scenario and mode. */
static int group_end(const struct plan_cell *cells, int n, int start)
{
	int e = start + 1;

	while (e < n && cells[e].scenario == cells[start].scenario &&
	       cells[e].mode == cells[start].mode)
		e++;
	return e;
}

/*
 * Repetition r of a paired scenario's group cells[start..end) (scenario.h):
 * model by model, each model's levels back to back, reversed on even r.
 * Appended to out at n; returns the new count.
 */
static int paired_runs(const struct plan *p, const struct plan_cell *cells, int start, int end,
                       int r, struct plan_run *out, int n)
{
	int i, k, order[PLAN_MAX_MODELS];

	plan_model_order(p, start, r, order);
	for (i = 0; i < p->nmodels; i++)
		for (k = 0; k < end - start; k++)
			out[n++] = cell_run(&cells[r % 2 ? start + k : end - 1 - k], order[i], r);
	return n;
}

int plan_runs(const struct plan *p, struct plan_run *out, int max)
{
	static struct plan_cell cells[PLAN_MAX_CELLS];
	int ncells = plan_cells(p, cells), n = 0, r, c, e, i, reps = 0, order[PLAN_MAX_MODELS];

	if (plan_count(p) + (p->warmup ? p->nmodels : 0) > max)
		return -1;
	for (i = 0; p->warmup && ncells && i < p->nmodels; i++) {
		out[n] = cell_run(&cells[0], i, 0);
		out[n].duration_s = PLAN_WARMUP_S;
		out[n++].reps = 0;
	}
	for (c = 0; c < ncells; c++)
		reps = cells[c].reps > reps ? cells[c].reps : reps;
	for (r = 1; r <= reps; r++)
		for (c = 0; c < ncells; c = e) {
			e = paired(p, &cells[c]) ? group_end(cells, ncells, c) : c + 1;
			if (r > cells[c].reps)
				continue;
			if (paired(p, &cells[c]))
				n = paired_runs(p, cells, c, e, r, out, n);
			else {
				plan_model_order(p, c, r, order);
				for (i = 0; i < p->nmodels; i++)
					out[n++] = cell_run(&cells[c], order[i], r);
			}
		}
	return n;
}

/* How many capacity runs an open-loop scenario makes per model: one per class of a mix. */
static int capacity_runs(const struct scenario *s)
{
	char paths[MIXLAW_MAX_CLASSES][MIXLAW_PATH];
	double shares[MIXLAW_MAX_CLASSES];
	int n = s->mix ? mixlaw_parse(s->mix, paths, shares, MIXLAW_MAX_CLASSES) : 1;

	return n > 0 ? n : 1;
}

/*
 * The capacity runs of the open-loop scenarios (scenario.h, scenario_is_open):
 * per model and scenario one (a mix: one per class and mode), as long as the
 * scenario's runs, made before its first measured run and not among plan_count's.
 */
static double capacity_s(const struct plan *p, double overhead_s)
{
	static struct plan_cell cells[PLAN_MAX_CELLS];
	int ncells = plan_cells(p, cells), seen[SCENARIO_MAX] = { 0 }, c;
	double s = 0;

	for (c = 0; c < ncells; c++) {
		const struct scenario *sc = p->scenarios[cells[c].scenario];
		int bit = 1 << (sc->mix ? cells[c].mode : 0);

		if (!scenario_is_open(sc) || (seen[cells[c].scenario] & bit))
			continue;
		seen[cells[c].scenario] |= bit;
		s += p->nmodels * capacity_runs(sc) * (cells[c].duration_s + overhead_s);
	}
	return s;
}

double plan_estimate_s(const struct plan *p, double overhead_s)
{
	double warm = p->warmup ? p->nmodels * (PLAN_WARMUP_S / 2.0 + overhead_s) : 0, s;

	plan_sum(p, overhead_s, &s);
	return s + warm + capacity_s(p, overhead_s);
}

/* The cells of one scenario (cells[0..n) all of it) in one line: modes, levels, repetitions. */
static void print_scenario(const struct plan *p, const struct plan_cell *cells, int n, FILE *f)
{
	const struct scenario *s = p->scenarios[cells[0].scenario];
	int i, j, seen;

	fprintf(f, "plan: scenario %s (%s%s%s):", s->name, s->target, s->mix ? " mix " : "",
	        s->mix ? s->mix : "");
	if (p->ncells > 0) { /* explicit cells (--compare): each mode with its own level */
		for (i = 0; i < n; i++)
			fprintf(f, "%s %s c=%d", i ? "," : " cells", plan_mode_name(cells[i].mode),
			        cells[i].level);
	} else {
		for (i = 0; i < n; i++) {
			for (j = seen = 0; j < i; j++)
				seen |= cells[j].mode == cells[i].mode;
			if (!seen)
				fprintf(f, " %s", plan_mode_name(cells[i].mode));
		}
		if (scenario_is_idle(s))
			fprintf(f, "; concurrency %d beside idle connections:", s->idle_load_c);
		else if (scenario_is_open(s) && s->churn_pct > 0)
			fprintf(f,
			        "; at %d %% of capacity, requests per connection:", s->churn_pct);
		else if (scenario_is_open(s))
			fprintf(f, "; %% of capacity:");
		else
			fprintf(f, "; concurrency:");
		for (i = 0; i < n; i++) {
			for (j = seen = 0; j < i; j++)
				seen |= cells[j].level == cells[i].level;
			if (!seen)
				fprintf(f, " %d", cells[i].level);
		}
	}
	fprintf(f, "; %d repetition%s of %d s", cells[0].reps, cells[0].reps == 1 ? "" : "s",
	        cells[0].duration_s);
	if (s->workers > 0) /* the scenario's own pool, over the plan's workers */
		fprintf(f, "; every model --workers %d", s->workers);
	fprintf(f, "\n");
	if (paired(p, &cells[0]))
		fprintf(f,
		        "plan: scenario %s is paired: per repetition each model runs its levels "
		        "back to back, in reverse order on even repetitions (ABBA)\n",
		        s->name);
}

void plan_print(const struct plan *p, FILE *f)
{
	static struct plan_cell cells[PLAN_MAX_CELLS];
	int n = plan_cells(p, cells), i, start;

	fprintf(f, "plan: %d models:", p->nmodels);
	for (i = 0; i < p->nmodels; i++)
		fprintf(f, " %s", p->models[i].name);
	fprintf(f, "\n");
	for (start = 0; start < n; start = i) {
		for (i = start + 1; i < n && cells[i].scenario == cells[start].scenario; i++)
			;
		print_scenario(p, cells + start, i - start, f);
	}
	if (p->order_seed)
		fprintf(f, "plan: models in a new order in every cell and repetition (seed %u)\n",
		        p->order_seed);
	else
		fprintf(f, "plan: models in the listed order in every cell and repetition\n");
	fprintf(f, "plan: warm-up %s", p->warmup ? "1 run per model (discarded)" : "off");
	if (p->workers > 0)
		fprintf(f, "; --workers %d\n", p->workers);
	else
		fprintf(f, "; workers: each model's default\n");
}
