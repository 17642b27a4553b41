# tests/wrk/wrk.mk -- `make test-wrk`: the wrk report parser (harness/parse_wrk.c)
# against real wrk output captured in tests/wrk/fixtures/. The parser's one file
# is compiled into the test directly, so the suite does not wait on the rest of
# the harness. WRK_VALGRIND=1 (default, unless SAN=1) runs it under valgrind too.

WRK_TEST_BIN := $(BUILD)/tests/wrk/test_parse_wrk
ifeq ($(SAN),1)
WRK_VALGRIND ?= 0
else
WRK_VALGRIND ?= 1
endif

$(WRK_TEST_BIN): tests/wrk/test_parse_wrk.c harness/parse_wrk.c harness/parse_wrk.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iharness -DWRK_FIXTURES='"tests/wrk/fixtures"' $(ALL_LDFLAGS) \
		-o $@ tests/wrk/test_parse_wrk.c harness/parse_wrk.c -lcmocka -lm $(LDLIBS)

.PHONY: test-wrk
test-wrk: $(WRK_TEST_BIN)
	@vg=""; if [ "$(WRK_VALGRIND)" = 1 ] && command -v valgrind >/dev/null; then \
		vg="valgrind -q --error-exitcode=99 --leak-check=full"; fi; \
	out=$$($$vg $(WRK_TEST_BIN) 2>&1); rc=$$?; echo "$$out"; \
	pass=$$(echo "$$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p'); \
	fail=$$(echo "$$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p'); \
	pass=$${pass:-0}; fail=$${fail:-0}; \
	if [ $$rc -ne 0 ] && [ $$fail -eq 0 ]; then fail=1; fi; \
	echo "$$pass passed, $$fail failed"; [ $$rc -eq 0 ]

TEST_SUITES += test-wrk
