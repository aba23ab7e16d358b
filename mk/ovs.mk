# libopenvswitch and the generated OVSDB IDL, from Debian's openvswitch-source
# (Debian 12 ships no libopenvswitch-dev). Built once into build/ovs, shared
# by every build variant; the stamp is written last, so an interrupted build
# starts over. Consumers include <config.h> first.

OVS_TARBALL ?= /usr/src/openvswitch/openvswitch.tar.gz
OVS_BUILD := build/ovs
OVS_SRC := $(OVS_BUILD)/openvswitch
OVS_STAMP := $(OVS_BUILD)/.built
OVS_LOG := $(OVS_BUILD)/build.log

# The one place the flags are recorded. -isystem: OVS's headers are not held
# to our warnings.
OVS_CFLAGS := -isystem $(OVS_SRC) -isystem $(OVS_SRC)/include -isystem $(OVS_SRC)/lib
# OVS_ARCHIVE goes into helper/ovsdb-sealed.o (helper/helper.mk), OVS_LIBS
# on the link line after it.
OVS_ARCHIVE := $(OVS_SRC)/lib/.libs/libopenvswitch.a
OVS_LIBS := -latomic -lm -lpthread
OVS_GENERATED := include/odp-netlink.h include/odp-netlink-macros.h \
                 lib/vswitch-idl.c lib/vswitch-idl.h lib/ovsdb-server-idl.c lib/ovsdb-server-idl.h

# configure turns AF_XDP on by itself when libxdp/libbpf are installed.
OVS_CONFIGURE := ./configure --disable-ssl --disable-libcapng --disable-afxdp PYTHON3=/usr/bin/python3

$(OVS_STAMP):
	@test -r $(OVS_TARBALL) || { echo "$(OVS_TARBALL) is missing: install openvswitch-source ('make deps' does)" >&2; exit 1; }
	@echo "  OVS     building libopenvswitch from $(OVS_TARBALL), once (about a minute; log: $(OVS_LOG))"
	@rm -rf $(OVS_BUILD) && mkdir -p $(OVS_BUILD)
	@tar -C $(OVS_BUILD) -xzf $(OVS_TARBALL)
	@cd $(OVS_SRC) && { $(OVS_CONFIGURE) && \
	  env -u MAKEFLAGS -u MAKELEVEL $(MAKE) -j$(NPROC) $(OVS_GENERATED) && \
	  env -u MAKEFLAGS -u MAKELEVEL $(MAKE) -j$(NPROC) lib/libopenvswitch.la; } \
	  > $(CURDIR)/$(OVS_LOG) 2>&1 || { tail -20 $(CURDIR)/$(OVS_LOG) >&2; echo "libopenvswitch build failed; see $(OVS_LOG)" >&2; exit 1; }
	@touch $@
