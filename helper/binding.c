#include "helper/binding.h"

#include <string.h>

#include "helper/mem.h"
#include "helper/sockdir.h"
#include "helper/text.h"

void host_domains_clear(struct host_domains *h)
{
    for (size_t i = 0; h->parsed && i < h->list.n; i++) {
        domain_clear(&h->parsed[i]);
    }
    free(h->parsed);
    free(h->active);
    free(h->unreadable);
    libvirt_domain_list_clear(&h->list);
    *h = (struct host_domains){0};
}

struct err *host_domains_read(struct libvirt *lv, struct host_domains *out)
{
    struct libvirt_domain_list list = {0};
    struct err *e = libvirt_domains_read(lv, &list);
    if (!e) {
        host_domains_parse(&list, out);
    }
    return e;
}

void host_domains_parse(struct libvirt_domain_list *list, struct host_domains *out)
{
    struct host_domains h = {.list = *list};
    *list = (struct libvirt_domain_list){0};
    h.parsed = mem_new0(struct domain, h.list.n + 1);
    h.active = mem_new0(bool, h.list.n + 1);
    for (size_t i = 0; i < h.list.n; i++) {
        h.active[i] = h.list.domains[i].active;
        const char *xml = h.list.domains[i].xml;
        /* libvirt wrote it: one that csdpdk cannot read names no port it
         * can see, so a running one is remembered (whoever judges a port
         * by its use then keeps it). */
        struct err *bad = domain_parse(xml, strlen(xml), "domain", &h.parsed[i]);
        if (bad && h.active[i] && !h.unreadable) {
            h.unreadable = mem_asprintf("%s (%s)", h.list.domains[i].uuid, bad->message);
        }
        err_free(bad);
    }
    *out = h;
}

/* The port's socket, or the interface's path, with doubled '/' single. */
static char *port_socket(const struct ovs_port *p, const char *socket_dir)
{
    _cleanup_free_ char *raw = ovs_port_socket(p, socket_dir);
    return raw ? text_single_slashes(raw) : NULL;
}

/* One socket, however spelled (sockdir_same_socket()), so that a running
 * domain's port is never taken for nobody's. */
static bool socket_is(const char *socket, const struct domain_iface *i)
{
    _cleanup_free_ char *path = i->path ? text_single_slashes(i->path) : NULL;
    return socket && path && sockdir_same_socket(socket, path);
}

size_t binding_uses(const struct ovs_port *p, const char *socket_dir, const struct domain *domains,
                    const bool *active, size_t n, struct binding_use *uses, size_t max)
{
    _cleanup_free_ char *socket = port_socket(p, socket_dir);
    size_t count = 0;
    for (size_t d = 0; d < n; d++) {
        if (active && !active[d]) {
            continue;
        }
        for (size_t k = 0; k < domains[d].n_ifaces; k++) {
            const struct domain_iface *i = &domains[d].ifaces[k];
            bool by_socket = socket_is(socket, i);
            bool by_mac = p->mac && i->mac && streq(p->mac, i->mac);
            if (by_socket || by_mac) {
                if (count < max) {
                    uses[count] = (struct binding_use){d, k, by_socket, by_mac};
                }
                count++;
            }
        }
    }
    return count;
}

bool binding_mode_fits(const struct ovs_port *p, const struct domain_iface *i)
{
    if (!p->type || !i->mode) {
        return false;
    }
    /* dpdkvhostuser: OVS listens, QEMU connects (<source mode='client'>). */
    return (streq(p->type, "dpdkvhostuser") && streq(i->mode, "client")) ||
           (streq(p->type, "dpdkvhostuserclient") && streq(i->mode, "server"));
}

bool binding_same_socket(const struct ovs_port *p, const struct domain_iface *i,
                         const char *socket_dir)
{
    _cleanup_free_ char *socket = port_socket(p, socket_dir);
    return socket_is(socket, i);
}

bool binding_serves(const struct ovs_port *p, const struct domain_iface *i, const char *socket_dir)
{
    return binding_same_socket(p, i, socket_dir) && binding_mode_fits(p, i);
}

void binding_ports_clear(struct binding_ports *b)
{
    ovs_port_list_clear(&b->list);
    free(b->of_iface);
    *b = (struct binding_ports){0};
}

struct err *binding_ports_find(struct ovsdb *db, const struct domain *d, unsigned flags,
                               struct binding_ports *out)
{
    struct binding_ports b = {.of_iface = mem_new0(const struct ovs_port *, d->n_ifaces + 1)};
    char **sockets = mem_new0(char *, d->n_ifaces + 1);
    _cleanup_free_ struct ovs_select *queries = mem_new0(struct ovs_select, 2 * d->n_ifaces + 1);
    size_t n = 0;
    for (size_t k = 0; k < d->n_ifaces; k++) {
        sockets[k] = d->ifaces[k].path ? text_single_slashes(d->ifaces[k].path) : NULL;
        const char *slash = sockets[k] ? strrchr(sockets[k], '/') : NULL;
        if (slash && slash[1]) {
            queries[n++] = (struct ovs_select){OVS_SELECT_NAME, slash + 1};
            queries[n++] = (struct ovs_select){OVS_SELECT_SOCKET, sockets[k]};
        }
    }
    struct err *e = n ? ovsdb_ports_select(db, queries, n, flags, &b.list) : NULL;
    for (size_t k = 0; !e && k < d->n_ifaces; k++) {
        const char *slash = sockets[k] ? strrchr(sockets[k], '/') : NULL;
        for (size_t p = 0; slash && p < b.list.n; p++) {
            const struct ovs_port *port = &b.list.ports[p];
            if (streq(port->name, slash + 1)) {
                b.of_iface[k] = port;
                break;
            }
            if (!b.of_iface[k] && port->server_path && streq(port->server_path, sockets[k])) {
                b.of_iface[k] = port;
            }
        }
    }
    for (size_t k = 0; k < d->n_ifaces; k++) {
        free(sockets[k]);
    }
    free(sockets);
    if (e) {
        binding_ports_clear(&b);
        return e;
    }
    *out = b;
    return NULL;
}

const char *binding_misfit(const struct ovs_port *p, const struct domain_iface *i, const char *uuid,
                           const char *socket_dir, char **why)
{
    *why = NULL;
    if (p->vm_id && uuid && !streq(p->vm_id, uuid)) {
        *why = mem_asprintf("port %s belongs to VM %s, not to %s", p->name, p->vm_id, uuid);
        return "owner";
    }
    if (p->mac && !streq(p->mac, i->mac)) {
        *why = mem_asprintf("port %s is for MAC %s, not %s", p->name, p->mac, i->mac);
        return "mac";
    }
    if (!binding_mode_fits(p, i)) {
        *why = mem_asprintf("port %s is of type %s, which does not serve <source mode='%s'> of %s",
                            p->name, p->type ? p->type : "none", i->mode ? i->mode : "", i->mac);
        return "mode";
    }
    if (!binding_same_socket(p, i, socket_dir)) {
        _cleanup_free_ char *socket = ovs_port_socket(p, socket_dir);
        _cleanup_free_ char *path = i->path ? text_single_slashes(i->path) : NULL;
        *why = mem_asprintf("port %s's socket is %s, not %s", p->name, socket ? socket : "(none)",
                            path ? path : "(none)");
        return "socket";
    }
    return NULL;
}
