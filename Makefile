# csdpdk: the host helper that plugs CloudStack KVM VMs into OVS-DPDK.
#
#   make deps    install the Debian packages the build, tests and demo need (root)
#   make         build build/csdpdk
#   make check   unit tests, golden CLI cases and the bad-input corpus, plain,
#                under ASan+UBSan and under valgrind; ends with 'N passed, N failed'
#   make demo    the main job, narrated
#   make bench   medians of plug and unplug against CloudStack's way
#   make bench-migration  live migrations between two hosts: each step, outage
#   make bench-dataplane  frames per second through csdpdk's vhost-user ports, against
#                CloudStack's ports and a switch without OVS
#   make deb     Debian packages: csdpdk, the Java bridge, the CloudStack agent drop-in (build/deb/)
#   make install DESTDIR= PREFIX=/usr UNITDIR=/lib/systemd/system
#   make fuzz FUZZ_SECONDS=N [FUZZ_JOBS=J]  each libFuzzer target N seconds, J at a time
#   make deps-fuzz  install clang-14, libFuzzer and time(1), which make fuzz needs (root)
#   make reliability  the long reliability suites and their table
#
# Variables: O (output directory, default build), SANITIZE=1 (ASan+UBSan).

CSDPDK_VERSION := 0.1.0

CC := gcc
O ?= build
NPROC := $(shell nproc 2>/dev/null || echo 2)

# Every library but libopenvswitch comes through pkg-config; each module
# names the Debian package that provides it, for the error message.
# libvirt and libcurl are not linked: helper/dl.c loads them when a verb
# needs them (together they would add about 19 ms to every start).
PKGS := jansson libxml-2.0 libcurl libvirt
PKGS_LINKED := jansson libxml-2.0
PKG_DEB_jansson := libjansson-dev
PKG_DEB_libxml-2.0 := libxml2-dev
PKG_DEB_libcurl := libcurl4-openssl-dev
PKG_DEB_libvirt := libvirt-dev
PKG_DEB_cmocka := libcmocka-dev

WARNINGS := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wmissing-prototypes \
            -Wstrict-prototypes -Wvla -Wno-format-nonliteral
CFLAGS_BASE := -std=gnu11 -D_GNU_SOURCE -g -O2 -fstack-protector-strong -D_FORTIFY_SOURCE=2 \
               -I. $(WARNINGS) -DCSDPDK_VERSION='"$(CSDPDK_VERSION)"'
ifeq ($(SANITIZE),1)
CFLAGS_BASE := $(filter-out -O2 -D_FORTIFY_SOURCE=2,$(CFLAGS_BASE)) -O1 \
               -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
               -DCSDPDK_FAILPOINTS
# libvirt's RPC calls xdrmem_create() of libtirpc; ASan intercepts that name
# and, with no such symbol in glibc 2.36, would call NULL. Loaded at start,
# libtirpc is what ASan's interceptor finds and forwards to. libvirt itself
# is loaded at start too: dlopen()ed, its thread-local storage is dynamic,
# and LeakSanitizer's tracer crashed at exit scanning it ("Tracer caught
# signal 11", 4 runs of migration.sh in 6; 0 in 6 with libvirt loaded first).
LDFLAGS_BASE := -fsanitize=address,undefined -Wl,--no-as-needed -l:libtirpc.so.3 -l:libvirt.so.0 -Wl,--as-needed
endif

# SANITIZE=fuzz (make fuzz, with CC=clang-14): libFuzzer's coverage
# instrumentation as well; the fuzz targets link -fsanitize=fuzzer.
ifeq ($(SANITIZE),fuzz)
CFLAGS_BASE := $(filter-out -O2 -D_FORTIFY_SOURCE=2,$(CFLAGS_BASE)) -O1 \
               -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS_BASE := -fsanitize=address,undefined -Wl,--no-as-needed -l:libtirpc.so.3 -Wl,--as-needed
endif

# Recursive (=) so that pkg-config runs only when a recipe needs it, after
# $(O)/.pkgs has checked that everything is there.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS_LINKED))
CFLAGS_ALL = $(CFLAGS_BASE) $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) $(OVS_LIBS)

.PHONY: all deps check demo bench bench-migration bench-dataplane deb clean distclean fuzz
all: $(O)/csdpdk $(O)/csdpdk-libvirt-hook

include mk/deps.mk
include mk/ovs.mk
include offerings/offerings.mk
include migration/migration.mk
include helper/helper.mk
include hook/hook.mk
include tests/tests.mk
include tests/fuzz/fuzz.mk
include packaging/packaging.mk

$(O)/.pkgs:
	@mkdir -p $(@D)
	@for p in $(PKGS) cmocka; do \
	  pkg-config --exists $$p || { \
	    case $$p in jansson) d=$(PKG_DEB_jansson);; libxml-2.0) d=$(PKG_DEB_libxml-2.0);; \
	      libcurl) d=$(PKG_DEB_libcurl);; libvirt) d=$(PKG_DEB_libvirt);; cmocka) d=$(PKG_DEB_cmocka);; esac; \
	    echo "pkg-config cannot find '$$p': install the Debian package $$d ('make deps' does)" >&2; \
	    exit 1; }; \
	done; touch $@

$(O)/%.o: %.c | $(O)/.pkgs
	@mkdir -p $(@D)
	@echo "  CC      $@"
	@$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

# The main job, narrated (tests/demo.sh): two hosts (libvirtd, OVSDB and a
# DPDK switch each), a real guest, deploy, an OVS crash and the guest's
# reconnect, a live migration, a cancelled one rolled back, cleanup. About
# 25 s; reserves hugepages and gives them back, touches nothing else of the
# host's own. Where no guest can boot, tests/demo-standin.sh instead.
demo: deps
	@$(MAKE) --no-print-directory all
	@CSDPDK=$(O)/csdpdk bash tests/demo.sh

# Medians and ratios against CloudStack's way (tests/bench/bench.sh); the
# table of record is docs/performance.md.
bench: deps
	@$(MAKE) --no-print-directory all
	@CSDPDK=$(O)/csdpdk bash tests/bench/bench.sh

# Live migrations of a real guest between two hosts on this machine, in each
# mode combination and with a plain NIC on a Linux bridge
# (tests/bench/migration.sh); the table of record is docs/migration.md.
bench-migration: deps
	@$(MAKE) --no-print-directory all
	@CSDPDK=$(O)/csdpdk bash tests/bench/migration.sh

# Frames per second through two vhost-user ports of one netdev bridge, a
# testpmd guest in a closed loop on CPU 0 and the OVS PMD on CPU 1: ports
# made by csdpdk against ports made CloudStack's way, client and server
# mode, 1 and 2 queues, and a testpmd switch without OVS as the baseline
# (tests/bench/dataplane.sh; DATAPLANE_SECONDS, DATAPLANE_RUNS,
# DATAPLANE_CONFIGS, DATAPLANE_QUICK=1). Medians of 3 interleaved runs of
# 30 s: about 20 minutes. Reserves hugepages and gives them back.
bench-dataplane: deps
	@$(MAKE) --no-print-directory all
	@CSDPDK=$(O)/csdpdk bash tests/bench/dataplane.sh

clean:
	rm -rf $(filter-out build/ovs,$(wildcard build/*))

distclean:
	rm -rf build

-include $(shell find $(O) -name '*.d' -type f 2>/dev/null)
