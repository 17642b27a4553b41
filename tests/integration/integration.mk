# tests/integration/integration.mk -- `make test-integration`: every model in $(BIN) against
# real clients (curl, ab) and the raw-socket probe, through tests/integration/run.sh.
# INTEGRATION_MODELS="single fork" limits the run to those models.

HTTPPROBE := $(BUILD)/tests/httpprobe
INTEGRATION_MODELS ?=

$(HTTPPROBE): tests/integration/httpprobe.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $<

.PHONY: integration-build
integration-build: $(HTTPPROBE) models $(BIN)/tools/fileset

test-integration: integration-build
	@tests/integration/run.sh --bin $(BIN) --probe $(HTTPPROBE) $(INTEGRATION_MODELS)

TEST_SUITES += test-integration
