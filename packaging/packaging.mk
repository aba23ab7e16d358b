# Debian packages (make deb): csdpdk (the binary, its manual page, completion
# and docs, a drop-in for ovs-vswitchd.service that runs 'csdpdk
# sockets-clean' before the switch, and libvirt's QEMU hook with its
# settings), csdpdk-java-bridge (the jar through which Java calls csdpdk) and
# csdpdk-cloudstack-agent (csdpdk's VIF driver and XML transformer for a
# stock CloudStack agent), made by the Debian source package
# (packaging/debian, dpkg-buildpackage, debhelper: packaging/debuild) from
# the tree's files, reusing this tree's libopenvswitch. One route for every
# .deb; the RPM spec (packaging/rpm) builds the same. On a KVM host:
#   apt-get install ./build/deb/csdpdk_*.deb ./build/deb/csdpdk-java-bridge_*.deb \
#                   ./build/deb/csdpdk-cloudstack-agent_*.deb

DEB_DIR := $(O)/deb
DEB_ARCH = $(shell dpkg --print-architecture)
DEB_BINARY = $(DEB_DIR)/csdpdk_$(CSDPDK_VERSION)_$(DEB_ARCH).deb
DEB_BRIDGE := $(DEB_DIR)/csdpdk-java-bridge_$(CSDPDK_VERSION)_all.deb
DEB_AGENT := $(DEB_DIR)/csdpdk-cloudstack-agent_$(CSDPDK_VERSION)_all.deb
BRIDGE_JAR := plugin-java-bridge/build/csdpdk-bridge.jar
AGENT_JAR := plugin-java-bridge/build/csdpdk-cloudstack-agent.jar
# The source package's files: what git knows of this tree, untracked files included.
DEB_SOURCES := $(wildcard $(shell git ls-files --cached --others --exclude-standard 2>/dev/null))

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
SBINDIR ?= $(PREFIX)/sbin

.PHONY: deb bridge-jar install
install: $(O)/csdpdk $(HOOK) $(MANPAGE) $(COMPLETION) bridge-jar
	install -D -m 0755 $(O)/csdpdk $(DESTDIR)$(PREFIX)/bin/csdpdk
	# The hook's program in sbin: AppArmor checks the link's target, and
	# libvirtd's profile (Debian, Ubuntu) lets it run programs from
	# /etc/libvirt/hooks, /usr/bin and /usr/sbin, not from /usr/libexec.
	install -D -m 0755 $(HOOK) $(DESTDIR)$(SBINDIR)/csdpdk-libvirt-hook
	install -d $(DESTDIR)$(SYSCONFDIR)/libvirt/hooks/qemu.d
	ln -sf $(SBINDIR)/csdpdk-libvirt-hook $(DESTDIR)$(SYSCONFDIR)/libvirt/hooks/qemu.d/csdpdk
	install -D -m 0644 packaging/hook/libvirt-hook.conf $(DESTDIR)$(SYSCONFDIR)/csdpdk/libvirt-hook.conf
	install -D -m 0644 packaging/hook/logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/csdpdk-libvirt-hook
	install -D -m 0644 $(MANPAGE) $(DESTDIR)$(PREFIX)/share/man/man8/csdpdk.8
	install -D -m 0644 packaging/hook/csdpdk-libvirt-hook.8 $(DESTDIR)$(PREFIX)/share/man/man8/csdpdk-libvirt-hook.8
	install -D -m 0644 $(COMPLETION) $(DESTDIR)$(PREFIX)/share/bash-completion/completions/csdpdk
	install -D -m 0644 packaging/systemd/ovs-vswitchd-csdpdk.conf \
	  $(DESTDIR)$(UNITDIR)/ovs-vswitchd.service.d/csdpdk.conf
	install -D -m 0644 packaging/systemd/csdpdk-gc.service $(DESTDIR)$(UNITDIR)/csdpdk-gc.service
	install -D -m 0644 packaging/systemd/csdpdk-gc.timer $(DESTDIR)$(UNITDIR)/csdpdk-gc.timer
	install -D -m 0644 $(BRIDGE_JAR) $(DESTDIR)$(PREFIX)/share/java/csdpdk-bridge-$(CSDPDK_VERSION).jar
	ln -sf csdpdk-bridge-$(CSDPDK_VERSION).jar $(DESTDIR)$(PREFIX)/share/java/csdpdk-bridge.jar
	install -D -m 0644 $(AGENT_JAR) $(DESTDIR)$(PREFIX)/share/cloudstack-agent/plugins/csdpdk-cloudstack-agent.jar
	install -D -m 0644 plugin-java-bridge/src/agent/groovy/csdpdk-xml-transformer.groovy \
	  $(DESTDIR)$(SYSCONFDIR)/cloudstack/agent/hooks/csdpdk-xml-transformer.groovy

deb: $(DEB_BINARY)

# The bridge's own Makefile knows when its jars are out of date.
bridge-jar:
	@$(MAKE) --no-print-directory -C plugin-java-bridge >/dev/null

# dpkg-buildpackage builds all three packages at once, from a copy of the
# tree's files; the other two are made with the first.
$(DEB_BRIDGE) $(DEB_AGENT): $(DEB_BINARY)
$(DEB_BINARY): $(DEB_SOURCES) $(OVS_STAMP) packaging/debuild
	@packaging/debuild $(CSDPDK_VERSION) $(abspath $(DEB_DIR)) $(abspath $(OVS_BUILD))
