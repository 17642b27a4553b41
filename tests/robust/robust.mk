# tests/robust/robust.mk -- `make test-robust`: every model in $(BIN) against hostile clients
# (slowloris, resets, half-close, pipeline flood, bad heads), descriptor exhaustion, --max-conns
# and SIGTERM under load, through tests/robust/run.sh and the C client $(BUILD)/tests/hostile.
# ROBUST_MODELS="single epoll" limits the run to those models. In `make test` every model runs
# without its variants (ROBUST_VARIANTS=0, as test-san); the integration suite runs every variant.
# `make test-variants` runs this suite and test-san over every variant (`Variants:` line of a
# model's README, docs/design.md): about 3.5 minutes that make test leaves out to stay under 15.

HOSTILE := $(BUILD)/tests/hostile
ROBUST_MODELS ?=
ROBUST_VARIANTS ?= 0
# NAME:* for every model whose README has a Variants line.
VARIANT_SPECS = $(foreach m,$(MODEL_DIRS),$(if $(shell grep -s -m1 '^Variants:' models/$(m)/README.md),$(m):*))

$(HOSTILE): tests/robust/hostile.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

.PHONY: robust-build test-robust test-variants
robust-build: $(HOSTILE) models

test-robust: robust-build
	@VARIANTS=$(ROBUST_VARIANTS) tests/robust/run.sh --bin $(BIN) --tool $(HOSTILE) $(ROBUST_MODELS)

test-variants:
	@$(MAKE) --no-print-directory test-robust ROBUST_MODELS="$(VARIANT_SPECS)"
	@$(MAKE) --no-print-directory test-san SAN_MODELS="$(VARIANT_SPECS)"

TEST_SUITES += test-robust
