/* The tables are written leaves first, so that every element is defined
 * before the element that holds it. */
#include "offerings/grammar.h"

#include <stddef.h>

#define END_ATTRS {.name = NULL}
#define END_CHILDREN {.elem = NULL}

#define ATTR_ENUM(n, c, req) {.name = (n), .kind = VALUE_ENUM, .required = (req), .choices = (c)}
#define ATTR_UINT(n, lo, hi, req) {.name = (n), .kind = VALUE_UINT, .required = (req), .min = (lo), .max = (hi)}
#define ATTR_HEX(n, hi) {.name = (n), .kind = VALUE_HEX, .max = (hi)}

#define MEMORY_MAX (1ULL << 53) /* in any unit: far above any real host */
#define CPU_ID_MAX 4095         /* libvirt's own bound on cpuset ids */
#define CELL_ID_MAX 127         /* QEMU supports 128 NUMA nodes */

static const char *const on_off[] = {"on", "off", NULL};
static const char *const yes_no[] = {"yes", "no", NULL};
/* The units libvirt's virScaleInteger() reads, spelled as its documentation does. */
static const char *const memory_units[] = {"b", "bytes", "KB", "k", "KiB", "MB", "M", "MiB",
                                           "GB", "G", "GiB", "TB", "T", "TiB", NULL};
static const char *const shared_only[] = {"shared", NULL};

static const char why_shared_cell[] =
    "every NUMA cell needs memAccess='shared': vhost-user needs guest memory that Open vSwitch can map, and QEMU otherwise falls back silently to a slow path";
static const char why_shared_access[] =
    "vhost-user needs guest memory that Open vSwitch can map";

/* ---- extraconfig-dpdk-numa: one <cpu> holding one <numa> of <cell> ---- */

static const char *const cpu_modes[] = {"host-passthrough", "host-model", "custom", "maximum", NULL};
static const char *const cpu_matches[] = {"minimum", "exact", "strict", NULL};
static const char *const cpu_checks[] = {"none", "partial", "full", NULL};
static const char *const model_fallbacks[] = {"allow", "forbid", NULL};
static const char *const feature_policies[] = {"force", "require", "optional", "disable", "forbid",
                                               NULL};

static const struct elem_rule el_sibling = {
    .name = "sibling",
    .attrs = (const struct attr_rule[]){
        {.name = "id", .kind = VALUE_UINT, .required = true, .unique = true, .max = CELL_ID_MAX},
        ATTR_UINT("value", 10, 255, true),
        END_ATTRS,
    },
};

static const struct elem_rule el_distances = {
    .name = "distances",
    .children = (const struct child_rule[]){{&el_sibling, 1, CELL_ID_MAX + 1}, END_CHILDREN},
};

static const struct elem_rule el_cell = {
    .name = "cell",
    .attrs = (const struct attr_rule[]){
        {.name = "id", .kind = VALUE_UINT, .required = true, .unique = true, .max = CELL_ID_MAX},
        {.name = "cpus", .kind = VALUE_CPUSET, .required = true, .max = CPU_ID_MAX},
        ATTR_UINT("memory", 1, MEMORY_MAX, true),
        ATTR_ENUM("unit", memory_units, false),
        {.name = "memAccess", .kind = VALUE_ENUM, .required = true, .choices = shared_only,
         .why = why_shared_cell},
        ATTR_ENUM("discard", yes_no, false),
        END_ATTRS,
    },
    .children = (const struct child_rule[]){{&el_distances, 0, 1}, END_CHILDREN},
};

static const struct elem_rule el_numa = {
    .name = "numa",
    .children = (const struct child_rule[]){{&el_cell, 1, CELL_ID_MAX + 1}, END_CHILDREN},
};

static const struct elem_rule el_model = {
    .name = "model",
    .attrs = (const struct attr_rule[]){ATTR_ENUM("fallback", model_fallbacks, false), END_ATTRS},
    .has_text = true,
};

static const struct elem_rule el_vendor = {.name = "vendor", .has_text = true};

static const struct elem_rule el_topology = {
    .name = "topology",
    .attrs = (const struct attr_rule[]){
        ATTR_UINT("sockets", 1, CPU_ID_MAX + 1, true),
        ATTR_UINT("dies", 1, CPU_ID_MAX + 1, false),
        ATTR_UINT("cores", 1, CPU_ID_MAX + 1, true),
        ATTR_UINT("threads", 1, CPU_ID_MAX + 1, true),
        END_ATTRS,
    },
};

static const struct elem_rule el_feature = {
    .name = "feature",
    .attrs = (const struct attr_rule[]){
        ATTR_ENUM("policy", feature_policies, true),
        {.name = "name", .kind = VALUE_TOKEN, .required = true, .unique = true},
        END_ATTRS,
    },
};

static const struct elem_rule el_cpu = {
    .name = "cpu",
    .attrs = (const struct attr_rule[]){
        ATTR_ENUM("mode", cpu_modes, false),
        ATTR_ENUM("match", cpu_matches, false),
        ATTR_ENUM("check", cpu_checks, false),
        ATTR_ENUM("migratable", on_off, false),
        END_ATTRS,
    },
    .children = (const struct child_rule[]){
        {&el_model, 0, 1},
        {&el_vendor, 0, 1},
        {&el_topology, 0, 1},
        {&el_feature, 0, 256},
        {&el_numa, 1, 1},
        END_CHILDREN,
    },
};

const struct grammar grammar_numa = {
    .holds = "one <cpu> holding one <numa> of <cell> elements",
    .roots = (const struct child_rule[]){{&el_cpu, 1, 1}, END_CHILDREN},
    .min_roots = 1,
};

/* ---- extraconfig-dpdk-hugepages: one <memoryBacking> with <hugepages> ---- */

/* Not "anonymous": libvirt refuses it with hugepages, which the snippet
 * must have ("hugepages are not allowed with anonymous memory source"). */
static const char *const source_types[] = {"file", "memfd", NULL};
static const char why_source_type[] = "libvirt refuses hugepages with an anonymous memory source";

static const struct elem_rule el_page = {
    .name = "page",
    .attrs = (const struct attr_rule[]){
        ATTR_UINT("size", 1, MEMORY_MAX, true),
        ATTR_ENUM("unit", memory_units, false),
        {.name = "nodeset", .kind = VALUE_CPUSET, .max = CELL_ID_MAX},
        END_ATTRS,
    },
};

static const struct elem_rule el_hugepages = {
    .name = "hugepages",
    .children = (const struct child_rule[]){{&el_page, 0, 16}, END_CHILDREN},
};

static const struct elem_rule el_nosharepages = {.name = "nosharepages"};
static const struct elem_rule el_locked = {.name = "locked"};

static const struct elem_rule el_source = {
    .name = "source",
    .attrs = (const struct attr_rule[]){
        {.name = "type", .kind = VALUE_ENUM, .required = true, .choices = source_types, .why = why_source_type},
        END_ATTRS,
    },
};

static const struct elem_rule el_access = {
    .name = "access",
    .attrs = (const struct attr_rule[]){
        {.name = "mode", .kind = VALUE_ENUM, .required = true, .choices = shared_only,
         .why = why_shared_access},
        END_ATTRS,
    },
};

static const struct elem_rule el_memory_backing = {
    .name = "memoryBacking",
    .children = (const struct child_rule[]){
        {&el_hugepages, 1, 1},
        {&el_nosharepages, 0, 1},
        {&el_locked, 0, 1},
        {&el_source, 0, 1},
        {&el_access, 0, 1},
        END_CHILDREN,
    },
};

const struct grammar grammar_hugepages = {
    .holds = "one <memoryBacking> holding <hugepages>",
    .roots = (const struct child_rule[]){{&el_memory_backing, 1, 1}, END_CHILDREN},
    .min_roots = 1,
};

/* ---- extraconfig-dpdk-interface-*: extra elements of each vhost-user <interface> ---- */

static const char *const queue_sizes[] = {"256", "512", "1024", NULL};
static const char *const link_states[] = {"up", "down", NULL};
static const char *const address_types[] = {"pci", NULL};

static const struct elem_rule el_driver_host = {
    .name = "host",
    .attrs = (const struct attr_rule[]){
        ATTR_ENUM("csum", on_off, false), ATTR_ENUM("gso", on_off, false),
        ATTR_ENUM("tso4", on_off, false), ATTR_ENUM("tso6", on_off, false),
        ATTR_ENUM("ecn", on_off, false), ATTR_ENUM("ufo", on_off, false),
        ATTR_ENUM("mrg_rxbuf", on_off, false), END_ATTRS,
    },
};

static const struct elem_rule el_driver_guest = {
    .name = "guest",
    .attrs = (const struct attr_rule[]){
        ATTR_ENUM("csum", on_off, false), ATTR_ENUM("tso4", on_off, false),
        ATTR_ENUM("tso6", on_off, false), ATTR_ENUM("ecn", on_off, false),
        ATTR_ENUM("ufo", on_off, false), END_ATTRS,
    },
};

static const struct elem_rule el_driver = {
    .name = "driver",
    .attrs = (const struct attr_rule[]){
        ATTR_UINT("queues", 1, 256, false),
        ATTR_ENUM("rx_queue_size", queue_sizes, false),
        ATTR_ENUM("tx_queue_size", queue_sizes, false),
        ATTR_ENUM("iommu", on_off, false),
        ATTR_ENUM("ats", on_off, false),
        ATTR_ENUM("packed", on_off, false),
        ATTR_ENUM("page_per_vq", on_off, false),
        ATTR_ENUM("event_idx", on_off, false),
        END_ATTRS,
    },
    .children = (const struct child_rule[]){
        {&el_driver_host, 0, 1}, {&el_driver_guest, 0, 1}, END_CHILDREN,
    },
};

static const struct elem_rule el_mtu = {
    .name = "mtu",
    .attrs = (const struct attr_rule[]){ATTR_UINT("size", 68, 65535, true), END_ATTRS},
};

static const struct elem_rule el_link = {
    .name = "link",
    .attrs = (const struct attr_rule[]){ATTR_ENUM("state", link_states, true), END_ATTRS},
};

static const struct elem_rule el_boot = {
    .name = "boot",
    .attrs = (const struct attr_rule[]){ATTR_UINT("order", 1, 65535, true), END_ATTRS},
};

static const struct elem_rule el_address = {
    .name = "address",
    .attrs = (const struct attr_rule[]){
        ATTR_ENUM("type", address_types, true),
        ATTR_HEX("domain", 0xffff), ATTR_HEX("bus", 0xff),
        ATTR_HEX("slot", 0x1f), ATTR_HEX("function", 0x7),
        ATTR_ENUM("multifunction", on_off, false),
        END_ATTRS,
    },
};

const struct grammar grammar_interface = {
    .holds = "elements for a vhost-user <interface>: <driver>, <mtu>, <link>, <boot> or <address>",
    .roots = (const struct child_rule[]){
        {&el_driver, 0, 1}, {&el_mtu, 0, 1}, {&el_link, 0, 1},
        {&el_boot, 0, 1}, {&el_address, 0, 1}, END_CHILDREN,
    },
    .min_roots = 1,
};
