# tests/scaffold/scaffold.mk -- `make test-scaffold`: `make new-model` end to end in a temporary
# copy of the tree, for each template (refused names and templates; a model from each template
# builds, serves as its Facts line says, passes the integration and robustness runners and is
# listed by the harness). Builds in the copy only, so BUILD and BIN are left alone.

.PHONY: test-scaffold
test-scaffold:
	@tests/scaffold/run.sh

TEST_SUITES += test-scaffold
