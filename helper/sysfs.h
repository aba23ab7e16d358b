/* Host memory facts from sysfs and /proc: the only code that reads them.
 * The roots are options (--sysfs, --proc), so that tests read fabricated
 * trees. */
#ifndef CSDPDK_SYSFS_H
#define CSDPDK_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "helper/error.h"

struct hugepage_pool {
    int node;          /* NUMA node; 0 on a host without NUMA in sysfs */
    uint64_t size_kib; /* page size */
    uint64_t total;    /* nr_hugepages */
    uint64_t free;     /* free_hugepages */
};

/* Pages of a size that a mapping reserved and no fault took yet
 * (kernel/mm/hugepages/hugepages-<size>kB/resv_hugepages, host-wide):
 * counted in free_hugepages, yet no other mapping gets them. A VM's
 * memory on hugetlbfs is reserved when QEMU maps it, taken as the guest
 * touches it. */
struct hugepage_resv {
    uint64_t size_kib;
    uint64_t pages;
};

struct hugetlbfs_mount {
    char *path;
    uint64_t page_kib; /* from pagesize=; 0: the default size */
};

/* A NUMA node's CPUs, as devices/system/node/nodeN/cpulist has them. */
struct node_cpus {
    int node;
    char *cpulist;  /* "0-3,8-11"; NULL when unreadable */
    char *ovs_cpulist; /* the node directory's cpuN with a topology, as OVS
                        * counts them ("0,1,2"); NULL when unreadable */
    int first_cpu;  /* the first cpuN of the node's directory as readdir
                     * lists it (a CPU with a topology), as OVS finds
                     * them (its default PMD goes there); -1: none */
};

struct host_memory {
    int numa_nodes;         /* node directories; 1 on a host without NUMA in sysfs */
    struct node_cpus *cpus; /* per node directory, by node */
    size_t n_cpus;
    bool per_node;          /* pools come from devices/system/node, not kernel/mm */
    struct hugepage_pool *pools; /* by node, then size */
    size_t n_pools;
    struct hugetlbfs_mount *mounts;
    size_t n_mounts;
    bool mounts_read;       /* <proc>/mounts could be read */
    uint64_t default_page_kib; /* <proc>/meminfo's Hugepagesize; 0 unknown */
    struct hugepage_resv *resv; /* per page size, host-wide */
    size_t n_resv;
    char *mounts_error;     /* why not, when it could not */
};

void host_memory_clear(struct host_memory *m);

/* The pages of 'size_kib' reserved and not taken yet, host-wide (0 when
 * not known). */
uint64_t host_memory_resv(const struct host_memory *m, uint64_t size_kib);

/* Reads the NUMA nodes and hugepage pools under 'sysfs' (per node from
 * devices/system/node/nodeN/hugepages/, else from kernel/mm/hugepages/)
 * and the hugetlbfs mounts from '<proc>/mounts'. An error only when
 * 'sysfs' has neither. */
struct err *sysfs_read_memory(const char *sysfs, const char *proc, struct host_memory *out)
    _warn_unused_;

#endif
