/* What live migration needs to know of a running DPDK VM, read from its
 * domain XML: its vhost-user interfaces and whether its memory is set up
 * for vhost-user (docs/design.md section 7). */
#ifndef CSDPDK_MIGRATION_DOMAIN_H
#define CSDPDK_MIGRATION_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "helper/error.h"

struct mig_iface {
    char *mac;  /* lower case */
    char *port; /* <target dev> unless empty, else the socket's file name */
    char *path; /* <source path> */
    char *mode; /* <source mode> */
};

struct mig_domain {
    struct mig_iface *ifaces; /* the vhost-user interfaces, in document order */
    size_t n_ifaces;
    size_t n_cells;           /* NUMA cells */
    size_t n_shared_cells;    /* ... that share their memory */
    bool hugepages;           /* <memoryBacking><hugepages> */
    bool memfd_shared;        /* <memoryBacking> memfd or file source with shared access */
    uint64_t page_kib;        /* the first <page size>, or 0 */
    uint64_t memory_kib;      /* <memory> */
};

void mig_domain_clear(struct mig_domain *d);

/* Reads 'xml' ('size' bytes; field "domain_xml"). */
struct err *mig_domain_parse(const char *xml, size_t size, struct mig_domain *out) _warn_unused_;

#endif
