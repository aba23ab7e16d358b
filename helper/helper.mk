# helper/: the csdpdk binary. Everything but main.c also goes in
# libcsdpdk.a, which the unit tests link.
HELPER_SRCS := helper/mem.c helper/error.c helper/request.c helper/output.c helper/verbs.c \
               helper/verb_version.c helper/verb_decode.c helper/ovsdb.c helper/dl.c \
               helper/curl.c helper/libvirt.c
# Only these see libopenvswitch's headers.
HELPER_OVS_SRCS := helper/ovsdb.c

LIB_OBJS := $(patsubst %.c,$(O)/%.o,$(HELPER_SRCS) $(OFFERINGS_SRCS))

$(patsubst %.c,$(O)/%.o,$(HELPER_OVS_SRCS)): CFLAGS_BASE += $(OVS_CFLAGS)
$(patsubst %.c,$(O)/%.o,$(HELPER_OVS_SRCS)): | $(OVS_STAMP)

$(O)/libcsdpdk.a: $(LIB_OBJS)
	@echo "  AR      $@"
	@rm -f $@ && ar rcs $@ $^

$(O)/csdpdk: $(O)/helper/main.o $(O)/libcsdpdk.a $(OVS_STAMP)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_BASE) $(LDFLAGS) -o $@ $(O)/helper/main.o $(O)/libcsdpdk.a $(LDLIBS_ALL)
