/* What csdpdk needs to know of a domain, read from its XML: who it is, its
 * vhost-user interfaces, and whether its memory is set up for vhost-user.
 * Live migration reads the running domain (docs/design.md section 7);
 * adopt, gc and the libvirt hook read every domain of the host and the one
 * libvirt hands to the hook (docs/hook.md). */
#ifndef CSDPDK_DOMAIN_H
#define CSDPDK_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "helper/error.h"

struct domain_iface {
    char *mac;  /* lower case */
    char *port; /* <target dev> unless empty, else the socket's file name */
    char *path; /* <source path> as written */
    char *mode; /* <source mode> */
    bool reconnect; /* <source><reconnect enabled='yes'> */
};

/* Memory that the domain's <numatune> binds to host nodes, so that its
 * hugepages must come from them: mode strict (libvirt's default: QEMU's
 * policy bind per guest cell), and restrictive (the cgroup's cpuset.mems
 * of the emulator thread: all of the memory, to <memory>'s nodeset); not
 * preferred, nor interleave (the kernel takes huge pages from other nodes
 * when those have none), nor placement='auto' (numad's choice, made at the
 * start). */
struct domain_binding {
    uint64_t kib;  /* a guest cell's memory; 0: all of the VM's (no cells) */
    char *nodeset; /* libvirt's nodeset ("0-1,^1") */
};

struct domain {
    char *uuid;               /* lower case, or NULL */
    char *name;               /* or NULL */
    long long id;             /* <domain id='N'> of a running domain; -1 when absent */
    struct domain_iface *ifaces; /* the vhost-user interfaces, in document order */
    size_t n_ifaces;
    size_t n_cells;           /* NUMA cells */
    size_t n_shared_cells;    /* ... that share their memory */
    bool hugepages;           /* <memoryBacking><hugepages> */
    bool memfd_shared;        /* <memoryBacking> memfd or file source with shared access */
    uint64_t page_kib;        /* the first <page size>, or 0 */
    uint64_t memory_kib;      /* <memory> */
    struct domain_binding *bindings; /* by guest cell, those bound */
    size_t n_bindings;
};

void domain_clear(struct domain *d);

/* Reads 'xml' ('size' bytes); errors name 'field'. */
struct err *domain_parse(const char *xml, size_t size, const char *field, struct domain *out)
    _warn_unused_;

#endif
