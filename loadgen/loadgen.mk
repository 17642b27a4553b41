# loadgen/loadgen.mk -- the open-loop load generator, bin/tools/loadgen (not in bin/ itself:
# the harness takes every executable there for a model), and its tests:
#   make test-loadgen-unit   cmocka tests of the histogram and the pure rules (proto.c)
#   make test-loadgen        the unit tests, then the proof against real models (tests/proof.sh,
#                            ~30 s; timing-sensitive: by hand, run it under the heavy lock)

LOADGEN_SRC      := loadgen/hist.c loadgen/proto.c
LOADGEN_BIN      := $(BIN)/tools/loadgen
LOADGEN_TEST_BIN := $(BUILD)/loadgen/test_loadgen
ifeq ($(SAN),1)
LOADGEN_VALGRIND ?= 0
else
LOADGEN_VALGRIND ?= 1
endif

all: $(LOADGEN_BIN)

$(LOADGEN_BIN): $(call obj,loadgen/loadgen.c $(LOADGEN_SRC))
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ -lm $(LDLIBS_COMMON) $(LDLIBS)

$(LOADGEN_TEST_BIN): loadgen/tests/test_loadgen.c $(call obj,$(LOADGEN_SRC))
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iloadgen $(ALL_LDFLAGS) -o $@ $^ -lcmocka -lm $(LDLIBS)

.PHONY: test-loadgen-unit test-loadgen
test-loadgen-unit: $(LOADGEN_TEST_BIN)
	@vg=""; if [ "$(LOADGEN_VALGRIND)" = 1 ] && command -v valgrind >/dev/null; then \
		vg="valgrind -q --error-exitcode=99 --leak-check=full"; fi; \
	$$vg $(LOADGEN_TEST_BIN)

test-loadgen: test-loadgen-unit $(LOADGEN_BIN) $(BIN)/thread $(BIN)/epoll
	@LOADGEN=$(LOADGEN_BIN) BIN=$(BIN) loadgen/tests/proof.sh

TEST_SUITES += test-loadgen
