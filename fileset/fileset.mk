# fileset/fileset.mk -- bin/tools/fileset, the generated file set of the files scenario
# (fileset/fileset.h: SPECweb99's four classes, contents from the name), and its test:
#   make test-fileset   a 5 MiB set written twice (the second run writes nothing), checked,
#                       one byte corrupted and caught, and a set too big for the disk refused

FILESET_BIN := $(BIN)/tools/fileset

all: $(FILESET_BIN)

$(FILESET_BIN): $(call obj,fileset/fileset.c)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS)

.PHONY: test-fileset
test-fileset: $(FILESET_BIN) $(BIN)/epoll
	@FILESET=$(FILESET_BIN) BIN=$(BIN) fileset/test.sh

TEST_SUITES += test-fileset
