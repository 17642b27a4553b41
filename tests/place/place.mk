# tests/place/place.mk -- `make test-place`: where the load comes from (issue 11). Bad CPU lists
# stop the harness with exit 2 before any run; a failing CLIENT_PREFIX is a prefix_failed row
# and the suite goes on; a working one measures the tool's CPU behind it; the pipeline scenario
# gives an ok wrk row; scripts/netns.sh for
# real (made, reused, cleaned when broken, removed); one short real benchmark with the tool
# inside the namespace (epoll, keep-alive c=8, 1 s). The namespace parts are skipped with the
# reason where namespaces cannot be made. About 20 s; nothing is left behind.

.PHONY: test-place
test-place: $(BIN)/harness $(BIN)/epoll
	@tests/place/run.sh $(BIN)

TEST_SUITES += test-place
