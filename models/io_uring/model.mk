# io_uring links liburing, found through pkg-config.
CFLAGS_io_uring := $(shell pkg-config --cflags liburing)
LDLIBS_io_uring := $(shell pkg-config --libs liburing)
