# slowfs/slowfs.mk -- bin/tools/slowfs, a read-only passthrough FUSE filesystem that delays
# every page-cache miss (the files scenario's slow disk, FILES_DELAY_MS=; docs/files.md), and
# its test:
#   make test-slowfs   a file read cold (>= D ms), warm (< D/2), evicted and cold again, through
#                      the mount and through mincore; no mount left behind. Skips without /dev/fuse.

SLOWFS_BIN := $(BIN)/tools/slowfs
LDLIBS_slowfs := $(shell pkg-config --libs fuse3 2>/dev/null)

all: $(SLOWFS_BIN)

# fuse3's headers for this one object (the pattern rule's CFLAGS_<name> is for models).
$(call obj,slowfs/slowfs.c): BASE_CFLAGS += $(shell pkg-config --cflags fuse3 2>/dev/null)

$(SLOWFS_BIN): $(call obj,slowfs/slowfs.c)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_slowfs) $(LDLIBS)

.PHONY: test-slowfs
test-slowfs: $(SLOWFS_BIN)
	@SLOWFS=$(SLOWFS_BIN) slowfs/test.sh

TEST_SUITES += test-slowfs
