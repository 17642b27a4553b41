# tests/soak/soak.mk -- `make soak`: every model in $(BIN), ONE server each, under a mix of
# ordinary and hostile load for SOAK_SECONDS (default 60) per model, through tests/soak/run.sh
# (docs/soak.md). `make soak SAN=1`: the same against the ASan+UBSan build ($(SAN_BUILD), as
# test-san builds it), any sanitizer report failing the model. `make test-soak`: the short soak
# (5 s per model) that `make test` runs, so a crash under load fails CI.
# SOAK_MODELS="offload epoll" limits the run to those models.

SOAK_SECONDS ?= 60
SOAK_MODELS  ?=

.PHONY: soak soak-build test-soak soak-san-build

soak-build: $(HOSTILE) $(HTTPPROBE) models

# The sanitizer build goes to its own directory; SAN=1 on this command line must not rebuild
# $(BIN) with sanitizers, so the plain prerequisites are left out then.
soak-san-build:
	@$(MAKE) --no-print-directory SAN=1 BUILD=$(SAN_BUILD) BIN=$(SAN_BIN) soak-build

ifeq ($(SAN),1)
soak: soak-san-build
	@tests/soak/run.sh --bin $(SAN_BIN) --tool $(SAN_BUILD)/tests/hostile \
		--probe $(SAN_BUILD)/tests/httpprobe --san $(SAN_BUILD)/logs/soak \
		--seconds $(SOAK_SECONDS) $(SOAK_MODELS)
else
soak: soak-build
	@tests/soak/run.sh --bin $(BIN) --tool $(HOSTILE) --probe $(HTTPPROBE) \
		--seconds $(SOAK_SECONDS) $(SOAK_MODELS)
endif

test-soak: soak-build
	@SOAK_WARMUP=1 tests/soak/run.sh --bin $(BIN) --tool $(HOSTILE) --probe $(HTTPPROBE) \
		--seconds 5 --jobs 3 $(SOAK_MODELS)

TEST_SUITES += test-soak
