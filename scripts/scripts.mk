# scripts/scripts.mk -- helper targets (included by the top Makefile).
#   make new-model NAME=foo   models/foo/ (foo.c, README.md) from scripts/model-template/:
#                             a working model that `make`, the tests and the harness pick up.

.PHONY: new-model
new-model:
	@scripts/new-model.sh '$(NAME)'
