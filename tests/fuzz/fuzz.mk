# tests/fuzz/fuzz.mk -- libFuzzer targets for the parser and the connection handler.
#   make fuzz [FUZZ_SECONDS=60]   run both targets, the time split between them
#   make test-fuzz                the suite: 40 s when CI=true, 10 s otherwise
#   make fuzz-corpus              regenerate the committed seeds from tests/unit/http_cases.h
# Everything built or found goes to $(FUZZ_DIR) (default $(BUILD)/fuzz).
# FUZZ_HTTP_SRC lets a test point the targets at another copy of the parser.

FUZZ_SECONDS  ?= 60
FUZZ_DIR      ?= $(BUILD)/fuzz
FUZZ_CC       ?= clang
FUZZ_HTTP_SRC ?= models/common/http.c
FUZZ_CFLAGS   = -std=gnu11 -g -O1 -Wall -Wextra -D_GNU_SOURCE -Imodels/common \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_TARGETS  = $(FUZZ_DIR)/fuzz_parser $(FUZZ_DIR)/fuzz_conn

.PHONY: fuzz fuzz-build fuzz-corpus test-fuzz

# The parser and the target parser (work.c, with the clock, the stop flag and file.c it needs).
FUZZ_PARSER_SRC = $(FUZZ_HTTP_SRC) models/common/work.c models/common/clock.c models/common/sig.c \
		  models/common/file.c

$(FUZZ_DIR)/fuzz_parser: tests/fuzz/fuzz_parser.c $(FUZZ_PARSER_SRC) models/common/http.h \
		models/common/work.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_parser.c $(FUZZ_PARSER_SRC) $(LDLIBS_COMMON)

# The whole shared module (conn.c needs sig.c, ...), with the chosen parser.
FUZZ_COMMON_SRC = $(FUZZ_HTTP_SRC) $(filter-out models/common/http.c,$(COMMON_SRC))

$(FUZZ_DIR)/fuzz_conn: tests/fuzz/fuzz_conn.c $(FUZZ_COMMON_SRC) $(wildcard models/common/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ tests/fuzz/fuzz_conn.c $(FUZZ_COMMON_SRC) $(LDLIBS_COMMON)

fuzz-build: $(FUZZ_TARGETS)

fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

$(FUZZ_DIR)/gen_corpus: tests/fuzz/gen_corpus.c tests/unit/http_cases.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $<

fuzz-corpus: $(FUZZ_DIR)/gen_corpus
	$(FUZZ_DIR)/gen_corpus tests/fuzz/corpus

test-fuzz:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(if $(filter true,$(CI)),40,10)

TEST_SUITES += test-fuzz
