# tests/san/san.mk -- `make test-san`: the shared module, every model, the harness and the
# unit tests rebuilt with SAN=1 (ASan + UBSan) into $(SAN_BUILD), then the unit tests and the
# integration runner run against that build; any sanitizer report fails the suite.
# Logs (ASan reports, each server's stderr) are kept in $(SAN_BUILD)/logs for reading after.
# SAN_MODELS="single fork" limits the integration part to those models; without it every model
# runs without its variants (SAN_VARIANTS=0; `make test-variants` sanitizes every variant).

SAN_BUILD  ?= $(BUILD)/san
SAN_BIN    ?= $(SAN_BUILD)/bin
SAN_MODELS ?= $(INTEGRATION_MODELS)
SAN_VARIANTS ?= 0
SAN_UNIT_BINS = $(patsubst tests/unit/%.c,$(SAN_BUILD)/tests/unit/%,$(wildcard tests/unit/test_*.c))
SAN_GOALS  = all unit-build $(if $(wildcard tests/integration/integration.mk),integration-build)

.PHONY: test-san san-build

san-build:
	@$(MAKE) --no-print-directory SAN=1 BUILD=$(SAN_BUILD) BIN=$(SAN_BIN) $(SAN_GOALS)

test-san: san-build
	@VARIANTS=$(SAN_VARIANTS) SAN_MODELS="$(SAN_MODELS)" tests/san/run.sh $(SAN_BUILD) $(SAN_BIN) $(SAN_UNIT_BINS)

TEST_SUITES += test-san
