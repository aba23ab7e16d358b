# hook/: csdpdk-libvirt-hook, libvirt's QEMU hook (docs/hook.md), a small
# binary of its own on libcsdpdk.a: libvirt runs it with its own arguments
# and reads its stdout as a domain's XML, not as csdpdk's envelope.
HOOK_SRCS := hook/hook.c
HOOK := $(O)/csdpdk-libvirt-hook

$(HOOK): $(O)/hook/main.o $(patsubst %.c,$(O)/%.o,$(HOOK_SRCS)) $(O)/libcsdpdk.a $(OVS_STAMP)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS_BASE) $(LDFLAGS) -o $@ $(O)/hook/main.o $(patsubst %.c,$(O)/%.o,$(HOOK_SRCS)) \
	  $(O)/libcsdpdk.a $(LDLIBS_ALL)
