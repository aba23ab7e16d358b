# tests/fuzz/: libFuzzer targets over the real code (fuzz_*.c), each run
#   - by 'make check', built with gcc and replay.c's main() under ASan+UBSan,
#     over its corpus tests/fuzz/corpus/TARGET (seeds from the golden cases
#     and corpora, and every finding): replayed, not fuzzed;
#   - by 'make fuzz FUZZ_SECONDS=N [FUZZ_JOBS=J]', built with clang-14's libFuzzer
#     (O=build/fuzz), N seconds each, J at a time, from that corpus; the table it prints
#     is the one in docs/reliability.md.

FUZZ_TARGETS := request url snippet domxml rewrite properties sysfs ovsdb
FUZZ_REPLAYS := $(addprefix $(O)/tests/fuzz/replay-,$(FUZZ_TARGETS))
FUZZ_O := build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang-14
FUZZ_JOBS ?= 1

.SECONDARY: $(patsubst %,$(O)/tests/fuzz/fuzz_%.o,$(FUZZ_TARGETS))

$(O)/tests/fuzz/replay-%: $(O)/tests/fuzz/fuzz_%.o $(O)/tests/fuzz/replay.o $(O)/libcsdpdk.a $(OVS_STAMP)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_BASE) -o $@ $< $(O)/tests/fuzz/replay.o $(O)/libcsdpdk.a $(LDLIBS_ALL)

test-programs: $(FUZZ_REPLAYS)

$(O)/tests/fuzz/fuzz-%: $(O)/tests/fuzz/fuzz_%.o $(O)/libcsdpdk.a $(OVS_STAMP)
	@echo "  LD      $@"
	@$(CC) -fsanitize=fuzzer $(LDFLAGS_BASE) -o $@ $< $(O)/libcsdpdk.a $(LDLIBS_ALL)

.PHONY: fuzz-targets
fuzz-targets: $(addprefix $(O)/tests/fuzz/fuzz-,$(FUZZ_TARGETS))

fuzz: deps deps-fuzz
	@$(MAKE) --no-print-directory O=$(FUZZ_O) CC=$(FUZZ_CC) SANITIZE=fuzz fuzz-targets
	@bash tests/fuzz/run.sh $(FUZZ_O) $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)
