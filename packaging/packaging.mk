# Debian packages (make deb): csdpdk (the binary, its manual page, completion
# and docs, a drop-in for ovs-vswitchd.service that runs 'csdpdk
# sockets-clean' before the switch, and libvirt's QEMU hook with its settings) and csdpdk-java-bridge (the jar for the
# CloudStack agent), made with dpkg-deb by packaging/mkdeb from what make
# install puts in $(O)/stage: fast, for a developer's tree. The Debian source
# package (packaging/debian, dpkg-buildpackage) and the RPM spec
# (packaging/rpm) build the same from source. On a KVM host:
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

$(MANPAGE): $(MKDOC) Makefile
	@echo "  GEN     $@"
	@$(MKDOC) man $(CSDPDK_VERSION) $(CSDPDK_DATE) > $@.tmp && mv $@.tmp $@

$(COMPLETION): $(MKDOC)
	@echo "  GEN     $@"
	@$(MKDOC) completion > $@.tmp && mv $@.tmp $@

# make install: the one place that says where each file goes on a host
# (DESTDIR, PREFIX, UNITDIR as usual). make deb, the Debian source package
# (packaging/debian: dh_auto_install) and the RPM spec (%make_install) all
# install through it. Binaries are not stripped here: each packager does.
PREFIX ?= /usr
UNITDIR ?= /lib/systemd/system
SYSCONFDIR ?= /etc
LIBEXECDIR ?= $(PREFIX)/libexec
STAGE := $(O)/stage

.PHONY: deb bridge-jar install
install: $(O)/csdpdk $(HOOK) $(MANPAGE) $(COMPLETION) bridge-jar
	install -D -m 0755 $(O)/csdpdk $(DESTDIR)$(PREFIX)/bin/csdpdk
	install -D -m 0755 $(HOOK) $(DESTDIR)$(LIBEXECDIR)/csdpdk/csdpdk-libvirt-hook
	install -d $(DESTDIR)$(SYSCONFDIR)/libvirt/hooks/qemu.d
	ln -sf $(LIBEXECDIR)/csdpdk/csdpdk-libvirt-hook $(DESTDIR)$(SYSCONFDIR)/libvirt/hooks/qemu.d/csdpdk
	install -D -m 0644 packaging/hook/libvirt-hook.conf $(DESTDIR)$(SYSCONFDIR)/csdpdk/libvirt-hook.conf
	install -D -m 0644 packaging/hook/logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/csdpdk-libvirt-hook
	install -D -m 0644 $(MANPAGE) $(DESTDIR)$(PREFIX)/share/man/man8/csdpdk.8
	install -D -m 0644 $(COMPLETION) $(DESTDIR)$(PREFIX)/share/bash-completion/completions/csdpdk
	install -D -m 0644 packaging/systemd/ovs-vswitchd-csdpdk.conf \
	  $(DESTDIR)$(UNITDIR)/ovs-vswitchd.service.d/csdpdk.conf
	install -D -m 0644 $(BRIDGE_JAR) $(DESTDIR)$(PREFIX)/share/java/csdpdk-bridge-$(CSDPDK_VERSION).jar
	ln -sf csdpdk-bridge-$(CSDPDK_VERSION).jar $(DESTDIR)$(PREFIX)/share/java/csdpdk-bridge.jar

deb: $(DEB_BINARY) $(DEB_BRIDGE)

# The bridge's own Makefile knows when its jar is out of date.
bridge-jar:
	@$(MAKE) --no-print-directory -C plugin-java-bridge >/dev/null

$(STAGE)/.staged: $(O)/csdpdk $(HOOK) $(MANPAGE) $(COMPLETION) bridge-jar packaging/systemd/ovs-vswitchd-csdpdk.conf \
                  packaging/hook/libvirt-hook.conf packaging/hook/logrotate
	@rm -rf $(STAGE)
	@$(MAKE) --no-print-directory install DESTDIR=$(abspath $(STAGE)) >/dev/null
	@touch $@

$(DEB_BINARY): $(STAGE)/.staged packaging/mkdeb packaging/control.csdpdk packaging/copyright \
               README.md $(wildcard docs/*.md)
	@packaging/mkdeb csdpdk $(CSDPDK_VERSION) $(STAGE) $@

$(DEB_BRIDGE): $(STAGE)/.staged packaging/mkdeb packaging/control.csdpdk-java-bridge packaging/copyright \
               plugin-java-bridge/README.md
	@packaging/mkdeb csdpdk-java-bridge $(CSDPDK_VERSION) $(STAGE) $@
