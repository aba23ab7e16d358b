# helper/: the csdpdk binary. Everything but main.c also goes in
# libcsdpdk.a, which the unit tests link.
HELPER_SRCS := helper/mem.c helper/error.c helper/request.c helper/output.c helper/verbs.c \
               helper/verb_version.c helper/verb_decode.c helper/verb_plug.c helper/plug.c \
               helper/verb_unplug.c helper/verb_status.c helper/verb_gc.c helper/verb_adopt.c helper/ovsdb.c \
               helper/dl.c helper/curl.c helper/libvirt.c helper/agent.c helper/validate.c helper/xml.c \
               helper/vm_request.c helper/vm_render.c helper/domxml.c helper/domain.c helper/binding.c helper/verb_render.c \
               helper/verb_domain_complete.c \
               helper/sysfs.c helper/numa.c helper/sockdir.c helper/capability.c helper/verb_capabilities.c helper/probe.c \
               helper/verb_agent_config.c \
               helper/verb_sockets_clean.c helper/text.c helper/failpoint.c \
               helper/verb_offering_build.c helper/verb_offering_check.c
# Only helper/ovsdb.c sees libopenvswitch's headers.
HELPER_OVS_SRCS := helper/ovsdb.c

LIB_OBJS := $(patsubst %.c,$(O)/%.o,$(filter-out $(HELPER_OVS_SRCS),$(HELPER_SRCS)) $(OFFERINGS_SRCS) \
                                   $(MIGRATION_SRCS)) \
            $(O)/helper/ovsdb-sealed.o

$(patsubst %.c,$(O)/%.o,$(HELPER_OVS_SRCS)): CFLAGS_BASE += $(OVS_CFLAGS)
$(patsubst %.c,$(O)/%.o,$(HELPER_OVS_SRCS)): | $(OVS_STAMP)

# libopenvswitch and jansson both define json_object(), json_array(),
# json_string()...: linked side by side, OVS's would replace jansson's in the
# whole program. So helper/ovsdb.o is linked with libopenvswitch.a into one
# object whose only global symbols are those ovsdb.o itself defines (its
# API); everything of OVS inside becomes local.
$(O)/helper/ovsdb-sealed.o: $(O)/helper/ovsdb.o $(OVS_STAMP)
	@echo "  SEAL    $@"
	@ld -r -o $@.tmp $(O)/helper/ovsdb.o $(OVS_ARCHIVE)
	@nm --defined-only -g $(O)/helper/ovsdb.o | awk '{ print $$3 }' > $@.syms
	@objcopy --keep-global-symbols=$@.syms $@.tmp $@
	@rm -f $@.tmp

$(O)/libcsdpdk.a: $(LIB_OBJS)
	@echo "  AR      $@"
	@rm -f $@ && ar rcs $@ $^

$(O)/csdpdk: $(O)/helper/main.o $(O)/libcsdpdk.a $(OVS_STAMP)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_BASE) $(LDFLAGS) -o $@ $(O)/helper/main.o $(O)/libcsdpdk.a $(LDLIBS_ALL)
