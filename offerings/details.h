/* The DPDK details of a VM: merge, decoding and validation.
 *
 * CloudStack keeps details on the service offering and on the VM. csdpdk
 * adds the VM's to the offering's and, on the same key, the VM's value wins
 * (as the CloudStack 4.13 announcement says; CloudStack's own code lets the
 * offering's win). A VM is DPDK-enabled iff, after the merge, both
 * extraconfig-dpdk-numa and extraconfig-dpdk-hugepages are present. */
#ifndef CSDPDK_OFFERINGS_DETAILS_H
#define CSDPDK_OFFERINGS_DETAILS_H

#include <stdbool.h>
#include <stddef.h>

#include "helper/error.h"
#include "offerings/mode.h"

#define DETAIL_MODE "DPDK-VHOSTUSER"
#define DETAIL_NUMA "extraconfig-dpdk-numa"
#define DETAIL_HUGEPAGES "extraconfig-dpdk-hugepages"
#define DETAIL_INTERFACE_PREFIX "extraconfig-dpdk-interface-"

#define DETAILS_MAX_KEYS 1024  /* per side */
#define DETAIL_KEY_MAX_LEN 256

enum detail_source {
    DETAIL_SOURCE_DEFAULT, /* absent on both sides */
    DETAIL_SOURCE_OFFERING,
    DETAIL_SOURCE_VM,
};

/* "default", "offering", "vm" */
const char *detail_source_name(enum detail_source source);

struct detail {
    const char *key;
    const char *value; /* NUL-terminated; a NUL inside is an encoding error */
    size_t size;       /* bytes in 'value' */
};

/* Borrowed views: nothing here is owned. */
struct details_request {
    const struct detail *offering;
    size_t n_offering;
    const struct detail *vm;
    size_t n_vm;
    bool url_encoded; /* decode each value once, as Java's URLDecoder does */
};

struct dpdk_extra {
    char *key;   /* extraconfig-dpdk-interface-... */
    char *xml;   /* normalised elements for each vhost-user <interface> */
    enum detail_source source;
};

struct dpdk_details {
    bool dpdk;
    enum vhost_mode mode;
    char *numa;      /* normalised <cpu>, or NULL when absent */
    char *hugepages; /* normalised <memoryBacking>, or NULL when absent */
    struct dpdk_extra *extras; /* sorted by key */
    size_t n_extras;
    enum detail_source mode_source, numa_source, hugepages_source;
    char **ignored;  /* keys that are not DPDK details, sorted, each once */
    size_t n_ignored;
    /* The names of every element of the numa, hugepages and interface
     * snippets that won, at any depth, sorted (strcmp), each once: the
     * allow-list CloudStack wants when they are VM details. */
    char **elements;
    size_t n_elements;
    char **warnings; /* for the envelope, in a stable order */
    size_t n_warnings;
};

void dpdk_details_free(struct dpdk_details *d);
DEFINE_CLEANUP_FUNC(struct dpdk_details, dpdk_details_free)

/* Merges, decodes and checks 'request'. Errors name the field of the value
 * that fails as '<prefix>.vm.<key>' or '<prefix>.offering.<key>' ('prefix'
 * may be "" for none). Keys that are not DPDK details are ignored; a key
 * that looks like one but is not (another case, an unknown
 * 'extraconfig-dpdk-' key) is ERR_INVALID_REQUEST. */
struct err *details_decode(const struct details_request *request, const char *prefix,
                           struct dpdk_details **out) _warn_unused_;

#endif
