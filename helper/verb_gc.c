/* gc: find csdpdk's ports whose VM no longer runs, and with --apply remove
 * them (docs/ports.md). A VM's port (vm-id) counts when libvirt does not
 * know or does not run its VM, unless a migration in flight tagged it
 * (csdpdk-op-id, made less than OVS_MIGRATION_GRACE ago): its VM is not
 * defined on this host until the migration starts; or unless a plug handed
 * it out for a start less than OVS_PLUG_GRACE ago (csdpdk-plug-time): a VM
 * is plugged before its domain is started, and gc must not take the ports
 * of a deploy in progress. A NIC's port not bound yet counts when no
 * running domain uses its socket or MAC, once OVS_PLUG_GRACE has passed
 * since it was made (its VM's domain may not be defined yet). Ports csdpdk
 * does not own are never touched, unless --foreign asks for them: then a
 * vhost-user port on a netdev bridge that no running domain uses counts
 * too (what adopt reports as an orphan). The removal waits for the tags gc
 * read: a port retagged meanwhile (a plug handing it out, the hook binding
 * it) makes gc judge again. */
#include <time.h>

#include "helper/agent.h"
#include "helper/binding.h"
#include "helper/libvirt.h"
#include "helper/mem.h"
#include "helper/ovsdb.h"
#include "helper/verb.h"

struct gc {
    const struct options *o;
    struct ovs_port_list found;   /* the vhost-user ports, as this pass read them */
    struct libvirt *lv;           /* opened when a port needs libvirt */
    struct host_domains domains;  /* read when a port needs them */
    bool domains_read;
    struct agent_config agent;    /* the socket directory, for server-mode sockets */
    bool agent_read;
    json_t *orphans, *kept;
    struct ovs_port *doomed;      /* borrowed from the port list */
    size_t n_doomed;
};

static void gc_clear(struct gc *g)
{
    ovs_port_list_clear(&g->found);
    host_domains_clear(&g->domains);
    libvirt_close(g->lv);
    agent_config_clear(&g->agent);
    json_decref(g->orphans);
    json_decref(g->kept);
    free(g->doomed);
}

static struct err *need_libvirt(struct gc *g)
{
    return g->lv ? NULL : libvirt_open(g->o->libvirt, &g->lv);
}

static void orphan(struct gc *g, const struct ovs_port *p, const char *domain)
{
    json_array_append_new(g->orphans,
                          json_pack("{s:s, s:s?, s:s?, s:s?, s:s, s:s}", "port", p->name, "vm",
                                    p->vm_id, "nic", ovs_port_owner(p) == OVS_OWNER_NIC ? p->iface_id : NULL,
                                    "bridge", p->bridge, "domain", domain, "owned_by",
                                    ovs_port_owner_name(ovs_port_owner(p))));
    g->doomed[g->n_doomed++] = *p;
}

static void keep(struct gc *g, const struct ovs_port *p, char *reason)
{
    json_array_append_new(g->kept, json_pack("{s:s, s:s?, s:s}", "port", p->name, "vm", p->vm_id,
                                             "reason", reason));
    free(reason);
}

/* A VM's port: does libvirt run its VM? */
static struct err *judge_vm_port(struct gc *g, const struct ovs_port *p, long long now)
{
    if (ovs_port_migration_in_flight(p, now)) {
        keep(g, p, mem_strdup("migration in flight"));
        return NULL;
    }
    /* libvirt is asked only when there is a port to judge. */
    enum libvirt_domain_state state;
    struct err *e = need_libvirt(g);
    if (!e) {
        e = libvirt_domain_state(g->lv, p->vm_id, &state);
    }
    if (!e && state != LIBVIRT_DOMAIN_ACTIVE) {
        if (ovs_port_plugged_recent(p, now)) {
            keep(g, p, mem_asprintf("plugged less than %d minutes ago, its VM not started yet (domain %s)",
                                    OVS_PLUG_GRACE / 60, libvirt_domain_state_name(state)));
        } else {
            orphan(g, p, libvirt_domain_state_name(state));
        }
    }
    return e;
}

/* A NIC's port or a foreign one: does a running domain use it? */
static struct err *judge_by_use(struct gc *g, const struct ovs_port *p)
{
    struct err *e = need_libvirt(g);
    if (!e && !g->domains_read) {
        e = host_domains_read(g->lv, &g->domains);
        g->domains_read = !e;
    }
    if (!e && !g->agent_read) {
        e = agent_config_load(g->o->agent_properties, &g->agent);
        g->agent_read = !e;
    }
    if (e) {
        return e;
    }
    struct binding_use use;
    size_t n = binding_uses(p, g->agent.socket_dir, g->domains.parsed, g->domains.active,
                            g->domains.list.n, &use, 1);
    if (n) {
        const struct domain *d = &g->domains.parsed[use.domain];
        bool nic = ovs_port_owner(p) == OVS_OWNER_NIC;
        keep(g, p, mem_asprintf("%s, used by running domain %s (%s): %s", nic ? "not bound" : "not csdpdk's",
                                d->name ? d->name : "?", g->domains.list.domains[use.domain].uuid,
                                nic ? "the libvirt hook or adopt binds it" : "adopt takes it in"));
    } else if (g->domains.unreadable) {
        keep(g, p, mem_asprintf("no running domain uses it that csdpdk can read, and it cannot read "
                                "running domain %s: it may be that domain's", g->domains.unreadable));
    } else {
        orphan(g, p, "none");
    }
    return NULL;
}

/* Attempts at a judgement that no plug, hook or adopt changes under it. */
#define GC_PASSES 3

/* One look at the ports, each judged; with --apply, the orphans removed in
 * one transaction, unless a port was retagged or removed since it was read
 * (a plug handing it out, the hook binding or removing it): then nothing
 * is removed and *changed is true. Ports and domains are read again on
 * each pass (the switch's bridges, read for --foreign, are not). */
static struct err *gc_pass(struct gc *g, struct ovsdb *db, struct ovs_switch *sw, bool *sw_read,
                           bool *changed)
{
    const struct ovs_select query = {OVS_SELECT_VHOST, NULL};
    bool foreign = g->o->foreign;
    struct err *e = NULL;

    *changed = false;
    json_array_clear(g->orphans);
    json_array_clear(g->kept);
    free(g->doomed);
    g->doomed = NULL;
    g->n_doomed = 0;
    host_domains_clear(&g->domains);
    g->domains_read = false;
    ovs_port_list_clear(&g->found);
    if ((e = ovsdb_ports_select(db, &query, 1, OVS_SELECT_WITH_IDS, &g->found))) {
        return e;
    }
    g->doomed = mem_new0(struct ovs_port, g->found.n + 1);

    long long now = (long long) time(NULL);
    for (size_t i = 0; !e && i < g->found.n; i++) {
        const struct ovs_port *p = &g->found.ports[i];
        switch (ovs_port_owner(p)) {
        case OVS_OWNER_VM:
            e = judge_vm_port(g, p, now);
            break;
        case OVS_OWNER_NIC:
            if (ovs_port_unbound_recent(p, now)) {
                keep(g, p, mem_asprintf("not bound yet, made less than %d minutes ago",
                                        OVS_PLUG_GRACE / 60));
            } else {
                e = judge_by_use(g, p);
            }
            break;
        case OVS_OWNER_FOREIGN:
            /* Only what adopt would consider: a port on a netdev bridge. */
            if (foreign && !*sw_read) {
                e = ovsdb_switch_read(db, sw);
                *sw_read = !e;
            }
            if (!e && foreign && ovs_switch_netdev_bridge(sw, p->bridge)) {
                e = judge_by_use(g, p);
            }
            break;
        }
    }
    if (!e && g->o->apply && !g->o->dry_run && g->n_doomed) {
        e = ovsdb_ports_delete_unchanged(db, g->doomed, g->n_doomed, "csdpdk gc", changed);
    }
    return e;
}

struct err *verb_gc_run(struct verb_context *ctx, json_t **result)
{
    struct err *e = NULL;
    _cleanup_(gc_clear) struct gc g = {.o = ctx->options, .orphans = json_array(), .kept = json_array()};
    _cleanup_(ovsdb_closep) struct ovsdb *db = NULL;
    _cleanup_(ovs_switch_clear) struct ovs_switch sw = {0};
    bool sw_read = false;

    if ((e = ovsdb_open(g.o->ovsdb, g.o->timeout, g.o->verbose, &db))) {
        return e;
    }
    for (int pass = 1;; pass++) {
        bool changed;
        if ((e = gc_pass(&g, db, &sw, &sw_read, &changed))) {
            return e;
        }
        if (!changed) {
            break;
        }
        if (pass == GC_PASSES) {
            return err_new(ERR_PORT_CONFLICT, NULL,
                           "ports were retagged or removed while gc judged them, %d times running "
                           "(plugs or the libvirt hook at work): nothing was removed; run gc again",
                           GC_PASSES);
        }
    }

    json_t *removed = json_array();
    if (g.o->apply && !g.o->dry_run) {
        for (size_t i = 0; i < g.n_doomed; i++) {
            json_array_append_new(removed, json_string(g.doomed[i].name));
        }
    }
    *result = json_pack("{s:O, s:o, s:O}", "orphans", g.orphans, "removed", removed, "kept", g.kept);
    return NULL;
}
