# server-models -- `make` builds bin/<model> for every models/<name>/ (except
# common/), bin/harness and the in-tree tools in bin/tools/ (loadgen/loadgen.mk,
# fileset/fileset.mk, slowfs/slowfs.mk);
# `make test` runs every test; `make bench-all` runs the benchmark. Nothing here lists models: adding a directory adds a model.

BUILD ?= build
BIN   ?= bin

# Ours first; a user's CFLAGS/LDFLAGS are added after them, never replacing them.
BASE_CFLAGS  = -std=gnu11 -O2 -g -Wall -Wextra -D_GNU_SOURCE -MMD -MP -Imodels/common
BASE_LDFLAGS =
SAN_FLAGS    = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
ifeq ($(SAN),1)
BASE_CFLAGS  += $(SAN_FLAGS)
BASE_LDFLAGS += $(SAN_FLAGS)
endif
ALL_CFLAGS  = $(BASE_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(BASE_LDFLAGS) $(LDFLAGS)
LDLIBS_COMMON = -lpthread

# A model is any models/<name>/ with a <name>.c, except common/. A directory
# with an executable `run` script instead (an external reference server such as
# nginx) becomes bin/<name>, a wrapper that runs it.
MODEL_DIRS    := $(filter-out common,$(notdir $(patsubst %/,%,$(wildcard models/*/))))
# C_MODELS is ours, not the user's: MODELS= on the command line only selects
# what the harness runs (harness/harness.mk) and never changes what is built.
C_MODELS      := $(foreach m,$(MODEL_DIRS),$(if $(wildcard models/$(m)/$(m).c),$(m)))
SCRIPT_MODELS := $(foreach m,$(filter-out $(C_MODELS),$(MODEL_DIRS)),$(if $(wildcard models/$(m)/run),$(m)))
# Each model's optional model.mk sets CFLAGS_<name> and LDLIBS_<name>.
-include $(wildcard models/*/model.mk)

COMMON_SRC  := $(wildcard models/common/*.c)
COMMON_LIB  := $(BUILD)/libcommon.a
HARNESS_SRC := $(wildcard harness/*.c)
HARNESS_LIB := $(BUILD)/libharness.a
LDLIBS_harness ?=

.PHONY: all models clean deps test test-unit test-integration bench-all bench-quick plots
.DEFAULT_GOAL := all

all: models $(if $(HARNESS_SRC),$(BIN)/harness)
models: $(addprefix $(BIN)/,$(C_MODELS) $(SCRIPT_MODELS))

obj = $(patsubst %.c,$(BUILD)/%.o,$(1))

# Objects: the model a file belongs to picks its CFLAGS_<name>.
$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(CFLAGS_$(word 2,$(subst /, ,$<))) -c -o $@ $<

$(COMMON_LIB): $(call obj,$(COMMON_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

$(HARNESS_LIB): $(call obj,$(filter-out harness/main.c,$(HARNESS_SRC)))
	@rm -f $@
	$(AR) rcs $@ $^

define MODEL_RULE
$(BIN)/$(1): $(call obj,$(wildcard models/$(1)/*.c)) $(COMMON_LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(ALL_LDFLAGS) -o $$@ $$^ $$(LDLIBS_$(1)) $(LDLIBS_COMMON) $$(LDLIBS)
endef
$(foreach m,$(C_MODELS),$(eval $(call MODEL_RULE,$(m))))

$(addprefix $(BIN)/,$(SCRIPT_MODELS)): $(BIN)/%: models/%/run
	@mkdir -p $(@D)
	printf '#!/bin/sh\nexec "%s" "$$@"\n' "$(abspath $<)" > $@
	chmod +x $@

$(BIN)/harness: $(call obj,harness/main.c) $(HARNESS_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LDLIBS_harness) -lm $(LDLIBS)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Debian packages every target below needs (installs them as root, else says how).
deps:
	@scripts/install-deps.sh

clean:
	rm -rf $(BUILD) $(BIN)

-include tests/tests.mk
-include harness/harness.mk
-include scripts/scripts.mk
-include loadgen/loadgen.mk
-include fileset/fileset.mk
-include slowfs/slowfs.mk
