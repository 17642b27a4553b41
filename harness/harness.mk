# harness/harness.mk -- the benchmark: `make bench-all`, `make bench-quick`,
# `make bench-compare`, `make bench-ladder`, `make plots RUN=<run-id>`. Variables choose the
# plan (bin/harness --help has the same):
#   SCENARIOS="hello sleep" (default: hello sleep cpu bytes; pipeline, idle, overload, mixed,
#   churn and files are opt-in; all: every one; the table is harness/scenario.c's; each brings its own
#   modes, levels and repetitions, which the variables below replace).
#   SCENARIOS=mixed (opt-in, issue 23): 99.5 % /cpu/10 and 0.5 % /cpu/10000 offered open-loop at
#   20, 50 and 80 % of the mix's capacity, keep-alive and close; the laws beside (docs/mixed.md)
#   SCENARIOS=churn (opt-in, issue 23): hello at 25 % of capacity, the server closing each
#   connection after 1, 10 or 100 requests: who takes new connections (the balance table)
#   SCENARIOS=idle (opt-in, issue 10: C10K): holds 0, 1000 and 10000 idle connections beside
#   wrk -c32
#   SCENARIOS=files (opt-in, issue 24: its four rows files-sendfile, files-read, files-hot,
#   files-cold): static files from the set bin/tools/fileset writes once in ~/.cache (FILES_MIB=,
#   default 2048), warm with sendfile and with read, then hot-file p99 warm and cold
#   (docs/files.md; files.md beside the report); FILES_DELAY_MS=D serves the set through
#   bin/tools/slowfs, a FUSE mount whose every page-cache miss waits D ms (a slow disk)
#   SCENARIOS=overload (opt-in, issue 13): each model's capacity measured closed-loop, then
#   offered open-loop at 10..150 % of it with bin/tools/loadgen (loadgen/README.md)
#   MODELS="epoll thread"  MODES="close keepalive"  LEVELS="1 8 32"  REPS=3  DURATION=2  PIN=0
#   TOOL=wrk (wrk in both modes, a thread per client CPU; close mode sends Connection: close)
#   REFS=1 (reference servers such as ref-nginx join; by default only when named in MODELS)
#   WORKERS=N (every model gets --workers N: pooled models size their pool with it, the others
#   ignore it; by default it is not passed and each model keeps its own default, its Facts
#   line's workers=: 256 for blocking pools, the CPUs for event-loop pools)
#   COUNT=0 (no counting pass; by default each cell gets one extra run with perf stat attached,
#   never a timed one, for the syscalls, context switches, migrations and instructions per
#   request in results.csv and the per-syscall breakdown in counts.csv: docs/performance.md;
#   bench-quick and bench-compare, whose time is budgeted, count only with COUNT=1)
#   CLIENT_CPUS=0-3 SERVER_CPUS=4-7 (cpulists; default: the affinity mask split, see --help)
#   CLIENT_THREADS=N (wrk -t; default the client CPUs)
#   CLIENT_PREFIX='ssh loadgen' or 'ip netns exec smbench-client' (the load tool runs behind it)
#   HOST=ADDR (the models listen there; neither loopback nor 198.18.0.0/15 needs ALLOW_REMOTE=1)
#   `eval "$(scripts/netns.sh up)"` sets HOST and CLIENT_PREFIX for a network namespace.
# RESULTS= and PLOTS= move the output directories (default results/ and plots/).

RESULTS ?= results
PLOTS   ?= plots

# Where the load comes from (placement and the tool's host), for every target below.
HARNESS_PLACE = $(if $(CLIENT_CPUS),--client-cpus "$(CLIENT_CPUS)") \
	$(if $(SERVER_CPUS),--server-cpus "$(SERVER_CPUS)") \
	$(if $(CLIENT_THREADS),--client-threads $(CLIENT_THREADS)) \
	$(if $(CLIENT_PREFIX),--client-prefix "$(CLIENT_PREFIX)") $(if $(HOST),--host $(HOST)) \
	$(if $(filter 1,$(ALLOW_REMOTE)),--allow-remote)
# MODELS= only selects (the top Makefile's own list is C_MODELS). A name that is no model
# stops make before anything is built, with the names it knows (exit 2). A variant,
# MODEL:NAME or MODEL:* (docs/design.md, the Variants line), is checked here for its MODEL
# and by the harness for its NAME.
comma := ,
KNOWN_MODELS   := $(sort $(C_MODELS) $(SCRIPT_MODELS))
UNKNOWN_MODELS := $(filter-out $(KNOWN_MODELS),$(foreach m,$(subst $(comma), ,$(MODELS)),\
	$(firstword $(subst :, ,$(m)))))
ifneq ($(UNKNOWN_MODELS),)
ifneq ($(filter bench-all bench-quick bench-compare bench-ladder,$(MAKECMDGOALS)),)
$(error unknown model '$(firstword $(UNKNOWN_MODELS))' (known: $(KNOWN_MODELS)))
endif
endif

HARNESS_PLAN = $(HARNESS_PLACE) $(if $(MODELS),--models "$(MODELS)") \
	$(if $(MODES),--modes "$(MODES)") $(if $(LEVELS),--levels "$(LEVELS)") \
	$(if $(REPS),--reps $(REPS)) $(if $(DURATION),--duration $(DURATION)) \
	$(if $(PIN),--pin $(PIN)) $(if $(TOOL),--tool $(TOOL)) $(if $(filter 1,$(REFS)),--refs) \
	$(if $(WORKERS),--workers $(WORKERS)) $(if $(SCENARIOS),--scenarios "$(SCENARIOS)") \
	$(if $(COUNT),--count $(COUNT)) $(if $(FILES_MIB),--files-mib $(FILES_MIB)) \
	$(if $(FILES_DELAY_MS),--files-delay-ms $(FILES_DELAY_MS))
HARNESS_ARGS = --bin $(BIN) --results $(RESULTS) --plots $(PLOTS) --scripts plots \
	--compiler "$(shell $(CC) --version 2>/dev/null | head -1); flags: $(ALL_CFLAGS) $(ALL_LDFLAGS)"

# The default plan: every model and default scenario; hello in both modes at 1 8 32 128 512,
# 3 reps of 2 s (today's sweep, SCENARIOS=hello alone), the others in keep-alive at fewer
# levels, 1 rep: <= 30 min on 2 cores.
bench-all: deps all
	$(BIN)/harness $(HARNESS_ARGS) $(HARNESS_PLAN)

# Why one cell costs what it does: its system calls per request by name and the top 15
# functions (perf record -g), e.g. make explain MODEL=epoll SCENARIO=hello LEVEL=32 [MODE=close].
.PHONY: explain
explain: deps all
	@scripts/explain.sh "$(MODEL)" "$(SCENARIO)" "$(LEVEL)" "$(MODE)" $(BIN)

# Every model and default scenario at one level, 1 rep of 1 s: a smoke run of about 100 s.
bench-quick: deps all
	$(BIN)/harness $(HARNESS_ARGS) --quick $(HARNESS_PLAN)

# Our models against nginx (ref-nginx): keep-alive with wrk at c=64, close with ab at c=32,
# and the pipelined cell (the pipeline scenario: wrk sending 16 requests a write, c=64), at
# least 5 repetitions of 2 s, interleaved, the usual pinning; prints the medians, the ratios
# and the bar's verdicts (server CPU per request first, in every cell), and writes
# results/<id>/compare.md. About 10 minutes with 19 servers (--dry-run estimates it).
# MODELS= narrows our models, REPS= may raise the repetitions, DURATION=, PIN= and WORKERS=
# apply.
COMPARE_REPS = $(if $(REPS),$(shell [ "$(REPS)" -ge 5 ] 2>/dev/null && echo $(REPS) || echo 5),5)
COMPARE_PLAN = $(HARNESS_PLACE) $(if $(MODELS),--models "$(MODELS)") \
	--reps $(COMPARE_REPS) $(if $(DURATION),--duration $(DURATION)) $(if $(PIN),--pin $(PIN)) \
	$(if $(WORKERS),--workers $(WORKERS))

.PHONY: bench-compare
bench-compare: deps all
	@OPTIONAL=1 scripts/install-deps.sh || echo "bench-compare: nginx is needed for the" \
		"reference: run OPTIONAL=1 scripts/install-deps.sh as root (installs nginx-light);" \
		"without it ref-nginx is skipped and nothing is compared" >&2
	@$(if $(REPS),[ "$(REPS)" -ge 5 ] 2>/dev/null || echo "bench-compare: REPS=$(REPS) raised to 5 (the bar's minimum)";)
	$(BIN)/harness $(HARNESS_ARGS) --compare $(COMPARE_PLAN)

# The io_uring ladder (issue 25, models/io_uring/README.md): epoll, ref-nginx and every
# io_uring step (MODELS="epoll ref-nginx io_uring:*", which MODELS= replaces) in the cells the
# scenario rows name for it: hello keep-alive c=1, 64, 512 (wrk) and close c=64 (ab), pipeline
# c=64, bytes c=64 and idle with 500 and 1000 idle connections (memory per idle connection), 5
# repetitions of 1 s, interleaved, with the counting pass; report.md gets the ladder's tables
# (each step against epoll: req/s and CPU per request with their spread and the verdict, system
# calls, io_uring_enter and receive SQEs per request) and plots/<id>/ladder-cpu.png. The plan
# estimates 9 minutes on 2 CPUs (--dry-run prints it); a trial of 4 models at 2 repetitions took
# 1.6 x its estimate on the loaded shared machine: 10-14 minutes. REPS=, DURATION=, PIN= and the
# placement variables apply. Any run with variants (make bench-all MODELS="epoll io_uring:*")
# gets the same tables for its own cells.
LADDER_PLAN = $(HARNESS_PLACE) $(if $(MODELS),--models "$(MODELS)") \
	$(if $(REPS),--reps $(REPS)) $(if $(DURATION),--duration $(DURATION)) \
	$(if $(PIN),--pin $(PIN)) $(if $(COUNT),--count $(COUNT))

.PHONY: bench-ladder
bench-ladder: deps all
	@OPTIONAL=1 scripts/install-deps.sh || echo "bench-ladder: nginx is needed for the" \
		"reference row: run OPTIONAL=1 scripts/install-deps.sh as root (installs" \
		"nginx-light); without it ref-nginx is skipped" >&2
	$(BIN)/harness $(HARNESS_ARGS) --ladder $(LADDER_PLAN)

# Redraw summary.csv, report.md and the charts of an existing run; runs nothing.
plots: $(BIN)/harness
	@test -n "$(RUN)" || { echo "usage: make plots RUN=<run-id> (runs: ls $(RESULTS))" >&2; exit 2; }
	$(BIN)/harness --replot $(RUN) --results $(RESULTS) --plots $(PLOTS) --scripts plots

# Two runs compared cell by cell (harness/diffruns.h): medians, the change in %, a rank-sum
# test's p over the repetitions ("~": no change shown) and the model orderings B reverses.
# A and B are run ids under $(RESULTS) (or run directories); ALPHA= sets the largest p taken
# as a change (0.05).
DIFF_RUNS := $(BIN)/tools/diff-runs
all: $(DIFF_RUNS)
$(DIFF_RUNS): $(call obj,harness/tools/diff-runs.c) $(HARNESS_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lm $(LDLIBS)

.PHONY: diff-runs
diff-runs: $(DIFF_RUNS)
	@test -n "$(A)" -a -n "$(B)" || { echo "usage: make diff-runs A=<run-id> B=<run-id> [ALPHA=0.05] (runs: ls $(RESULTS))" >&2; exit 2; }
	@$(DIFF_RUNS) --results $(RESULTS) $(if $(ALPHA),--alpha $(ALPHA)) $(A) $(B)
