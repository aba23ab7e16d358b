/* The libvirt domain XML of a DPDK VM, through libxml2 only: one vhost-user
 * <interface> per NIC, and the DPDK details' <cpu> (NUMA with shared
 * memory) and <memoryBacking> (hugepages) merged into a domain.
 *
 * It also checks what libvirt accepts silently and QEMU then runs with
 * networking broken: every NUMA cell shares its memory, cell CPUs lie
 * within the vCPU count and do not overlap, cell memory adds up to the
 * VM's memory, and hugepage nodesets name existing cells. */
#ifndef CSDPDK_DOMXML_H
#define CSDPDK_DOMXML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "helper/error.h"
#include "helper/xml.h"
#include "offerings/details.h"

struct domxml_nic {
    const char *mac;
    const char *port;   /* csdpdk-N: <target dev>, and the socket's name */
    const char *socket; /* the vhost-user socket path */
    int queues;         /* > 1 gives <driver queues='N'/> */
    const char *field;  /* "nics[0]", for errors */
};

struct domxml_vm {
    const struct dpdk_details *details; /* mode, numa, hugepages, interface extras */
    int reconnect;       /* seconds; 0: none. Only when QEMU is the socket client */
    unsigned vcpus;      /* 0: unknown (no check) */
    uint64_t memory_kib; /* 0: unknown (no check) */
    const char *details_field; /* "details", to name the detail at fault */
    bool os_boot;        /* the domain boots by <os><boot dev>: no device may have a <boot order> */
};

/* Renders the <interface type='vhostuser'> of each NIC; '*xml' gets 'n'
 * strings (free with domxml_strings_free()). */
struct err *domxml_interfaces(const struct domxml_vm *vm, const struct domxml_nic *nics, size_t n,
                              char ***xml) _warn_unused_;

/* Checks the details' <cpu> and <memoryBacking> against vm->vcpus and
 * vm->memory_kib (the checks that need them are skipped when they are 0). */
struct err *domxml_check(const struct domxml_vm *vm) _warn_unused_;

/* Merges the details and the interfaces into 'domain' ('size' bytes of
 * <domain> XML, field "domain_xml"). The details' <cpu> adds to the
 * domain's: its <numa> replaces the domain's, its features replace theirs
 * by name, and whatever the domain lacks is added; what the domain has
 * (mode, match, model, vendor, topology) stays, with a warning when the
 * details differ. <memoryBacking> merges child by child (the details win),
 * never duplicated. Each interface replaces the domain's <interface> with
 * its MAC or is added to <devices>. The rest of the document is kept as
 * libxml2 read it. The checks of domxml_check() then run on the result,
 * with the domain's <vcpu> and <memory>. '*warnings' gets '*n_warnings'
 * messages (free with domxml_strings_free()). */
struct err *domxml_merge(const struct domxml_vm *vm, const struct domxml_nic *nics, size_t n,
                         const char *domain, size_t size, char **out, char ***warnings,
                         size_t *n_warnings) _warn_unused_;

void domxml_strings_free(char **strings, size_t n);

/* The next <interface type='vhostuser'> among the <devices> of 'domain'
 * after 'prev' (NULL: the first), in document order; NULL after the last. */
xmlNodePtr domxml_vhostuser_next(xmlNodePtr domain, xmlNodePtr prev);

/* Gives the vhost-user <source> 'source' the <reconnect> csdpdk renders,
 * by its mode (QEMU's side of the socket): with mode='client' one, enabled,
 * of 'reconnect' seconds, added when there is none (one already there is
 * kept; 0 adds none); with mode='server' none, as libvirt refuses one there.
 * Returns whether 'source' changed. */
bool domxml_source_reconnect(xmlNodePtr source, int reconnect);

/* What domxml_complete_interface() changed. */
enum domxml_completed {
    DOMXML_COMPLETED_PATH = 1 << 0,      /* a run of '/' in <source path> made one */
    DOMXML_COMPLETED_RECONNECT = 1 << 1, /* <reconnect> added or removed */
    DOMXML_COMPLETED_TARGET = 1 << 2,    /* <target dev> set to the port */
};

/* Completes the vhost-user <interface> 'iface' as csdpdk renders one: its
 * <source path> with each run of '/' made one (CloudStack joins "DIR/" and
 * "/csdpdk-N"), its <reconnect> by domxml_source_reconnect(), and, unless
 * 'port' is NULL, <target dev='port'/>. The rest stays as it is. Returns
 * the DOMXML_COMPLETED_* bits of what changed. */
unsigned domxml_complete_interface(xmlNodePtr iface, const char *port, int reconnect);

/* 'value' in 'unit' (libvirt's units; NULL is KiB) in KiB, rounded up as
 * libvirt does; false if unknown or too large. */
bool domxml_to_kib(const char *value, const char *unit, uint64_t *kib);

/* The <memnode> of <numatune> 'numatune' (NULL: none) whose cellid is guest
 * cell 'cell' (a whole decimal number), or NULL. */
xmlNodePtr domxml_memnode(xmlNodePtr numatune, unsigned long cell);

/* The memory of the details' NUMA cells added up, in KiB (0 if none). */
uint64_t domxml_numa_memory_kib(const struct dpdk_details *details);

/* The page size the details ask for (the first <page size>), in KiB, or 0
 * for the host's default. */
uint64_t domxml_page_kib(const struct dpdk_details *details);

#endif
