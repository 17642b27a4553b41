# tests/netns/netns.mk -- `make test-netns`: scripts/netns.sh for real in a namespace of its own
# (made, reused, cleaned when broken, removed), skipped with the reason where namespaces cannot
# be made. A few seconds; nothing is left behind.

.PHONY: test-netns
test-netns:
	@tests/netns/run.sh

TEST_SUITES += test-netns
