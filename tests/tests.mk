# tests/tests.mk -- `make test`: every suite, one after another, failing if any fails.
# Each suite's fragment adds its target to TEST_SUITES (run in that order).
TEST_SUITES :=
-include tests/unit/unit.mk
-include tests/integration/integration.mk
-include $(filter-out tests/unit/unit.mk tests/integration/integration.mk,$(sort $(wildcard tests/*/*.mk)))
-include harness/harness-tests.mk

test: deps
	@$(MAKE) --no-print-directory all
	@failed=""; for s in $(TEST_SUITES); do \
		echo "=== $$s"; \
		$(MAKE) --no-print-directory $$s || failed="$$failed $$s"; \
	done; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed"; exit 1; fi; \
	echo "make test: all suites passed ($(TEST_SUITES))"
