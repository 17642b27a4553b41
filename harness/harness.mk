# harness/harness.mk -- the benchmark: `make bench-all`, `make bench-quick`,
# `make plots RUN=<run-id>`. Variables choose the plan (bin/harness --help has the same):
#   MODELS="epoll thread"  MODES="close keepalive"  LEVELS="1 8 32"  REPS=3  DURATION=2  PIN=0
# RESULTS= and PLOTS= move the output directories (default results/ and plots/).

RESULTS ?= results
PLOTS   ?= plots

# The top Makefile's MODELS lists the model sources; only a MODELS the user gave selects.
HARNESS_PLAN = $(if $(filter command environment,$(firstword $(origin MODELS))),--models "$(MODELS)") \
	$(if $(MODES),--modes "$(MODES)") $(if $(LEVELS),--levels "$(LEVELS)") \
	$(if $(REPS),--reps $(REPS)) $(if $(DURATION),--duration $(DURATION)) \
	$(if $(PIN),--pin $(PIN)) $(if $(TOOL),--tool $(TOOL))
HARNESS_ARGS = --bin $(BIN) --results $(RESULTS) --plots $(PLOTS) --scripts plots \
	--compiler "$(shell $(CC) --version 2>/dev/null | head -1); flags: $(ALL_CFLAGS) $(ALL_LDFLAGS)"

# The default plan: every model, both modes, 1 8 32 128 512, 3 reps of 2 s (<= 15 min).
bench-all: deps all
	$(BIN)/harness $(HARNESS_ARGS) $(HARNESS_PLAN)

# Every model, both modes, 2 levels, 1 rep of 1 s: a smoke run of about a minute.
bench-quick: deps all
	$(BIN)/harness $(HARNESS_ARGS) --quick $(HARNESS_PLAN)

# Redraw summary.csv, report.md and the charts of an existing run; runs nothing.
plots: $(BIN)/harness
	@test -n "$(RUN)" || { echo "usage: make plots RUN=<run-id> (runs: ls $(RESULTS))" >&2; exit 2; }
	$(BIN)/harness --replot $(RUN) --results $(RESULTS) --plots $(PLOTS) --scripts plots
