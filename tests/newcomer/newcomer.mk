# tests/newcomer/newcomer.mk -- `make test-newcomer`: README.md as a newcomer meets it (issue
# 26): links and image paths resolve, cited run ids are kept under results/reference/, the two
# commands and the findings table are in the first 60 lines; then each check must catch a
# broken copy. Seconds: no build, no server.

.PHONY: test-newcomer
test-newcomer:
	@tests/newcomer/test_newcomer.sh

TEST_SUITES += test-newcomer
