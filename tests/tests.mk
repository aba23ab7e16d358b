# tests/: cmocka unit tests, golden CLI cases, the bad-input corpus.
#
# 'make check' runs them on the plain build, again on an ASan+UBSan build
# (O=$(O)/asan), and runs a third of the golden cases under valgrind (make
# reliability: all of them).

UNIT_TESTS := $(patsubst tests/unit/%.c,$(O)/tests/unit/%,$(wildcard tests/unit/test_*.c))
CLI_RUNNER := $(O)/tests/cli-runner
# libvirt's acceptance of the rendered XML links libvirt itself (the test
# driver runs in the process).
LIBVIRT_ACCEPT := $(O)/tests/libvirt-accept
# csdpdk's agent.properties reader on its own, for the Java oracle
# (tests/integration/properties-oracle.sh).
PROPERTIES_DUMP := $(O)/tests/properties-dump
CORPUS_GEN := $(O)/tests/corpus-gen
GOLDEN_DIRS := $(sort $(wildcard tests/golden/*))
CORPUS_DIR := tests/corpus/decode
CORPUS_GEN_DIR := $(O)/tests/corpus-generated/decode
INTEGRATION := $(sort $(wildcard tests/integration/*.sh))
# Those that run csdpdk many times also run on the ASan+UBSan build; the
# ones that mostly wait for QEMU or the DPDK switch would only take twice as
# long.
INTEGRATION_ASAN := $(addprefix tests/integration/,ports.sh concurrency.sh fault.sh capabilities.sh migration.sh hook-direct.sh \
                                                 properties-oracle.sh)
# ...some in a shorter series there: the races are the plain run's (all its
# rounds), the memory errors ASan looks for are in each round alike.
ASAN_ENV_concurrency.sh := ROUNDS=5 TWICE=4 AT_ONCE=4
ASAN_ENV_fault.sh := FAULT_RUNS=4
# The packaging suites each build the packages first (nothing when built).
DEB_BUILT := $(MAKE) --no-print-directory deb >/dev/null
# Bad requests must fail before any connection: point --ovsdb at nothing.
NOWHERE := --ovsdb unix:/nonexistent/db.sock
ASAN := $(O)/asan

# ASan's default exit status (1) would read as csdpdk's negative verdict.
SANITIZER_ENV := ASAN_OPTIONS=exitcode=86:detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
VALGRIND := valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite
# golden_valgrind K1/N K2/N: the golden cases of the samples K1/N and K2/N
# (cli-runner --sample) under valgrind, the two at once (one core each, about
# a second a case): make check runs a third of each directory's cases (0/6
# and 3/6), make reliability all of them (0/2 and 1/2).
golden_valgrind = $(CLI_RUNNER) --wrap "$(VALGRIND)" --sample $(1) $(O)/csdpdk golden $(GOLDEN_DIRS) \
	  >$(O)/valgrind-a.tap 2>&1 & a=$$!; \
	$(CLI_RUNNER) --wrap "$(VALGRIND)" --sample $(2) $(O)/csdpdk golden $(GOLDEN_DIRS); b=$$?; \
	wait $$a; a=$$?; cat $(O)/valgrind-a.tap; exit $$((a ? a : b))

$(O)/tests/unit/%.o: CFLAGS_BASE += $$(pkg-config --cflags cmocka)
# Built through a pattern chain; keep them between runs.
.SECONDARY: $(addsuffix .o,$(UNIT_TESTS))

# The hook's unit test links the hook's code too.
UNIT_EXTRA_test_hook := $(O)/hook/hook.o
$(O)/tests/unit/test_hook: $(O)/hook/hook.o

$(O)/tests/unit/test_%: $(O)/tests/unit/test_%.o $(O)/libcsdpdk.a $(OVS_STAMP)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_BASE) -o $@ $< $(UNIT_EXTRA_$(notdir $@)) $(O)/libcsdpdk.a $(LDLIBS_ALL) \
	  $$(pkg-config --libs cmocka)

$(CLI_RUNNER) $(CORPUS_GEN): $(O)/tests/%: $(O)/tests/%.o
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_BASE) -o $@ $< $$(pkg-config --libs jansson)

$(PROPERTIES_DUMP): $(O)/tests/properties-dump.o $(O)/libcsdpdk.a $(OVS_STAMP)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_BASE) -o $@ $< $(O)/libcsdpdk.a $(LDLIBS_ALL)

$(LIBVIRT_ACCEPT): $(O)/tests/libvirt-accept.o
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_BASE) -o $@ $< $$(pkg-config --libs libvirt libxml-2.0)

.PHONY: test-programs
test-programs: $(O)/csdpdk $(HOOK) $(UNIT_TESTS) $(PROPERTIES_DUMP)

unit_suite = for t in $(2); do CMOCKA_MESSAGE_OUTPUT=TAP $(1) $$t || exit 1; done

# The long versions of the reliability suites, and their table
# (docs/reliability.md): fuzz corpora, failpoints, faults, concurrency,
# security. About ten minutes on two cores.
.PHONY: reliability
reliability: deps
	@$(MAKE) --no-print-directory test-programs $(CLI_RUNNER)
	@$(MAKE) --no-print-directory O=$(ASAN) SANITIZE=1 test-programs
	@FUZZ_TARGETS="$(FUZZ_TARGETS)" CSDPDK=$(O)/csdpdk ASAN_CSDPDK=$(ASAN)/csdpdk \
	  GOLDEN_VALGRIND='$(call golden_valgrind,0/2,1/2)' bash tests/reliability.sh

# 'check' installs what is missing first (make deps), then builds and runs.
check: deps
	@$(MAKE) --no-print-directory check-run

.PHONY: check-run
check-run: test-programs $(CLI_RUNNER) $(CORPUS_GEN) $(LIBVIRT_ACCEPT)
	@$(MAKE) --no-print-directory O=$(ASAN) SANITIZE=1 test-programs
	@rm -rf $(CORPUS_GEN_DIR) && mkdir -p $(CORPUS_GEN_DIR) && $(CORPUS_GEN) $(CORPUS_GEN_DIR)
	@tests/run-suites \
	  "unit" '$(call unit_suite,,$(UNIT_TESTS))' \
	  "unit, ASan+UBSan" '$(call unit_suite,$(SANITIZER_ENV),$(patsubst $(O)/%,$(ASAN)/%,$(UNIT_TESTS)))' \
	  "golden" '$(CLI_RUNNER) $(O)/csdpdk golden $(GOLDEN_DIRS)' \
	  "libvirt accepts the rendered XML" '$(LIBVIRT_ACCEPT) tests/golden/render' \
	  "corpus decode" '$(CLI_RUNNER) $(O)/csdpdk corpus decode $(CORPUS_DIR) $(CORPUS_GEN_DIR)' \
	  "corpus plug" '$(CLI_RUNNER) $(O)/csdpdk corpus "plug $(NOWHERE)" tests/corpus/plug' \
	  "corpus unplug" '$(CLI_RUNNER) $(O)/csdpdk corpus "unplug $(NOWHERE)" tests/corpus/unplug' \
	  "golden, ASan+UBSan" '$(SANITIZER_ENV) $(CLI_RUNNER) $(ASAN)/csdpdk golden $(GOLDEN_DIRS)' \
	  "a crash at every step (failpoints), ASan+UBSan" '$(SANITIZER_ENV) CSDPDK=$(ASAN)/csdpdk bash tests/failpoints.sh' \
	  "fuzz corpora replayed, ASan+UBSan" 'for t in $(FUZZ_TARGETS); do $(SANITIZER_ENV) $(ASAN)/tests/fuzz/replay-$$t tests/fuzz/corpus/$$t || exit 1; done' \
	  "&corpus decode, ASan+UBSan" '$(SANITIZER_ENV) $(CLI_RUNNER) $(ASAN)/csdpdk corpus decode $(CORPUS_DIR) $(CORPUS_GEN_DIR)' \
	  "corpus plug, ASan+UBSan" '$(SANITIZER_ENV) $(CLI_RUNNER) $(ASAN)/csdpdk corpus "plug $(NOWHERE)" tests/corpus/plug' \
	  "corpus unplug, ASan+UBSan" '$(SANITIZER_ENV) $(CLI_RUNNER) $(ASAN)/csdpdk corpus "unplug $(NOWHERE)" tests/corpus/unplug' \
	  "golden, valgrind (a third of the cases)" '$(call golden_valgrind,0/6,3/6)' \
	  "&java bridge (JUnit)" 'set -o pipefail; $(MAKE) --no-print-directory -C plugin-java-bridge check CSDPDK=$(abspath $(O)/csdpdk) 2>&1 | awk -f tests/junit-tap.awk' \
	  "&packaging (make deb)" '$(DEB_BUILT) && O=$(O) DEB_DIR=$(DEB_DIR) CSDPDK_VERSION=$(CSDPDK_VERSION) bash tests/packaging.sh' \
	  "&Debian source package (dpkg-buildpackage, lintian)" '$(DEB_BUILT) && DEB_DIR=$(DEB_DIR) CSDPDK_VERSION=$(CSDPDK_VERSION) bash tests/debian-source.sh' \
	  "&RPM source package (rpmbuild -bs, rpmlint)" 'CSDPDK_VERSION=$(CSDPDK_VERSION) bash tests/rpm-source.sh' \
	  "&the packages on a fresh Debian 12 (mmdebstrap, apt-get install, purge)" '$(DEB_BUILT) && DEB_DIR=$(DEB_DIR) CSDPDK_VERSION=$(CSDPDK_VERSION) bash tests/fresh-install.sh' \
	  --wait \
	  $(foreach t,$(INTEGRATION),"$(notdir $(t))" 'CSDPDK=$(O)/csdpdk bash $(t)') \
	  $(foreach t,$(INTEGRATION_ASAN),"$(notdir $(t)), ASan+UBSan" '$(SANITIZER_ENV) $(ASAN_ENV_$(notdir $(t))) CSDPDK=$(ASAN)/csdpdk bash $(t)')
