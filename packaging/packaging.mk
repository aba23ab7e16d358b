# Debian packages (make deb): csdpdk (the binary, its docs and a drop-in for
# ovs-vswitchd.service that runs 'csdpdk sockets-clean' before the switch) and
# csdpdk-java-bridge (the jar for the CloudStack agent), made with dpkg-deb by
# packaging/mkdeb from what make builds. On a KVM host:
#   apt-get install ./build/deb/csdpdk_*.deb ./build/deb/csdpdk-java-bridge_*.deb

DEB_DIR := $(O)/deb
DEB_ARCH = $(shell dpkg --print-architecture)
DEB_BINARY = $(DEB_DIR)/csdpdk_$(CSDPDK_VERSION)_$(DEB_ARCH).deb
DEB_BRIDGE := $(DEB_DIR)/csdpdk-java-bridge_$(CSDPDK_VERSION)_all.deb
BRIDGE_JAR := plugin-java-bridge/build/csdpdk-bridge.jar

# The manual page and the bash completion, generated from the verb, option
# and error tables by packaging/mkdoc (a build tool, never shipped). The
# page's date is the last commit's, so that a build is reproducible.
MKDOC := $(O)/tools/mkdoc
MANPAGE := $(O)/csdpdk.8
COMPLETION := $(O)/csdpdk.bash-completion
CSDPDK_DATE := $(shell git log -1 --format=%cs 2>/dev/null || echo unknown)

all check-run: $(MANPAGE) $(COMPLETION)

$(MKDOC): $(O)/packaging/mkdoc.o $(O)/libcsdpdk.a $(OVS_STAMP)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_BASE) -o $@ $< $(O)/libcsdpdk.a $(LDLIBS_ALL)

$(MANPAGE): $(MKDOC)
	@echo "  GEN     $@"
	@$(MKDOC) man $(CSDPDK_VERSION) $(CSDPDK_DATE) > $@.tmp && mv $@.tmp $@

$(COMPLETION): $(MKDOC)
	@echo "  GEN     $@"
	@$(MKDOC) completion > $@.tmp && mv $@.tmp $@

.PHONY: deb bridge-jar
deb: $(DEB_BINARY) $(DEB_BRIDGE)

$(DEB_BINARY): $(O)/csdpdk $(MANPAGE) $(COMPLETION) packaging/mkdeb packaging/control.csdpdk packaging/copyright \
               packaging/systemd/ovs-vswitchd-csdpdk.conf README.md $(wildcard docs/*.md)
	@packaging/mkdeb csdpdk $(CSDPDK_VERSION) $< $@

# The bridge's own Makefile knows when its jar is out of date.
bridge-jar:
	@$(MAKE) --no-print-directory -C plugin-java-bridge >/dev/null

$(DEB_BRIDGE): bridge-jar packaging/mkdeb packaging/control.csdpdk-java-bridge packaging/copyright \
               plugin-java-bridge/README.md
	@packaging/mkdeb csdpdk-java-bridge $(CSDPDK_VERSION) $(BRIDGE_JAR) $@
