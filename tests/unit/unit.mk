# tests/unit/unit.mk -- `make test-unit`: cmocka tests of the shared module.
# Each tests/unit/test_*.c is one binary in $(BUILD)/tests/unit/, linked with
# $(BUILD)/libcommon.a, so a SAN=1 build tests the sanitized library.
# UNIT_VALGRIND=1 (default, unless SAN=1: valgrind cannot run ASan binaries)
# also runs each binary under valgrind --leak-check=full.

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRC))
ifeq ($(SAN),1)
UNIT_VALGRIND ?= 0
else
UNIT_VALGRIND ?= 1
endif

$(BUILD)/tests/unit/%: tests/unit/%.c $(COMMON_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(COMMON_LIB) -lcmocka $(LDLIBS_COMMON) $(LDLIBS)

.PHONY: unit-build
unit-build: $(UNIT_BINS)

test-unit: unit-build
	@tests/unit/run.sh $(if $(filter 1,$(UNIT_VALGRIND)),--valgrind) $(UNIT_BINS)

TEST_SUITES += test-unit
