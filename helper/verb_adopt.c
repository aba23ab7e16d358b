/* adopt: take the vhost-user ports csdpdk did not make (CloudStack's own
 * csdpdk-N, any other on a netdev bridge) and the NICs' ports not bound
 * yet under csdpdk's care, by the domain that uses each: its socket and
 * MAC (docs/existing-hosts.md). A dry run unless --apply; then one
 * transaction tags every port that one running domain alone uses and moves
 * the naming hint past every csdpdk-N, and changes nothing else: a port is never removed, renamed or reconfigured (its
 * Interface's options and type stay as they are, so the switch keeps the
 * device and the VM's traffic goes on). Safe to repeat: an adopted port is
 * csdpdk's the next time. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "helper/agent.h"
#include "helper/binding.h"
#include "helper/failpoint.h"
#include "helper/libvirt.h"
#include "helper/mem.h"
#include "helper/output.h"
#include "helper/ovsdb.h"
#include "helper/verb.h"

/* Reads and judgements at most, when ports change under adopt. */
#define ADOPT_PASSES 3

/* Up to this many interfaces that use one port are named in a verdict. */
#define USES_MAX 4

struct verdict {
    const char *what; /* adopted, bound, csdpdk, orphan, ambiguous, ignored */
    char *reason;
    const struct domain *domain;
    const char *uuid;
    const char *mac;
};

static const char *domain_label(const struct domain *d)
{
    return d->name ? d->name : "?";
}

/* What adopt makes of port 'p' among the host's domains. */
static void judge(const struct ovs_port *p, const struct ovs_switch *sw, const char *socket_dir,
                  const struct host_domains *h, struct verdict *v)
{
    enum ovs_port_owner owner = ovs_port_owner(p);
    *v = (struct verdict){0};
    if (owner == OVS_OWNER_VM) {
        v->what = "csdpdk";
        v->uuid = p->vm_id;
        v->mac = p->mac;
        v->reason = mem_asprintf("csdpdk's already, VM %s", p->vm_id);
        return;
    }
    if (owner == OVS_OWNER_FOREIGN && !ovs_switch_netdev_bridge(sw, p->bridge)) {
        v->what = "ignored";
        v->reason = mem_asprintf("not on a netdev bridge (bridge %s)", p->bridge ? p->bridge : "none");
        return;
    }
    struct binding_use uses[USES_MAX];
    size_t n = binding_uses(p, socket_dir, h->parsed, h->active, h->list.n, uses, USES_MAX);
    if (n == 0 && h->unreadable) {
        v->what = "ambiguous";
        v->reason = mem_asprintf("no running domain uses it that csdpdk can read, and it cannot read "
                                 "running domain %s: it may be that domain's", h->unreadable);
        return;
    }
    if (n == 0) {
        struct binding_use idle;
        bool named = binding_uses(p, socket_dir, h->parsed, NULL, h->list.n, &idle, 1) > 0;
        /* A NIC's port is csdpdk's: gc removes it once its grace is over. */
        char gc[96];
        if (owner == OVS_OWNER_NIC) {
            snprintf(gc, sizeof gc, "gc --apply removes it once its plug is %d minutes old", OVS_PLUG_GRACE / 60);
        } else {
            snprintf(gc, sizeof gc, "gc --foreign --apply removes it when asked");
        }
        v->what = "orphan";
        v->reason = named ? mem_asprintf("no running domain uses it (domain %s, not running, names it); %s",
                                         domain_label(&h->parsed[idle.domain]), gc)
                          : mem_asprintf("no domain uses it; %s", gc);
        return;
    }
    const struct domain *d = &h->parsed[uses[0].domain];
    const struct domain_iface *i = &d->ifaces[uses[0].iface];
    v->domain = d;
    v->uuid = h->list.domains[uses[0].domain].uuid;
    v->mac = i->mac;
    if (n > 1) {
        const struct domain *other = &h->parsed[uses[1].domain];
        v->what = "ambiguous";
        v->reason = other == d ? mem_asprintf("domain %s uses it on %zu interfaces", domain_label(d), n)
                               : mem_asprintf("two running domains use it: %s and %s", domain_label(d),
                                              domain_label(other));
        return;
    }
    if (!uses[0].by_socket) {
        v->what = "ambiguous";
        v->reason = mem_asprintf("domain %s has its MAC %s on another socket (%s)", domain_label(d),
                                 i->mac, i->path ? i->path : "none");
        return;
    }
    if (p->mac && !uses[0].by_mac) {
        v->what = "ambiguous";
        v->reason = mem_asprintf("domain %s uses its socket with MAC %s, not the port's %s",
                                 domain_label(d), i->mac, p->mac);
        return;
    }
    if (!binding_serves(p, i, socket_dir)) {
        v->what = "ambiguous";
        v->reason = mem_asprintf("domain %s uses its socket in mode %s, which a port of type %s "
                                 "does not serve",
                                 domain_label(d), i->mode ? i->mode : "none", p->type);
        return;
    }
    v->what = owner == OVS_OWNER_NIC ? "bound" : "adopted";
    v->reason = mem_asprintf("domain %s uses it (MAC %s)", domain_label(d), i->mac);
}

/* One pass of adopt: the ports read, then the domains (so that a domain
 * seen running was running after the port it is matched with was read:
 * a port of a VM that stopped, made again under its name for another, is
 * never tagged with the old VM), each port judged into 'ports', and, with
 * 'apply', the tags written in one transaction; ERR_PORT_CONFLICT when a
 * port changed between the read and the transaction. */
static struct err *adopt_pass(const struct options *o, struct ovsdb *db, struct libvirt *lv,
                              const struct ovs_switch *sw, const struct agent_config *agent,
                              json_t *ports, json_t *warnings, size_t *tagged, uint64_t *hint)
{
    const struct ovs_select query = {OVS_SELECT_VHOST, NULL};
    _cleanup_(ovs_port_list_clear) struct ovs_port_list found = {0};
    _cleanup_(host_domains_clear) struct host_domains domains = {0};
    const struct host_domains *h = &domains;
    struct err *e = ovsdb_ports_select(db, &query, 1, OVS_SELECT_WITH_IDS, &found);
    if (!e) {
        e = host_domains_read(lv, &domains);
    }
    if (e) {
        return e;
    }
    char now[32], run[48];
    snprintf(now, sizeof now, "%lld", (long long) time(NULL));
    snprintf(run, sizeof run, OVS_INSTANCE_RUNNING "%s", now);
    _cleanup_free_ struct ovs_retag *changes = mem_new0(struct ovs_retag, found.n + 1);
    size_t n_changes = 0;
    uint64_t highest = 0;
    for (size_t k = 0; k < found.n; k++) {
        const struct ovs_port *p = &found.ports[k];
        struct verdict v;
        judge(p, sw, agent->socket_dir, h, &v);
        json_array_append_new(ports, json_pack("{s:s, s:s?, s:s?, s:s, s:s?, s:s?, s:s?, s:s}",
                                               "port", p->name, "bridge", p->bridge, "type", p->type,
                                               "verdict", v.what, "vm", v.uuid, "domain",
                                               v.domain ? v.domain->name : NULL, "mac", v.mac,
                                               "reason", v.reason));
        if (streq(v.what, "ambiguous")) {
            json_array_append_new(warnings, json_sprintf("%s: %s", p->name, v.reason));
        }
        free(v.reason);
        uint64_t number;
        if (ovsdb_port_number(p->name, &number) && number > highest) {
            highest = number;
        }
        /* Written only if the port still has the tags it was judged by. */
        struct ovs_retag *r = &changes[n_changes];
        *r = (struct ovs_retag){.port = p, .unchanged = true};
        if (streq(v.what, "adopted")) {
            ovs_retag_adopt(r, v.uuid, v.mac, now);
        } else if (streq(v.what, "bound")) {
            ovs_retag_bind(r, v.uuid, NULL);
        } else {
            continue;
        }
        /* Its domain runs on it: marked as the libvirt hook marks a run at
         * its start, so that the release of this run spares the port if a
         * plug for the VM's next start comes first (docs/hook.md). */
        if (!ovs_port_instance_is(p, OVS_INSTANCE_RUNNING)) {
            ovs_retag_set(r, OVS_KEY_INSTANCE, run);
        }
        n_changes++;
    }
    *tagged = n_changes;
    /* One transaction: the tags, and csdpdk's next name after every csdpdk-N
     * there is, adopted or not. */
    if (o->apply && !o->dry_run && (n_changes || highest)) {
        FAILPOINT("adopt.judged");
        e = ovsdb_ports_retag(db, changes, n_changes, highest ? highest + 1 : 0, "csdpdk adopt", hint);
    }
    return e;
}

struct err *verb_adopt_run(struct verb_context *ctx, json_t **result)
{
    const struct options *o = ctx->options;
    _cleanup_(ovsdb_closep) struct ovsdb *db = NULL;
    _cleanup_(libvirt_closep) struct libvirt *lv = NULL;
    _cleanup_(ovs_switch_clear) struct ovs_switch sw = {0};
    _cleanup_(agent_config_clear) struct agent_config agent = {0};

    struct err *e = agent_config_load(o->agent_properties, &agent);
    if (!e) {
        e = ovsdb_open(o->ovsdb, o->timeout, o->verbose, &db);
    }
    if (!e) {
        e = ovsdb_switch_read(db, &sw);
    }
    if (!e) {
        e = libvirt_open(o->libvirt, &lv);
    }
    if (e) {
        return e;
    }
    /* A port plugged, bound or removed between the read and the
     * transaction: read and judge again. */
    json_t *ports = NULL;
    size_t n_changes = 0;
    uint64_t hint = 0;
    for (int pass = 0; pass < ADOPT_PASSES; pass++) {
        json_decref(ports);
        ports = json_array();
        json_t *warnings = json_array();
        err_free(e);
        hint = 0; /* this pass's, as its ports */
        e = adopt_pass(o, db, lv, &sw, &agent, ports, warnings, &n_changes, &hint);
        if (!e || e->code != ERR_PORT_CONFLICT || pass + 1 == ADOPT_PASSES) {
            json_array_extend(ctx->warnings, warnings);
        }
        json_decref(warnings);
        if (!e || e->code != ERR_PORT_CONFLICT) {
            break;
        }
    }
    if (e) {
        json_decref(ports);
        return e;
    }
    bool apply = o->apply && !o->dry_run;
    if (!apply && n_changes) {
        json_array_append_new(ctx->warnings,
                              json_string("dry run: nothing was changed; adopt --apply tags the ports shown adopted or bound"));
    }
    *result = json_pack("{s:o, s:b, s:I}", "ports", ports, "applied", apply && n_changes > 0,
                        "tagged", (json_int_t) (apply ? n_changes : 0));
    if (hint) {
        json_object_set_new(*result, "next_port", json_sprintf(OVSDB_PORT_PREFIX "%llu", (unsigned long long) hint));
    }
    return NULL;
}

/* The text of members 'keys' of 'p', "-" for any that is no string. */
static const char *const *row_cells(const json_t *p, const char *const *keys, const char **cells, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        cells[c] = output_text_or_dash(json_object_get(p, keys[c]));
    }
    return cells;
}

/* For a person: one line per port (port, verdict, domain, MAC, bridge) in
 * at most 100 columns, its reason under it; then what was done. */
void verb_adopt_text(FILE *out, const json_t *result, bool verbose)
{
    (void) verbose;
    static const char *const head[] = {"PORT", "VERDICT", "DOMAIN", "MAC", "BRIDGE"};
    static const char *const keys[] = {"port", "verdict", "domain", "mac", "bridge"};
    /* 14 + 9 + 24 + 17 and the gaps leave 28 for the bridge. */
    static const int cap[] = {14, 9, 24, 17, 28};
    const json_t *ports = json_object_get(result, "ports");
    int width[5] = {0};
    size_t i;
    json_t *p;
    output_widen(width, head, cap, 5);
    json_array_foreach(ports, i, p) {
        const char *cells[5];
        output_widen(width, row_cells(p, keys, cells, 5), cap, 5);
    }
    if (!json_array_size(ports)) {
        fprintf(out, "no vhost-user port\n");
    } else {
        output_row(out, head, width, 5);
    }
    json_array_foreach(ports, i, p) {
        const char *cells[5];
        output_row(out, row_cells(p, keys, cells, 5), width, 5);
        output_wrapped(out, NULL, 4, output_text_or_dash(json_object_get(p, "reason")));
    }
    long long tagged = json_integer_value(json_object_get(result, "tagged"));
    if (json_is_true(json_object_get(result, "applied"))) {
        fprintf(out, "tagged %lld port%s; csdpdk's next port: %s\n", tagged, tagged == 1 ? "" : "s",
                output_text_or_dash(json_object_get(result, "next_port")));
    } else if (json_is_string(json_object_get(result, "next_port"))) {
        fprintf(out, "nothing to tag; csdpdk's next port: %s\n",
                json_string_value(json_object_get(result, "next_port")));
    }
}
