# libuv links libuv, found through pkg-config.
CFLAGS_libuv := $(shell pkg-config --cflags libuv)
LDLIBS_libuv := $(shell pkg-config --libs libuv)
