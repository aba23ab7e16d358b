#include "helper/domxml.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "helper/mem.h"
#include "helper/xml.h"
#include "offerings/mode.h"
#include "helper/text.h"

#define CPU_IDS 4096 /* the grammar bounds cpuset ids to 4095 */

static void xml_free_node_listp(xmlNodePtr *list)
{
    xmlFreeNodeList(*list);
}

void domxml_strings_free(char **strings, size_t n)
{
    for (size_t i = 0; strings && i < n; i++) {
        free(strings[i]);
    }
    free(strings);
}

/* ---- small tree helpers ---- */

static xmlNodePtr new_element(xmlDocPtr doc, const char *name)
{
    return xmlNewDocNode(doc, NULL, BAD_CAST name, NULL);
}

static xmlNodePtr add_element(xmlNodePtr parent, const char *name)
{
    return xmlAddChild(parent, new_element(parent->doc, name));
}

static void set_attr(xmlNodePtr node, const char *name, const char *value)
{
    xmlSetProp(node, BAD_CAST name, BAD_CAST value);
}

static void set_attr_int(xmlNodePtr node, const char *name, long long value)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", value);
    set_attr(node, name, buf);
}

static char *detail_field(const struct domxml_vm *vm, enum detail_source source, const char *key)
{
    return mem_asprintf("%s.%s.%s", vm->details_field, detail_source_name(source), key);
}

/* ---- interfaces ---- */

/* The order libvirt writes an interface's children in; extras follow it. */
static const char *const extra_order[] = {"link", "mtu", "boot", "address"};

static void free_nodes(xmlNodePtr *nodes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        xmlFreeNode(nodes[i]);
    }
}

/* What an extra must not do on this NIC: set another queue count, or,
 * since the extras go on each of the 'n_nics' NICs, set what must be unique
 * in a domain (a boot order, a PCI address) when there are several. */
static struct err *check_extra(const struct domxml_vm *vm, const struct domxml_nic *nic, size_t n_nics,
                               const char *key, const char *field, const xmlNode *extra)
{
    if (vm->os_boot && xml_is(extra, "boot")) {
        return err_new(ERR_INVALID_XML, field,
                       "%s sets <boot order>, but the domain boots by <os><boot dev> (as every domain "
                       "CloudStack's agent writes): libvirt refuses per-device boot elements beside them",
                       key);
    }
    if (n_nics > 1 && (xml_is(extra, "boot") || xml_is(extra, "address"))) {
        return err_new(ERR_INVALID_XML, field,
                       "%s sets <%s>, which would go on each of the %zu DPDK NICs; libvirt "
                       "refuses a %s used twice",
                       key, (const char *) extra->name, n_nics,
                       xml_is(extra, "boot") ? "boot order" : "device address");
    }
    _cleanup_free_ char *queues = xml_is(extra, "driver") ? xml_attr(extra, "queues") : NULL;
    if (queues && atoi(queues) != nic->queues) {
        return err_new(ERR_INVALID_XML, field, "%s sets <driver queues='%s'> but %s has %d queue%s",
                       key, queues, nic->field, nic->queues, nic->queues == 1 ? "" : "s");
    }
    return NULL;
}

/* Copies the interface extras into 'iface' (after <driver>), and merges an
 * extra <driver> with the one csdpdk renders for multiqueue. */
static struct err *add_extras(const struct domxml_vm *vm, const struct domxml_nic *nic,
                              size_t n_nics, xmlNodePtr iface, xmlNodePtr *driver)
{
    const struct dpdk_details *d = vm->details;
    xmlNodePtr others[ARRAY_SIZE(extra_order)] = {0};
    struct err *e = NULL;

    for (size_t i = 0; i < d->n_extras && !e; i++) {
        _cleanup_free_ char *field = detail_field(vm, d->extras[i].source, d->extras[i].key);
        _cleanup_(xmlFreeDocp) xmlDocPtr frag = NULL;
        _cleanup_(xml_free_node_listp) xmlNodePtr list = NULL;
        e = xml_parse_fragment(d->extras[i].xml, strlen(d->extras[i].xml), field, &frag, &list);
        for (xmlNodePtr n = e ? NULL : list; n; n = n->next) {
            if (n->type != XML_ELEMENT_NODE) {
                continue;
            }
            if ((e = check_extra(vm, nic, n_nics, d->extras[i].key, field, n))) {
                break;
            }
            xmlNodePtr copy = xmlDocCopyNode(n, iface->doc, 1);
            if (xml_is(copy, "driver")) {
                if (nic->queues > 1) {
                    set_attr_int(copy, "queues", nic->queues);
                }
                xmlFreeNode(*driver); /* one per element: the grammar refuses a clash */
                *driver = copy;
                continue;
            }
            for (size_t k = 0; k < ARRAY_SIZE(extra_order); k++) {
                if (copy && xml_is(copy, extra_order[k])) {
                    xmlFreeNode(others[k]);
                    others[k] = TAKE_PTR(copy);
                }
            }
            xmlFreeNode(copy); /* outside the grammar: never here */
        }
    }
    if (e) {
        free_nodes(others, ARRAY_SIZE(others));
        xmlFreeNode(*driver);
        *driver = NULL;
        return e;
    }
    if (*driver) {
        xmlAddChild(iface, *driver);
    }
    for (size_t k = 0; k < ARRAY_SIZE(extra_order); k++) {
        if (others[k]) {
            xmlAddChild(iface, others[k]);
        }
    }
    return NULL;
}

static struct err *build_interface(xmlDocPtr doc, const struct domxml_vm *vm,
                                   const struct domxml_nic *nic, size_t n_nics, xmlNodePtr *out)
{
    const struct vhost_mode_info *mode = vhost_mode_info(vm->details->mode);
    xmlNodePtr iface = new_element(doc, "interface");
    set_attr(iface, "type", "vhostuser");

    set_attr(add_element(iface, "mac"), "address", nic->mac);
    xmlNodePtr source = add_element(iface, "source");
    set_attr(source, "type", "unix");
    set_attr(source, "path", nic->socket);
    set_attr(source, "mode", mode->guest_mode);
    domxml_source_reconnect(source, vm->reconnect);
    set_attr(add_element(iface, "target"), "dev", nic->port);
    set_attr(add_element(iface, "model"), "type", "virtio");

    xmlNodePtr driver = NULL;
    struct err *e = add_extras(vm, nic, n_nics, iface, &driver);
    if (e) {
        xmlFreeNode(iface);
        return e;
    }
    if (!driver && nic->queues > 1) {
        /* Right after <model>, where libvirt writes it. */
        driver = new_element(doc, "driver");
        set_attr_int(driver, "queues", nic->queues);
        xmlAddNextSibling(xml_child(iface, "model"), driver);
    }
    *out = iface;
    return NULL;
}

xmlNodePtr domxml_vhostuser_next(xmlNodePtr domain, xmlNodePtr prev)
{
    xmlNodePtr devices = prev ? NULL : xml_child(domain, "devices");
    for (xmlNodePtr c = prev ? prev->next : devices ? devices->children : NULL; c; c = c->next) {
        _cleanup_free_ char *type = xml_is(c, "interface") ? xml_attr(c, "type") : NULL;
        if (type && streq(type, "vhostuser")) {
            return c;
        }
    }
    return NULL;
}

bool domxml_source_reconnect(xmlNodePtr source, int reconnect)
{
    _cleanup_free_ char *mode = xml_attr(source, "mode");
    xmlNodePtr old = xml_child(source, "reconnect");
    if (mode && streq(mode, "server") && old) {
        xml_remove_element(old);
        return true;
    }
    /* QEMU as the socket client: without this, the VM's link stays down
     * after OVS restarts (libvirt >= 4.1). */
    if (mode && streq(mode, "client") && !old && reconnect > 0) {
        xmlNodePtr r = new_element(source->doc, "reconnect");
        set_attr(r, "enabled", "yes");
        set_attr_int(r, "timeout", reconnect);
        xml_append_element(source, r);
        return true;
    }
    return false;
}

unsigned domxml_complete_interface(xmlNodePtr iface, const char *port, int reconnect)
{
    unsigned changed = 0;
    xmlNodePtr source = xml_child(iface, "source");
    _cleanup_free_ char *path = source ? xml_attr(source, "path") : NULL;
    _cleanup_free_ char *single = path ? text_single_slashes(path) : NULL;
    if (path && !streq(path, single)) {
        set_attr(source, "path", single);
        changed |= DOMXML_COMPLETED_PATH;
    }
    if (source && domxml_source_reconnect(source, reconnect)) {
        changed |= DOMXML_COMPLETED_RECONNECT;
    }
    xmlNodePtr target = port ? xml_child(iface, "target") : NULL;
    _cleanup_free_ char *dev = target ? xml_attr(target, "dev") : NULL;
    if (port && !target) {
        /* Right after <source>, where render and libvirt write it. */
        target = new_element(iface->doc, "target");
        xmlNodePtr next = source ? source->next : NULL;
        while (next && next->type != XML_ELEMENT_NODE) {
            next = next->next;
        }
        if (next) {
            xml_insert_before(next, target);
        } else {
            xml_append_element(iface, target);
        }
    }
    if (port && !(dev && streq(dev, port))) {
        set_attr(target, "dev", port);
        changed |= DOMXML_COMPLETED_TARGET;
    }
    return changed;
}

struct err *domxml_interfaces(const struct domxml_vm *vm, const struct domxml_nic *nics, size_t n,
                              char ***xml)
{
    char **out = mem_new0(char *, n + 1);
    for (size_t i = 0; i < n; i++) {
        _cleanup_(xmlFreeDocp) xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
        xmlNodePtr iface = NULL;
        struct err *e = build_interface(doc, vm, &nics[i], n, &iface);
        if (e) {
            domxml_strings_free(out, n);
            return e;
        }
        xmlDocSetRootElement(doc, iface);
        out[i] = xml_node_string(doc, iface);
    }
    *xml = out;
    return NULL;
}

/* ---- checks ---- */

static const struct {
    const char *unit;
    uint64_t bytes;
} units[] = {
    {"b", 1}, {"byte", 1}, {"bytes", 1}, {"KB", 1000}, {"k", 1024}, {"KiB", 1024},
    {"MB", 1000000}, {"M", 1 << 20}, {"MiB", 1 << 20},
    {"GB", 1000000000}, {"G", 1 << 30}, {"GiB", 1 << 30},
    {"TB", 1000000000000ULL}, {"T", 1ULL << 40}, {"TiB", 1ULL << 40},
    {"PB", 1000000000000000ULL}, {"P", 1ULL << 50}, {"PiB", 1ULL << 50},
    {"EB", 1000000000000000000ULL}, {"E", 1ULL << 60}, {"EiB", 1ULL << 60},
};

/* 'value' 'unit' in KiB, rounded up as libvirt does; the unit in any
 * case, as libvirt reads it (virScaleInteger); false if unknown or too
 * large. */
bool domxml_to_kib(const char *value, const char *unit, uint64_t *kib)
{
    char *end;
    if (!value || !*value || strspn(value, "0123456789") != strlen(value)) {
        return false;
    }
    uint64_t v = strtoull(value, &end, 10);
    for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
        if (!strcasecmp(units[i].unit, unit ? unit : "KiB")) {
            uint64_t bytes;
            if (__builtin_mul_overflow(v, units[i].bytes, &bytes)) {
                return false;
            }
            *kib = bytes / 1024 + (bytes % 1024 != 0);
            return true;
        }
    }
    return false;
}

xmlNodePtr domxml_memnode(xmlNodePtr numatune, unsigned long cell)
{
    for (xmlNodePtr m = numatune ? numatune->children : NULL; m; m = m->next) {
        _cleanup_free_ char *of = xml_is(m, "memnode") ? xml_attr(m, "cellid") : NULL;
        char *end = NULL;
        if (of && *of >= '0' && *of <= '9' && strtoul(of, &end, 10) == cell && !*end) {
            return m;
        }
    }
    return NULL;
}

/* libvirt's cpuset ("0-3,^2,8") into 'bits'; the grammar checked it. */
static void cpuset_bits(const char *s, bool *bits)
{
    for (const char *p = s; *p;) {
        bool negated = *p == '^';
        p += negated;
        unsigned long lo = strtoul(p, (char **) &p, 10), hi = lo;
        if (*p == '-') {
            hi = strtoul(p + 1, (char **) &p, 10);
        }
        for (unsigned long i = lo; i <= hi && i < CPU_IDS; i++) {
            bits[i] = !negated;
        }
        p += *p == ',';
    }
}

static char *describe_ids(const bool *bits, size_t n)
{
    _cleanup_free_ char *out = mem_strdup("");
    for (size_t i = 0; i < n;) {
        if (!bits[i]) {
            i++;
            continue;
        }
        size_t j = i;
        while (j + 1 < n && bits[j + 1]) {
            j++;
        }
        char *more = j > i ? mem_asprintf("%s%s%zu-%zu", out, *out ? "," : "", i, j)
                           : mem_asprintf("%s%s%zu", out, *out ? "," : "", i);
        free(out);
        out = more;
        i = j + 1;
    }
    return TAKE_PTR(out);
}

/* The checks, on a <cpu> and a <memoryBacking> wherever they are. */
static struct err *check_tree(const struct domxml_vm *vm, const xmlNode *cpu,
                              const xmlNode *backing, unsigned vcpus, uint64_t memory_kib,
                              const char *memory_field)
{
    const struct dpdk_details *d = vm->details;
    _cleanup_free_ char *numa_field = detail_field(vm, d->numa_source, DETAIL_NUMA);
    _cleanup_free_ char *huge_field = detail_field(vm, d->hugepages_source, DETAIL_HUGEPAGES);
    _cleanup_free_ bool *owner_bits = mem_new0(bool, CPU_IDS);
    _cleanup_free_ int *owner = mem_new0(int, CPU_IDS);
    _cleanup_free_ bool *cell_ids = mem_new0(bool, CPU_IDS);
    const xmlNode *access = xml_child(backing, "access");
    _cleanup_free_ char *access_mode = access ? xml_attr(access, "mode") : NULL;
    bool shared_default = access_mode && streq(access_mode, "shared");
    uint64_t total_kib = 0;
    bool total_known = true;
    size_t n_cells = 0;
    _cleanup_free_ char *sizes = mem_strdup(""); /* "cell 0 1048576 KiB + ...", for the message */

    for (const xmlNode *c = xml_child(xml_child(cpu, "numa"), "cell"); c; c = c->next) {
        if (!xml_is(c, "cell")) {
            continue;
        }
        n_cells++;
        _cleanup_free_ char *id = xml_attr(c, "id");
        _cleanup_free_ char *cpus = xml_attr(c, "cpus");
        _cleanup_free_ char *memory = xml_attr(c, "memory");
        _cleanup_free_ char *unit = xml_attr(c, "unit");
        _cleanup_free_ char *mem_access = xml_attr(c, "memAccess");
        const char *name = id ? id : "?";

        if (mem_access ? !streq(mem_access, "shared") : !shared_default) {
            return err_new(ERR_INVALID_XML, numa_field,
                           "NUMA cell %s does not share its memory (memAccess='%s'): vhost-user needs memAccess='shared' on every cell, or <access mode='shared'/> in <memoryBacking>",
                           name, mem_access ? mem_access : "default");
        }
        if (id && atoi(id) >= 0 && atoi(id) < CPU_IDS) {
            cell_ids[atoi(id)] = true;
        }

        _cleanup_free_ bool *bits = mem_new0(bool, CPU_IDS);
        cpuset_bits(cpus ? cpus : "", bits);
        for (size_t i = 0; i < CPU_IDS; i++) {
            if (!bits[i]) {
                continue;
            }
            if (vcpus && i >= vcpus) {
                _cleanup_free_ char *ids = describe_ids(bits, CPU_IDS);
                _cleanup_free_ char *range = vcpus == 1 ? mem_strdup("0")
                                                        : mem_asprintf("0-%u", vcpus - 1);
                return err_new(ERR_INVALID_XML, numa_field,
                               "NUMA cell %s has CPUs %s, but the VM has %u vCPU%s (%s)", name,
                               ids, vcpus, vcpus == 1 ? "" : "s", range);
            }
            if (owner_bits[i]) {
                return err_new(ERR_INVALID_XML, numa_field,
                               "CPU %zu is in NUMA cell %d and in cell %s", i, owner[i], name);
            }
            owner_bits[i] = true;
            owner[i] = id ? atoi(id) : -1;
        }

        uint64_t kib;
        if (domxml_to_kib(memory, unit, &kib)) {
            total_kib += kib;
            if (n_cells <= 8) { /* the first seven cells, then "…" */
                char *more = n_cells < 8 ? mem_asprintf("%s%scell %s %llu KiB", sizes,
                                                        n_cells > 1 ? " + " : "", name,
                                                        (unsigned long long) kib)
                                         : mem_asprintf("%s + …", sizes);
                free(sizes);
                sizes = more;
            }
        } else {
            total_known = false;
        }
    }

    if (n_cells && memory_kib && total_known && total_kib != memory_kib) {
        return err_new(ERR_INVALID_XML, memory_field,
                       "the NUMA cells of %s add up to %llu KiB (%s), but the VM has %llu KiB of "
                       "memory",
                       DETAIL_NUMA, (unsigned long long) total_kib, sizes,
                       (unsigned long long) memory_kib);
    }

    for (const xmlNode *p = xml_child(xml_child(backing, "hugepages"), "page"); p; p = p->next) {
        if (!xml_is(p, "page")) {
            continue;
        }
        _cleanup_free_ char *nodeset = xml_attr(p, "nodeset");
        if (!nodeset) {
            continue;
        }
        _cleanup_free_ bool *bits = mem_new0(bool, CPU_IDS);
        cpuset_bits(nodeset, bits);
        for (size_t i = 0; i < CPU_IDS; i++) {
            if (bits[i] && !cell_ids[i]) {
                return err_new(ERR_INVALID_XML, huge_field,
                               "<page nodeset='%s'> names NUMA cell %zu, which %s does not define",
                               nodeset, i, DETAIL_NUMA);
            }
        }
    }
    return NULL;
}

/* A details snippet as a tree of its own (it was checked and normalised). */
static struct err *parse_snippet(const char *xml, const char *field, xmlDocPtr *doc)
{
    return xml_parse_document(xml, strlen(xml), field, doc);
}

struct err *domxml_check(const struct domxml_vm *vm)
{
    const struct dpdk_details *d = vm->details;
    _cleanup_(xmlFreeDocp) xmlDocPtr numa = NULL;
    _cleanup_(xmlFreeDocp) xmlDocPtr huge = NULL;
    struct err *e = parse_snippet(d->numa, DETAIL_NUMA, &numa);
    if (!e) {
        e = parse_snippet(d->hugepages, DETAIL_HUGEPAGES, &huge);
    }
    if (e) {
        return e;
    }
    return check_tree(vm, xmlDocGetRootElement(numa), xmlDocGetRootElement(huge), vm->vcpus,
                      vm->memory_kib, "vm.memory_kib");
}

/* ---- merging into a domain ---- */

static xmlNodePtr find_named(xmlNodePtr parent, const xmlNode *like)
{
    for (xmlNodePtr c = parent->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE || c->ns || !xmlStrEqual(c->name, like->name)) {
            continue;
        }
        /* Features are told apart by name. */
        if (xml_is(like, "feature")) {
            _cleanup_free_ char *a = xml_attr(c, "name");
            _cleanup_free_ char *b = xml_attr(like, "name");
            if (!a || !b || !streq(a, b)) {
                continue;
            }
        }
        return c;
    }
    return NULL;
}

/* Every element child of 'from' replaces its namesake in 'into', or is
 * added at the end. */
static void merge_children(xmlNodePtr into, const xmlNode *from)
{
    for (const xmlNode *c = from->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }
        xmlNodePtr copy = xmlDocCopyNode((xmlNodePtr) c, into->doc, 1);
        xmlNodePtr old = find_named(into, c);
        if (old) {
            xml_replace_element(old, copy);
        } else {
            xml_append_element(into, copy);
        }
    }
}

/* Places a new top-level element before the first of 'before' present,
 * else at the end of the domain. */
static void place_top(xmlNodePtr domain, xmlNodePtr node, const char *const *before)
{
    for (; *before; before++) {
        xmlNodePtr ref = xml_child(domain, *before);
        if (ref) {
            xml_insert_before(ref, node);
            return;
        }
    }
    xml_append_element(domain, node);
}

struct warnings {
    char **v;
    size_t n, n_alloc;
};

/* Frees what 'w' still owns: every error path of domxml_merge(). */
static void warnings_clear(struct warnings *w)
{
    domxml_strings_free(w->v, w->n);
    *w = (struct warnings){0};
}

static void warn(struct warnings *w, char *message)
{
    mem_grow((void **) &w->v, &w->n_alloc, w->n + 1, sizeof *w->v);
    w->v[w->n++] = message;
}

/* The details' <cpu> adds to the domain's: its <numa> replaces the
 * domain's, its features replace theirs by name, and whatever the domain
 * lacks is added. What the domain has (mode, match, <model>, <vendor>,
 * <topology>) stays: a details mode of host-passthrough would make libvirt
 * drop the domain's model, and the topology must match its vCPUs. */
/* The details' <topology> (the domain had none) against the domain's
 * vCPUs: libvirt refuses sockets x dies x clusters x cores x threads other
 * than its <vcpu>. */
static struct err *check_topology(const struct domxml_vm *vm, const xmlNode *topology, unsigned vcpus)
{
    static const char *const parts[] = {"sockets", "dies", "clusters", "cores", "threads"};
    unsigned long long product = 1;
    for (size_t i = 0; topology && i < ARRAY_SIZE(parts); i++) {
        _cleanup_free_ char *v = xml_attr(topology, parts[i]);
        product *= v ? strtoull(v, NULL, 10) : 1;
        product = product > CPU_IDS ? CPU_IDS + 1ULL : product; /* no overflow */
    }
    if (!topology || product == vcpus) {
        return NULL;
    }
    _cleanup_free_ char *field = detail_field(vm, vm->details->numa_source, DETAIL_NUMA);
    return err_new(ERR_INVALID_XML, field,
                   "the <topology> of " DETAIL_NUMA " makes %llu vCPU%s, but the domain has %u: libvirt "
                   "refuses a topology that is not the domain's <vcpu> count",
                   product, product == 1 ? "" : "s", vcpus);
}

static void merge_cpu(xmlNodePtr domain, const xmlNode *snippet, struct warnings *w)
{
    static const char *const before[] = {"clock", "on_poweroff", "on_reboot", "on_crash", "pm",
                                         "devices", NULL};
    xmlNodePtr cpu = xml_child(domain, "cpu");
    if (!cpu) {
        place_top(domain, xmlDocCopyNode((xmlNodePtr) snippet, domain->doc, 1), before);
        return;
    }
    for (const xmlAttr *a = snippet->properties; a; a = a->next) {
        const char *name = (const char *) a->name;
        _cleanup_free_ char *want = xml_attr(snippet, name);
        _cleanup_free_ char *have = xml_attr(cpu, name);
        if (!have && streq(name, "mode") && xml_child(cpu, "model")) {
            have = mem_strdup("custom"); /* libvirt's default mode, the one a <model> needs */
        }
        if (!have) {
            set_attr(cpu, name, want);
        } else if (!streq(have, want)) {
            warn(w, mem_asprintf("the domain's <cpu %s='%s'> is kept; " DETAIL_NUMA " asks for %s='%s'",
                                 name, have, name, want));
        }
    }
    for (const xmlNode *c = snippet->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) {
            continue;
        }
        xmlNodePtr old = find_named(cpu, c);
        bool replace = xml_is(c, "numa") || xml_is(c, "feature");
        if (old && !replace) {
            _cleanup_free_ char *have = xml_node_string(cpu->doc, old);
            _cleanup_free_ char *want = xml_node_string(c->doc, (xmlNodePtr) c);
            if (!streq(have, want)) {
                warn(w, mem_asprintf("the domain's <cpu><%s> is kept; " DETAIL_NUMA " gives %s",
                                     (const char *) c->name, want));
            }
            continue;
        }
        xmlNodePtr copy = xmlDocCopyNode((xmlNodePtr) c, cpu->doc, 1);
        if (old) {
            xml_replace_element(old, copy);
        } else {
            xml_append_element(cpu, copy);
        }
    }
}

static void merge_memory_backing(xmlNodePtr domain, const xmlNode *snippet)
{
    static const char *const before[] = {"vcpu", "iothreads", "cputune", "os", "features", "cpu",
                                         "devices", NULL};
    xmlNodePtr backing = xml_child(domain, "memoryBacking");
    if (!backing) {
        place_top(domain, xmlDocCopyNode((xmlNodePtr) snippet, domain->doc, 1), before);
        return;
    }
    merge_children(backing, snippet);
}

static xmlNodePtr find_interface(xmlNodePtr devices, const char *mac)
{
    for (xmlNodePtr c = devices->children; c; c = c->next) {
        if (xml_is(c, "interface")) {
            _cleanup_free_ char *address = xml_attr(xml_child(c, "mac"), "address");
            if (address && !strcasecmp(address, mac)) {
                return c;
            }
        }
    }
    return NULL;
}

static struct err *domain_numbers(xmlNodePtr domain, unsigned *vcpus, uint64_t *memory_kib)
{
    xmlNodePtr vcpu = xml_child(domain, "vcpu");
    *vcpus = 1; /* libvirt's default */
    if (vcpu) {
        _cleanup_free_ char *text = xml_text(vcpu);
        unsigned long v = text ? strtoul(text, NULL, 10) : 0;
        if (v < 1 || v > CPU_IDS) {
            return err_new(ERR_INVALID_XML, "domain_xml", "<vcpu> must be from 1 to %d", CPU_IDS);
        }
        *vcpus = (unsigned) v;
    }
    xmlNodePtr memory = xml_child(domain, "memory");
    if (!memory) {
        return err_new(ERR_INVALID_XML, "domain_xml", "the domain has no <memory>");
    }
    _cleanup_free_ char *text = xml_text(memory);
    _cleanup_free_ char *unit = xml_attr(memory, "unit");
    bool ok = domxml_to_kib(text, unit, memory_kib);
    if (!ok || *memory_kib == 0) {
        return err_new(ERR_INVALID_XML, "domain_xml", "the domain's <memory> is not a size libvirt reads");
    }
    return NULL;
}

struct err *domxml_merge(const struct domxml_vm *vm, const struct domxml_nic *nics, size_t n,
                         const char *text, size_t size, char **out, char ***warnings_out,
                         size_t *n_warnings)
{
    _cleanup_(warnings_clear) struct warnings w = {0};
    _cleanup_(xmlFreeDocp) xmlDocPtr doc = NULL;
    _cleanup_(xmlFreeDocp) xmlDocPtr numa = NULL;
    _cleanup_(xmlFreeDocp) xmlDocPtr huge = NULL;
    xmlNodePtr domain;
    struct err *e = xml_parse_domain(text, size, "domain_xml", &doc, &domain);
    if (!e) {
        e = parse_snippet(vm->details->numa, DETAIL_NUMA, &numa);
    }
    if (!e) {
        e = parse_snippet(vm->details->hugepages, DETAIL_HUGEPAGES, &huge);
    }
    if (e) {
        return e;
    }

    unsigned vcpus;
    uint64_t memory_kib;
    if ((e = domain_numbers(domain, &vcpus, &memory_kib))) {
        return e;
    }
    if (vm->vcpus && vm->vcpus != vcpus) {
        return err_new(ERR_INVALID_REQUEST, "vm.vcpus", "vm.vcpus is %u but the domain has %u",
                       vm->vcpus, vcpus);
    }
    if (vm->memory_kib && vm->memory_kib != memory_kib) {
        return err_new(ERR_INVALID_REQUEST, "vm.memory_kib",
                       "vm.memory_kib is %llu but the domain has %llu KiB",
                       (unsigned long long) vm->memory_kib, (unsigned long long) memory_kib);
    }

    merge_memory_backing(domain, xmlDocGetRootElement(huge));
    bool own_topology = xml_child(xml_child(domain, "cpu"), "topology") != NULL;
    merge_cpu(domain, xmlDocGetRootElement(numa), &w);
    if (!own_topology && (e = check_topology(vm, xml_child(xml_child(domain, "cpu"), "topology"), vcpus))) {
        return e;
    }

    xmlNodePtr devices = xml_child(domain, "devices");
    if (!devices) {
        devices = new_element(doc, "devices");
        xml_append_element(domain, devices);
    }
    struct domxml_vm in_domain = *vm;
    in_domain.os_boot = xml_child(xml_child(domain, "os"), "boot") != NULL;
    for (size_t i = 0; i < n; i++) {
        xmlNodePtr iface = NULL;
        if ((e = build_interface(doc, &in_domain, &nics[i], n, &iface))) {
            return e;
        }
        xmlNodePtr old = find_interface(devices, nics[i].mac);
        if (old) {
            xml_replace_element(old, iface);
        } else {
            xml_append_element(devices, iface);
        }
    }

    e = check_tree(vm, xml_child(domain, "cpu"), xml_child(domain, "memoryBacking"), vcpus,
                   memory_kib, "domain_xml");
    if (e) {
        return e;
    }
    *out = xml_doc_string(doc, xml_has_declaration(text, size));
    *n_warnings = w.n;
    *warnings_out = TAKE_PTR(w.v);
    w.n = 0;
    return NULL;
}

uint64_t domxml_numa_memory_kib(const struct dpdk_details *details)
{
    _cleanup_(xmlFreeDocp) xmlDocPtr doc = NULL;
    struct err *e = details->numa ? parse_snippet(details->numa, DETAIL_NUMA, &doc) : NULL;
    uint64_t total = 0;
    if (e || !doc) {
        err_free(e);
        return 0;
    }
    xmlNodePtr numa = xml_child(xmlDocGetRootElement(doc), "numa");
    for (xmlNodePtr c = numa ? numa->children : NULL; c; c = c->next) {
        if (xml_is(c, "cell")) {
            _cleanup_free_ char *memory = xml_attr(c, "memory");
            _cleanup_free_ char *unit = xml_attr(c, "unit");
            uint64_t kib;
            if (domxml_to_kib(memory, unit, &kib)) {
                total += kib;
            }
        }
    }
    return total;
}

uint64_t domxml_page_kib(const struct dpdk_details *details)
{
    _cleanup_(xmlFreeDocp) xmlDocPtr doc = NULL;
    struct err *e = details->hugepages ? parse_snippet(details->hugepages, DETAIL_HUGEPAGES, &doc)
                                       : NULL;
    if (e || !doc) {
        err_free(e);
        return 0;
    }
    xmlNodePtr page = xml_child(xml_child(xmlDocGetRootElement(doc), "hugepages"), "page");
    _cleanup_free_ char *size = page ? xml_attr(page, "size") : NULL;
    _cleanup_free_ char *unit = page ? xml_attr(page, "unit") : NULL;
    uint64_t kib;
    return size && domxml_to_kib(size, unit, &kib) ? kib : 0;
}
