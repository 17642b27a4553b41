# scripts/scripts.mk -- helper targets (included by the top Makefile).
#   make new-model NAME=foo [TEMPLATE=iterative|evloop]
#                             models/foo/ (foo.c, README.md) from scripts/model-template/
#                             (iterative, the default) or scripts/evloop-template/ (a readiness
#                             loop on evconn): a working model that `make`, the tests and the
#                             harness pick up.
#   make format-check         clang-format 14 --dry-run --Werror over the tracked C sources and
#                             headers; lists the files that are not formatted. Part of `make test`.

.PHONY: new-model format-check
new-model:
	@scripts/new-model.sh '$(NAME)' '$(TEMPLATE)'

format-check:
	@scripts/format-check.sh

TEST_SUITES += format-check
