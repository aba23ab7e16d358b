/* libvirt: the only file that knows it. Loaded on first use (helper/dl.h),
 * so that the verbs that never talk to libvirt do not pay for it. libvirt's
 * own printing of errors to stderr is turned off; errors come back here. */
#ifndef CSDPDK_LIBVIRT_H
#define CSDPDK_LIBVIRT_H

#include <stdbool.h>
#include <stddef.h>

#include "helper/error.h"

/* The version of the libvirt library that would be loaded ("9.0.0"). */
struct err *libvirt_library_version(char **out) _warn_unused_;

struct libvirt;

/* Opens 'uri' ("qemu:///system", "test:///default"). ERR_LIBVIRT_UNAVAILABLE
 * if libvirt cannot be loaded or the connection cannot be made. */
struct err *libvirt_open(const char *uri, struct libvirt **out) _warn_unused_;
void libvirt_close(struct libvirt *lv);
DEFINE_CLEANUP_FUNC(struct libvirt, libvirt_close)

enum libvirt_domain_state {
    LIBVIRT_DOMAIN_MISSING,  /* no domain with that UUID */
    LIBVIRT_DOMAIN_INACTIVE, /* defined, not running */
    LIBVIRT_DOMAIN_ACTIVE,   /* running, paused, or migrating in */
};

const char *libvirt_domain_state_name(enum libvirt_domain_state state);

/* Each call on a connection fails with ERR_LIBVIRT_UNAVAILABLE when the
 * connection was lost during it (the daemon shut down or killed), as
 * libvirt_open() does when it cannot connect, and with ERR_LIBVIRT_ERROR
 * when libvirt refused the call. */
struct err *libvirt_domain_state(struct libvirt *lv, const char *uuid,
                                 enum libvirt_domain_state *state) _warn_unused_;

/* A domain libvirt knows, as it describes it. */
struct libvirt_domain {
    char *uuid;
    bool active;  /* running, paused, or migrating in */
    char *xml;    /* the live XML of an active domain, the definition of another */
};

struct libvirt_domain_list {
    struct libvirt_domain *domains; /* sorted by UUID */
    size_t n;
};

void libvirt_domain_list_clear(struct libvirt_domain_list *list);

/* Every domain of the connection, active or defined, with its XML. A
 * domain that goes away while it is read is left out. */
struct err *libvirt_domains_read(struct libvirt *lv, struct libvirt_domain_list *out)
    _warn_unused_;

/* What a libvirt host tells of itself. */
struct libvirt_host {
    char *library;    /* the libvirt csdpdk loaded */
    char *daemon;     /* the daemon's libvirt */
    char *hypervisor; /* "QEMU 7.2.0", "Test 0.0.2" */
    int numa_cells;   /* from the capabilities; 0 if it tells none */
    int *cell_ids;    /* the cells' ids (NUMA node numbers), as listed */
    size_t n_cell_ids;
    unsigned long long *page_sizes_kib; /* the host's page sizes */
    size_t n_page_sizes;
};

void libvirt_host_clear(struct libvirt_host *host);

/* Free pages of 'size_kib' on each of the 'n_cells' NUMA cells 'cells'
 * (their ids, which are node numbers: virNodeGetFreePages counts cells by
 * node number, so a host whose nodes are 0 and 2 has no cell 1); cell 0
 * alone when 'n_cells' is 0. '*counts' gets one count per cell, in the
 * order of 'cells' (the caller frees it), '*n' their number. */
struct err *libvirt_free_pages(struct libvirt *lv, unsigned size_kib, const int *cells,
                               size_t n_cells, unsigned long long **counts, size_t *n)
    _warn_unused_;

/* From a capabilities document (virConnectGetCapabilities()): the NUMA
 * cells (their number and ids) and the page sizes, into 'h' (which
 * libvirt_host_clear() frees, also after an error). */
struct err *libvirt_capabilities_parse(const char *xml, size_t size, struct libvirt_host *h)
    _warn_unused_;

/* Versions and, from virConnectGetCapabilities(), NUMA cells and page
 * sizes. */
struct err *libvirt_host_read(struct libvirt *lv, struct libvirt_host *out) _warn_unused_;

#endif
