# tests/scaffold/scaffold.mk -- `make test-scaffold`: `make new-model` end to end in a temporary
# copy of the tree (refused names, the new model builds, serves, passes the integration runner
# and is listed by the harness). Builds in the copy only, so BUILD and BIN are left alone.

.PHONY: test-scaffold
test-scaffold:
	@tests/scaffold/run.sh

TEST_SUITES += test-scaffold
