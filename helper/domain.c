#include "helper/domain.h"

#include <stdlib.h>
#include <string.h>

#include "helper/domxml.h"
#include "helper/mem.h"
#include "helper/xml.h"

void domain_clear(struct domain *d)
{
    for (size_t i = 0; i < d->n_ifaces; i++) {
        free(d->ifaces[i].mac);
        free(d->ifaces[i].port);
        free(d->ifaces[i].path);
        free(d->ifaces[i].mode);
    }
    free(d->ifaces);
    for (size_t i = 0; i < d->n_bindings; i++) {
        free(d->bindings[i].nodeset);
    }
    free(d->bindings);
    free(d->uuid);
    free(d->name);
    *d = (struct domain){0};
}

static void read_memory(xmlNodePtr domain, struct domain *d)
{
    xmlNodePtr memory = xml_child(domain, "memory");
    if (memory) {
        _cleanup_free_ char *text = xml_text(memory);
        _cleanup_free_ char *unit = xml_attr(memory, "unit");
        if (!domxml_to_kib(text, unit, &d->memory_kib)) {
            d->memory_kib = 0;
        }
    }

    xmlNodePtr backing = xml_child(domain, "memoryBacking");
    xmlNodePtr huge = xml_child(backing, "hugepages");
    d->hugepages = huge != NULL;
    xmlNodePtr page = xml_child(huge, "page");
    _cleanup_free_ char *size = page ? xml_attr(page, "size") : NULL;
    _cleanup_free_ char *unit = page ? xml_attr(page, "unit") : NULL;
    if (!size || !domxml_to_kib(size, unit, &d->page_kib)) {
        d->page_kib = 0;
    }
    _cleanup_free_ char *source = xml_attr(xml_child(backing, "source"), "type");
    _cleanup_free_ char *access = xml_attr(xml_child(backing, "access"), "mode");
    d->memfd_shared = source && (!strcmp(source, "memfd") || !strcmp(source, "file")) && access &&
                      !strcmp(access, "shared");

    xmlNodePtr numa = xml_child(xml_child(domain, "cpu"), "numa");
    for (xmlNodePtr c = numa ? numa->children : NULL; c; c = c->next) {
        if (xml_is(c, "cell")) {
            _cleanup_free_ char *cell_access = xml_attr(c, "memAccess");
            d->n_cells++;
            d->n_shared_cells += cell_access ? !strcmp(cell_access, "shared")
                                             : access && !strcmp(access, "shared");
        }
    }
}

/* The nodeset that <numatune> element 'e' (<memory>, <memnode>) binds
 * memory to in mode strict, or NULL when it binds none that way (see
 * struct domain_binding). */
static char *binding_nodeset(xmlNodePtr e)
{
    _cleanup_free_ char *mode = xml_attr(e, "mode");
    _cleanup_free_ char *placement = xml_attr(e, "placement");
    if ((mode && strcmp(mode, "strict")) || (placement && strcmp(placement, "static"))) {
        return NULL;
    }
    return xml_attr(e, "nodeset");
}

static void add_binding(struct domain *d, size_t *n_alloc, uint64_t kib, char *nodeset)
{
    if (!nodeset || !*nodeset) {
        free(nodeset);
        return;
    }
    mem_grow((void **) &d->bindings, n_alloc, d->n_bindings + 1, sizeof *d->bindings);
    d->bindings[d->n_bindings++] = (struct domain_binding){kib, nodeset};
}

/* <numatune>: each guest cell's memory bound by its <memnode cellid>,
 * else by <memory>; without cells, the whole <memory>. In mode
 * restrictive (libvirt requires it of <memory> and every <memnode> alike)
 * QEMU gets no policy, and the cgroup's cpuset.mems of its emulator thread,
 * which allocates the VM's memory, is <memory>'s nodeset: all of the
 * memory is bound there. */
static void read_bindings(xmlNodePtr domain, struct domain *d)
{
    xmlNodePtr numatune = xml_child(domain, "numatune");
    if (!numatune) {
        return;
    }
    xmlNodePtr all = xml_child(numatune, "memory");
    size_t n_alloc = 0;
    _cleanup_free_ char *all_mode = xml_attr(all, "mode");
    if (all_mode && !strcmp(all_mode, "restrictive")) {
        _cleanup_free_ char *placement = xml_attr(all, "placement");
        add_binding(d, &n_alloc, 0, placement && strcmp(placement, "static") ? NULL : xml_attr(all, "nodeset"));
        return;
    }
    xmlNodePtr numa = xml_child(xml_child(domain, "cpu"), "numa");
    bool cells = false;
    unsigned index = 0;
    for (xmlNodePtr c = numa ? numa->children : NULL; c; c = c->next) {
        if (!xml_is(c, "cell")) {
            continue;
        }
        cells = true;
        _cleanup_free_ char *id = xml_attr(c, "id");
        _cleanup_free_ char *memory = xml_attr(c, "memory");
        _cleanup_free_ char *unit = xml_attr(c, "unit");
        unsigned long cell_id = index++;
        if (id) {
            cell_id = strtoul(id, NULL, 10);
        }
        uint64_t kib = 0;
        if (!memory || !domxml_to_kib(memory, unit, &kib) || !kib) {
            continue;
        }
        xmlNodePtr bound = domxml_memnode(numatune, cell_id);
        add_binding(d, &n_alloc, kib, binding_nodeset(bound ? bound : all));
    }
    if (!cells && all) {
        /* 0: the VM's memory, whatever says it (the request's). */
        add_binding(d, &n_alloc, 0, binding_nodeset(all));
    }
}

struct err *domain_parse(const char *xml, size_t size, const char *field, struct domain *out)
{
    _cleanup_(xmlFreeDocp) xmlDocPtr doc = NULL;
    xmlNodePtr domain;
    struct err *e = xml_parse_domain(xml, size, field, &doc, &domain);
    if (e) {
        return e;
    }

    struct domain d = {.id = -1};
    _cleanup_free_ char *id = xml_attr(domain, "id");
    char *end = NULL;
    long long n = id ? strtoll(id, &end, 10) : -1;
    d.id = id && *id && !*end && n >= 0 ? n : -1;
    d.uuid = mem_lower(xml_text(xml_child(domain, "uuid")));
    d.name = xml_text(xml_child(domain, "name"));
    size_t n_alloc = 0;
    for (xmlNodePtr c = domxml_vhostuser_next(domain, NULL); c;
         c = domxml_vhostuser_next(domain, c)) {
        xmlNodePtr source = xml_child(c, "source");
        struct domain_iface i = {
            .mac = mem_lower(xml_attr(xml_child(c, "mac"), "address")),
            .port = xml_attr(xml_child(c, "target"), "dev"),
            .path = source ? xml_attr(source, "path") : NULL,
            .mode = source ? xml_attr(source, "mode") : NULL,
        };
        _cleanup_free_ char *reconnect = xml_attr(xml_child(source, "reconnect"), "enabled");
        i.reconnect = reconnect && !strcmp(reconnect, "yes");
        /* libvirt reports <target dev=''/> for a running vhost-user
         * interface: the live and migratable XML never name the port. */
        if (i.port && !*i.port) {
            free(i.port);
            i.port = NULL;
        }
        if (!i.port && i.path) {
            const char *slash = strrchr(i.path, '/');
            i.port = mem_strdup(slash ? slash + 1 : i.path);
        }
        if (!i.mac) {
            free(i.port);
            free(i.path);
            free(i.mode);
            domain_clear(&d);
            return err_new(ERR_INVALID_XML, field, "a vhost-user <interface> has no <mac address>");
        }
        mem_grow((void **) &d.ifaces, &n_alloc, d.n_ifaces + 1, sizeof *d.ifaces);
        d.ifaces[d.n_ifaces++] = i;
    }
    read_memory(domain, &d);
    read_bindings(domain, &d);
    *out = d;
    return NULL;
}
