/* NUMA locality (docs/ports.md, "NUMA"): where OVS polls a VM's vhost-user
 * queues, judged from facts gathered elsewhere (sysfs, OVSDB, ovs-vswitchd's
 * dpif-netdev/pmd-rxq-show, the domain XML). Pure functions: every rule is
 * tested on fabricated facts (tests/unit/test_numa.c).
 *
 * The rules follow OVS 3.1 (lib/dpif-netdev.c, lib/netdev-dpdk.c): a
 * vhost-user port's NUMA node is that of the guest memory holding its
 * vrings; its rx queues go to a non-isolated PMD thread of that node, else,
 * silently, to one of another node; with no non-isolated PMD at all they
 * are not polled. With pmd-cpu-mask unset OVS starts one PMD per node. */
#ifndef CSDPDK_NUMA_H
#define CSDPDK_NUMA_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "helper/error.h"

/* A set of CPU (or node) numbers, of any width. */
struct cpuset {
    uint64_t *w;
    size_t n; /* words */
};

void cpuset_clear(struct cpuset *s);
void cpuset_add(struct cpuset *s, unsigned i);
bool cpuset_has(const struct cpuset *s, unsigned i);
size_t cpuset_count(const struct cpuset *s);
void cpuset_union(struct cpuset *to, const struct cpuset *from);
/* -1 when empty, else the lowest member at or after 'from'. */
int cpuset_next(const struct cpuset *s, unsigned from);
/* A list as sysfs and libvirt write them: "0-3,8,10-11" (empty: none),
 * libvirt's "^N" exclusions too, applied in order, a trailing ',' and white
 * space where libvirt skips it (around numbers, '-' and ','). False (and
 * '*out' empty) on anything else, white space alone included. */
bool cpuset_parse_list(const char *s, struct cpuset *out);
/* A hexadecimal mask as OVS reads pmd-cpu-mask: optional "0x", bit 0 is
 * CPU 0, any length. */
bool cpuset_parse_mask(const char *s, struct cpuset *out);
/* "0-3,8" ("" for an empty set). */
char *cpuset_text(const struct cpuset *s);
json_t *cpuset_json(const struct cpuset *s);

/* ovs-vswitchd's dpif-netdev/pmd-rxq-show, read. */
struct pmd_thread {
    int core, node;
    bool isolated;
};
struct pmd_rxq {
    char *port;
    int queue;
    bool enabled;
    int core, node; /* the PMD polling it */
};
struct pmd_show {
    struct pmd_thread *pmds;
    size_t n_pmds;
    struct pmd_rxq *rxqs;
    size_t n_rxqs;
};
void pmd_show_clear(struct pmd_show *s);
/* False if 'text' is not pmd-rxq-show's output (OVS 3.1's format). */
bool pmd_show_parse(const char *text, struct pmd_show *out);

/* How 'live' polls port 'name' whose vhost device OVS placed on node
 * 'numa' (Interface status:numa; NULL: not known) with 'queues' rx queues
 * (-1: not known): the array of its queues [{queue, enabled, pmd_core,
 * pmd_numa}], '*cross' (a queue polled from another node than the
 * port's) and '*unpolled' (a queue no PMD polls), each -1 when not known. */
json_t *numa_port_polling(const struct pmd_show *live, const char *name, const char *numa,
                          int queues, int *cross, int *unpolled);

/* What OVS is told about DPDK and PMDs, from OVSDB (NULL: not set). */
struct numa_ovs_config {
    const char *pmd_cpu_mask;    /* other_config:pmd-cpu-mask */
    const char *pmd_rxq_isolate; /* other_config:pmd-rxq-isolate */
    const char *pmd_rxq_assign;  /* other_config:pmd-rxq-assign */
    const char *socket_mem;      /* other_config:dpdk-socket-mem */
    const char *socket_limit;    /* other_config:dpdk-socket-limit */
    const char *dpdk_extra;      /* other_config:dpdk-extra */
    const char *per_port_memory; /* other_config:per-port-memory */
    const char *const *affinities; /* every PMD-polled Interface's other_config:pmd-rxq-affinity */
    const int *affinity_rxqs;      /* ...its rx queue count; NULL: every queue counts */
    size_t n_affinities;
    const char *const *phys_ports; /* Interfaces of type dpdk, with... */
    const int *phys_nodes;         /* ...their status:numa_id (-1 unknown) */
    size_t n_phys;
};

struct numa_node {
    int id;
    struct cpuset cpus;     /* from sysfs; empty when not known */
    struct cpuset ovs_cpus; /* those OVS counts (with a topology); valid if ovs_cpus_known */
    bool ovs_cpus_known;
    struct cpuset pmds;     /* non-isolated PMD cores on the node */
    struct cpuset isolated; /* isolated PMD cores on the node */
    int64_t socket_mem_mb;  /* dpdk-socket-mem's entry; -1: not set */
    int64_t socket_limit_mb; /* dpdk-socket-limit's entry; 0 or -1: no limit */
    bool no_dpdk_memory;    /* legacy memory mode, nothing preallocated here */
    int first_cpu;          /* OVS's first CPU of the node (sysfs order); -1: the lowest */
    bool hugepages_known;
    uint64_t hugepages_free_kib; /* free hugepages of every size, in KiB */
    char **phys;            /* physical DPDK ports on the node */
    size_t n_phys;
};

/* Where a socket list comes from: its name in messages, and where to
 * change it. */
struct numa_list_source {
    const char *name, *where;
};

struct numa_host {
    struct numa_node *nodes; /* by id */
    size_t n;
    bool ovs_known;         /* OVS's configuration was read */
    const char *pmd_source; /* "ovs-vswitchd" (its live PMDs), "pmd-cpu-mask",
                             * "default" (mask unset: one PMD a node), NULL */
    bool legacy_mem;        /* dpdk-extra has --legacy-mem */
    bool per_port_memory;
    char *pmd_cpu_mask;     /* as set, for messages */
    /* DPDK's --socket-mem and --socket-limit as OVS passes them (from
     * dpdk-extra or other_config; NULL: none), and where each is set, for
     * messages. */
    char *socket_mem, *socket_limit;
    const struct numa_list_source *socket_mem_from, *socket_limit_from;
};

/* One node's CPUs and free hugepages, as sysfs has them. */
struct numa_sysfs_node {
    int id;
    const char *cpulist; /* NULL: not known */
    bool hugepages_known;
    uint64_t hugepages_free_kib;
    bool first_cpu_known;
    unsigned first_cpu;  /* the node's first CPU as OVS lists them (sysfs's
                          * readdir order; its default PMD's core) */
    const char *ovs_cpulist; /* the CPUs OVS counts on the node (those with a
                              * topology: not an offline one); NULL: not known */
};

/* Builds the host's NUMA facts: nodes from 'sys' (and any node a live PMD or
 * a physical port names); PMDs from 'live' when it lists any (ovs-vswitchd
 * knows best: the PMDs it runs), else from 'ovs' (pmd-cpu-mask mapped onto
 * the nodes' CPUs, less the cores pmd-rxq-affinity isolates); 'ovs' NULL:
 * OVS facts unknown. */
void numa_host_build(const struct numa_sysfs_node *sys, size_t n_sys,
                     const struct numa_ovs_config *ovs, const struct pmd_show *live,
                     struct numa_host *out);
void numa_host_clear(struct numa_host *h);

/* capabilities' "numa" member: one object per node. */
json_t *numa_host_json(const struct numa_host *h);
/* Reads numa_host_json()'s form back, with the settings of
 * 'other_config' (capabilities' ovs.other_config; NULL: none): a
 * destination's capabilities. ERR_INVALID_REQUEST naming 'field'. */
struct err *numa_host_from_json(const json_t *j, const json_t *other_config, const char *field,
                                struct numa_host *out) _warn_unused_;
/* The same from a whole capabilities result 'report' (its "numa" and
 * "ovs"."other_config"): ERR_INVALID_REQUEST naming 'field'.numa when it
 * has no NUMA facts. */
struct err *numa_host_from_report(const json_t *report, const char *field, struct numa_host *out)
    _warn_unused_;

/* Appends to 'warnings' (strings) one warning per node a DPDK VM could be
 * placed on (it has CPUs or free hugepages) that has no PMD to poll it, or
 * no DPDK memory: each names the node and the setting to change. */
void numa_host_warnings(const struct numa_host *h, json_t *warnings);

/* Where a VM's memory (and so its vrings) will be, from its domain XML. */
struct numa_placement {
    bool domain;              /* a domain XML was read */
    struct cpuset nodes;      /* host nodes of its memory */
    const char *source;       /* "numatune", NULL: unknown */
    struct cpuset vcpu_nodes; /* host nodes of its pinned vCPUs */
    bool vcpus_pinned;
    struct cpuset unbound_cells; /* guest cells whose memory <numatune> leaves unbound */
    unsigned *port_queues;    /* each vhost-user interface's queue count (for memory) */
    size_t n_ports;
};
void numa_placement_clear(struct numa_placement *p);

/* Reads <numatune> (each guest <cell>'s <memnode nodeset>, else <memory
 * nodeset>: the memory's host nodes; <memory>'s alone in mode restrictive,
 * as libvirt binds it then), each vhost-user interface's queues and <cputune><vcpupin cpuset> (the vCPUs', mapped onto nodes
 * by the CPUs of 'h') of 'xml' (NULL: none). Without <numatune>, or with
 * numad's placement='auto', the placement is unknown: pinned vCPUs do not
 * bind a DPDK VM's memory, which QEMU's main thread (on <emulatorpin>'s
 * CPUs, else <vcpu cpuset>'s) preallocates where the kernel finds it. */
struct err *numa_placement_read(const char *xml, size_t size, const char *field,
                                const struct numa_host *h, struct numa_placement *out)
    _warn_unused_;

/* The judgement: '*locality' is {"vm_nodes", "source", "pmd_nodes",
 * "verdict": "local" | "cross_numa" | "unknown", "notes"}; warnings go into
 * 'warnings'. A placement OVS cannot serve at all (no PMD that can poll,
 * DPDK memory that cannot grow on the VM's node) is ERR_NUMA_REFUSED
 * naming the node and the setting, and '*locality' is NULL. */
struct err *numa_judge(const struct numa_host *h, const struct numa_placement *p,
                       json_t *warnings, json_t **locality) _warn_unused_;

/* The estimated DPDK memory (MiB) a vhost-user port of 'queues' queues
 * needs at least on its node, MTU 1500: the smallest mempool OVS makes
 * for it, shared (262144 mbufs, halved on ENOMEM down to 16384) or per
 * port (lib/netdev-dpdk.c dpdk_calculate_mbufs, dpdk_mp_create). */
uint64_t numa_port_memory_mb(bool per_port_memory, unsigned queues);

/* What the VM's vhost-user ports of 'queues' ('n' of them; none: one of a
 * queue) need at least on one node: one shared mempool for them all, or,
 * with per-port memory, each port's own, all of them (a mempool goes where
 * its port's rings are, and the guest may put every ring on any one of its
 * nodes: the virtio driver allocates a device's on the node of the CPU
 * that probes it). */
uint64_t numa_ports_memory_mb(bool per_port_memory, const unsigned *queues, size_t n);

#endif
