# tests/robust/robust.mk -- `make test-robust`: every model in $(BIN) against hostile clients
# (slowloris, resets, half-close, pipeline flood, bad heads), descriptor exhaustion, --max-conns
# and SIGTERM under load, through tests/robust/run.sh and the C client $(BUILD)/tests/hostile.
# ROBUST_MODELS="single epoll" limits the run to those models.

HOSTILE := $(BUILD)/tests/hostile
ROBUST_MODELS ?=

$(HOSTILE): tests/robust/hostile.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

.PHONY: robust-build test-robust
robust-build: $(HOSTILE) models

test-robust: robust-build
	@tests/robust/run.sh --bin $(BIN) --tool $(HOSTILE) $(ROBUST_MODELS)

TEST_SUITES += test-robust
