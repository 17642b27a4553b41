# libevent links libevent_core (no http/dns needed), found through pkg-config.
CFLAGS_libevent := $(shell pkg-config --cflags libevent_core)
LDLIBS_libevent := $(shell pkg-config --libs libevent_core)
